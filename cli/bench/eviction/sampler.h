/* The eviction mode's sampler: every tick (250 ms) on its own control connection, the
 * server's INFO (used_memory, used_memory_rss, maxmemory, evicted_keys, fragmentation, OOM
 * rejections from errorstats) and the server's own command rate; when the server runs on this machine,
 * also its RSS and map count from /proc/PID and its own cgroup's memory limit and usage
 * (the doctor's cgroup code on /proc/PID/cgroup), so headroom is against the real limit. */
#ifndef RL_BENCH_EVICTION_SAMPLER_H
#define RL_BENCH_EVICTION_SAMPLER_H
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/bench/engine.h"
#include "cli/instance/client.h" /* rl_info_field, rl_info_u64 */

struct rl_evict_sample {
    double t;                 /* seconds since the run's first sample */
    int phase;                /* 0 fill, 1 cache */
    uint64_t used_memory, used_memory_rss, maxmemory;
    uint64_t evicted_keys;    /* since the run started (delta of the server's counter) */
    uint64_t oom_rejections;  /* since the run started (errorstat_OOM delta) */
    double frag;              /* mem_fragmentation_ratio */
    /* Commands the server processed per second since the previous sample: the delta of its
     * total_commands_processed (less the sampler's own INFO) over the delta of its
     * server_time_usec, both read by one INFO, so the window is exactly the server's. The
     * load's own counters cannot give this: worker snapshots are published on their own
     * clock and a window cut at the warm-up's end held warm-up replies. Negative: unknown
     * (the first sample, or the server restarted). */
    double ops_per_sec;
    uint64_t commands_processed; /* INFO total_commands_processed, as read */
    int64_t time_us;          /* INFO server_time_usec; this machine's monotonic clock when absent */
    bool server_clock;        /* time_us is the server's */
    uint64_t errors;          /* error replies to the load in the last tick window, warm-up too */
    uint64_t oom_errors;      /* of which -OOM */
    uint64_t proc_rss, maps;  /* 0 when the server is not local */
    uint64_t cg_limit, cg_usage; /* 0 when unknown or unlimited */
};

struct rl_sampler {
    redisContext *c;          /* owned */
    struct rl_target target;  /* to reconnect after a timeout or a close */
    pid_t pid;                /* the server's pid when local, else 0 */
    uint64_t evicted0, oom0;  /* counters at the run's start */
    uint64_t prev_commands;   /* the previous INFO's total_commands_processed and time */
    int64_t prev_time_us;
    bool have_prev;
    uint64_t own_commands;    /* the sampler's commands since the previous INFO (INFO, a login) */
    struct rl_evict_sample *s;
    size_t n, cap;
    double t_offset;          /* added to tick times: the fill phase's length in the cache phase */
    int phase;
    bool failed;              /* INFO stopped answering, also on a fresh connection */
};

/* Opens the sampler's connection; local_pid is the server's process_id when it runs on
 * this machine (0 otherwise). Returns 0 or -1 with err. */
int rl_sampler_open(struct rl_sampler *s, const struct rl_target *t, pid_t local_pid, char *err, size_t errlen);
/* Reads the starting counters (and the rate's starting point). Returns 0 or -1. */
int rl_sampler_begin(struct rl_sampler *s);
/* Takes one sample now; window may be NULL (no load figures). */
void rl_sampler_take(struct rl_sampler *s, double t, const struct rl_stats *window, double window_s);
/* An engine tick hook; arg is the sampler. */
void rl_sampler_tick(void *arg, const struct rl_tick *tick);
void rl_sampler_close(struct rl_sampler *s);

/* INFO text beside cli/instance/client.h's rl_info_field/rl_info_u64: a decimal field (def
 * when absent) and the count of an errorstat_NAME line (0 when absent). Pure. */
double rl_info_dbl(const char *info, const char *key, double def);
uint64_t rl_info_errorstat(const char *info, const char *name);
/* Commands per second between two readings of a server's command counter and clock, less
 * own (the reader's commands counted in between); -1 when the readings cannot give a rate
 * (the clock did not advance, or the counter went back: a restart). Pure. */
double rl_sampler_rate(uint64_t commands0, int64_t time0_us, uint64_t commands1, int64_t time1_us, uint64_t own);

#endif
