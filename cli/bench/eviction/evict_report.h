/* bench --eviction's results, built once and rendered as the comparison table or as JSON
 * (DESIGN.md's "eviction" block, one object per run: per policy and per launched server). */
#ifndef RL_BENCH_EVICTION_EVICT_REPORT_H
#define RL_BENCH_EVICTION_EVICT_REPORT_H
#include <stdio.h>

#include "cli/bench/eviction/eviction.h"
#include "cli/bench/target.h"

struct rl_evict_report {
    const struct rl_engine_cfg *cfg;
    const struct rl_evict_cfg *ec;
    const struct rl_server_info *server; /* the user's target; NULL with --launch */
    const char *target_source;
    const struct rl_evict_run *runs;
    int nruns;
    const char *error;                   /* why it stopped early, or NULL */
    const char *problem;                 /* what is wrong with a run that finished, or NULL */
};

void rl_evict_header(FILE *f, const struct rl_evict_report *r);
void rl_evict_table(FILE *f, const struct rl_evict_report *r);
void rl_evict_json(FILE *f, const struct rl_evict_report *r);

#endif
