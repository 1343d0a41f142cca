#include "cli/plan/budget.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/util/size.h"

/* The overhead a rule tolerates: the limit over maxmemory, i.e. how far RSS may outgrow
 * the dataset before the limit is reached. Until the overhead is measured per allocator
 * and value size, this is what the profile's own numbers imply, and says so. */
static void implied_overhead(struct rl_budget *b, const char *how)
{
    b->overhead_factor = b->limit_bytes && b->maxmemory_bytes ? (double)b->limit_bytes / (double)b->maxmemory_bytes : 0;
    if (b->overhead_factor > 0)
        snprintf(b->overhead_source, sizeof b->overhead_source,
                 "implied by %s: RSS may grow to %.2fx maxmemory before reaching the %s (not measured here)", how,
                 b->overhead_factor, b->limit_source);
    else
        snprintf(b->overhead_source, sizeof b->overhead_source, "unknown: no memory limit is known here");
}

/* Whether a fixed or share rule's maxmemory mm fits under a cgroup limit by measurement:
 * 1 when the measured budget holds it, 0 when not (why), -1 when no measurement applies
 * (no cgroup limit, or no table rows for the allocator). */
static int fits_measured(const struct rl_budget *b, const struct rl_facts *f, const struct rl_budget_ctx *ctx,
                         uint64_t mm, const char *what, char *why, size_t whylen)
{
    if (!b->cgroup_limited)
        return -1;
    static struct rl_budget m;
    char inner[400], a[32];
    m = *b;
    int rc = rl_budget_evidence(&m, f, ctx, inner, sizeof inner);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        snprintf(why, whylen, "%s: %s", what, inner);
        return 0;
    }
    if (mm > m.maxmemory_bytes) {
        snprintf(why, whylen, "%s is above what the %s holds by measurement (%s)", what, b->limit_source,
                 rl_fmt_size(m.maxmemory_bytes, a, sizeof a));
        return 0;
    }
    return 1;
}

/* Tries one profile's rule. Returns 1 when it fits (b filled), 0 when not (why says why). */
static int try_rule(struct rl_budget *b, const struct rl_facts *f, const struct rl_budget_ctx *ctx,
                    const struct rl_profile *p, char *why, size_t whylen)
{
    struct rl_memory_rule r;
    char a[32], c[32];
    const char *name = rl_profile_name(p);
    rl_profile_memory(p, &r);
    switch (r.kind) {
    case RL_MEM_NONE:
        if (b->cgroup_limited) {
            snprintf(why, whylen, "profile %s sets no maxmemory, which under the %s lets the cgroup OOM-kill Redis",
                     name, b->limit_source);
            return 0;
        }
        b->maxmemory_bytes = 0;
        snprintf(b->rule, sizeof b->rule, "no maxmemory (profile %s sets none)", name);
        break;
    case RL_MEM_BUDGET:
        if (rl_budget_evidence(b, f, ctx, why, whylen) <= 0) {
            char inner[400];
            snprintf(inner, sizeof inner, "%s", why);
            snprintf(why, whylen, "profile %s's memory budget: %s", name, inner);
            return 0;
        }
        snprintf(b->rule, sizeof b->rule, "memory budget of the %s, profile %s", b->limit_source, name);
        snprintf(b->from, sizeof b->from, "%s", name);
        return 1;
    case RL_MEM_FIXED: {
        uint64_t room = b->limit_bytes - (uint64_t)((double)b->limit_bytes * r.headroom / 100.0);
        char what[128];
        snprintf(what, sizeof what, "profile %s's fixed maxmemory %s", name, rl_fmt_size(r.fixed, a, sizeof a));
        int fit = fits_measured(b, f, ctx, r.fixed, what, why, whylen);
        if (fit == 0 && ctx->keep_fixed) {
            /* chosen by hand: the user's number stands, and doctor says what it risks */
            snprintf(b->note, sizeof b->note, "%s; it stands because the profile was chosen with --profile, "
                     "and the cgroup may OOM-kill Redis", why);
            b->over_budget = true;
            fit = 1;
        }
        if (fit == 0)
            return 0;
        /* no measurements: the profile's own headroom is all there is to judge by */
        if (fit < 0 && b->cgroup_limited && (r.fixed >= b->limit_bytes || r.fixed > room)) {
            snprintf(why, whylen, "profile %s's fixed maxmemory %s does not leave its %g%% headroom under the %s",
                     name, rl_fmt_size(r.fixed, a, sizeof a), r.headroom, b->limit_source);
            return 0;
        }
        b->maxmemory_bytes = r.fixed;
        snprintf(b->rule, sizeof b->rule, "profile %s", name);
        break;
    }
    case RL_MEM_SHARE: {
        if (!b->limit_bytes) {
            snprintf(why, whylen, "profile %s sets maxmemory as %g%% of the memory limit, but neither a cgroup limit "
                     "nor MemTotal is known", name, r.share);
            return 0;
        }
        uint64_t mm = rl_profile_share_of(b->limit_bytes, r.share);
        const char *clamp = "";
        if (r.min && mm < r.min)
            mm = r.min, clamp = ", raised to its min";
        if (r.max && mm > r.max)
            mm = r.max, clamp = ", lowered to its max";
        if (mm == 0 || (b->cgroup_limited && mm >= b->limit_bytes)) {
            snprintf(why, whylen, "profile %s's %g%% of the %s comes to %s%s", name, r.share, b->limit_source,
                     rl_fmt_size(mm, a, sizeof a), mm ? ", not below the limit" : ", which Redis reads as no limit");
            return 0;
        }
        char what[160];
        snprintf(what, sizeof what, "profile %s's %g%% of the %s (%s)", name, r.share, b->limit_source,
                 rl_fmt_size(mm, c, sizeof c));
        if (fits_measured(b, f, ctx, mm, what, why, whylen) == 0)
            return 0;
        b->maxmemory_bytes = mm;
        snprintf(b->rule, sizeof b->rule, "%g%% of %s%s, profile %s", r.share, b->limit_source, clamp, name);
        break;
    }
    }
    snprintf(b->from, sizeof b->from, "%s", name);
    return 1;
}

