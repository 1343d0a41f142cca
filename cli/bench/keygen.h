/* Which key a request touches: an index in [0, keyspace) drawn from the chosen
 * distribution, written into the command as a fixed-width decimal after the prefix. */
#ifndef RL_BENCH_KEYGEN_H
#define RL_BENCH_KEYGEN_H
#include <stddef.h>
#include <stdint.h>

#include "cli/bench/rng.h"
#include "cli/bench/zipf.h"

/* Key names are PREFIX + 12 decimal digits (like redis-benchmark's key:__rand_int__), so
 * every command of a test has the same length and keys are rewritten in place. */
#define RL_KEY_DIGITS 12
#define RL_KEYSPACE_MAX UINT64_C(1000000000000) /* 10^12: what 12 digits hold */
#define RL_ZIPF_DEFAULT_S 0.99

enum rl_dist { RL_DIST_UNIFORM, RL_DIST_SEQUENTIAL, RL_DIST_ZIPF };

struct rl_keydist {
    enum rl_dist kind;
    double zipf_s;     /* exponent, for RL_DIST_ZIPF */
    uint64_t keyspace; /* >= 1 */
};

/* Parses "uniform", "sequential", "zipf" or "zipf:S". Returns 0, or -1 with a reason. */
int rl_keydist_parse(const char *text, struct rl_keydist *d, char *err, size_t errlen);
/* "uniform", "sequential", "zipf:0.99". Returns buf. */
const char *rl_keydist_name(const struct rl_keydist *d, char *buf, size_t len);

/* One stream of key indexes (one per worker thread). Sequential streams interleave: of
 * nstreams streams, stream i yields i, i+nstreams, i+2*nstreams... (mod keyspace), so
 * together they cover the keyspace once per round. */
struct rl_keygen {
    struct rl_keydist d;
    struct rl_zipf zipf;
    struct rl_rng rng;
    uint64_t next_seq, stride;
};

/* Returns 0, or -1 when the distribution is invalid (zipf exponent out of range). */
int rl_keygen_init(struct rl_keygen *g, const struct rl_keydist *d, uint64_t seed,
                   unsigned stream, unsigned nstreams);

static inline uint64_t rl_keygen_next(struct rl_keygen *g)
{
    switch (g->d.kind) {
    case RL_DIST_SEQUENTIAL: {
        uint64_t k = g->next_seq;
        g->next_seq += g->stride;
        if (g->next_seq >= g->d.keyspace)
            g->next_seq -= g->d.keyspace;
        return k;
    }
    case RL_DIST_ZIPF:
        return rl_zipf_next(&g->zipf, &g->rng) - 1; /* rank 1 is key 0, the hottest */
    case RL_DIST_UNIFORM:
    default:
        return rl_rng_below(&g->rng, g->d.keyspace);
    }
}

/* Writes v (< 10^12) as exactly RL_KEY_DIGITS zero-padded digits, no terminator. */
void rl_key_digits(char *dst, uint64_t v);

#endif
