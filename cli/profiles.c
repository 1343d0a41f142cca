/* redis-light profiles list | show [NAME|PATH] | validate FILE…
 * The front end of profiles/: it gathers the facts once (no binaries are run) and shows
 * what selection and rendering would do with them here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/plan/plan.h"
#include "cli/util/out.h"
#include "profiles/profile_internal.h"

const struct rl_opt rl_profiles_opts[] = {
    {"maxmemory", 0, "SIZE|N%", "show: render with this maxmemory (e.g. 64mb, or 25% of the memory limit)", false},
    {"policy", 0, "POLICY", "show: render with this eviction policy (e.g. allkeys-lru)", false},
    {"set", 0, "KEY=VALUE", "show: render with this extra redis.conf directive (repeatable)", true},
    {"force", 0, NULL, "show: allow a maxmemory above the effective memory limit", false},
    {NULL, 0, NULL, NULL, false},
};

/* cli/doctor.c: probes every fact through ctx->root (binaries only when asked). */

static void warn_problems(char lines[][512], int n)
{
    for (int i = 0; i < n; i++)
        rl_warn("ignored a broken profile: %s", lines[i]);
}

static void sort_by_priority(struct rl_profile_set *s)
{
    /* highest priority first, as selection reads them; stable, so name order breaks ties */
    for (int i = 1; i < s->n; i++)
        for (int j = i; j > 0 && s->p[j]->priority > s->p[j - 1]->priority; j--) {
            struct rl_profile *t = s->p[j];
            s->p[j] = s->p[j - 1];
            s->p[j - 1] = t;
        }
}

static int list(struct rl_ctx *ctx)
{
    static struct rl_facts f;
    static struct rl_profile_set s;
    char err[1024];
    rl_plan_facts(&f, &ctx->root);
    if (rl_profile_set_load(&s, err, sizeof err) < 0) {
        warn_problems(s.errs, s.nerrs);
        rl_err("%s", err);
        return RL_EXIT_USAGE;
    }
    warn_problems(s.errs, s.nerrs);
    sort_by_priority(&s);
    struct rl_json w;
    if (rl_out.json) {
        rl_json_init(&w, stdout, true);
        rl_json_arr(&w);
    } else {
        printf("%-12s %8s  %-5s  %-8s  %s\n", "NAME", "PRIORITY", "HERE", "ORIGIN", "SOURCE");
    }
    for (int i = 0; i < s.n; i++) {
        const struct rl_profile *p = s.p[i];
        bool m = rl_profile_matches(p, &f, &ctx->root, NULL, NULL, 0);
        const char *origin = p->origin == RL_ORIGIN_ENV ? "env" : rl_profile_origin_name(p->origin);
        if (rl_out.json) {
            rl_json_obj(&w);
            rl_json_key(&w, "name");
            rl_json_str(&w, p->name);
            rl_json_key(&w, "priority");
            rl_json_u64(&w, (uint64_t)p->priority);
            rl_json_key(&w, "matches");
            rl_json_bool(&w, m);
            rl_json_key(&w, "origin");
            rl_json_str(&w, rl_profile_origin_name(p->origin));
            rl_json_key(&w, "source");
            rl_json_str(&w, p->source);
            rl_json_key(&w, "shadows");
            rl_json_str(&w, p->shadows ? p->shadowed_source : NULL);
            rl_json_key(&w, "allocator");
            rl_json_str(&w, p->allocator);
            rl_json_key(&w, "description");
            rl_json_str(&w, p->description);
            rl_json_end_obj(&w);
        } else {
            printf("%-12s %8d  %-5s  %-8s  %s", p->name, p->priority, m ? "yes" : "no", origin, p->source);
            if (p->shadows)
                printf(" (shadows %s)", p->shadowed_source);
            printf("\n");
        }
    }
    if (rl_out.json) {
        rl_json_end_arr(&w);
        rl_json_done(&w);
    }
    rl_profile_set_free(&s);
    return RL_EXIT_OK;
}

