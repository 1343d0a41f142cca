#include "cli/bench/eviction/evict_report.h"

#include <inttypes.h>
#include <string.h>

#include "cli/bench/report.h"
#include "cli/util/json.h"
#include "cli/util/size.h"

static double ms(uint64_t ns) { return (double)ns / 1e6; }

void rl_evict_header(FILE *f, const struct rl_evict_report *r)
{
    const struct rl_engine_cfg *c = r->cfg;
    char v[32];
    if (r->server) {
        char w[PATH_MAX + 32];
        rl_target_where(&c->target, w, sizeof w);
        fprintf(f, "target: %s (%s), Redis %s, mem_allocator %s\n", w, r->target_source,
                r->server->redis_version, r->server->mem_allocator);
    }
    fprintf(f, "eviction: %d polic%s; per run a fill of %.1fx maxmemory in %s values, then %.0f s of "
            "cache-aside GETs (zipf:%.2f, a miss SETs the key) after %.0f s of warm-up\n",
            r->ec->npolicies, r->ec->npolicies == 1 ? "y" : "ies", r->ec->fill_factor,
            rl_fmt_size(c->value_size, v, sizeof v), r->ec->duration_s, r->ec->zipf_s, r->ec->warmup_s);
    fprintf(f, "load: %u clients, %u thread%s, pipeline %u, keys %s<12 digits>, seed %" PRIu64 "\n\n", c->clients,
            c->threads, c->threads == 1 ? "" : "s", c->pipeline, c->key_prefix, c->seed);
}

static void pct_or_dash(FILE *f, double v, int width)
{
    if (v < 0)
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.1f", width, 100 * v);
}

void rl_evict_table(FILE *f, const struct rl_evict_report *r)
{
    fprintf(f, "%-14s %-15s %6s %6s %9s %8s %17s %26s %5s %15s %13s\n", "server", "policy", "hit%",
            "ideal%", "evicted", "OOM err", "used peak (over)", "RSS peak (headroom)", "frag", "ops/s free/evict",
            "p99 ms f/e");
    for (int i = 0; i < r->nruns; i++) {
        const struct rl_evict_run *x = &r->runs[i];
        char a[32], b[32], lim[32];
        double over = x->maxmemory ? 100.0 * ((double)x->used_memory_peak - (double)x->maxmemory) / (double)x->maxmemory : 0;
        uint64_t rss = x->proc_rss_peak ? x->proc_rss_peak : x->rss_peak;
        char used[40], rsscol[48], ops[32], p99[32];
        snprintf(used, sizeof used, "%s (%+.1f%%)", rl_fmt_size(x->used_memory_peak, a, sizeof a), over);
        if (x->cg_limit)
            snprintf(rsscol, sizeof rsscol, "%s (%.0f%% of %s)", rl_fmt_size(rss, b, sizeof b),
                     100.0 * (double)rss / (double)x->cg_limit, rl_fmt_size(x->cg_limit, lim, sizeof lim));
        else
            snprintf(rsscol, sizeof rsscol, "%s (no limit)", rl_fmt_size(rss, b, sizeof b));
        char of[16] = "-", oe[16] = "-", pf[16] = "-", pe[16] = "-";
        if (x->ops_free >= 0) {
            snprintf(of, sizeof of, "%.0f", x->ops_free);
            snprintf(pf, sizeof pf, "%.2f", ms(x->p99_free_ns));
        }
        if (x->ops_evicting >= 0) {
            snprintf(oe, sizeof oe, "%.0f", x->ops_evicting);
            snprintf(pe, sizeof pe, "%.2f", ms(x->p99_evicting_ns));
        }
        snprintf(ops, sizeof ops, "%s/%s", of, oe);
        snprintf(p99, sizeof p99, "%s/%s", pf, pe);
        fprintf(f, "%-14s %-15s", x->server, x->policy);
        pct_or_dash(f, x->hit_ratio, 6);
        pct_or_dash(f, x->ideal_hit_ratio, 6);
        fprintf(f, " %9" PRIu64 " %8" PRIu64 " %17s %26s %5.2f %15s %13s%s\n", x->evicted_keys, x->oom_errors, used,
                rsscol, x->frag, ops, p99, x->ok ? "" : "  (stopped early)");
    }
    fprintf(f, "\nhit%%: cache-phase GET hits; ideal%%: the zipf mass of the keys that fit (what a perfect "
               "policy keeps); used peak: INFO used_memory vs maxmemory;\nRSS: the server's resident memory "
               "(/proc when local) vs its cgroup limit; ops/s and p99 of the fill before maxmemory was reached "
               "(free) and while it evicted (evict).\n");
    if (r->error)
        fprintf(f, "stopped early: %s\n", r->error);
    else if (r->problem)
        fprintf(f, "problem: %s\n", r->problem);
}

