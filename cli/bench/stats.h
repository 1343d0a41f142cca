/* What a run counts. Each worker owns one rl_stats and nobody else writes it; totals are
 * the sum after join (rl_stats_merge), and the live line reads published copies. */
#ifndef RL_BENCH_STATS_H
#define RL_BENCH_STATS_H
#include <stdint.h>

#include "cli/bench/hist.h"
#include "cli/bench/workload.h"

/* Error replies by kind. An error reply is never an op. */
enum rl_errkind { RL_ERR_OOM = 0, RL_ERR_AUTH, RL_ERR_OTHER, RL_ERR_COUNT };

struct rl_counters {
    uint64_t ops[RL_OP_COUNT];      /* successful replies to measured requests, per command */
    uint64_t hits, misses;          /* GET: a value, or nil */
    uint64_t errors[RL_ERR_COUNT];  /* error replies to measured requests */
    uint64_t conn_errors;           /* connections that failed (refused, reset, timed out) */
    uint64_t lost;                  /* measured requests in flight on a connection that failed:
                                       neither ops nor errors, since the server may or may
                                       not have run them */
    uint64_t warmup_ops[RL_OP_COUNT]; /* replies to warm-up requests, excluded from figures */
    uint64_t warmup_errors;
    uint64_t warmup_oom;            /* of which -OOM (eviction reports every OOM reply) */
};

struct rl_stats {
    struct rl_counters c;
    struct rl_hist lat;             /* latency of measured requests that got a reply */
};

void rl_stats_reset(struct rl_stats *s);
void rl_stats_merge(struct rl_stats *dst, const struct rl_stats *src);
/* dst = now - before: what happened between two snapshots of the same totals. */
void rl_stats_diff(struct rl_stats *dst, const struct rl_stats *now, const struct rl_stats *before);
uint64_t rl_counters_ops(const struct rl_counters *c);    /* all commands */
uint64_t rl_counters_errors(const struct rl_counters *c); /* all kinds */
const char *rl_errkind_name(enum rl_errkind k);           /* "oom", "auth", "other" */
/* Which kind an error reply text is. Pure. */
enum rl_errkind rl_errkind_of(const char *msg, size_t len);

#endif