/* The profile's rules with what was measured here, as text or JSON. */
static bool show_rules(const struct rl_profile *p, const struct rl_facts *f, const struct rl_root *root,
                       struct rl_json *w)
{
    struct rl_reason r[RL_PROFILE_MAX_RULES];
    int n = 0;
    bool m = rl_profile_matches(p, f, root, r, &n, RL_PROFILE_MAX_RULES);
    if (w) {
        rl_json_key(w, "matches");
        rl_json_bool(w, m);
        rl_json_key(w, "rules");
        rl_json_arr(w);
        for (int i = 0; i < n; i++) {
            rl_json_obj(w);
            rl_json_key(w, "rule");
            rl_json_str(w, r[i].rule->text);
            rl_json_key(w, "value");
            rl_json_str(w, r[i].value);
            rl_json_key(w, "verdict");
            rl_json_bool(w, r[i].verdict);
            rl_json_end_obj(w);
        }
        rl_json_end_arr(w);
        return m;
    }
    printf("matches:     %s%s\n", m ? "yes" : "no", p->root_rule < 0 ? " (no rules: matches everywhere)" : "");
    for (int i = 0; i < n; i++)
        printf("  %-3s %-40s measured %s\n", r[i].verdict ? "yes" : "no", r[i].rule->text, r[i].value);
    return m;
}

static int show(struct rl_ctx *ctx, const char *name)
{
    /* the profile as the plan renders it here: what `up --profile NAME` would write */
    static struct rl_plan plan;
    const struct rl_args *a = ctx->args;
    struct rl_plan_opts po = {.profile = name, .maxmemory = rl_args_get(a, "maxmemory"),
                              .policy = rl_args_get(a, "policy"), .force = rl_args_has(a, "force")};
    po.nset = rl_args_count(a, "set");
    if (po.nset > RL_PLAN_MAX_SET)
        return rl_usage_error("at most %d --set options", RL_PLAN_MAX_SET);
    for (int i = 0; i < po.nset; i++)
        po.set[i] = rl_args_nth(a, "set", i);
    int rc = rl_plan_make(&plan, &ctx->root, &po);
    char problems[RL_PROFILE_MAX_ERRS][512];
    warn_problems(problems, rl_profile_load_problems(problems, RL_PROFILE_MAX_ERRS));
    if (rc < 0) {
        if (plan.choice.winner)
            rl_err("profile %s: %s", rl_profile_name(plan.choice.winner), plan.errstr);
        else
            rl_err("%s", plan.errstr);
        rl_plan_free(&plan);
        return rl_exit_for(plan.err);
    }
    const struct rl_choice c = plan.choice;
    const struct rl_facts *fp = &plan.facts;
    const char *conf = plan.conf, *policy = plan.policy;
    uint64_t maxmemory = plan.maxmemory;
    const struct rl_profile *p = c.winner;
    const char *const *vars;
    size_t nv = rl_profile_make_vars(p, &vars);
    if (rl_out.json) {
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_json_obj(&w);
        rl_json_key(&w, "name");
        rl_json_str(&w, p->name);
        rl_json_key(&w, "priority");
        rl_json_u64(&w, (uint64_t)p->priority);
        rl_json_key(&w, "origin");
        rl_json_str(&w, rl_profile_origin_name(p->origin));
        rl_json_key(&w, "source");
        rl_json_str(&w, p->source);
        rl_json_key(&w, "shadows");
        rl_json_str(&w, p->shadows ? p->shadowed_source : NULL);
        rl_json_key(&w, "description");
        rl_json_str(&w, p->description);
        rl_json_key(&w, "chosen_here");
        rl_json_bool(&w, !c.overridden);
        show_rules(p, fp, &ctx->root, &w);
        rl_json_key(&w, "allocator");
        rl_json_str(&w, p->allocator);
        rl_json_key(&w, "make");
        rl_json_arr(&w);
        for (size_t i = 0; i < nv; i++)
            rl_json_str(&w, vars[i]);
        rl_json_end_arr(&w);
        rl_json_key(&w, "maxmemory_bytes");
        rl_json_u64(&w, maxmemory);
        rl_json_key(&w, "maxmemory_policy");
        rl_json_str(&w, policy);
        rl_json_key(&w, "redis_conf");
        rl_json_str(&w, conf);
        rl_json_end_obj(&w);
        rl_json_done(&w);
    } else {
        printf("profile:     %s (priority %d, %s%s)\n", p->name, p->priority, rl_profile_origin_name(p->origin),
               c.overridden ? "" : ", chosen here");
        printf("source:      %s\n", p->source);
        if (p->shadows)
            printf("shadows:     %s\n", p->shadowed_source);
        printf("description: %s\n", p->description[0] ? p->description : "(none)");
        show_rules(p, fp, &ctx->root, NULL);
        printf("build:      ");
        for (size_t i = 0; i < nv; i++)
            printf(" %s", vars[i]);
        printf("\n\nredis.conf it renders on this machine (the instance part — port, bind, dir — is added by up):\n\n%s",
               conf);
    }
    rl_plan_free(&plan);
    return RL_EXIT_OK;
}