int rl_budget_decide(struct rl_budget *b, const struct rl_facts *f, const struct rl_budget_ctx *ctx,
                     const struct rl_profile *const *cands, int ncands)
{
    memset(b, 0, sizeof *b);
    b->limit_bytes = rl_profile_effective_limit(f, b->limit_source, sizeof b->limit_source);
    /* a cgroup limit above the machine's memory limits nothing: the machine is the bound */
    uint64_t cg = f->memory_limit_bytes.state == RL_FACT_VALUE ? f->memory_limit_bytes.v : UINT64_MAX;
    if (f->memory_high_bytes.state == RL_FACT_VALUE && f->memory_high_bytes.v < cg)
        cg = f->memory_high_bytes.v;
    b->cgroup_limited = cg != UINT64_MAX &&
                        (f->mem_total_bytes.state != RL_FACT_VALUE || cg <= f->mem_total_bytes.v);
    char first_why[400] = "", why[400];
    for (int i = 0; i < ncands; i++) {
        struct rl_budget_ctx c = *ctx;
        c.keep_fixed = ctx->keep_fixed && i == 0; /* only the hand-chosen profile's own number */
        if (try_rule(b, f, &c, cands[i], why, sizeof why)) {
            if (i > 0)
                snprintf(b->note, sizeof b->note, "%s; the memory decision comes from profile %s, the next matching "
                         "profile whose rule fits", first_why, rl_profile_name(cands[i]));
            if (!b->from_evidence) {
                char how[128];
                snprintf(how, sizeof how, "profile %s's rule", rl_profile_name(cands[i]));
                b->nterms = 0;
                implied_overhead(b, how);
            }
            return 0;
        }
        if (i == 0)
            snprintf(first_why, sizeof first_why, "%s", why);
    }
    b->err = -1;
    snprintf(b->errstr, sizeof b->errstr, "no matching profile's maxmemory fits here (%s); pass --maxmemory SIZE below "
             "the %s", first_why[0] ? first_why : "no profile", b->limit_source);
    return -1;
}

int rl_budget_from_option(struct rl_budget *b, uint64_t maxmemory, const char *option, bool force)
{
    char a[32], c[32];
    if (b->err == 0 && b->from_evidence && maxmemory > b->maxmemory_bytes && !force) {
        snprintf(b->note, sizeof b->note, "%s %s is above the memory budget (%s: the terms below); the budget's "
                 "value is used. Pass --force to run with %s anyway", option, rl_fmt_size(maxmemory, a, sizeof a),
                 rl_fmt_size(b->maxmemory_bytes, c, sizeof c), rl_fmt_size(maxmemory, a, sizeof a));
        return 1;
    }
    b->err = 0;
    b->from_evidence = false;
    b->maxclients = 0;
    b->conf[0] = '\0';
    b->errstr[0] = '\0';
    b->note[0] = '\0';
    b->nterms = 0;
    b->maxmemory_bytes = maxmemory;
    snprintf(b->from, sizeof b->from, "%s", option);
    snprintf(b->rule, sizeof b->rule, "%s on the command line", option);
    b->overhead_factor = 0; /* a size given by hand implies no overhead allowance */
    snprintf(b->overhead_source, sizeof b->overhead_source, "not applied: %s sets maxmemory directly", option);
    if (b->cgroup_limited && b->limit_bytes && maxmemory >= b->limit_bytes)
        snprintf(b->note, sizeof b->note, "%s is not below the %s: the cgroup may OOM-kill Redis before it evicts "
                 "(allowed by --force)", option, b->limit_source);
    return 0;
}
