/* bench --eviction on one server: for each policy, on a clean key prefix, a fill phase
 * (SET fill_factor x maxmemory of values at full speed) and a cache phase (cache-aside GETs
 * with zipf keys for a duration, after a warm-up), with the sampler running throughout.
 * The server's maxmemory and maxmemory-policy are saved first and restored at the end, also
 * on error and Ctrl-C. Only keys under the bench prefix are written or deleted. */
#ifndef RL_BENCH_EVICTION_EVICTION_H
#define RL_BENCH_EVICTION_EVICTION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/bench/engine.h"
#include "cli/bench/eviction/sampler.h"

#define RL_EVICT_MAX_POLICIES 8

struct rl_evict_cfg {
    const char *policies[RL_EVICT_MAX_POLICIES];
    int npolicies;
    double fill_factor;       /* default 3 */
    double duration_s;        /* cache phase, measured part */
    double warmup_s;          /* cache phase, excluded from the hit ratio */
    double zipf_s;            /* key popularity in the cache phase */
    uint64_t maxmemory_set;   /* --maxmemory: CONFIG SET for the run; 0 keeps the server's */
    bool live;                /* live line on stderr */
    bool throwaway;           /* --launch: the server is stopped after its runs, so nothing is
                                 left to undo by hand */
};

struct rl_evict_run {
    char server[64];          /* "target", or the --launch item ("libc", a profile name) */
    char allocator[48], version[32];
    char policy[32];
    uint64_t maxmemory, keyspace, value_size;
    uint64_t written_keys, written_bytes;   /* fill SETs the server accepted */
    uint64_t evicted_keys;                  /* INFO stats delta over the run */
    uint64_t oom_errors;                    /* -OOM replies bench received */
    uint64_t oom_rejections;                /* errorstat_OOM delta: the server's own count */
    uint64_t capacity_keys;                 /* bench keys resident after the fill */
    uint64_t used_memory_peak, rss_peak;    /* INFO used_memory / used_memory_rss */
    uint64_t proc_rss_peak, maps_peak;      /* /proc/PID, local servers only */
    uint64_t cg_limit, cg_usage_peak;       /* the server's cgroup, local only; 0 unknown */
    double frag;                            /* mem_fragmentation_ratio at the end */
    double hit_ratio, ideal_hit_ratio;      /* cache phase; negative when unknown */
    double ops_free, ops_evicting;          /* fill windows without / with eviction */
    uint64_t p99_free_ns, p99_evicting_ns;
    double cache_ops_per_sec;
    uint64_t cache_p99_ns;
    double fill_seconds;
    struct rl_evict_sample *samples;        /* owned */
    size_t nsamples;
    struct rl_run_result fill, cache;       /* owned */
    bool ok;
    char reason[512];                       /* why it stopped early */
};

/* Runs every policy of ec on the server t. local_pid: its pid when it runs here (0
 * otherwise). Appends to runs (room for ec->npolicies more). Returns 0, or -1 when a run
 * stopped early, the server could not be prepared or bench's changes could not be undone
 * (err says why, and then which redis-cli commands undo them; the runs done so far, and
 * the partial one, are in runs). CONFIG is restored and the keys deleted either way
 * when the server answers; err says so when a run stopped early. */
int rl_evict_on_server(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, pid_t local_pid,
                       const char *label, const char *allocator, const char *version,
                       struct rl_evict_run *runs, int *nruns, char *err, size_t errlen);
void rl_evict_run_free(struct rl_evict_run *r);

/* True when pid is the Redis of an instance `up` started and t reaches it where its record
 * says it listens (so bench may evict on it). */
bool rl_evict_server_owned(long long pid, const struct rl_target *t);
/* The pid when process_id names a redis/valkey server on this machine, else 0. */
pid_t rl_evict_local_pid(const struct rl_target *t, long long process_id);
/* Whether name is a maxmemory-policy Redis knows. */
bool rl_evict_policy_valid(const char *name);

#endif
