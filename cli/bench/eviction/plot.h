/* bench --eviction --plot FILE.svg: the sampler's series over time, one panel per run
 * (policy, or launched server and policy). Each panel has a memory chart (used_memory,
 * RSS, maxmemory and the cgroup limit, in MiB) and a rate chart (ops/s and evicted
 * keys/s), with axes, units, a legend and a line where the fill phase ends. */
#ifndef RL_BENCH_EVICTION_PLOT_H
#define RL_BENCH_EVICTION_PLOT_H
#include <stddef.h>

#include "cli/bench/eviction/eviction.h"

/* Writes the SVG to path (created 0644, replaced atomically). Returns 0 or -1 with err. */
int rl_plot_svg(const char *path, const struct rl_evict_run *runs, int nruns, char *err, size_t errlen);

#endif
