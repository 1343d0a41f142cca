#include "cli/bench/eviction/eviction.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bench/eviction/cacheaside.h"
#include "cli/bench/eviction/evict_server.h"
#include "cli/bench/eviction/evict_undo.h"
#include "cli/bench/report.h"
#include "cli/bench/target.h"
#include "cli/bench/zipf.h"
#include "cli/instance/instance.h"
#include "cli/util/paths.h"

bool rl_evict_policy_valid(const char *name)
{
    static const char *const known[] = {"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
                                        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i]) == 0)
            return true;
    return false;
}

static bool loopback(const struct rl_target *t)
{
    return t->socket[0] || strcmp(t->host, "127.0.0.1") == 0 || strcmp(t->host, "localhost") == 0 ||
           strcmp(t->host, "::1") == 0;
}

bool rl_evict_server_owned(long long pid, const struct rl_target *t)
{
    char root[PATH_MAX], names[64][RL_NAME_MAX + 1], err[256];
    if (pid <= 0 || !loopback(t) || rl_state_dir(root, sizeof root) < 0)
        return false;
    int n = rl_instance_list(root, names, 64);
    for (int i = 0; i < n; i++) {
        struct rl_instance in;
        if (rl_instance_init(&in, root, names[i]) == 0 && rl_instance_load(&in, err, sizeof err) == 0 &&
            in.pid == (pid_t)pid && rl_instance_alive(&in) &&
            (t->socket[0] ? strcmp(in.socket, t->socket) == 0 : in.port == t->port))
            return true; /* the same process, reached where the record says it listens */
    }
    return false;
}

pid_t rl_evict_local_pid(const struct rl_target *t, long long process_id)
{
    if (!loopback(t) || process_id <= 0 || process_id > INT_MAX)
        return 0;
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%lld/comm", process_id);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    if (!fgets(comm, sizeof comm, f))
        comm[0] = '\0';
    fclose(f);
    /* another pid namespace (a container) may reuse the number for something else */
    return strncmp(comm, "redis-server", 12) == 0 || strncmp(comm, "valkey-server", 13) == 0 ? (pid_t)process_id : 0;
}

/* The fill phase's windows, split by whether the server evicted during them. */
struct evict_hook {
    struct rl_sampler *sampler;
    struct rl_live live;
    bool show_live;
    struct rl_stats free_s, evicting_s;
    double free_t, evicting_t;
    uint64_t prev_evicted;
};

static void on_tick(void *arg, const struct rl_tick *tick)
{
    struct evict_hook *h = arg;
    size_t before = h->sampler->n;
    rl_sampler_tick(h->sampler, tick);
    if (h->sampler->phase == 0 && h->sampler->n > before && tick->window_s > 0) {
        const struct rl_evict_sample *e = &h->sampler->s[h->sampler->n - 1];
        if (e->evicted_keys > h->prev_evicted) {
            rl_stats_merge(&h->evicting_s, tick->window);
            h->evicting_t += tick->window_s;
        } else if (e->maxmemory && e->used_memory < e->maxmemory - e->maxmemory / 10) {
            rl_stats_merge(&h->free_s, tick->window);
            h->free_t += tick->window_s;
        }
        h->prev_evicted = e->evicted_keys;
    }
    if (h->show_live)
        rl_live_tick(&h->live, tick);
}

static void summarize(struct rl_evict_run *r, const struct rl_sampler *s, const struct evict_hook *h)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct rl_evict_sample *e = &s->s[i];
#define PEAK(field, v) if ((v) > r->field) r->field = (v)
        PEAK(used_memory_peak, e->used_memory);
        PEAK(rss_peak, e->used_memory_rss);
        PEAK(proc_rss_peak, e->proc_rss);
        PEAK(maps_peak, e->maps);
        PEAK(cg_usage_peak, e->cg_usage);
