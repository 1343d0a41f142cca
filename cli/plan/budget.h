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
};

/* Decides maxmemory from the first candidate profile whose memory rule fits here: a fixed
 * size fits under a cgroup limit when it leaves the profile's headroom free; a share
 * always scales, unless its floor is above the limit. cands[0] is the chosen profile,
 * the rest the other matching profiles by priority. Returns 0, or -1 with err/errstr. */
int rl_budget_decide(struct rl_budget *b, const struct rl_facts *f, const struct rl_profile *const *cands,
                     int ncands);
/* Records a maxmemory given on the command line (already parsed and checked by the
 * renderer) as the decision, with the terms it leaves. */
void rl_budget_from_option(struct rl_budget *b, uint64_t maxmemory, const char *option);

#endif
