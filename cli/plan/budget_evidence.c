/* The memory budget summed from measured terms (issue "A memory budget from evidence"):
 *
 *   maxmemory = (limit − base RSS − clients − replication backlog − fork reserve − margin)
 *               / overhead factor
 *
 * Each term says where its number came from. The factors come from the calibration
 * `redis-light tune` wrote on this machine, else from the shipped table that
 * scripts/measure-overhead made; the worst row of the allocator is used, because the
 * budget must hold whatever value sizes arrive. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/plan/budget.h"
#include "cli/util/size.h"

#define MIB (1ULL << 20)
#define MARGIN_PCT 10      /* keeps the worst case at or below 90% of the limit */
#define CLIENTS_PCT 2      /* of the limit, for the connections maxclients allows */
#define HOST_SHARE_PCT 50  /* of MemAvailable, where no cgroup limit says what is ours */
#define MIN_CLIENTS 64ULL
#define MAX_CLIENTS 10000ULL /* Redis's default maxclients */
#define MIN_MAXMEMORY MIB

__attribute__((format(printf, 4, 5)))
static void term(struct rl_budget *b, const char *name, uint64_t bytes, const char *fmt, ...)
{
    if (b->nterms >= RL_BUDGET_MAX_TERMS)
        return;
    struct rl_budget_term *t = &b->terms[b->nterms++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->bytes = bytes;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->source, sizeof t->source, fmt, ap);
    va_end(ap);
}

/* "7.0.15" is at least 7.0. Unknown versions are not. */
static bool version_at_least(const char *v, int major, int minor)
{
    int a = 0, b = 0;
    if (!v || sscanf(v, "%d.%d", &a, &b) != 2) /* NOLINT(cert-err34-c): digits or nothing */
        return false;
    return a > major || (a == major && b >= minor);
}