#undef PEAK
        if (e->cg_limit)
            r->cg_limit = e->cg_limit;
        r->frag = e->frag;
    }
    r->ops_free = h->free_t > 0 ? (double)rl_counters_ops(&h->free_s.c) / h->free_t : -1;
    r->ops_evicting = h->evicting_t > 0 ? (double)rl_counters_ops(&h->evicting_s.c) / h->evicting_t : -1;
    r->p99_free_ns = h->free_t > 0 ? rl_hist_percentile(&h->free_s.lat, 99) : 0;
    r->p99_evicting_ns = h->evicting_t > 0 ? rl_hist_percentile(&h->evicting_s.lat, 99) : 0;
}

static bool pong(redisContext *c)
{
    redisReply *r = redisCommand(c, "PING");
    bool ok = r && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_STRING);
    freeReplyObject(r);
    return ok;
}

/* The control connection sits idle through each phase; a server with `timeout N` closes
 * it. Returns a working connection (the same or a new one), or NULL. A fresh one must
 * answer too: a stopped server's kernel still accepts connections. Every wait is bounded
 * by the target's timeout. */
static redisContext *alive(redisContext *c, const struct rl_target *t)
{
    if (c && !c->err && pong(c))
        return c;
    redisFree(c);
    char err[256];
    c = rl_control_connect(t, err, sizeof err);
    if (c && !pong(c)) {
        redisFree(c);
        c = NULL;
    }
    return c;
}

/* The run's counters from the server itself (INFO deltas since the sampler's baseline),
 * on every path, also after a failed or interrupted phase. Returns 0 or -1 (unknown). */
static int final_counts(redisContext *c, const struct rl_sampler *s, struct rl_evict_run *r)
{
    redisReply *rep = c ? redisCommand(c, "INFO") : NULL;
    int rc = -1;
    if (rep && rep->type == REDIS_REPLY_STRING) {
        uint64_t ev = rl_info_u64(rep->str, "evicted_keys", 0), oom = rl_info_errorstat(rep->str, "OOM");
        r->evicted_keys = ev >= s->evicted0 ? ev - s->evicted0 : 0;
        r->oom_rejections = oom >= s->oom0 ? oom - s->oom0 : 0;
        rc = 0;
    } else if (s->n) { /* the last sample is the best that is known */
        r->evicted_keys = s->s[s->n - 1].evicted_keys;
        r->oom_rejections = s->s[s->n - 1].oom_rejections;
    }
    freeReplyObject(rep);
    return rc;
}

static void fill_counts(struct rl_evict_run *r)
{
    const struct rl_counters *fc = &r->fill.stats.c, *cc = &r->cache.stats.c;
    r->fill_seconds = r->fill.elapsed_s;
    r->written_keys = fc->ops[RL_OP_SET];
    r->written_bytes = r->written_keys * r->value_size;
    /* every -OOM reply bench received, warm-up included, so it can be checked against the
     * server's errorstat_OOM */
    r->oom_errors = fc->errors[RL_ERR_OOM] + cc->errors[RL_ERR_OOM] + cc->warmup_oom;
}

/* One policy: clean prefix, fill, count what stayed, cache phase, read the counters. Notes
 * in ch what it sends that the end has to undo. */
