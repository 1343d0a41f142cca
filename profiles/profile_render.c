/* Renders a profile's redis.conf directives for the probed facts. Redis reads '#' only
 * at the start of a line, so each directive's provenance goes on the line above it. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util/out.h"
#include "cli/util/size.h"
#include "profiles/profile_internal.h"

static const char *policies[] = {"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
                                 "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", NULL};

uint64_t rl_profile_effective_limit(const struct rl_facts *f, char *what, size_t len)
{
    const struct rl_fu64 *m = &f->memory_limit_bytes, *h = &f->memory_high_bytes;
    char a[32];
    if (h->state == RL_FACT_VALUE && (m->state != RL_FACT_VALUE || h->v < m->v)) {
        snprintf(what, len, "cgroup memory.high %s", rl_fmt_size(h->v, a, sizeof a));
        return h->v;
    }
    if (m->state == RL_FACT_VALUE) {
        snprintf(what, len, "cgroup limit %s", rl_fmt_size(m->v, a, sizeof a));
        return m->v;
    }
    if (f->mem_total_bytes.state == RL_FACT_VALUE) {
        snprintf(what, len, "MemTotal %s (no cgroup limit)", rl_fmt_size(f->mem_total_bytes.v, a, sizeof a));
        return f->mem_total_bytes.v;
    }
    snprintf(what, len, "unknown memory size");
    return 0;
}

struct out {
    char *buf;
    size_t len, cap;
    bool oom;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? o->cap - o->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (o->buf && o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = (o->cap ? o->cap * 2 : 4096) + (size_t)n;
        char *nb = realloc(o->buf, cap);
        if (!nb) {
            o->oom = true;
            return;
        }
        o->buf = nb;
        o->cap = cap;
    }
}

static bool bad_value(const char *v)
{
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f)
            return true;
    return false;
}

/* Accepts a --set KEY=VALUE; same rules as profile config keys. */
static int check_set(const char *kv, char *key, size_t klen, const char **val, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || (size_t)(eq - kv) >= klen) {
        snprintf(err, errlen, "--set \"%s\" is not KEY=VALUE (e.g. --set hz=20)", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    *val = eq + 1;
    for (const char *c = key; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) {
            snprintf(err, errlen, "--set key \"%s\" is not a redis.conf directive name", key);
            return -1;
        }
    static const char *refused[] = {"include", "rename-command", "port", "dir", "logfile", "pidfile",
                                    "unixsocket", "daemonize", NULL};
    for (int i = 0; refused[i]; i++)
        if (strcmp(key, refused[i]) == 0) {
            snprintf(err, errlen, "--set %s is refused: %s", key,
                     i < 2 ? "it could pull in or hide other directives" : "use the up option for it (--port, --socket, …)");
            return -1;
        }
    if (bad_value(*val)) {
        snprintf(err, errlen, "--set %s: the value contains a newline or control character", key);
        return -1;
    }
    return 0;
}

/* The value as redis.conf must see it: "" for an empty string. */
static const char *conf_value(const char *v) { return v[0] ? v : "\"\""; }

int rl_profile_render(const struct rl_profile *p, const struct rl_facts *f, const struct rl_render_overrides *ov,
                      char **conf, uint64_t *maxmemory_bytes, char *policy, size_t policylen, char *err, size_t errlen)
{
    struct rl_render_overrides none = {0};
    const struct rl_render_overrides *o = ov ? ov : &none;
    struct out out = {0};
    char what[96], a[32], b[32];
    uint64_t limit = rl_profile_effective_limit(f, what, sizeof what);
    bool cgroup_limited = f->memory_limit_bytes.state == RL_FACT_VALUE || f->memory_high_bytes.state == RL_FACT_VALUE;
    uint64_t maxmemory = 0;
    bool have_maxmemory = false;
    *conf = NULL;
    if (policy && policylen)
        policy[0] = '\0';

    /* validate overrides before writing anything */
    char setkeys[32][64];
    const char *setvals[32];
    int nset = o->nset < 32 ? o->nset : 32;
    for (int i = 0; i < nset; i++)
        if (check_set(o->set[i], setkeys[i], sizeof setkeys[i], &setvals[i], err, errlen) < 0)
            return -1;
    if (o->policy) {
        bool ok = false;
        for (int i = 0; policies[i]; i++)
            ok |= strcmp(o->policy, policies[i]) == 0;
        if (!ok) {
            snprintf(err, errlen, "--policy %s is not a Redis eviction policy; use one of noeviction, allkeys-lru, "
                     "allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl", o->policy);
            return -1;
        }
    }

    put(&out, "# rendered by redis-light %s from profile %s (%s)\n", RL_VERSION, p->name, p->source);
    put(&out, "# effective memory limit: %s\n", what);
    bool wrote_save = false, wrote_policy = false, wrote_maxmemory = false;
    for (int i = 0; i < p->nconf + 2; i++) {
        /* profile items, then the two typed overrides if the profile lacked them */
        const struct rl_conf_item *c = i < p->nconf ? &p->conf[i] : NULL;
        const char *key = c ? c->key : (i == p->nconf ? "maxmemory" : "maxmemory-policy");
        if (!c && ((i == p->nconf && (wrote_maxmemory || !o->maxmemory)) || (i == p->nconf + 1 && (wrote_policy || !o->policy))))
            continue;
        bool overridden = false;
        for (int k = 0; k < nset; k++)
            overridden |= strcmp(setkeys[k], key) == 0;
        if (overridden)
            continue; /* written with the --set block below */
        if (strcmp(key, "maxmemory") == 0) {
            wrote_maxmemory = true;
            if (o->maxmemory) {
                double pct;
                char e[200];
                int rc = rl_parse_percent(o->maxmemory, &pct, e, sizeof e);
                if (rc < 0 || (rc == 1 && rl_parse_size(o->maxmemory, &maxmemory, e, sizeof e) < 0)) {
                    snprintf(err, errlen, "--maxmemory %s: %s", o->maxmemory, e);
                    free(out.buf);
                    return -1;
                }
                if (rc == 0)
                    maxmemory = (uint64_t)((double)limit * pct / 100.0);
                put(&out, "# --maxmemory %s on the command line%s%s\n", o->maxmemory, rc == 0 ? ", of " : "", rc == 0 ? what : "");
            } else if (c->is_share) {
                if (!limit) {
                    snprintf(err, errlen, "profile %s sets maxmemory as %g%% of the memory limit, but neither a cgroup "
                             "limit nor MemTotal is known; pass --maxmemory SIZE", p->name, c->share);
                    free(out.buf);
                    return -1;
                }
                maxmemory = (uint64_t)((double)limit * c->share / 100.0);
                if (maxmemory >= (1ULL << 20))
                    maxmemory &= ~((1ULL << 20) - 1); /* whole MiB reads better and errs low */
                const char *clamp = "";
                if (c->min && maxmemory < c->min)
                    maxmemory = c->min, clamp = ", raised to its min";
                if (c->max && maxmemory > c->max)
                    maxmemory = c->max, clamp = ", lowered to its max";
                put(&out, "# %g%% of %s%s, profile %s\n", c->share, what, clamp, p->name);
            } else {
                char e[200];
                rl_parse_size(c->value, &maxmemory, e, sizeof e);
                put(&out, "# profile %s\n", p->name);
            }
            have_maxmemory = true;
            put(&out, "maxmemory %s\n", rl_fmt_size_conf(maxmemory, a, sizeof a));
            continue;
        }
        if (strcmp(key, "maxmemory-policy") == 0) {
            wrote_policy = true;
            const char *v = o->policy ? o->policy : c->value;
            if (o->policy)
                put(&out, "# --policy on the command line\nmaxmemory-policy %s\n", v);
            else
                put(&out, "# profile %s\nmaxmemory-policy %s\n", p->name, v);
            if (policy && policylen)
                snprintf(policy, policylen, "%s", v);
            continue;
        }
        if (strcmp(key, "save") == 0)
            wrote_save = true;
        put(&out, "# profile %s\n%s %s\n", p->name, key, conf_value(c->value));
    }
    for (int k = 0; k < nset; k++) {
        if (strcmp(setkeys[k], "activedefrag") == 0 && strcmp(setvals[k], "yes") == 0 && strcmp(p->allocator, "libc") == 0) {
            snprintf(err, errlen, "--set activedefrag=yes needs jemalloc; Redis refuses it on this profile's libc build");
            free(out.buf);
            return -1;
        }
        if (strcmp(setkeys[k], "maxmemory") == 0) {
            char e[200];
            if (rl_parse_size(setvals[k], &maxmemory, e, sizeof e) < 0) {
                snprintf(err, errlen, "--set maxmemory=%s: %s", setvals[k], e);
                free(out.buf);
                return -1;
            }
            have_maxmemory = true;
        }
        if (strcmp(setkeys[k], "maxmemory-policy") == 0 && policy && policylen)
            snprintf(policy, policylen, "%s", setvals[k]);
        if (strcmp(setkeys[k], "save") == 0)
            wrote_save = true;
        put(&out, "# --set on the command line\n%s %s\n", setkeys[k], conf_value(setvals[k]));
    }
    if (!wrote_save)
        put(&out, "# persistence off: the profile sets no save rules (an absent save line would mean Redis's defaults)\nsave \"\"\n");
    if (policy && policylen && !policy[0])
        snprintf(policy, policylen, "noeviction");

    if (have_maxmemory && cgroup_limited && limit) {
        if (maxmemory > limit && !o->force) {
            snprintf(err, errlen, "maxmemory %s is above the %s: the cgroup would OOM-kill Redis before it evicts; "
                     "lower --maxmemory or pass --force", rl_fmt_size(maxmemory, a, sizeof a), what);
            free(out.buf);
            return -1;
        }
        double left = 100.0 * (double)(limit - (maxmemory < limit ? maxmemory : limit)) / (double)limit;
        if (p->headroom > 0 && left < p->headroom)
            rl_warn("maxmemory %s leaves %.0f%% of the %s free; profile %s asks for %g%% headroom "
                    "(allocator fragmentation and buffers live there)",
                    rl_fmt_size(maxmemory, a, sizeof a), left, what, p->name, p->headroom);
    } else if (have_maxmemory && maxmemory > limit && limit) {
        rl_warn("maxmemory %s is above %s", rl_fmt_size(maxmemory, a, sizeof a), rl_fmt_size(limit, b, sizeof b));
    }
    if (out.oom) {
        free(out.buf);
        snprintf(err, errlen, "out of memory rendering redis.conf");
        return -1;
    }
    if (maxmemory_bytes)
        *maxmemory_bytes = have_maxmemory ? maxmemory : 0;
    *conf = out.buf;
    return 0;
}
