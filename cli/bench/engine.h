/* The load generator (wrk's shape): `threads` worker threads that share nothing, each with
 * its own epoll loop, non-blocking connections, workload state and counters; the calling
 * thread only starts them, samples their published counters every 250 ms (live line,
 * per-second series, and any sampler a mode plugs in) and merges their totals after join.
 *
 * Commands are pre-formatted once (hiredis) and copied into a per-connection buffer whose
 * key digits are rewritten in place; replies are parsed by hiredis's redisReader fed from
 * our own reads. Every wait is bounded by the target's timeout, so a dead or silent server
 * ends the run with a reason instead of a hang. */
#ifndef RL_BENCH_ENGINE_H
#define RL_BENCH_ENGINE_H
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/bench/stats.h"
#include "cli/bench/workload.h"

#define RL_TICK_NS UINT64_C(250000000) /* live line, sampling and series resolution base */

/* Where to connect and how to log in. */
struct rl_target {
    char host[256];        /* for TCP; ignored when socket is set */
    int port;
    char socket[PATH_MAX]; /* unix socket path, or "" */
    char user[128];        /* ACL user, or "" for the default user */
    char password[256];
    bool has_password;
    int dbnum;
    int timeout_ms;        /* connect timeout, reply timeout and reconnect budget */
};

struct rl_engine_cfg {
    struct rl_target target;
    unsigned clients, threads, pipeline;
    uint64_t requests;      /* -n: measured requests in total; used when duration_ns is 0 */
    uint64_t duration_ns;   /* --duration, 0 for -n mode */
    uint64_t warmup_ns;     /* --warmup: run this long first and count nothing of it */
    size_t value_size;      /* -d */
    size_t value_size_max;  /* above value_size: each SET's value has rl_value_size_of(key) bytes,
                               uniform in [value_size, value_size_max] (tune's ranges); else fixed */
    const char *key_prefix; /* every key is this prefix + 12 digits */
    double rps;             /* --rps in total; 0 runs closed-loop (as fast as replies come) */
    uint64_t seed;
    volatile sig_atomic_t *interrupted; /* set by a signal handler to stop early; may be NULL */
};

/* What a tick sees (on the calling thread). */
struct rl_tick {
    double t;                     /* seconds since measurement started; < 0 in warm-up */
    double window_s;              /* length of the window below */
    const struct rl_stats *total; /* measured so far, all threads */
    const struct rl_stats *window;/* measured during the last window */
};

struct rl_engine_hooks {
    /* Called every 250 ms while the test runs; keep it short (it delays the next tick, not
     * the workers). The eviction mode's INFO sampler and the live line plug in here. */
    void (*on_tick)(void *arg, const struct rl_tick *tick);
    void *arg;
};

/* One row of the per-second time series. */
struct rl_series_row {
    double t;           /* end of the window, seconds since measurement start */
    double ops_per_sec;
    uint64_t ops, errors;
    uint64_t p50_ns, p99_ns, max_ns;
};

enum rl_run_status {
    RL_RUN_OK = 0,
    RL_RUN_FAILED,      /* a runtime failure stopped it (reason says which); results partial */
    RL_RUN_INTERRUPTED, /* a signal stopped it; results partial */
};

struct rl_run_result {
    char test[64];
    struct rl_stats stats;         /* exact totals, merged after join */
    double elapsed_s;              /* measured interval: warm-up end to the last reply */
    struct rl_series_row *series;  /* owned; one per second */
    size_t nseries;
    char first_error[RL_ERR_COUNT][160]; /* an example reply per error kind, "" if none */
    enum rl_run_status status;
    char reason[512];              /* what went wrong, for a failed or interrupted run */
};

/* Runs one test. Returns 0 when it ran to the end, -1 when it stopped early or could not
 * start (res->status and res->reason say why; res holds what was measured until then). The
 * caller owns res and frees it with rl_run_result_free. */
int rl_engine_run(const struct rl_engine_cfg *cfg, const struct rl_workload *wl,
                  const struct rl_engine_hooks *hooks, struct rl_run_result *res);
/* Frees what res owns (not res itself); accepts NULL. */
void rl_run_result_free(struct rl_run_result *res);

#endif