static void json_u64_or_null(struct rl_json *j, const char *key, uint64_t v)
{
    rl_json_key(j, key);
    if (v)
        rl_json_u64(j, v);
    else
        rl_json_null(j);
}

static void json_dbl_or_null(struct rl_json *j, const char *key, double v)
{
    rl_json_key(j, key);
    if (v >= 0)
        rl_json_dbl(j, v);
    else
        rl_json_null(j);
}

static void json_samples(struct rl_json *j, const struct rl_evict_run *x)
{
    rl_json_key(j, "samples");
    rl_json_arr(j);
    for (size_t i = 0; i < x->nsamples; i++) {
        const struct rl_evict_sample *e = &x->samples[i];
        rl_json_obj(j);
        rl_json_key(j, "t"); rl_json_dbl(j, e->t);
        rl_json_key(j, "phase"); rl_json_str(j, e->phase ? "cache" : "fill");
        rl_json_key(j, "used_memory"); rl_json_u64(j, e->used_memory);
        rl_json_key(j, "rss"); rl_json_u64(j, e->proc_rss ? e->proc_rss : e->used_memory_rss);
        rl_json_key(j, "maxmemory"); rl_json_u64(j, e->maxmemory);
        rl_json_key(j, "evicted_keys"); rl_json_u64(j, e->evicted_keys);
        json_dbl_or_null(j, "ops_per_sec", e->ops_per_sec);
        /* the raw readings the rate comes from, so anyone can check it */
        rl_json_key(j, "total_commands_processed"); rl_json_u64(j, e->commands_processed);
        rl_json_key(j, "server_time_usec");
        if (e->server_clock)
            rl_json_i64(j, e->time_us);
        else
            rl_json_null(j);
        rl_json_key(j, "errors"); rl_json_u64(j, e->errors);
        rl_json_key(j, "oom_errors"); rl_json_u64(j, e->oom_errors);
        rl_json_key(j, "mem_fragmentation_ratio"); rl_json_dbl(j, e->frag);
        json_u64_or_null(j, "maps", e->maps);
        json_u64_or_null(j, "cgroup_limit", e->cg_limit);
        json_u64_or_null(j, "cgroup_usage", e->cg_usage);
        rl_json_end_obj(j);
    }
    rl_json_end_arr(j);
}

static void json_run(struct rl_json *j, const struct rl_evict_run *x)
{
    rl_json_obj(j);
    rl_json_key(j, "server"); rl_json_str(j, x->server);
    rl_json_key(j, "allocator"); rl_json_str(j, x->allocator);
    rl_json_key(j, "redis_version"); rl_json_str(j, x->version);
    rl_json_key(j, "policy"); rl_json_str(j, x->policy);
    rl_json_key(j, "maxmemory"); rl_json_u64(j, x->maxmemory);
    rl_json_key(j, "written_keys"); rl_json_u64(j, x->written_keys);
    rl_json_key(j, "written_bytes"); rl_json_u64(j, x->written_bytes);
    rl_json_key(j, "evicted_keys"); rl_json_u64(j, x->evicted_keys);
    rl_json_key(j, "oom_errors"); rl_json_u64(j, x->oom_errors);
    rl_json_key(j, "oom_rejections_server"); rl_json_u64(j, x->oom_rejections);
    rl_json_key(j, "used_memory_peak"); rl_json_u64(j, x->used_memory_peak);
    rl_json_key(j, "rss_peak"); rl_json_u64(j, x->proc_rss_peak ? x->proc_rss_peak : x->rss_peak);
    rl_json_key(j, "mem_fragmentation_ratio"); rl_json_dbl(j, x->frag);
    json_dbl_or_null(j, "hit_ratio", x->hit_ratio);
    json_dbl_or_null(j, "ideal_hit_ratio", x->ideal_hit_ratio);
    rl_json_key(j, "keyspace"); rl_json_u64(j, x->keyspace);
    rl_json_key(j, "resident_keys_after_fill"); rl_json_u64(j, x->capacity_keys);
    json_u64_or_null(j, "maps_peak", x->maps_peak);
    json_u64_or_null(j, "memory_limit", x->cg_limit);
    json_u64_or_null(j, "cgroup_usage_peak", x->cg_usage_peak);
    json_dbl_or_null(j, "ops_per_sec_before_eviction", x->ops_free);
    json_dbl_or_null(j, "ops_per_sec_evicting", x->ops_evicting);
    json_dbl_or_null(j, "p99_ms_before_eviction", x->ops_free >= 0 ? ms(x->p99_free_ns) : -1);
    json_dbl_or_null(j, "p99_ms_evicting", x->ops_evicting >= 0 ? ms(x->p99_evicting_ns) : -1);
    rl_json_key(j, "cache_ops_per_sec"); rl_json_dbl(j, x->cache_ops_per_sec);
    rl_json_key(j, "cache_p99_ms"); rl_json_dbl(j, ms(x->cache_p99_ns));
    rl_json_key(j, "fill_seconds"); rl_json_dbl(j, x->fill_seconds);
    rl_json_key(j, "completed"); rl_json_bool(j, x->ok);
    rl_json_key(j, "reason"); rl_json_str(j, x->ok ? NULL : x->reason);
    json_samples(j, x);
    rl_json_end_obj(j);
}

