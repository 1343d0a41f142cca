/* bench --eviction --launch A,B: the same workload on throwaway servers redis-light starts
 * itself, side by side. "libc" and "jemalloc" mean the profile doctor picks here (or
 * --profile) built with that allocator, from the same source; any other item is a profile
 * name or path. Each server is built when missing, started with its rendered config,
 * measured, and always stopped. */
#ifndef RL_BENCH_EVICTION_EVICT_LAUNCH_H
#define RL_BENCH_EVICTION_EVICT_LAUNCH_H
#include "cli/bench/eviction/eviction.h"
#include "cli/util/fault.h"
#include "probes/root.h"

#define RL_EVICT_MAX_LAUNCH 4

/* Plans each item on root (cli/plan/, as `up` would), builds it when missing, runs the
 * study on a throwaway server of it. Returns 0, or -1 with err and *fault (RL_FAULT_INPUT
 * for a bad item or profile, RL_FAULT_RUNTIME for a build, launch or run failure). runs
 * gets npolicies entries per item that ran. */
int rl_evict_launch(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, const struct rl_root *root,
                    const char *items, const char *profile, struct rl_evict_run *runs, int *nruns,
                    enum rl_fault *fault, char *err, size_t errlen);

#endif
