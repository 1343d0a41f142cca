/* libFuzzer target: bench's reply handling. cli/bench/conn.c feeds whatever the server
 * sends, read by read, into hiredis's redisReader and classifies each reply: an error is
 * counted by kind (rl_errkind_of) and never as an op, its text kept as an example with
 * "%s"; nil answers a GET as a miss; anything else is an op. This feeds arbitrary bytes the
 * same way, cut into reads of a size the first byte picks (replies split across reads are
 * the common case under pipelining), and checks that the classification is total and
 * agrees with what bench documents: OOM… is an OOM error, NOAUTH/WRONGPASS/NOPERM an auth
 * error, everything else "other". A reader error ends the input, as it fails the
 * connection in conn.c. */
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench/reply.h"
#include "cli/bench/stats.h"

/* The documented rule, written independently of stats.c: the word, then the end or a
 * space ("OOMX" is not an OOM error). */
static bool starts_word(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && memcmp(s, word, n) == 0 && (len == n || s[n] == ' ');
}

struct tally {
    uint64_t ops, misses, errors[RL_ERR_COUNT];
};

static void classify(const redisReply *r, struct tally *t, int depth)
{
    if (depth > 16)
        abort(); /* hiredis bounds nesting; more would mean its reader changed */
    switch (r->type) {
    case REDIS_REPLY_ERROR: {
        if (!r->str || r->str[r->len] != '\0')
            abort(); /* conn.c prints it with %s: it must be NUL-terminated at len */
        enum rl_errkind k = rl_errkind_of(r->str, r->len);
        if ((unsigned)k >= RL_ERR_COUNT || !rl_errkind_name(k))
            abort();
        bool oom = starts_word(r->str, r->len, "OOM");
        bool auth = starts_word(r->str, r->len, "NOAUTH") || starts_word(r->str, r->len, "WRONGPASS") ||
                    starts_word(r->str, r->len, "NOPERM");
        if (oom != (k == RL_ERR_OOM) || auth != (k == RL_ERR_AUTH))
            abort();
        char example[160]; /* as conn.c keeps the first error of each kind */
        snprintf(example, sizeof example, "%s", r->str);
        t->errors[k]++;
        break;
    }
    case REDIS_REPLY_NIL:
        t->misses++;
        break;
    case REDIS_REPLY_ARRAY:
        if (r->elements && !r->element)
            abort();
        for (size_t i = 0; i < r->elements; i++)
            classify(r->element[i], t, depth + 1);
        t->ops++;
        break;
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_STRING:
        if (!r->str || r->str[r->len] != '\0')
            abort();
        t->ops++;
        break;
    default:
        t->ops++;
    }
}

/* The reader is bench's own (cli/bench/reply.c): hiredis's functions, with array headers
 * over RL_REPLY_ARRAY_CAP refused (hiredis callocs the declared count up front). */
static redisReader *reader_new(void)
{
    return rl_bench_reader_create();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = 1 + data[0] % 32;
    data++;
    size--;
    redisReader *reader = reader_new();
    if (!reader)
        return 0;
    struct tally t = {0};
    for (size_t off = 0; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        if (redisReaderFeed(reader, (const char *)data + off, n) != REDIS_OK)
            break;
        void *reply = NULL;
        int rc;
        while ((rc = redisReaderGetReply(reader, &reply)) == REDIS_OK && reply) {
            classify(reply, &t, 0);
            freeReplyObject(reply);
            reply = NULL;
        }
        if (rc != REDIS_OK) {
            if (!reader->errstr[0])
                abort(); /* conn.c reports the reader's reason: there must be one */
            break;
        }
    }
    redisReaderFree(reader);
    return 0;
}
