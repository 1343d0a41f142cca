/* bench --eviction --launch A,B: the same workload on throwaway servers redis-light starts
 * itself, side by side. "libc" and "jemalloc" mean the profile doctor picks here (or
 * --profile) built with that allocator, from the same source; any other item is a profile
 * name or path. Each server is built when missing, started with its rendered config,
 * measured, and always stopped. */
#ifndef RL_BENCH_EVICT_LAUNCH_H
#define RL_BENCH_EVICT_LAUNCH_H
#include "cli/bench/eviction.h"

#define RL_EVICT_MAX_LAUNCH 4

/* Returns 0, or an exit code (2 a bad item or profile, 3 a build/launch/run failure) with
 * err. runs gets npolicies entries per item that ran. */
int rl_evict_launch(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, const char *items,
                    const char *profile, struct rl_evict_run *runs, int *nruns, char *err, size_t errlen);

#endif
