/* What the load generator sends. A workload decides, per request, the command and the key
 * (next) and may react to each reply (on_reply); everything else (connections, timing,
 * counting) is the engine's. The built-in one mixes SET and GET in a fixed ratio; the
 * eviction mode plugs in a cache-aside workload (GET, then SET on a miss) through the same
 * interface. Per-thread state keeps workers sharing nothing. */
#ifndef RL_BENCH_WORKLOAD_H
#define RL_BENCH_WORKLOAD_H
#include <stddef.h>
#include <stdint.h>

#include "cli/bench/keygen.h"

enum rl_op { RL_OP_SET = 0, RL_OP_GET, RL_OP_COUNT };

/* How a reply went, as the workload sees it. */
enum rl_outcome { RL_OUT_OK, RL_OUT_HIT, RL_OUT_MISS, RL_OUT_ERROR };

struct rl_workload {
    const char *name; /* the test's name in reports: "SET", "GET", "SET:GET" */
    /* Per-thread state for thread `thread` of `nthreads` (seeded from seed). Returns NULL
     * when out of memory. The state belongs to that thread; freed with thread_free. */
    void *(*thread_new)(const struct rl_workload *wl, uint64_t seed, unsigned thread,
                        unsigned nthreads);
    void (*thread_free)(void *state);
    /* The next request: sets *key (an index below the keyspace) and returns the command. */
    enum rl_op (*next)(void *state, uint64_t *key);
    /* Called for every reply to a request next() produced, warm-up included. May be NULL. */
    void (*on_reply)(void *state, enum rl_op op, uint64_t key, enum rl_outcome out);
    /* Parameters of the built-in workload (others may keep their own beside). */
    struct rl_keydist keys;
    unsigned ratio_set, ratio_get; /* SET:GET, not both zero */
    uint64_t seed_offset;          /* differs per test, so a GET test after a SET test draws
                                      other random keys (as two independent runs would) */
};

/* The built-in SET/GET workload: ratio 1:0 is a SET test, 0:1 a GET test, S:G a mix in
 * exactly that proportion (deterministic interleave, not coin flips, so counts are exact). */
void rl_workload_setget(struct rl_workload *wl, const char *name, const struct rl_keydist *keys,
                        unsigned ratio_set, unsigned ratio_get);

/* Parses --ratio "S:G" (whole numbers, not both zero). Returns 0 or -1 with a reason. */
int rl_ratio_parse(const char *text, unsigned *set, unsigned *get, char *err, size_t errlen);

/* A command as the wire carries it, with the key's digits at key_off (rewritten per
 * request) and the value already filled in. Built once per test and shared read-only. */
struct rl_cmdtpl {
    char *buf;      /* owned; free with rl_cmdtpl_free */
    size_t len;
    size_t key_off; /* offset of the RL_KEY_DIGITS digits */
};

/* Formats op for keys PREFIX<digits> and (for SET) a value of value_size bytes, using
 * hiredis's formatter. Returns 0, or -1 when out of memory. */
int rl_cmdtpl_build(struct rl_cmdtpl *t, enum rl_op op, const char *prefix, size_t value_size);
void rl_cmdtpl_free(struct rl_cmdtpl *t);
/* The value size of key's SET, uniform over keys in [min, max]; a key always gets the same
 * size, so a run is reproducible. Pure. */
size_t rl_value_size_of(uint64_t key, size_t min, size_t max);
/* Writes the SET template t (built with a value of at least len bytes) into dst with a
 * value of len bytes instead, key digits as in t. Returns the bytes written (<= t->len). */
size_t rl_cmdtpl_set_sized(const struct rl_cmdtpl *t, size_t len, char *dst);
const char *rl_op_name(enum rl_op op);

#endif
