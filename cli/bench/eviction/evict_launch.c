#include "cli/bench/eviction/evict_launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/plan/plan.h"
#include "cli/instance/throwaway.h"
#include "cli/util/out.h"

/* The plan for one item: "libc"/"jemalloc" is the chosen profile (or --profile) built
 * with that allocator; anything else is a profile name or path. The same plan `up` would
 * make for it here, its build obtained (compiled when missing; the interrupt flag stops
 * it). Returns 0, or -1 with plan->err and plan->errstr. */
static int plan_item(struct rl_plan *plan, const struct rl_root *root, const char *item, const char *profile)
{
    bool alloc = strcmp(item, "libc") == 0 || strcmp(item, "jemalloc") == 0;
    struct rl_plan_opts o = {.profile = alloc ? profile : item, .allocator = alloc ? item : NULL};
    if (rl_plan_make(plan, root, &o) < 0)
        return -1;
    return rl_plan_obtain(plan, &o, false, isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json);
}

int rl_evict_launch(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, const struct rl_root *root,
                    const char *items, const char *profile, struct rl_evict_run *runs, int *nruns,
                    enum rl_fault *fault, char *err, size_t errlen)
{
    static struct rl_plan plan;
    char list[256];
    snprintf(list, sizeof list, "%s", items);
    *fault = RL_FAULT_NONE;
    for (char *save = NULL, *item = strtok_r(list, ",", &save); item && !*fault;
         item = strtok_r(NULL, ",", &save)) {
        if (base->interrupted && *base->interrupted)
            break;
        if (plan_item(&plan, root, item, profile) < 0) {
            *fault = plan.err;
            snprintf(err, errlen, "--launch %s: %s", item, plan.errstr);
            rl_plan_free(&plan);
            break;
        }
        const struct rl_build_info *b = &plan.build.info;
        static char why[8192];
        struct rl_throwaway t;
        if (rl_throwaway_start(&t, "evict", b->server, plan.conf, why, sizeof why) < 0 ||
            rl_throwaway_wait_ready(&t, 10, why, sizeof why) < 0) {
            snprintf(err, errlen, "--launch %s: %s", item, why);
            rl_throwaway_stop(&t);
            rl_plan_free(&plan);
            *fault = RL_FAULT_RUNTIME;
            break;
        }
        if (!rl_out.quiet) /* stderr, so also with --json */
            fprintf(stderr, "launched %s: redis-server %s malloc=%s (profile %s) on port %d\n", item, b->version,
                    b->allocator, rl_profile_name(plan.build_profile), t.port);
        struct rl_engine_cfg cfg = *base;
        memset(&cfg.target, 0, sizeof cfg.target);
        snprintf(cfg.target.host, sizeof cfg.target.host, "127.0.0.1");
        cfg.target.port = t.port;
        cfg.target.timeout_ms = base->target.timeout_ms;
        struct rl_evict_cfg own = *ec;
        own.throwaway = true;
        if (rl_evict_on_server(&cfg, &own, t.pid, item, b->allocator, b->version, runs, nruns, why, sizeof why) < 0) {
            snprintf(err, errlen, "%s", why);
            *fault = RL_FAULT_RUNTIME;
        }
        rl_throwaway_stop(&t);
        rl_plan_free(&plan);
    }
    return *fault ? -1 : 0;
}
