/* The command side of bench --eviction: its options, the refusal to evict on a server
 * redis-light did not start (unless --allow-eviction), the runs on the target or on
 * --launch servers, and the table, JSON and SVG. */
#ifndef RL_BENCH_EVICT_CMD_H
#define RL_BENCH_EVICT_CMD_H
#include <signal.h>

#include "cli/bench/engine.h"
#include "cli/bench/keygen.h"
#include "cli/util/args.h"

/* cfg: the load options bench parsed (clients, threads, pipeline, prefix, target…).
 * Returns the exit code. */
int rl_bench_eviction(const struct rl_args *a, struct rl_engine_cfg *cfg, const char *target_source,
                      const struct rl_keydist *keys, volatile sig_atomic_t *interrupted);
/* The options only --eviction takes, for bench's usage checks. */
extern const char *const rl_eviction_only_opts[];

#endif