static int one_policy(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, redisContext **cp,
                      struct rl_sampler *s, struct rl_evict_changes *ch, struct rl_evict_run *r, char *err,
                      size_t errlen)
{
    redisContext *c = *cp = alive(*cp, &base->target);
    if (!c) {
        snprintf(err, errlen, "lost the control connection to the server");
        return -1;
    }
    snprintf(ch->policy, sizeof ch->policy, "%s", r->policy);
    if (rl_config_set(c, "maxmemory-policy", r->policy, err, errlen) < 0 ||
        rl_prefix_keys(c, base->key_prefix, true) < 0) {
        if (!err[0])
            snprintf(err, errlen, "cannot clear the keys under %s before the run", base->key_prefix);
        return -1;
    }
    s->n = 0;
    s->phase = 0;
    s->t_offset = 0;
    s->failed = false;
    if (rl_sampler_begin(s) < 0) {
        snprintf(err, errlen, "INFO failed on the sampler's connection");
        return -1;
    }
    static struct evict_hook h;
    memset(&h, 0, sizeof h);
    h.sampler = s;
    h.show_live = ec->live;
    h.live.test = "fill";
    struct rl_engine_hooks hooks = {.on_tick = on_tick, .arg = &h};

    struct rl_engine_cfg fill = *base;
    fill.requests = r->keyspace;
    fill.duration_ns = fill.warmup_ns = 0;
    fill.rps = 0;
    struct rl_keydist seq = {.kind = RL_DIST_SEQUENTIAL, .keyspace = r->keyspace};
    struct rl_workload wl;
    rl_workload_setget(&wl, "FILL", &seq, 1, 0);
    ch->keys = true;
    int rc = rl_engine_run(&fill, &wl, &hooks, &r->fill);
    rl_live_clear(&h.live);
    rl_sampler_take(s, r->fill.elapsed_s, NULL, 0); /* the fill's last window ends here */
    fill_counts(r);
    c = *cp = alive(c, &base->target);
    if (rc < 0) {
        snprintf(err, errlen, "fill phase: %s", r->fill.reason);
        final_counts(c, s, r);
        summarize(r, s, &h);
        return -1;
    }
    int64_t resident = c ? rl_prefix_keys(c, base->key_prefix, false) : -1;
    if (resident < 0) {
        snprintf(err, errlen, "could not count the keys that stayed after the fill (SCAN failed)");
        final_counts(c, s, r);
        summarize(r, s, &h);
        return -1;
    }
    r->capacity_keys = (uint64_t)resident;
    r->ideal_hit_ratio = rl_zipf_mass(r->keyspace, ec->zipf_s, r->capacity_keys);

    s->phase = 1;
    s->t_offset = r->fill_seconds + ec->warmup_s;
    h.live.test = "cache";
    h.live.warmup_s = ec->warmup_s;
    struct rl_engine_cfg cache = *base;
    cache.duration_ns = (uint64_t)(ec->duration_s * 1e9);
    cache.warmup_ns = (uint64_t)(ec->warmup_s * 1e9);
    cache.rps = 0;
    struct rl_keydist z = {.kind = RL_DIST_ZIPF, .zipf_s = ec->zipf_s, .keyspace = r->keyspace};
    rl_workload_cacheaside(&wl, "CACHE", &z);
    wl.seed_offset = UINT64_C(0x9e3779b97f4a7c15);
    rc = rl_engine_run(&cache, &wl, &hooks, &r->cache);
    rl_live_clear(&h.live);
    rl_sampler_take(s, r->cache.elapsed_s, NULL, 0);
    const struct rl_counters *cc = &r->cache.stats.c;
    r->hit_ratio = cc->hits + cc->misses ? (double)cc->hits / (double)(cc->hits + cc->misses) : -1;
    r->cache_ops_per_sec = rl_result_ops_per_sec(&r->cache);
    r->cache_p99_ns = rl_hist_percentile(&r->cache.stats.lat, 99);
    fill_counts(r);
    summarize(r, s, &h);
    c = *cp = alive(c, &base->target);
    int counted = final_counts(c, s, r);
    if (rc < 0) {
        snprintf(err, errlen, "cache phase: %s", r->cache.reason);
        return -1;
    }
    if (counted < 0) {
        snprintf(err, errlen, "could not read the server's final counters (INFO failed)");
        return -1;
    }
    return 0;
}

/* The end of every run on a server, whatever happened: undo, and say how it went. rc is
 * the runs' result; err holds their error when rc < 0. Returns the final rc. */
static int finish(redisContext *c, const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec,
                  const struct rl_evict_changes *ch, int rc, char *err, size_t errlen)
{
    if (!rl_evict_changed(ch)) {
        redisFree(c);
        return rc;
    }
    char why[512];
    snprintf(why, sizeof why, "it did not answer a PING within --timeout %d ms: is it stopped, hung or overloaded?",
             base->target.timeout_ms);
    c = alive(c, &base->target);
    int undone = c ? rl_evict_undo(c, base->key_prefix, ch, why, sizeof why) : -1;
    redisFree(c);
    if (undone == 0 && (rc == 0 || ec->throwaway))
        return rc; /* a throwaway server is stopped next: its settings need no word */
    static char note[8192];
    if (undone == 0)
        rl_evict_undone(&base->target, ch, note, sizeof note);
    else if (ec->throwaway)
        snprintf(note, sizeof note, "could not undo bench's changes (%s); the throwaway server is stopped next", why);
    else
        rl_evict_manual_undo(&base->target, base->key_prefix, ch, why, note, sizeof note);
    size_t used = rc < 0 ? strnlen(err, errlen) : 0;
    if (used + 3 < errlen)
        snprintf(err + used, errlen - used, "%s%s", used ? "; " : "", note);
    return -1;
}

