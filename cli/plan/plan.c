#include "cli/plan/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/build/obtain.h"
#include "cli/instance/conf.h"
#include "cli/sys/signals.h"
#include "cli/util/paths.h"
#include "cli/util/size.h"

__attribute__((format(printf, 3, 4)))
static int fail(struct rl_plan *p, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errstr, sizeof p->errstr, fmt, ap);
    va_end(ap);
    p->err = kind;
    return -1;
}

/* Every command probes the same facts the same way, so they cannot choose differently. */
static void probe(struct rl_facts *f, const struct rl_root *root, const char *state_dir, const char *cache_dir)
{
    struct rl_probe_opts po = {.state_dir = state_dir && state_dir[0] ? state_dir : NULL};
    if (root->host && cache_dir && cache_dir[0])
        po.cache_dir = cache_dir; /* a captured tree's cache is not here to search */
    rl_probe_all(f, root, &po);
}

void rl_plan_facts(struct rl_facts *f, const struct rl_root *root)
{
    char state[PATH_MAX] = "", cache[PATH_MAX] = "";
    if (rl_state_dir(state, sizeof state) < 0)
        state[0] = '\0';
    if (rl_cache_dir(cache, sizeof cache) < 0)
        cache[0] = '\0';
    probe(f, root, state, cache);
}

static bool sets_maxmemory(const struct rl_plan_opts *o)
{
    if (o->maxmemory)
        return true;
    for (int i = 0; i < o->nset; i++)
        if (strncmp(o->set[i], "maxmemory=", 10) == 0)
            return true;
    return false;
}

static void decide_role(struct rl_plan *p)
{
    if (p->persistent) {
        snprintf(p->role, sizeof p->role, "store");
        snprintf(p->role_why, sizeof p->role_why, "persistence is on (%s), policy %s",
                 strcmp(p->persist, "aof") == 0 ? "append-only file" : "RDB snapshots", p->policy);
    } else if (strcmp(p->policy, "noeviction") == 0) {
        snprintf(p->role, sizeof p->role, "store");
        snprintf(p->role_why, sizeof p->role_why, "noeviction: writes past maxmemory fail rather than evict keys "
                 "(no persistence, so data lasts until Redis stops)");
    } else {
        snprintf(p->role, sizeof p->role, "cache");
        snprintf(p->role_why, sizeof p->role_why, "%s evicts keys at maxmemory; no persistence", p->policy);
    }
}

/* The build decision: the chosen profile's allocator and make variables, looked up in the
 * cache (never fetched or compiled here). */
static void look_up_build(struct rl_plan *p, const struct rl_plan_opts *o)
{
    struct rl_plan_build *b = &p->build;
    snprintf(b->allocator, sizeof b->allocator, "%s", rl_profile_allocator(p->build_profile));
    snprintf(b->from, sizeof b->from, "%s", rl_profile_name(p->choice.winner));
    struct rl_obtain ob = {.cache_dir = p->cache_dir, .source = o->source, .profile = p->build_profile,
                           .facts = &p->facts, .dry_run = true};
    enum rl_fault code = RL_FAULT_RUNTIME;
    int rc = rl_obtain_build(&ob, &b->info, b->action, sizeof b->action, b->action, sizeof b->action, &code);
    snprintf(b->make_vars, sizeof b->make_vars, "%s", b->info.make_vars);
    snprintf(b->version, sizeof b->version, "%s", b->info.version);
    snprintf(b->key, sizeof b->key, "%s", b->info.key);
    const char *base = strrchr(b->info.server, '/');
    snprintf(b->server, sizeof b->server, "%s", base && strncmp(base + 1, "valkey", 6) == 0 ? "valkey" : "redis");
    if (rc == 0) {
        b->state = RL_BUILD_CACHED;
        snprintf(b->action, sizeof b->action, "use the cached build %s", b->info.server);
    } else if (rc == 1) {
        b->state = b->key[0] ? RL_BUILD_COMPILE : RL_BUILD_FETCH;
    } else {
        const char *const *vars;
        size_t n = rl_profile_make_vars(p->build_profile, &vars);
        rl_join_vars(vars, n, b->make_vars, sizeof b->make_vars);
        b->state = RL_BUILD_UNAVAILABLE;
    }
}

/* The shipped overhead table (beside REDIS_LIGHT_PROFILES' profiles when it has one, else
 * beside the shipped ones) and this machine's calibration, when present. A damaged file is
 * an error naming it: guessing around it would size Redis from garbage. */
