/* Renders a profile's redis.conf directives for the probed facts. Redis reads '#' only
 * at the start of a line, so each directive's provenance goes on the line above it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util/out.h"
#include "cli/util/size.h"
#include "profiles/profile_internal.h"

uint64_t rl_profile_effective_limit(const struct rl_facts *f, char *what, size_t len)
{
    const struct rl_fu64 *m = &f->memory_limit_bytes, *h = &f->memory_high_bytes, *t = &f->mem_total_bytes;
    char a[32], b[32];
    /* A cgroup limit above the machine's memory limits nothing: the machine is the bound. */
    uint64_t cg = h->state == RL_FACT_VALUE && (m->state != RL_FACT_VALUE || h->v < m->v) ? h->v
                  : m->state == RL_FACT_VALUE ? m->v : 0;
    if (cg && t->state == RL_FACT_VALUE && t->v < cg) {
        snprintf(what, len, "MemTotal %s (below the cgroup limit %s)", rl_fmt_size(t->v, a, sizeof a),
                 rl_fmt_size(cg, b, sizeof b));
        return t->v;
    }
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
    if (!rl_profile_directive_name_valid(key)) {
        snprintf(err, errlen, "--set key \"%s\" is not a redis.conf directive name (lower-case letters, digits "
                 "and -, e.g. --set hz=20)", key);
        return -1;
    }
    const char *refused = rl_profile_refused_directive(key);
    if (refused) {
        snprintf(err, errlen, "--set %s is refused: %s", key, refused);
        return -1;
    }
    if (rl_profile_value_has_control(*val)) {
        snprintf(err, errlen, "--set %s: the value contains a newline or control character, which would start "
                 "another directive; give a single-line value", key);
        return -1;
    }
    if (strcmp(key, "maxmemory-policy") == 0 && !rl_profile_policy_valid(*val)) {
        snprintf(err, errlen, "--set maxmemory-policy=%s is not a Redis eviction policy; use one of %s", *val,
                 rl_profile_policies_text);
        return -1;
    }
    return 0;
}

/* The value as redis.conf must see it: "" for an empty string. */
/* The value as redis.conf must see it: "" for an empty string. */
static const char *conf_value(const char *v) { return v[0] ? v : "\"\""; }

uint64_t rl_profile_share_of(uint64_t limit, double pct)
{
    uint64_t v = (uint64_t)((double)limit * pct / 100.0);
    return v >= (1ULL << 20) ? v & ~((1ULL << 20) - 1) : v;
}

