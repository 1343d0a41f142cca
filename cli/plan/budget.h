/* The memory budget: how much memory Redis may use here (maxmemory), as a limit minus
 * named terms, each with its value and where it came from. Today the terms follow the
 * profiles' share rule (what a profile keeps outside maxmemory); the measured terms of
 * the memory-budget work (base RSS, client buffers, fork reserve, overhead factor) go
 * into the same structure. Pure: facts and profiles in, numbers out. */
#ifndef RL_PLAN_BUDGET_H
#define RL_PLAN_BUDGET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/plan/overhead.h"
#include "probes/facts.h"
#include "profiles/profile.h"

#define RL_BUDGET_MAX_TERMS 8

struct rl_budget_term {
    char name[48];
    uint64_t bytes;
    char source[240];
};

struct rl_budget {
    int err;                          /* 0, or -1 when no maxmemory could be decided */
    char errstr[1024];
    uint64_t limit_bytes;             /* 0 when unknown */
    char limit_source[160];           /* "cgroup limit 128 MiB", "MemTotal 23.5 GiB (no cgroup limit)" */
    bool cgroup_limited;              /* memory.max/limit_in_bytes or memory.high is set */
    struct rl_budget_term terms[RL_BUDGET_MAX_TERMS];
    int nterms;
    double overhead_factor;           /* RSS / used_memory the budget allows for */
    char overhead_source[240];
    uint64_t maxmemory_bytes;         /* 0: none (Redis unbounded) */
    char from[64];                    /* the profile the decision came from, or the option */
    char rule[320];                   /* how maxmemory was decided, one line (also the redis.conf comment) */
    char note[480];                   /* why a higher-ranked profile's rule was passed over, or "" */
    bool from_evidence;               /* the measured terms decided (maxmemory: budget) */
    bool over_budget;                 /* a hand-chosen fixed maxmemory above the measured budget */
    uint64_t maxclients;              /* what the budget sized, written into redis.conf; 0: not sized */
    char conf[512];                   /* those directives, with comments, for redis.conf */
};

/* What the measured terms depend on besides the facts. */
struct rl_budget_ctx {
    const char *allocator;            /* the planned build's: libc | jemalloc */
    const char *version;              /* the server's version, "" when not known yet */
    bool persistent;                  /* save rules or AOF: a fork's copy-on-write needs room */
    bool keep_fixed;                  /* the profile was chosen by hand (--profile): its fixed
                                       * maxmemory stands even above the measured budget,
                                       * flagged as over_budget with a note */
    const struct rl_overhead_table *shipped;     /* profiles/overhead.tsv, or NULL */
    const struct rl_overhead_table *calibration; /* `redis-light tune`'s, or NULL */
};

/* The budget from measured terms: limit − base RSS − clients − replication backlog − fork
 * reserve − safety margin, divided by the overhead factor. Returns 1 with b's terms,
 * maxmemory_bytes and conf filled, 0 when the limit does not cover the fixed costs (why
 * says how much it would need), -1 when no measurement applies (no table rows for the
 * allocator, no known limit; why says which). */
int rl_budget_evidence(struct rl_budget *b, const struct rl_facts *f, const struct rl_budget_ctx *ctx, char *why,
                       size_t whylen);

/* Decides maxmemory from the first candidate profile whose memory rule fits here: a fixed
 * size fits under a cgroup limit when it is not above the measured budget (or, with no
 * measurements, leaves the profile's headroom free); a share always scales, unless its
 * floor is above the limit; budget fits when the limit covers the fixed costs. cands[0] is the chosen profile,
 * the rest the other matching profiles by priority. Returns 0, or -1 with err/errstr. */
int rl_budget_decide(struct rl_budget *b, const struct rl_facts *f, const struct rl_budget_ctx *ctx,
                     const struct rl_profile *const *cands, int ncands);
/* A maxmemory given on the command line (already parsed and checked by the renderer).
 * Returns 0 when it stands (recorded as the decision), or 1 when it is above the measured
 * budget and not forced: b keeps the budget and its note says so. */
int rl_budget_from_option(struct rl_budget *b, uint64_t maxmemory, const char *option, bool force);

#endif
