#include "cli/bench/evict_launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/server/obtain.h"
#include "cli/server/throwaway.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "probes/facts.h"
#include "profiles/profile.h"

struct launched {
    struct rl_profile *own;      /* a with-allocator copy, or NULL */
    const struct rl_profile *p;
    struct rl_choice choice;
    struct rl_build_info build;
    char *conf;
};

/* Profile, rendered config and build for one item. Returns 0 or an exit code. */
static int prepare(const char *item, const char *profile, const struct rl_facts *f, const char *cache,
                   struct launched *l, char *err, size_t errlen)
{
    bool alloc = strcmp(item, "libc") == 0 || strcmp(item, "jemalloc") == 0;
    int code = 2;
    if (rl_profile_choose(f, alloc ? profile : item, &l->choice, err, errlen, &code) < 0)
        return code ? code : 2;
    l->p = l->choice.winner;
    if (alloc) {
        l->own = rl_profile_with_allocator(l->p, item);
        if (!l->own) {
            snprintf(err, errlen, "out of memory");
            return 3;
        }
        l->p = l->own;
    }
    uint64_t mm;
    char policy[64];
    if (rl_profile_render(l->p, f, NULL, &l->conf, &mm, policy, sizeof policy, err, errlen) < 0)
        return 2;
    struct rl_obtain ob = {.cache_dir = cache, .profile = l->p, .facts = f,
                           .progress = isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json};
    char plan[1024];
    code = 3;
    if (rl_obtain_build(&ob, &l->build, plan, sizeof plan, err, errlen, &code) < 0)
        return code;
    return 0;
}

static void release(struct launched *l)
{
    free(l->conf);
    rl_profile_free(l->own);
    rl_choice_free(&l->choice);
    memset(l, 0, sizeof *l);
}

int rl_evict_launch(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, const char *items,
                    const char *profile, struct rl_evict_run *runs, int *nruns, char *err, size_t errlen)
{
    char list[256], cache[4096];
    snprintf(list, sizeof list, "%s", items);
    if (rl_cache_dir(cache, sizeof cache) < 0) {
        snprintf(err, errlen, "cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set; set one");
        return 3;
    }
    static struct rl_facts facts;
    struct rl_root host;
    rl_root_init(&host, NULL);
    struct rl_probe_opts po = {.skip_binaries = true, .skip_network = true};
    rl_probe_all(&facts, &host, &po);

    int rc = 0;
    for (char *save = NULL, *item = strtok_r(list, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        if (base->interrupted && *base->interrupted)
            break;
        struct launched l;
        memset(&l, 0, sizeof l);
        static char why[8192];
        rc = prepare(item, profile, &facts, cache, &l, why, sizeof why);
        if (rc) {
            snprintf(err, errlen, "--launch %s: %s", item, why);
            release(&l);
            break;
        }
        struct rl_throwaway t;
        if (rl_throwaway_start(&t, "evict", l.build.server, l.conf, why, sizeof why) < 0 ||
            rl_throwaway_wait_ready(&t, 10, why, sizeof why) < 0) {
            snprintf(err, errlen, "--launch %s: %s", item, why);
            rl_throwaway_stop(&t);
            release(&l);
            rc = 3;
            break;
        }
        if (!rl_out.quiet) /* stderr, so also with --json */
            fprintf(stderr, "launched %s: redis-server %s malloc=%s (profile %s) on port %d\n", item,
                    l.build.version, l.build.allocator, rl_profile_name(l.p), t.port);
        struct rl_engine_cfg cfg = *base;
        memset(&cfg.target, 0, sizeof cfg.target);
        snprintf(cfg.target.host, sizeof cfg.target.host, "127.0.0.1");
        cfg.target.port = t.port;
        cfg.target.timeout_ms = base->target.timeout_ms;
        struct rl_evict_cfg own = *ec;
        own.throwaway = true;
        if (rl_evict_on_server(&cfg, &own, t.pid, item, l.build.allocator, l.build.version, runs, nruns, why,
                               sizeof why) < 0) {
            snprintf(err, errlen, "%s", why);
            rc = 3;
        }
        rl_throwaway_stop(&t);
        release(&l);
    }
    return rc;
}