int rl_budget_evidence(struct rl_budget *b, const struct rl_facts *f, const struct rl_budget_ctx *ctx, char *why,
                       size_t whylen)
{
    char a[32], c[32];
    const struct rl_overhead_table *t = NULL;
    struct rl_overhead_pick pk;
    const struct rl_overhead_table *order[2] = {ctx->calibration, ctx->shipped};
    for (int i = 0; i < 2 && !t; i++) {
        if (!order[i])
            continue;
        rl_overhead_pick(order[i], ctx->allocator, &pk);
        if (pk.nrows)
            t = order[i];
    }
    if (!t) {
        snprintf(why, whylen, "no overhead measurements for a %s build (profiles/%s, or run `redis-light tune`)",
                 ctx->allocator, RL_OVERHEAD_FILE);
        return -1;
    }
    if (!b->limit_bytes) {
        snprintf(why, whylen, "neither a cgroup limit nor MemTotal is known, so there is no limit to budget");
        return -1;
    }
    b->nterms = 0;
    uint64_t limit = b->limit_bytes, fixed = 0;
    if (!b->cgroup_limited) {
        /* a host: the rest of the machine is not ours to fill */
        uint64_t avail = f->mem_available_bytes.state == RL_FACT_VALUE && f->mem_available_bytes.v < limit
                             ? f->mem_available_bytes.v : limit;
        uint64_t ours = avail / 100 * HOST_SHARE_PCT;
        term(b, "rest of the host", limit - ours, "no cgroup limit: redis-light plans for %d%% of MemAvailable (%s)",
             HOST_SHARE_PCT, rl_fmt_size(avail, a, sizeof a));
        fixed += limit - ours;
    }
    uint64_t room = limit - fixed;
    term(b, "base RSS", pk.base_rss, "idle %s server, the largest of %d rows in %s", ctx->allocator, pk.nrows, t->path);
    uint64_t clients_room = room / 100 * CLIENTS_PCT;
    uint64_t maxclients = pk.per_client ? clients_room / pk.per_client : MAX_CLIENTS;
    maxclients = maxclients < MIN_CLIENTS ? MIN_CLIENTS : maxclients > MAX_CLIENTS ? MAX_CLIENTS : maxclients;
    term(b, "clients", maxclients * pk.per_client, "maxclients %llu x %s per connection (%s)",
         (unsigned long long)maxclients, rl_fmt_size(pk.per_client, a, sizeof a), t->path);
    term(b, "replication backlog", 0, "no replica is configured (the backlog exists only once one connects)");
    uint64_t margin = room / 100 * MARGIN_PCT;
    fixed += pk.base_rss + maxclients * pk.per_client + margin;
    double factor = pk.factor;
    int fork_term = b->nterms;
    if (ctx->persistent) {
        /* until copy-on-write is measured, a save's child may copy every page it touches */
        term(b, "fork reserve", 0, "persistence is on: 1x maxmemory for a forked child's copy-on-write, at most "
             "every page of the data (not measured yet); maxmemory = (limit - the other terms) / (overhead + 1)");
        factor += 1.0;
    } else {
        term(b, "fork reserve", 0, "no persistence, so no fork");
    }
    term(b, "safety margin", margin, "%d%% of %s, so the worst measured case stays at or below %d%% of it",
         MARGIN_PCT, b->cgroup_limited ? "the limit" : "redis-light's share", 100 - MARGIN_PCT);
    b->overhead_factor = pk.factor; /* the reserve is its own term, in bytes, once maxmemory is known */
    snprintf(b->overhead_source, sizeof b->overhead_source, "%s: worst %s row (%s values at maxmemory %s)",
             t->path, ctx->allocator, pk.worst_class, rl_fmt_size(pk.worst_maxmemory, a, sizeof a));
    if (fixed + MIN_MAXMEMORY >= limit) {
        snprintf(why, whylen, "the %s does not cover the fixed costs (%s for the server, clients and margin%s); it "
                 "would need at least %s", b->limit_source, rl_fmt_size(fixed, a, sizeof a),
                 b->cgroup_limited ? "" : " and the rest of the host",
                 rl_fmt_size(fixed + (uint64_t)((double)MIN_MAXMEMORY * factor) + MIB, c, sizeof c));
        return 0;
    }
    uint64_t mm = (uint64_t)((double)(limit - fixed) / factor);
    if (mm > limit - fixed) /* a factor below 1 never lets maxmemory past what is left */
        mm = limit - fixed;
    mm &= ~(MIB - 1);
    if (mm < MIN_MAXMEMORY) {
        snprintf(why, whylen, "the %s leaves %s after the fixed costs, under 1 MiB once divided by the overhead factor "
                 "%.2f; it would need at least %s", b->limit_source, rl_fmt_size(limit - fixed, a, sizeof a), factor,
                 rl_fmt_size(fixed + (uint64_t)((double)MIN_MAXMEMORY * factor) + MIB, c, sizeof c));
        return 0;
    }
    b->maxmemory_bytes = mm;
    if (ctx->persistent)
        b->terms[fork_term].bytes = mm; /* sized with maxmemory itself: shown once that is known */
    b->maxclients = maxclients;
    b->from_evidence = true;
    /* short fixed lines (no paths): a cut line here would be a wrong directive */
    int n = snprintf(b->conf, sizeof b->conf, "# the memory budget sized the clients: %s each\nmaxclients %llu\n",
                     rl_fmt_size(pk.per_client, a, sizeof a), (unsigned long long)maxclients);
    if (version_at_least(ctx->version, 7, 0) && n > 0 && (size_t)n < sizeof b->conf)
        /* client buffers count in used_memory: bound them so they cannot evict all the data */
        n += snprintf(b->conf + n, sizeof b->conf - (size_t)n, "# Redis 7.0+: clients together may use at most "
                      "half of maxmemory before the largest is disconnected\nmaxmemory-clients 50%%\n");
    if (n < 0 || (size_t)n >= sizeof b->conf) {
        snprintf(why, whylen, "internal: the budget's redis.conf lines do not fit their buffer");
        return -1;
    }
    if (t == ctx->calibration)
        snprintf(b->note, sizeof b->note, "the overhead factor is this machine's calibration (%s), which holds only "
                 "while values stay within the sizes tune measured; the shipped table's worst case, values that "
                 "grow over time, costs more", t->path);
    return 1;
}
