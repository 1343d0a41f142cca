/* redis-light profiles list | show NAME | validate FILE… */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/util/out.h"
#include "profiles/profile_internal.h"

const struct rl_opt rl_profiles_opts[] = {
    {"maxmemory", 0, "SIZE|N%", "show: render with this maxmemory", false},
    {"policy", 0, "POLICY", "show: render with this eviction policy", false},
    {"set", 0, "KEY=VALUE", "show: render with this extra directive (repeatable)", true},
    {"force", 0, NULL, "show: allow a maxmemory above the memory limit", false},
    {NULL, 0, NULL, NULL, false},
};

void rl_gather_facts(struct rl_facts *f, const struct rl_ctx *ctx, bool binaries);

static void print_problems(const struct rl_profile_set *s)
{
    for (int i = 0; i < s->nerrs; i++)
        rl_warn("ignored a broken profile: %s", s->errs[i]);
}

static int list(struct rl_ctx *ctx)
{
    static struct rl_facts f;
    static struct rl_profile_set s;
    char err[512];
    rl_gather_facts(&f, ctx, false);
    if (rl_profile_set_load(&s, err, sizeof err) < 0) {
        rl_err("%s", err);
        return RL_EXIT_USAGE;
    }
    print_problems(&s);
    /* highest priority first, as selection reads them */
    for (int i = 1; i < s.n; i++)
        for (int j = i; j > 0 && s.p[j]->priority > s.p[j - 1]->priority; j--) {
            struct rl_profile *t = s.p[j];
            s.p[j] = s.p[j - 1];
            s.p[j - 1] = t;
        }
    struct rl_json w;
    if (rl_out.json) {
        rl_json_init(&w, stdout, true);
        rl_json_arr(&w);
    } else {
        printf("%-12s %8s  %-5s  %s\n", "NAME", "PRIORITY", "HERE", "SOURCE");
    }
    for (int i = 0; i < s.n; i++) {
        const struct rl_profile *p = s.p[i];
        bool m = rl_profile_matches(p, &f, &ctx->root, NULL, NULL, 0);
        if (rl_out.json) {
            rl_json_obj(&w);
            rl_json_key(&w, "name");
            rl_json_str(&w, p->name);
            rl_json_key(&w, "priority");
            rl_json_u64(&w, (uint64_t)p->priority);
            rl_json_key(&w, "matches");
            rl_json_bool(&w, m);
            rl_json_key(&w, "source");
            rl_json_str(&w, p->source);
            rl_json_key(&w, "shadows");
            rl_json_str(&w, p->shadows ? p->shadowed_source : NULL);
            rl_json_key(&w, "description");
            rl_json_str(&w, p->description);
            rl_json_end_obj(&w);
        } else {
            printf("%-12s %8d  %-5s  %s%s%s\n", p->name, p->priority, m ? "yes" : "no", p->source,
                   p->shadows ? " (shadows " : "", p->shadows ? p->shadowed_source : "");
            if (p->shadows)
                printf(")\n");
        }
    }
    if (rl_out.json) {
        rl_json_end_arr(&w);
        rl_json_done(&w);
    }
    rl_profile_set_free(&s);
    return RL_EXIT_OK;
}

static int show(struct rl_ctx *ctx, const char *name)
{
    static struct rl_facts f;
    struct rl_choice c;
    char err[512];
    int code;
    rl_gather_facts(&f, ctx, false);
    if (rl_profile_choose_at(&f, &ctx->root, name, &c, err, sizeof err, &code) < 0) {
        rl_err("%s", err);
        return code;
    }
    const struct rl_args *a = ctx->args;
    const char *sets[32];
    int nset = rl_args_count(a, "set");
    for (int i = 0; i < nset && i < 32; i++)
        sets[i] = rl_args_nth(a, "set", i);
    struct rl_render_overrides o = {.maxmemory = rl_args_get(a, "maxmemory"), .policy = rl_args_get(a, "policy"),
                                    .set = sets, .nset = nset, .force = rl_args_has(a, "force")};
    char *conf = NULL, policy[32];
    uint64_t maxmemory = 0;
    if (rl_profile_render(c.winner, &f, &o, &conf, &maxmemory, policy, sizeof policy, err, sizeof err) < 0) {
        rl_err("%s", err);
        rl_choice_free(&c);
        return RL_EXIT_USAGE;
    }
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
        rl_json_key(&w, "source");
        rl_json_str(&w, p->source);
        rl_json_key(&w, "description");
        rl_json_str(&w, p->description);
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
        printf("profile:     %s (priority %d)\nsource:      %s\ndescription: %s\nbuild:      ", p->name, p->priority,
               p->source, p->description);
        for (size_t i = 0; i < nv; i++)
            printf(" %s", vars[i]);
        printf("\n\nredis.conf it renders on this machine:\n\n%s", conf);
    }
    free(conf);
    rl_choice_free(&c);
    return RL_EXIT_OK;
}

static int validate(struct rl_ctx *ctx)
{
    int bad = 0;
    if (ctx->args->npos < 2)
        return rl_usage_error("profiles validate needs at least one FILE");
    for (int i = 1; i < ctx->args->npos; i++) {
        char err[512];
        struct rl_profile *p = rl_profile_load(ctx->args->pos[i], err, sizeof err);
        if (!p) {
            fprintf(stderr, "%s\n", err);
            bad++;
            continue;
        }
        if (!rl_out.quiet)
            printf("%s: ok (profile %s, priority %d, %s)\n", ctx->args->pos[i], p->name, p->priority, p->allocator);
        rl_profile_free(p);
    }
    return bad ? RL_EXIT_USAGE : RL_EXIT_OK;
}

int rl_cmd_profiles(struct rl_ctx *ctx)
{
    const struct rl_args *a = ctx->args;
    const char *sub = a->npos ? a->pos[0] : "list";
    if (strcmp(sub, "list") == 0) {
        if (a->npos > 1)
            return rl_usage_error("profiles list takes no arguments");
        return list(ctx);
    }
    if (strcmp(sub, "show") == 0) {
        if (a->npos > 2)
            return rl_usage_error("profiles show takes one NAME or PATH (none: the profile chosen here)");
        return show(ctx, a->npos == 2 ? a->pos[1] : NULL);
    }
    if (strcmp(sub, "validate") == 0)
        return validate(ctx);
    return rl_usage_error("unknown profiles subcommand \"%s\"; use list, show NAME or validate FILE...", sub);
}
