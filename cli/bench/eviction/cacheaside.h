/* The eviction mode's cache phase: an application cache in front of a slower store. Each
 * request GETs a key drawn from the distribution; a miss (nil) makes the same thread SET
 * that key next, as cache-aside code does after reading the store. The hit ratio of the
 * GETs is then the cache's quality under the server's eviction policy. */
#ifndef RL_BENCH_EVICTION_CACHEASIDE_H
#define RL_BENCH_EVICTION_CACHEASIDE_H
#include "cli/bench/workload.h"

/* The fill phase writes keys 0, 1, 2, … in order; if popularity followed the same order
 * the first keys written (the first an LRU evicts, the ones noeviction keeps) would be the
 * hottest, and every policy's hit ratio would be skewed. So rank r (0 = hottest) maps to
 * key (r * mult) mod n, a bijection when gcd(mult, n) = 1, which scatters popularity over
 * the fill order; the workload adds a shift drawn from the run's seed (--seed), so which
 * keys happen to be both hot and written first is chance, not a constant. Pure. */
uint64_t rl_cacheaside_multiplier(uint64_t n);
uint64_t rl_cacheaside_key(uint64_t rank, uint64_t mult, uint64_t n);

void rl_workload_cacheaside(struct rl_workload *wl, const char *name, const struct rl_keydist *keys);

#endif
