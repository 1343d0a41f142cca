#include "cli/bench/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void rl_rng_seed(struct rl_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mixing the stream number through splitmix first keeps neighbouring streams (thread
     * 0, 1, 2...) far apart in xoshiro's state space. */
    uint64_t x = seed;
    uint64_t mix = stream;
    x ^= splitmix64(&mix);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* the all-zero state is a fixed point */
}