int rl_evict_on_server(const struct rl_engine_cfg *base, const struct rl_evict_cfg *ec, pid_t local_pid,
                       const char *label, const char *allocator, const char *version,
                       struct rl_evict_run *runs, int *nruns, char *err, size_t errlen)
{
    char why[512] = "";
    redisContext *c = rl_control_connect(&base->target, err, errlen);
    if (!c)
        return -1;
    struct rl_evict_changes ch;
    memset(&ch, 0, sizeof ch);
    if (rl_config_save(c, &ch.saved, err, errlen) < 0) {
        redisFree(c);
        return -1;
    }
    int rc = 0;
    if (ec->maxmemory_set) {
        snprintf(ch.maxmemory, sizeof ch.maxmemory, "%llu", (unsigned long long)ec->maxmemory_set);
        rc = rl_config_set(c, "maxmemory", ch.maxmemory, err, errlen);
    }
    uint64_t maxmemory = ec->maxmemory_set ? ec->maxmemory_set : strtoull(ch.saved.maxmemory, NULL, 10);
    if (rc == 0 && maxmemory == 0) {
        snprintf(err, errlen, "the server has no maxmemory, so nothing would ever be evicted; give "
                 "--maxmemory SIZE (set with CONFIG SET for the run and restored after)");
        rc = -1;
    }
    struct rl_sampler s = {0};
    if (rc == 0 && rl_sampler_open(&s, &base->target, local_pid, err, errlen) < 0)
        rc = -1;
    for (int i = 0; rc == 0 && i < ec->npolicies; i++) {
        struct rl_evict_run *r = &runs[(*nruns)++];
        memset(r, 0, sizeof *r);
        snprintf(r->server, sizeof r->server, "%s", label);
        snprintf(r->allocator, sizeof r->allocator, "%s", allocator);
        snprintf(r->version, sizeof r->version, "%s", version);
        snprintf(r->policy, sizeof r->policy, "%s", ec->policies[i]);
        r->maxmemory = maxmemory;
        r->value_size = base->value_size;
        double keys = (double)maxmemory * ec->fill_factor / (double)base->value_size + 1;
        if (keys > (double)RL_KEYSPACE_MAX) {
            snprintf(err, errlen, "a fill of %.0f keys is more than the %llu that 12-digit key names hold; "
                     "raise -d or lower --fill-factor", keys, (unsigned long long)RL_KEYSPACE_MAX);
            (*nruns)--;
            rc = -1;
            break;
        }
        r->keyspace = (uint64_t)keys;
        r->hit_ratio = r->ideal_hit_ratio = -1;
        why[0] = '\0';
        rc = one_policy(base, ec, &c, &s, &ch, r, why, sizeof why);
        r->samples = s.s; /* the run keeps its samples; the sampler starts a new array */
        r->nsamples = s.n;
        s.s = NULL;
        s.n = s.cap = 0;
        r->ok = rc == 0;
        if (rc < 0) {
            snprintf(r->reason, sizeof r->reason, "%s", why);
            snprintf(err, errlen, "%s, policy %s: %s", label, r->policy, why);
        }
    }
    rl_sampler_close(&s);
    return finish(c, base, ec, &ch, rc, err, errlen);
}

void rl_evict_run_free(struct rl_evict_run *r)
{
    if (!r)
        return;
    free(r->samples);
    r->samples = NULL;
    rl_run_result_free(&r->fill);
    rl_run_result_free(&r->cache);
}
