/* redis-light build: the plan's redis-server, from the cache or compiled into it. The
 * last line on stdout is the binary's path, so scripts can take it with tail -n 1. */
#include <stdio.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/plan/plan.h"
#include "cli/sys/signals.h"
#include "cli/util/json.h"
#include "cli/util/out.h"

const struct rl_opt rl_build_opts[] = {
    {"profile", 0, "NAME|PATH", "build for this profile instead of the one doctor picks here", false},
    {"source", 0, "DIR|TARBALL", "Redis or Valkey source tree or release tarball (else REDIS_LIGHT_SOURCE, the cache, apt-get source, git)", false},
    {"rebuild", 0, NULL, "compile even when the cache holds this build, and replace it", false},
    {"dry-run", 'n', NULL, "print the plan (with --json: the plan object doctor and up --dry-run print); build nothing", false},
    {NULL, 0, NULL, NULL, false},
};

static void print_json(const struct rl_build_info *b, const char *profile)
{
    struct rl_json w;
    rl_json_init(&w, stdout, true);
    rl_json_obj(&w);
    rl_json_key(&w, "server");
    rl_json_str(&w, b->server);
    rl_json_key(&w, "cli");
    rl_json_str(&w, b->cli);
    rl_json_key(&w, "version");
    rl_json_str(&w, b->version);
    rl_json_key(&w, "malloc");
    rl_json_str(&w, b->allocator);
    rl_json_key(&w, "profile");
    rl_json_str(&w, profile);
    rl_json_key(&w, "make_vars");
    rl_json_str(&w, b->make_vars);
    rl_json_key(&w, "key");
    rl_json_str(&w, b->key);
    rl_json_key(&w, "dir");
    rl_json_str(&w, b->dir);
    rl_json_key(&w, "cached");
    rl_json_bool(&w, b->cached);
    rl_json_key(&w, "build_seconds");
    rl_json_dbl(&w, b->build_seconds);
    rl_json_end_obj(&w);
    rl_json_done(&w);
}

int rl_cmd_build(struct rl_ctx *ctx)
{
    static struct rl_plan plan;
    const struct rl_args *a = ctx->args;
    if (a->npos > 0)
        return rl_usage_error("build takes no arguments (got \"%s\"); give the source with --source", a->pos[0]);
    struct rl_plan_opts o = {.profile = rl_args_get(a, "profile"), .source = rl_args_get(a, "source")};
    if (rl_plan_make(&plan, &ctx->root, &o) < 0) {
        rl_err("%s", plan.errstr);
        rl_plan_free(&plan);
        return rl_exit_for(plan.err);
    }
    if (rl_args_has(a, "dry-run")) {
        if (rl_out.json) {
            struct rl_json w;
            rl_json_init(&w, stdout, true);
            rl_plan_json(&w, &plan);
            rl_json_done(&w);
        } else {
            rl_plan_print(stdout, &plan, rl_out.verbose);
        }
        rl_plan_free(&plan);
        return RL_EXIT_OK;
    }
    rl_signals_catch();
    bool progress = isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json;
    if (rl_plan_obtain(&plan, &o, rl_args_has(a, "rebuild"), progress) < 0) {
        rl_err("%s", plan.errstr);
        rl_plan_free(&plan);
        return rl_exit_for(plan.err);
    }
    const struct rl_build_info *info = &plan.build.info;
    if (info->cached)
        rl_info("cached: %s %s (malloc=%s, %s) built %s; nothing to compile (--rebuild forces a build)",
                info->server, info->version, info->allocator, info->make_vars, info->built_at);
    if (rl_out.json)
        print_json(info, rl_profile_name(plan.choice.winner));
    else
        printf("%s\n", info->server);
    rl_plan_free(&plan);
    return RL_EXIT_OK;
}
