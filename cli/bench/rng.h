/* A small, fast, per-thread random generator (xoshiro256**, seeded through splitmix64).
 * Each worker owns one, so threads never share state; a run is reproducible from --seed. */
#ifndef RL_BENCH_RNG_H
#define RL_BENCH_RNG_H
#include <stdint.h>

struct rl_rng {
    uint64_t s[4];
};

/* Seeds from (seed, stream): distinct streams give independent sequences. */
void rl_rng_seed(struct rl_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t rl_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rl_rng_next(struct rl_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rl_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rl_rng_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) without modulo bias (Lemire's multiply-and-reject), n > 0. */
static inline uint64_t rl_rng_below(struct rl_rng *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)rl_rng_next(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t floor = -n % n;
        while (lo < floor) {
            m = (unsigned __int128)rl_rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double rl_rng_double(struct rl_rng *r)
{
    return (double)(rl_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