static int load_tables(struct rl_plan *p)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    const char *env = getenv("REDIS_LIGHT_PROFILES");
    int rc = 1;
    if (env && *env) {
        snprintf(path, sizeof path, "%s/%s", env, RL_OVERHEAD_FILE);
        rc = rl_overhead_load(path, &p->shipped, p->errstr, sizeof p->errstr);
    }
    if (rc == 1) {
        rl_profile_shipped_dir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/%s", dir, RL_OVERHEAD_FILE);
        rc = rl_overhead_load(path, &p->shipped, p->errstr, sizeof p->errstr);
    }
    if (rc < 0) {
        p->err = RL_FAULT_RUNTIME;
        return -1;
    }
    if (rc == 1)
        memset(&p->shipped, 0, sizeof p->shipped);
    if (rl_config_dir(dir, sizeof dir) == 0) {
        snprintf(path, sizeof path, "%s/%s", dir, RL_CALIBRATION_FILE);
        rc = rl_overhead_load(path, &p->calibration, p->errstr, sizeof p->errstr);
        if (rc < 0) {
            size_t n = strlen(p->errstr);
            snprintf(p->errstr + n, sizeof p->errstr - n, "; run `redis-light tune` again, or delete the file");
            p->err = RL_FAULT_INPUT;
            return -1;
        }
        if (rc == 1)
            memset(&p->calibration, 0, sizeof p->calibration);
    }
    return 0;
}

static int render(struct rl_plan *p, const struct rl_render_overrides *ov)
{
    if (rl_profile_render(p->build_profile, &p->facts, ov, &p->conf, &p->maxmemory, p->policy, sizeof p->policy,
                          p->errstr, sizeof p->errstr) < 0) {
        p->err = RL_FAULT_INPUT; /* errstr already says what */
        return -1;
    }
    return 0;
}

/* True when conf already has a line setting key (a --set or the profile's own). */
static bool conf_has(const char *conf, const char *key)
{
    size_t n = strlen(key);
    for (const char *l = conf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, n) == 0 && (l[n] == ' ' || l[n] == '\t'))
            return true;
    return false;
}

/* The directives the budget sized (maxclients, maxmemory-clients), after the profile's,
 * unless the profile or a --set already chose them. */
static int append_budget_conf(struct rl_plan *p)
{
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return -1;
    fputs(p->conf, m);
    const char *line = p->budget.conf, *comment = NULL;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) + 1 : strlen(line);
        if (line[0] == '#') {
            comment = line;
        } else {
            char key[64];
            size_t k = strcspn(line, " \t\n");
            snprintf(key, sizeof key, "%.*s", (int)(k < sizeof key ? k : sizeof key - 1), line);
            if (!conf_has(p->conf, key)) {
                if (comment)
                    fwrite(comment, 1, (size_t)(line - comment), m);
                fwrite(line, 1, n, m);
            }
            comment = NULL;
        }
        line += n;
    }
    if (fclose(m) != 0) {
        free(out);
        return -1;
    }
    free(p->conf);
    p->conf = out;
    return 0;
}

/* The budget for these persistence terms, then redis.conf with it (and the budget's own
 * lines). Returns 0, or -1 with err. */
static int size_and_render(struct rl_plan *p, const struct rl_plan_opts *o, const struct rl_budget_ctx *bctx,
                           const struct rl_profile *const *cands, int ncands)
{
    bool option = sets_maxmemory(o);
    if (rl_budget_decide(&p->budget, &p->facts, bctx, cands, ncands) < 0 && !option)
        return fail(p, RL_FAULT_RUNTIME, "%s", p->budget.errstr);

    struct rl_render_overrides ov = {.maxmemory = o->maxmemory, .policy = o->policy, .set = o->set,
                                     .nset = o->nset, .force = o->force, .persist = o->persist,
                                     .persist_keeps_policy = o->persist_keeps_policy, .planned = p->budget.err == 0,
                                     .planned_bytes = p->budget.maxmemory_bytes, .planned_why = p->budget.rule};
    if (render(p, &ov) < 0)
        return -1;
    if (option && rl_budget_from_option(&p->budget, p->maxmemory, o->maxmemory ? "--maxmemory" : "--set maxmemory",
                                        o->force) == 1) {
        /* above the measured budget, not forced: the budget's value, and the note says why */
        const char *kept[RL_PLAN_MAX_SET];
        int nkept = 0;
        for (int i = 0; i < o->nset; i++)
            if (strncmp(o->set[i], "maxmemory=", 10) != 0)
                kept[nkept++] = o->set[i];
        ov.maxmemory = NULL;
        ov.set = kept;
        ov.nset = nkept;
        free(p->conf);
        p->conf = NULL;
        if (render(p, &ov) < 0)
            return -1;
    }
    if (p->budget.from_evidence && append_budget_conf(p) < 0)
        return fail(p, RL_FAULT_RUNTIME, "out of memory composing redis.conf");
    return 0;
}

