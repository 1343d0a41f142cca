/* The eviction mode's sampler: every tick (250 ms) on its own control connection, the
 * server's INFO (used_memory, used_memory_rss, maxmemory, evicted_keys, fragmentation, OOM
 * rejections from errorstats) and the load's ops/s; when the server runs on this machine,
 * also its RSS and map count from /proc/PID and its own cgroup's memory limit and usage
 * (the doctor's cgroup code on /proc/PID/cgroup), so headroom is against the real limit. */
#ifndef RL_BENCH_SAMPLER_H
#define RL_BENCH_SAMPLER_H
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/bench/engine.h"
#include "cli/server/client.h" /* rl_info_field, rl_info_u64 */

struct rl_evict_sample {
    double t;                 /* seconds since the run's first sample */
    int phase;                /* 0 fill, 1 cache */
    uint64_t used_memory, used_memory_rss, maxmemory;
    uint64_t evicted_keys;    /* since the run started (delta of the server's counter) */
    uint64_t oom_rejections;  /* since the run started (errorstat_OOM delta) */
    double frag;              /* mem_fragmentation_ratio */
    double ops_per_sec;       /* answered requests per second in the last window */
    uint64_t errors;          /* error replies in the last window */
    uint64_t oom_errors;      /* of which -OOM */
    uint64_t proc_rss, maps;  /* 0 when the server is not local */
    uint64_t cg_limit, cg_usage; /* 0 when unknown or unlimited */
};

struct rl_sampler {
    redisContext *c;          /* owned */
    struct rl_target target;  /* to reconnect after a timeout or a close */
    pid_t pid;                /* the server's pid when local, else 0 */
    uint64_t evicted0, oom0;  /* counters at the run's start */
    struct rl_evict_sample *s;
    size_t n, cap;
    double t_offset;          /* added to tick times: the fill phase's length in the cache phase */
    int phase;
    bool failed;              /* INFO stopped answering, also on a fresh connection */
};

/* Opens the sampler's connection; local_pid is the server's process_id when it runs on
 * this machine (0 otherwise). Returns 0 or -1 with err. */
int rl_sampler_open(struct rl_sampler *s, const struct rl_target *t, pid_t local_pid, char *err, size_t errlen);
/* Reads the starting counters. Returns 0 or -1. */
int rl_sampler_begin(struct rl_sampler *s);
/* Takes one sample now; window may be NULL (no load figures). */
void rl_sampler_take(struct rl_sampler *s, double t, const struct rl_stats *window, double window_s);
/* An engine tick hook; arg is the sampler. */
void rl_sampler_tick(void *arg, const struct rl_tick *tick);
void rl_sampler_close(struct rl_sampler *s);

/* INFO text beside cli/server/client.h's rl_info_field/rl_info_u64: a decimal field (def
 * when absent) and the count of an errorstat_NAME line (0 when absent). Pure. */
double rl_info_dbl(const char *info, const char *key, double def);
uint64_t rl_info_errorstat(const char *info, const char *name);

#endif
