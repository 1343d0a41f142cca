/* Results are built once (rl_run_result per test) and rendered several ways: the header
 * that says what was measured, a table, redis-benchmark-compatible CSV, and JSON with the
 * keys DESIGN.md fixes. Plus the live line shown on a terminal while a test runs. */
#ifndef RL_BENCH_REPORT_H
#define RL_BENCH_REPORT_H
#include <stdbool.h>
#include <stdio.h>

#include "cli/bench/engine.h"
#include "cli/bench/target.h"

struct rl_bench_report {
    const struct rl_engine_cfg *cfg;
    const struct rl_server_info *server;
    const char *target_source;        /* how the target was chosen, for the header */
    const struct rl_keydist *keys;
    const char *ratio;                /* --ratio text, or NULL */
    const char *const *tests;         /* the tests asked for, in order */
    int ntests;
    const struct rl_run_result *results;
    int nresults;                     /* those that ran (the last may be partial) */
    const char *error;                /* why the run stopped early, or NULL */
};

void rl_report_header(FILE *f, const struct rl_bench_report *r);
void rl_report_table(FILE *f, const struct rl_bench_report *r);
void rl_report_csv(FILE *f, const struct rl_bench_report *r);
void rl_report_json(FILE *f, const struct rl_bench_report *r);

/* One entry of "results" (test, requests, ops_per_sec, errors, latency_ms, …). */
struct rl_json;
void rl_report_json_result(struct rl_json *j, const struct rl_run_result *res);

/* The live line: a tick hook that rewrites one stderr line. */
struct rl_live {
    const char *test;
    double warmup_s;
    bool shown;
};
void rl_live_tick(void *arg, const struct rl_tick *t);
/* Erases the live line if one was drawn. */
void rl_live_clear(struct rl_live *l);

/* GET hits over GET replies, or a negative number when there were no GETs. */
double rl_result_hit_ratio(const struct rl_run_result *res);
double rl_result_ops_per_sec(const struct rl_run_result *res);

#endif