int rl_plan_make(struct rl_plan *p, const struct rl_root *root, const struct rl_plan_opts *o)
{
    memset(p, 0, sizeof *p);
    p->root = *root;
    bool have_state = rl_state_dir(p->state_dir, sizeof p->state_dir) == 0,
         have_cache = rl_cache_dir(p->cache_dir, sizeof p->cache_dir) == 0;
    if (!have_state)
        p->state_dir[0] = '\0';
    if (!have_cache)
        p->cache_dir[0] = '\0';
    probe(&p->facts, root, p->state_dir, p->cache_dir);
    p->probed = true;
    if (!have_state)
        return fail(p, RL_FAULT_RUNTIME, "cannot find the state directory: neither XDG_STATE_HOME nor HOME is set; "
                    "set one");
    if (!have_cache)
        return fail(p, RL_FAULT_RUNTIME, "cannot find the cache directory: neither XDG_CACHE_HOME nor HOME is set; "
                    "set one");
    if (o->nset > RL_PLAN_MAX_SET)
        return fail(p, RL_FAULT_INPUT, "at most %d --set options", RL_PLAN_MAX_SET);
    if (rl_profile_choose_at(&p->facts, root, o->profile, &p->choice, p->errstr, sizeof p->errstr, &p->err) < 0)
        return -1;
    p->build_profile = p->choice.winner;
    if (o->allocator) {
        p->build_profile = rl_profile_with_allocator(p->choice.winner, o->allocator);
        if (!p->build_profile)
            return fail(p, RL_FAULT_INPUT, "\"%s\" is not an allocator redis-light builds (libc or jemalloc)",
                        o->allocator);
    }

    look_up_build(p, o);
    if (o->persist && !rl_profile_persist_valid(o->persist))
        return fail(p, RL_FAULT_INPUT, "--persist %s is not a persistence mode; use aof, rdb or none", o->persist);
    p->persistent = o->persist ? rl_profile_persist_on(o->persist) : rl_profile_persistent(p->build_profile);
    for (int i = 0; i < o->nset; i++)
        if ((strncmp(o->set[i], "save=", 5) == 0 && o->set[i][5]) || strcasecmp(o->set[i], "appendonly=yes") == 0)
            p->persistent = true;
    if (load_tables(p) < 0)
        return -1;

    /* The memory decision: the chosen profile's rule, or the next matching one that fits. */
    const struct rl_profile *cands[1 + sizeof p->choice.matching / sizeof p->choice.matching[0]];
    int ncands = 0;
    cands[ncands++] = p->build_profile;
    for (int i = 0; i < p->choice.nmatching; i++)
        cands[ncands++] = p->choice.matching[i];
    struct rl_budget_ctx bctx = {.allocator = p->build.allocator, .version = p->build.version,
                                 .persistent = p->persistent, .keep_fixed = o->profile != NULL,
                                 .shipped = p->shipped.nrows ? &p->shipped : NULL,
                                 .calibration = p->calibration.nrows ? &p->calibration : NULL};
    if (size_and_render(p, o, &bctx, cands, ncands) < 0)
        return -1;
    /* Whether the config persists is known for sure only once rendered (a quoted --set, a
     * profile's YES, an emptied save): size again when the guess above was wrong, so the
     * fork reserve is there exactly when a fork will be. */
    bool persists = strcmp(rl_conf_persist_mode(p->conf), "none") != 0;
    if (persists != bctx.persistent) {
        bctx.persistent = persists;
        free(p->conf);
        p->conf = NULL;
        if (size_and_render(p, o, &bctx, cands, ncands) < 0)
            return -1;
    }
    snprintf(p->persist, sizeof p->persist, "%s", rl_conf_persist_mode(p->conf));
    p->persistent = strcmp(p->persist, "none") != 0;
    decide_role(p);
    return 0;
}

int rl_plan_obtain(struct rl_plan *p, const struct rl_plan_opts *o, bool rebuild, bool progress)
{
    if (p->build.state == RL_BUILD_CACHED && !rebuild)
        return 0;
    struct rl_obtain ob = {.cache_dir = p->cache_dir, .source = o->source, .profile = p->build_profile,
                           .facts = &p->facts, .rebuild = rebuild, .progress = progress};
    char action[1024];
    if (rl_obtain_build(&ob, &p->build.info, action, sizeof action, p->errstr, sizeof p->errstr, &p->err) < 0)
        return -1;
    struct rl_plan_build *b = &p->build;
    b->state = RL_BUILD_CACHED;
    snprintf(b->version, sizeof b->version, "%s", b->info.version);
    snprintf(b->key, sizeof b->key, "%s", b->info.key);
    snprintf(b->action, sizeof b->action, "%s %s", b->info.cached ? "use the cached build" : "built", b->info.server);
    return 0;
}

void rl_plan_free(struct rl_plan *p)
{
    if (!p)
        return;
    if (p->build_profile != p->choice.winner)
        rl_profile_free(p->build_profile);
    p->build_profile = NULL;
    rl_choice_free(&p->choice);
    free(p->conf);
    p->conf = NULL;
}
