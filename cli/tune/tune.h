/* `redis-light tune`'s measurements: on this machine, under its real limits, what
 * scripts/measure-overhead measures for the shipped table (profiles/overhead.tsv), for the
 * user's value sizes and client count and the planned build only. Each run starts a
 * throwaway allkeys-lru server (cli/instance/throwaway.h) and records
 *   base RSS     VmRSS half a second after it first answers PING
 *   per client   VmRSS growth per connection over N idle connections that sent one PING
 *   overhead     (VmHWM - base RSS) / maxmemory after SETs of 3x maxmemory (key + value
 *                bytes) through eviction, written by the project's load engine
 *   rss/used     used_memory_rss / used_memory at the end
 * hiredis style: the object carries err/errstr (and interrupted); functions return 0/-1.
 * The server is stopped and removed on every path, the interrupt flag included. */
#ifndef RL_TUNE_TUNE_H
#define RL_TUNE_TUNE_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/plan/overhead.h"
#include "cli/util/fault.h"

#define RL_TUNE_MAX_SIZES 16
#define RL_TUNE_MAX_RUNS 20
#define RL_TUNE_MAX_VALUE (UINT64_C(1) << 20) /* a larger value leaves too few keys to evict */

/* One --value-size item: a fixed size (min == max) or sizes uniform in [min, max]. */
struct rl_tune_size {
    char label[24];           /* the row's value_class: "200", "16-1024" */
    uint64_t min, max;
};

/* Parses "N[,N|A-B...]" (plain byte counts). Returns the number of items, or -1 with err. */
int rl_tune_sizes_parse(const char *text, struct rl_tune_size *out, int max, char *err, size_t errlen);

struct rl_tune_cfg {
    const char *server;       /* the planned redis-server */
    const char *allocator;    /* the plan's build allocator: libc | jemalloc */
    uint64_t maxmemory;       /* the throwaway server's */
    unsigned clients;         /* idle connections for the per-client cost */
    int runs;                 /* repetitions per value size */
    volatile sig_atomic_t *interrupted; /* the signal module's flag; stops everything */
    FILE *progress;           /* progress lines, or NULL */
};

/* What one run measured. */
struct rl_tune_run {
    uint64_t base_rss, per_client, vmhwm, vmrss_end;
    uint64_t used_memory, used_memory_rss, evicted_keys;
    uint64_t sets, value_bytes_mean, fill_bytes;
    double overhead, rss_over_used, fill_seconds;
};

/* Every run of one value size, and the row they make (rl_tune_row). */
struct rl_tune_result {
    struct rl_tune_size size;
    struct rl_tune_run runs[RL_TUNE_MAX_RUNS];
    int nruns;
    struct rl_overhead_row row;
};

struct rl_tune {
    enum rl_fault err;        /* RL_FAULT_NONE, or what kind of failure */
    bool interrupted;         /* a signal stopped it (err is RL_FAULT_RUNTIME then) */
    char errstr[2048];
    struct rl_tune_cfg cfg;
    struct rl_tune_result results[RL_TUNE_MAX_SIZES];
    int nresults;
};

void rl_tune_init(struct rl_tune *t, const struct rl_tune_cfg *cfg);
/* All cfg.runs runs of one value size, each on a fresh throwaway server; appends a result
 * with its row. Returns 0, or -1 with err/errstr (interrupted when the flag stopped it). */
int rl_tune_measure(struct rl_tune *t, const struct rl_tune_size *size);
/* The row of a result: medians over its runs, and the max of the overhead. Pure. */
void rl_tune_row(const struct rl_tune_result *r, const char *allocator, uint64_t maxmemory,
                 struct rl_overhead_row *row);

/* The fill of one run: SETs of key + value bytes totalling at least target bytes, keys
 * that never repeat, through the load engine (one pipelined SET test; for a range each
 * key's value size is drawn uniformly from it). */
struct rl_tune_fill {
    uint64_t sets, value_bytes, bytes; /* answered OK; values only; keys + values */
    double seconds;
};
/* Returns 0, or -1 with err (*interrupted set when the flag stopped it). */
int rl_tune_fill(int port, const struct rl_tune_size *size, uint64_t target, uint64_t seed,
                 volatile sig_atomic_t *flag, struct rl_tune_fill *out, bool *interrupted, char *err,
                 size_t errlen);

#endif
