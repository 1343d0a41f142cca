/* redis-light build: the profile's redis-server, from the cache or compiled into it. The
 * last line on stdout is the binary's path, so scripts can take it with tail -n 1. */
#include <stdio.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/server/obtain.h"
#include "cli/server/signals.h"
#include "cli/util/json.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "probes/facts.h"
#include "profiles/profile.h"

const struct rl_opt rl_build_opts[] = {
    {"profile", 0, "NAME|PATH", "build for this profile instead of the one doctor picks here", false},
    {"source", 0, "DIR|TARBALL", "Redis or Valkey source tree or release tarball (else REDIS_LIGHT_SOURCE, the cache, apt-get source, git)", false},
    {"rebuild", 0, NULL, "compile even when the cache holds this build, and replace it", false},
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
    const struct rl_args *a = ctx->args;
    if (a->npos > 0)
        return rl_usage_error("build takes no arguments (got \"%s\"); give the source with --source", a->pos[0]);
    char cache[4096], state[4096];
    if (rl_cache_dir(cache, sizeof cache) < 0) {
        rl_err("cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set; set one of them");
        return RL_EXIT_RUNTIME;
    }
    static struct rl_facts facts;
    struct rl_probe_opts po = {.skip_binaries = true, .skip_network = true};
    if (rl_state_dir(state, sizeof state) == 0)
        po.state_dir = state;
    rl_probe_all(&facts, &ctx->root, &po);

    struct rl_choice choice = {0};
    char err[8192];
    int code = RL_EXIT_RUNTIME;
    if (rl_profile_choose(&facts, rl_args_get(a, "profile"), &choice, err, sizeof err, &code) < 0) {
        rl_err("%s", err);
        return code;
    }
    rl_signals_catch();
    struct rl_obtain o = {.cache_dir = cache, .source = rl_args_get(a, "source"), .profile = choice.winner,
                          .facts = &facts, .rebuild = rl_args_has(a, "rebuild"),
                          .progress = isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json};
    struct rl_build_info info;
    char plan[1024];
    int rc = rl_obtain_build(&o, &info, plan, sizeof plan, err, sizeof err, &code);
    if (rc != 0) {
        rl_err("%s", err);
        rl_choice_free(&choice);
        return code;
    }
    if (info.cached)
        rl_info("cached: %s %s (malloc=%s, %s) built %s; nothing to compile (--rebuild forces a build)",
                info.server, info.version, info.allocator, info.make_vars, info.built_at);
    if (rl_out.json)
        print_json(&info, rl_profile_name(choice.winner));
    else
        printf("%s\n", info.server);
    rl_choice_free(&choice);
    return RL_EXIT_OK;
}