static int validate(struct rl_ctx *ctx)
{
    const struct rl_args *a = ctx->args;
    int bad = 0;
    if (a->npos < 2)
        return rl_usage_error("profiles validate needs at least one FILE");
    struct rl_json w;
    if (rl_out.json) {
        rl_json_init(&w, stdout, true);
        rl_json_arr(&w);
    }
    for (int i = 1; i < a->npos; i++) {
        char err[1024];
        struct rl_profile *p = rl_profile_load(a->pos[i], err, sizeof err);
        if (!p)
            bad++;
        if (rl_out.json) {
            rl_json_obj(&w);
            rl_json_key(&w, "file");
            rl_json_str(&w, a->pos[i]);
            rl_json_key(&w, "valid");
            rl_json_bool(&w, p != NULL);
            rl_json_key(&w, "name");
            rl_json_str(&w, p ? p->name : NULL);
            rl_json_key(&w, "error");
            rl_json_str(&w, p ? NULL : err);
            rl_json_end_obj(&w);
        }
        /* errors go to stderr exactly as FILE:LINE:COLUMN: message, so editors can jump there */
        if (!p)
            fprintf(stderr, "%s\n", err);
        else if (!rl_out.json && !rl_out.quiet)
            printf("%s: ok (profile %s, priority %d, %s)\n", a->pos[i], p->name, p->priority, p->allocator);
        rl_profile_free(p);
    }
    if (rl_out.json) {
        rl_json_end_arr(&w);
        rl_json_done(&w);
    }
    return bad ? RL_EXIT_USAGE : RL_EXIT_OK;
}

int rl_cmd_profiles(struct rl_ctx *ctx)
{
    const struct rl_args *a = ctx->args;
    const char *sub = a->npos ? a->pos[0] : "list";
    bool render_opts = rl_args_has(a, "maxmemory") || rl_args_has(a, "policy") || rl_args_has(a, "set") ||
                       rl_args_has(a, "force");
    if (strcmp(sub, "show") == 0) {
        if (a->npos > 2)
            return rl_usage_error("profiles show takes one NAME or PATH (none: the profile chosen here)");
        return show(ctx, a->npos == 2 ? a->pos[1] : NULL);
    }
    if (render_opts && (strcmp(sub, "list") == 0 || strcmp(sub, "validate") == 0))
        return rl_usage_error("--maxmemory, --policy, --set and --force apply to profiles show, not %s", sub);
    if (strcmp(sub, "list") == 0) {
        if (a->npos > 1)
            return rl_usage_error("profiles list takes no arguments (got \"%s\")", a->pos[1]);
        return list(ctx);
    }
    if (strcmp(sub, "validate") == 0)
        return validate(ctx);
    return rl_usage_error("unknown profiles subcommand \"%s\"; use list, show [NAME|PATH] or validate FILE...", sub);
}