void rl_evict_json(FILE *f, const struct rl_evict_report *r)
{
    const struct rl_engine_cfg *c = r->cfg;
    struct rl_json j;
    rl_json_init(&j, f, true);
    rl_json_obj(&j);
    rl_json_key(&j, "target");
    if (r->server) {
        rl_json_obj(&j);
        rl_json_key(&j, "host"); rl_json_str(&j, c->target.socket[0] ? NULL : c->target.host);
        rl_json_key(&j, "port");
        if (c->target.socket[0])
            rl_json_null(&j);
        else
            rl_json_i64(&j, c->target.port);
        rl_json_key(&j, "socket"); rl_json_str(&j, c->target.socket[0] ? c->target.socket : NULL);
        rl_json_key(&j, "redis_version"); rl_json_str(&j, r->server->redis_version);
        rl_json_key(&j, "mem_allocator"); rl_json_str(&j, r->server->mem_allocator);
        rl_json_key(&j, "maxmemory"); rl_json_u64(&j, r->server->maxmemory);
        rl_json_key(&j, "maxmemory_policy"); rl_json_str(&j, r->server->maxmemory_policy);
        rl_json_end_obj(&j);
    } else {
        rl_json_null(&j); /* --launch: each run names its own server */
    }
    rl_json_key(&j, "config");
    rl_json_obj(&j);
    rl_json_key(&j, "clients"); rl_json_u64(&j, c->clients);
    rl_json_key(&j, "threads"); rl_json_u64(&j, c->threads);
    rl_json_key(&j, "pipeline"); rl_json_u64(&j, c->pipeline);
    rl_json_key(&j, "data_size"); rl_json_u64(&j, c->value_size);
    rl_json_key(&j, "key_prefix"); rl_json_str(&j, c->key_prefix);
    rl_json_key(&j, "fill_factor"); rl_json_dbl(&j, r->ec->fill_factor);
    rl_json_key(&j, "duration_s"); rl_json_dbl(&j, r->ec->duration_s);
    rl_json_key(&j, "warmup_s"); rl_json_dbl(&j, r->ec->warmup_s);
    rl_json_key(&j, "zipf_s"); rl_json_dbl(&j, r->ec->zipf_s);
    rl_json_key(&j, "seed"); rl_json_u64(&j, c->seed);
    rl_json_end_obj(&j);
    rl_json_key(&j, "results");
    rl_json_arr(&j);
    for (int i = 0; i < r->nruns; i++) {
        char name[96];
        struct rl_run_result res = r->runs[i].fill;
        snprintf(name, sizeof name, "FILL %s %s", r->runs[i].server, r->runs[i].policy);
        snprintf(res.test, sizeof res.test, "%.63s", name);
        rl_report_json_result(&j, &res);
        if (r->runs[i].cache.elapsed_s > 0 || r->runs[i].ok) {
            res = r->runs[i].cache;
            snprintf(name, sizeof name, "CACHE %s %s", r->runs[i].server, r->runs[i].policy);
            snprintf(res.test, sizeof res.test, "%.63s", name);
            rl_report_json_result(&j, &res);
        }
    }
    rl_json_end_arr(&j);
    rl_json_key(&j, "eviction");
    rl_json_arr(&j);
    for (int i = 0; i < r->nruns; i++)
        json_run(&j, &r->runs[i]);
    rl_json_end_arr(&j);
    rl_json_key(&j, "error"); rl_json_str(&j, r->error ? r->error : r->problem);
    rl_json_end_obj(&j);
    rl_json_done(&j);
}
