#include "cli/bench/workload.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct setget_state {
    struct rl_keygen keys;
    unsigned set, total; /* the ratio as SETs per `total` requests */
    uint64_t i;          /* requests made by this thread */
};

static void *setget_new(const struct rl_workload *wl, uint64_t seed, unsigned thread,
                        unsigned nthreads)
{
    struct setget_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (rl_keygen_init(&st->keys, &wl->keys, seed + wl->seed_offset, thread, nthreads) < 0) {
        free(st);
        return NULL;
    }
    st->set = wl->ratio_set;
    st->total = wl->ratio_set + wl->ratio_get;
    return st;
}

static void setget_free(void *state)
{
    free(state);
}

static enum rl_op setget_next(void *state, uint64_t *key)
{
    struct setget_state *st = state;
    *key = rl_keygen_next(&st->keys);
    /* Request i is a SET when floor((i+1)*S/T) steps past floor(i*S/T): Bresenham's
     * interleave, which spreads S SETs evenly over every T requests. */
    uint64_t pos = st->i++ % st->total;
    return (pos + 1) * st->set / st->total > pos * st->set / st->total ? RL_OP_SET : RL_OP_GET;
}

void rl_workload_setget(struct rl_workload *wl, const char *name, const struct rl_keydist *keys,
                        unsigned ratio_set, unsigned ratio_get)
{
    memset(wl, 0, sizeof *wl);
    wl->name = name;
    wl->thread_new = setget_new;
    wl->thread_free = setget_free;
    wl->next = setget_next;
    wl->on_reply = NULL;
    wl->keys = *keys;
    wl->ratio_set = ratio_set;
    wl->ratio_get = ratio_get;
}

int rl_ratio_parse(const char *text, unsigned *set, unsigned *get, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long s = strtoul(text, &end, 10);
    if (end == text || *end != ':' || errno || s > 1000000 || text[0] == '-')
        goto bad;
    const char *g_text = end + 1;
    unsigned long g = strtoul(g_text, &end, 10);
    if (end == g_text || *end || errno || g > 1000000 || g_text[0] == '-')
        goto bad;
    if (s == 0 && g == 0) {
        snprintf(err, errlen, "--ratio %s: SETs and GETs cannot both be 0", text);
        return -1;
    }
    *set = (unsigned)s;
    *get = (unsigned)g;
    return 0;
bad:
    snprintf(err, errlen, "--ratio \"%s\" is not SETS:GETS as two whole numbers up to 1000000 "
             "(e.g. 1:10)", text);
    return -1;
}

const char *rl_op_name(enum rl_op op)
{
    return op == RL_OP_SET ? "SET" : "GET";
}

static int format(char **out, enum rl_op op, const char *key, size_t keylen, const char *val,
                  size_t vallen)
{
    const char *argv[3] = {rl_op_name(op), key, val};
    size_t lens[3] = {3, keylen, vallen};
    return redisFormatCommandArgv(out, op == RL_OP_SET ? 3 : 2, argv, lens);
}

int rl_cmdtpl_build(struct rl_cmdtpl *t, enum rl_op op, const char *prefix, size_t value_size)
{
    memset(t, 0, sizeof *t);
    size_t plen = strlen(prefix);
    size_t klen = plen + RL_KEY_DIGITS;
    char *k0 = malloc(klen), *k1 = malloc(klen);
    char *val = malloc(value_size ? value_size : 1);
    char *a = NULL, *b = NULL;
    int rc = -1;
    if (!k0 || !k1 || !val)
        goto out;
    /* keys are counted strings (no terminator): PREFIX then the digits */
    memset(k0 + plen, '0', RL_KEY_DIGITS);
    memset(k1 + plen, '1', RL_KEY_DIGITS);
    memcpy(k0, prefix, plen); /* NOLINT(bugprone-not-null-terminated-result): counted string */
    memcpy(k1, prefix, plen); /* NOLINT(bugprone-not-null-terminated-result): counted string */
    memset(val, 'x', value_size); /* redis-benchmark's filler, so payloads compare */
    int la = format(&a, op, k0, klen, val, value_size);
    int lb = format(&b, op, k1, klen, val, value_size);
    if (la <= 0 || lb != la)
        goto out;
    /* Two renderings that differ only in the digits locate them without re-deriving
     * RESP's layout (the prefix itself may contain anything, even "SET"). */
    size_t off = 0;
    while (off < (size_t)la && a[off] == b[off])
        off++;
    t->buf = malloc((size_t)la);
    if (!t->buf)
        goto out;
    memcpy(t->buf, a, (size_t)la);
    t->len = (size_t)la;
    t->key_off = off;
    rc = 0;
out:
    free(k0);
    free(k1);
    free(val);
    if (a)
        redisFreeCommand(a);
    if (b)
        redisFreeCommand(b);
    return rc;
}

void rl_cmdtpl_free(struct rl_cmdtpl *t)
{
    if (!t)
        return;
    free(t->buf);
    t->buf = NULL;
}

size_t rl_value_size_of(uint64_t key, size_t min, size_t max)
{
    uint64_t z = key + UINT64_C(0x9e3779b97f4a7c15); /* splitmix64's finalizer: neighbours differ */
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z ^= z >> 31;
    return max > min ? min + (size_t)(z % ((uint64_t)(max - min) + 1)) : min;
}

size_t rl_cmdtpl_set_sized(const struct rl_cmdtpl *t, size_t len, char *dst)
{
    /* RESP: ... key digits, "\r\n", then the value as "$LEN\r\n" LEN bytes "\r\n" */
    size_t head = t->key_off + RL_KEY_DIGITS + 2;
    memcpy(dst, t->buf, head);
    int n = snprintf(dst + head, 24, "$%zu\r\n", len); /* at most 1 + 20 digits + 2 */
    size_t off = head + (size_t)(n > 0 ? n : 0);
    memset(dst + off, 'x', len);
    memcpy(dst + off + len, "\r\n", 2); /* NOLINT(bugprone-not-null-terminated-result): RESP, counted */
    return off + len + 2;
}