struct render {
    const struct rl_profile *p;
    const struct rl_render_overrides *o;
    uint64_t limit;
    char what[128];            /* where the limit came from, for comments and messages */
    char setkeys[RL_PROFILE_MAX_CONF][64];
    const char *setvals[RL_PROFILE_MAX_CONF];
    int nset;
    struct out out;
    uint64_t maxmemory;
    bool have_maxmemory, wrote_save;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int bad(struct render *R, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(R->err, R->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool set_has(const struct render *R, const char *key)
{
    for (int k = 0; k < R->nset; k++)
        if (strcmp(R->setkeys[k], key) == 0)
            return true;
    return false;
}

/* Checks every override before anything is written. */
static int check_overrides(struct render *R)
{
    const struct rl_render_overrides *o = R->o;
    R->nset = o->nset > 0 ? o->nset : 0;
    if (R->nset > RL_PROFILE_MAX_CONF)
        return bad(R, "%d --set options given; at most %d are accepted (put the rest in a profile's config)", R->nset,
                   RL_PROFILE_MAX_CONF);
    for (int i = 0; i < R->nset; i++) {
        if (check_set(o->set[i], R->setkeys[i], sizeof R->setkeys[i], &R->setvals[i], R->err, R->errlen) < 0)
            return -1;
        for (int k = 0; k < i; k++) /* Redis would silently keep the last one */
            if (strcmp(R->setkeys[k], R->setkeys[i]) == 0)
                return bad(R, "--set %s is given twice; give it once", R->setkeys[i]);
        if (strcmp(R->setkeys[i], "activedefrag") == 0 && strcmp(R->setvals[i], "yes") == 0 &&
            strcmp(R->p->allocator, "libc") == 0)
            return bad(R, "--set activedefrag=yes needs jemalloc; Redis refuses it on this profile's libc build");
    }
    if (o->persist && !rl_profile_persist_valid(o->persist))
        return bad(R, "--persist %s is not a persistence mode; use aof (append-only file, fsync every second), rdb "
                   "(snapshots) or none", o->persist);
    if (o->policy && !rl_profile_policy_valid(o->policy))
        return bad(R, "--policy %s is not a Redis eviction policy; use one of %s", o->policy, rl_profile_policies_text);
    if (o->maxmemory && set_has(R, "maxmemory"))
        return bad(R, "give --maxmemory or --set maxmemory=…, not both");
    if (o->policy && set_has(R, "maxmemory-policy"))
        return bad(R, "give --policy or --set maxmemory-policy=…, not both");
    return 0;
}

/* maxmemory from a size or "N%" given on the command line (--maxmemory or --set), with
 * the comment saying so written by the caller: *pct tells whether it was a share. */
static int maxmemory_from_cli(struct render *R, const char *opt, const char *v, bool *share)
{
    double pct;
    char e[200];
    const char *sep = opt[strlen(opt) - 1] == '=' ? "" : " "; /* "--set maxmemory=V" or "--maxmemory V" */
    int rc = rl_parse_percent(v, &pct, e, sizeof e);
    if (rc < 0 || (rc == 1 && rl_parse_size(v, &R->maxmemory, e, sizeof e) < 0))
        return bad(R, "%s%s%s: %s", opt, sep, v, e);
    if (rc == 0) {
        if (!R->limit)
            return bad(R, "%s%s%s: neither a cgroup limit nor MemTotal is known here, so a percentage has nothing "
                       "to be a share of; give a size such as 64mb", opt, sep, v);
        R->maxmemory = rl_profile_share_of(R->limit, pct);
        if (R->maxmemory == 0)
            return bad(R, "%s%s%s of %s is 0 bytes, which Redis reads as no limit; give a size", opt, sep, v, R->what);
    }
    *share = rc == 0;
    R->have_maxmemory = true;
    return 0;
}

/* maxmemory from the profile: a fixed size, or a share of the limit within min/max. */
static int maxmemory_from_profile(struct render *R, const struct rl_conf_item *c)
{
    const struct rl_profile *p = R->p;
    if (c->is_budget) /* only the plan knows the measured terms */
        return bad(R, "profile %s sizes maxmemory by the memory budget, which `redis-light doctor` and `up` "
                   "compute; pass --maxmemory SIZE to render it without one", p->name);
    if (!c->is_share) {
        char e[200];
        if (rl_parse_size(c->value, &R->maxmemory, e, sizeof e) < 0) /* validated at load; defence */
            return bad(R, "profile %s: maxmemory %s: %s", p->name, c->value, e);
        put(&R->out, "# profile %s\n", p->name);
        R->have_maxmemory = true;
        return 0;
    }
    if (!R->limit)
        return bad(R, "profile %s sets maxmemory as %g%% of the memory limit, but neither a cgroup limit nor MemTotal "
                   "is known; pass --maxmemory SIZE", p->name, c->share);
    R->maxmemory = rl_profile_share_of(R->limit, c->share);
    const char *clamp = "";
    if (c->min && R->maxmemory < c->min)
        R->maxmemory = c->min, clamp = ", raised to its min";
    if (c->max && R->maxmemory > c->max)
        R->maxmemory = c->max, clamp = ", lowered to its max";
    if (R->maxmemory == 0) /* Redis reads maxmemory 0 as "no limit" */
        return bad(R, "profile %s: %g%% of %s is 0 bytes, which Redis reads as no limit; give the profile a maxmemory "
                   "min, or pass --maxmemory SIZE", p->name, c->share, R->what);
    put(&R->out, "# %g%% of %s%s, profile %s\n", c->share, R->what, clamp, p->name);
    R->have_maxmemory = true;
    return 0;
}

/* The --persist block: each directive it decides unless a --set gives it. */
static void persist_block(struct render *R)
{
    const char *mode = R->o->persist;
    put(&R->out, "# %s\n", rl_profile_persist_why(mode));
    for (int i = 0; rl_profile_persist_keys[i]; i++) {
        const char *key = rl_profile_persist_keys[i], *v = rl_profile_persist_value(mode, key);
        if (!v || set_has(R, key))
            continue;
        put(&R->out, "%s %s\n", key, conf_value(v));
        if (strcmp(key, "save") == 0)
            R->wrote_save = true;
    }
}

/* One directive of the profile, or the override that replaces it. */
static int directive(struct render *R, const struct rl_conf_item *c, const char *key, char *policy, size_t policylen)
{
    const struct rl_profile *p = R->p;
    const struct rl_render_overrides *o = R->o;
    char a[32];
    if (set_has(R, key) || (o->persist && rl_profile_persist_owns(key)))
        return 0; /* written with the --set or --persist block */
    if (strcmp(key, "maxmemory") == 0) {
        bool share = false;
        if (!o->maxmemory && o->planned) {
            R->maxmemory = o->planned_bytes;
            R->have_maxmemory = true;
            put(&R->out, "# %s\n", o->planned_why ? o->planned_why : "the plan's memory budget");
        } else if (!o->maxmemory && maxmemory_from_profile(R, c) < 0) {
            return -1;
        }
        if (o->maxmemory) {
            if (maxmemory_from_cli(R, "--maxmemory", o->maxmemory, &share) < 0)
                return -1;
            put(&R->out, "# --maxmemory %s on the command line%s%s\n", o->maxmemory, share ? ", of " : "",
                share ? R->what : "");
        }
        put(&R->out, "maxmemory %s\n", rl_fmt_size_conf(R->maxmemory, a, sizeof a));
        return 0;
    }
    if (strcmp(key, "maxmemory-policy") == 0) {
        bool store = !o->policy && rl_profile_persist_on(o->persist) && !o->persist_keeps_policy;
        const char *v = o->policy ? o->policy : store ? "noeviction" : c->value;
        if (o->policy)
            put(&R->out, "# --policy on the command line\nmaxmemory-policy %s\n", v);
        else if (store)
            put(&R->out, "# --persist %s: a store answers writes past maxmemory with OOM errors instead of "
                         "evicting keys (--policy overrides)\nmaxmemory-policy %s\n", o->persist, v);
        else
            put(&R->out, "# profile %s\nmaxmemory-policy %s\n", p->name, v);
        if (policy && policylen)
            snprintf(policy, policylen, "%s", v);
        return 0;
    }
    if (strcmp(key, "save") == 0)
        R->wrote_save = true;
    put(&R->out, "# profile %s\n%s %s\n", p->name, key, conf_value(c->value));
    return 0;
}

/* Refuses a maxmemory the cgroup would kill Redis before reaching (unless forced), and
 * warns when it leaves less than the profile's headroom for what maxmemory does not
 * count: allocator fragmentation, client buffers, Redis's own overhead. */
static int check_limit(struct render *R, const struct rl_facts *f)
{
    const struct rl_profile *p = R->p;
    char a[32], b[32];
    bool cgroup_limited = f->memory_limit_bytes.state == RL_FACT_VALUE || f->memory_high_bytes.state == RL_FACT_VALUE;
    if (!R->have_maxmemory || !R->limit)
        return 0;
    /* maxmemory 0 is "no limit" to Redis: above any limit */
    bool above = R->maxmemory == 0 || R->maxmemory > R->limit;
    if (!cgroup_limited) {
        if (above)
            rl_warn("maxmemory %s is %s %s; Redis may push the machine into swap or the OOM killer",
                    R->maxmemory ? rl_fmt_size(R->maxmemory, a, sizeof a) : "0 (no limit)",
                    R->maxmemory ? "above" : "not bounded by", rl_fmt_size(R->limit, b, sizeof b));
        return 0;
    }
    if (above && !R->o->force)
        return bad(R, "maxmemory %s is above the %s: the cgroup would OOM-kill Redis before it evicts; lower "
                   "--maxmemory or pass --force", R->maxmemory ? rl_fmt_size(R->maxmemory, a, sizeof a) : "0 (no limit)",
                   R->what);
    double left = above ? 0 : 100.0 * (double)(R->limit - R->maxmemory) / (double)R->limit;
    /* the plan's budget already counted what lives above maxmemory, term by term */
    if (p->headroom > 0 && left < p->headroom && !R->o->planned)
        rl_warn("maxmemory %s leaves %.0f%% of the %s free; profile %s asks for %g%% headroom (allocator "
                "fragmentation and buffers live there)", R->maxmemory ? rl_fmt_size(R->maxmemory, a, sizeof a) : "0",
                left, R->what, p->name, p->headroom);
    return 0;
}

static int render(struct render *R, const struct rl_facts *f, char *policy, size_t policylen)
{
    const struct rl_profile *p = R->p;
    const struct rl_render_overrides *o = R->o;
    if (check_overrides(R) < 0)
        return -1;
    put(&R->out, "# rendered by redis-light %s from profile %s (%s)\n", RL_VERSION, p->name, p->source);
    put(&R->out, "# effective memory limit: %s\n", R->what);
    bool has_maxmemory = false, has_policy = false;
    for (int i = 0; i < p->nconf; i++) {
        has_maxmemory |= strcmp(p->conf[i].key, "maxmemory") == 0;
        has_policy |= strcmp(p->conf[i].key, "maxmemory-policy") == 0;
        if (directive(R, &p->conf[i], p->conf[i].key, policy, policylen) < 0)
            return -1;
    }
    /* the typed overrides still apply to a profile that does not set them */
    struct rl_conf_item none = {0};
    if (!has_maxmemory && (o->maxmemory || (o->planned && o->planned_bytes)) &&
        directive(R, &none, "maxmemory", policy, policylen) < 0)
        return -1;
    if (!has_policy && (o->policy || (rl_profile_persist_on(o->persist) && !o->persist_keeps_policy)) &&
        directive(R, &none, "maxmemory-policy", policy, policylen) < 0)
        return -1;
    for (int k = 0; k < R->nset; k++) {
        const char *key = R->setkeys[k], *val = R->setvals[k];
        if (strcmp(key, "maxmemory") == 0) { /* checked against the limit like --maxmemory */
            bool share = false;
            char a[32];
            if (maxmemory_from_cli(R, "--set maxmemory=", val, &share) < 0)
                return -1;
            put(&R->out, "# --set on the command line%s%s\nmaxmemory %s\n", share ? ", of " : "", share ? R->what : "",
                rl_fmt_size_conf(R->maxmemory, a, sizeof a));
            continue;
        }
        if (strcmp(key, "maxmemory-policy") == 0 && policy && policylen)
            snprintf(policy, policylen, "%s", val);
        if (strcmp(key, "save") == 0)
            R->wrote_save = true;
        put(&R->out, "# --set on the command line\n%s %s\n", key, conf_value(val));
    }
    if (o->persist)
        persist_block(R);
    if (!R->wrote_save)
        put(&R->out, "# persistence off: the profile sets no save rules (an absent save line would mean Redis's "
                     "defaults)\nsave \"\"\n");
    if (policy && policylen && !policy[0])
        snprintf(policy, policylen, "noeviction"); /* Redis's default */
    if (check_limit(R, f) < 0)
        return -1;
    if (R->out.oom)
        return bad(R, "out of memory rendering redis.conf");
    return 0;
}

int rl_profile_render(const struct rl_profile *p, const struct rl_facts *f, const struct rl_render_overrides *ov,
                      char **conf, uint64_t *maxmemory_bytes, char *policy, size_t policylen, char *err, size_t errlen)
{
    static const struct rl_render_overrides none;
    struct render *R = calloc(1, sizeof *R);
    *conf = NULL;
    if (maxmemory_bytes)
        *maxmemory_bytes = 0;
    if (policy && policylen)
        policy[0] = '\0';
    if (!R) {
        snprintf(err, errlen, "out of memory rendering redis.conf");
        return -1;
    }
    R->p = p;
    R->o = ov ? ov : &none;
    R->err = err;
    R->errlen = errlen;
    R->limit = rl_profile_effective_limit(f, R->what, sizeof R->what);
    int rc = render(R, f, policy, policylen);
    if (rc == 0) {
        *conf = R->out.buf;
        if (maxmemory_bytes)
            *maxmemory_bytes = R->have_maxmemory ? R->maxmemory : 0;
    } else {
        free(R->out.buf);
    }
    free(R);
    return rc;
}
