#include "cli/build/obtain.h"

#include <stdio.h>
#include <string.h>

#include "cli/build/builder.h"
#include "cli/sys/signals.h"
#include "cli/build/source.h"
#include "cli/util/out.h"

int rl_obtain_build(const struct rl_obtain *o, struct rl_build_info *info, char *plan, size_t planlen,
                    char *err, size_t errlen, enum rl_fault *fault)
{
    const char *const *vars;
    size_t nvars = rl_profile_make_vars(o->profile, &vars);
    char joined[512], arch[64];
    rl_join_vars(vars, nvars, joined, sizeof joined);
    rl_machine_arch(arch, sizeof arch);
    plan[0] = '\0';

    struct rl_source src;
    struct rl_discover d = {.source = o->source, .cache_dir = o->cache_dir, .fetch = !o->dry_run,
                            .interrupt = &rl_signal_seen};
    char derr[2048];
    int found = rl_source_discover(&d, &src, derr, sizeof derr, fault);
    if (found != 0 && !o->source && !o->rebuild) {
        /* No source (or only a fetch away), but a build with these variables is cached:
         * use it rather than fetch or fail. */
        if (rl_cache_find_compatible(o->cache_dir, joined, arch, info) == 0) {
            if (found < 0)
                rl_warn("no Redis source is at hand; using the cached build %s made with the same make "
                        "variables", info->dir);
            return 0;
        }
    }
    if (found < 0) {
        snprintf(err, errlen, "%s", derr);
        return -1;
    }
    memset(info, 0, sizeof *info);
    snprintf(info->make_vars, sizeof info->make_vars, "%s", joined);
    snprintf(info->version, sizeof info->version, "%s", src.version);
    if (found == 1) {
        snprintf(plan, planlen, "would fetch the Redis source with %s into %s/src, then build it with %s",
                 src.origin, o->cache_dir, joined);
        return 1;
    }
    *fault = RL_FAULT_RUNTIME;
    struct rl_build_req req = {
        .cache_dir = o->cache_dir, .source = &src, .vars = vars, .nvars = nvars,
        .allocator = rl_profile_allocator(o->profile), .profile = rl_profile_name(o->profile),
        .jobs = rl_build_jobs(o->facts), .rebuild = o->rebuild, .progress = o->progress,
        .interrupt = &rl_signal_seen,
    };
    if (o->dry_run) {
        char key[17];
        if (rl_build_request_key(&req, key, err, errlen) < 0)
            return -1;
        if (!o->rebuild && rl_cache_lookup(o->cache_dir, key, info) == 0)
            return 0;
        snprintf(info->key, sizeof info->key, "%s", key);
        snprintf(plan, planlen, "would build %s (%s%s%s) with make -j%d %s into %s/builds (key %s)",
                 src.path, src.origin, src.version[0] ? ", version " : "", src.version, req.jobs, joined,
                 o->cache_dir, key);
        return 1;
    }
    char cc[300];
    if (!o->rebuild && rl_compiler_id(o->cache_dir, cc, sizeof cc) < 0 &&
        rl_cache_find_compatible(o->cache_dir, joined, arch, info) == 0) {
        rl_warn("no C compiler here; using the cached build %s made with the same make variables", info->dir);
        return 0;
    }
    if (src.kind != RL_SRC_NONE)
        rl_debug("Redis source: %s (%s)", src.path, src.origin);
    return rl_build_ensure(&req, info, err, errlen);
}
