/* The load engine's sized SETs (value_size_max, what tune's ranges use): every size of a
 * range and only those, about equally often, the same for the same key; and the command
 * written for a size is one valid RESP SET (hiredis's reader parses it back) with that
 * value length, within the template the engine sized its buffers for. */
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cli/bench/workload.h"
#include "tap.h"

/* A range's SETs: rl_value_size_of stays in [min, max], hits every size, about evenly, the
 * same for the same key; rl_cmdtpl_set_sized writes a SET that hiredis's reader parses
 * back into the key and a value of exactly that length. */
static void test_sized_sets(void)
{
    enum { MIN = 16, MAX = 1024, N = 1009 * 200 };
    static unsigned hits[MAX + 1];
    bool inside = true;
    for (uint64_t k = 0; k < N; k++) {
        size_t v = rl_value_size_of(k, MIN, MAX);
        inside = inside && v >= MIN && v <= MAX;
        if (v <= MAX)
            hits[v]++;
    }
    OK(inside, "every size within [16, 1024]");
    unsigned lo = N, hi = 0;
    for (int v = MIN; v <= MAX; v++) {
        lo = hits[v] < lo ? hits[v] : lo;
        hi = hits[v] > hi ? hits[v] : hi;
    }
    /* 200 expected per size; a uniform draw of 201,800 keys stays well within 100..300 */
    OK(lo >= 100 && hi <= 300, "every size about equally often (200 each: %u..%u)", lo, hi);
    EQ_U64(rl_value_size_of(12345, MIN, MAX), rl_value_size_of(12345, MIN, MAX));
    EQ_U64(rl_value_size_of(7, 200, 200), 200);

    struct rl_cmdtpl t;
    OK(rl_cmdtpl_build(&t, RL_OP_SET, "rl:tune:", MAX) == 0, "template for 1024-byte values");
    char *buf = malloc(t.len);
    size_t lens[] = {MIN, 99, 100, MAX};
    for (size_t i = 0; buf && i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = rl_cmdtpl_set_sized(&t, lens[i], buf);
        rl_key_digits(buf + t.key_off, 42);
        OK(n <= t.len, "a %zu-byte value fits the template (%zu <= %zu)", lens[i], n, t.len);
        redisReader *r = redisReaderCreate();
        void *reply = NULL;
        redisReaderFeed(r, buf, n);
        int rc = redisReaderGetReply(r, &reply);
        redisReply *rep = reply;
        OK(rc == REDIS_OK && rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3, "parses as one command");
        if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
            EQ_STR(rep->element[0]->str, "SET");
            EQ_STR(rep->element[1]->str, "rl:tune:000000000042");
            EQ_U64(rep->element[2]->len, lens[i]);
            OK(rep->element[2]->str[0] == 'x' && rep->element[2]->str[lens[i] - 1] == 'x', "the filler");
        }
        void *more = NULL;
        OK(redisReaderGetReply(r, &more) == REDIS_OK && more == NULL, "and nothing after it");
        freeReplyObject(reply);
        redisReaderFree(r);
    }
    free(buf);
    rl_cmdtpl_free(&t);
}

int main(void)
{
    test_sized_sets();
    return tap_done();
}
