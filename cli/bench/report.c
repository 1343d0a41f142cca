#include "cli/bench/report.h"

#include <inttypes.h>
#include <string.h>

#include "cli/util/json.h"
#include "cli/util/out.h"
#include "cli/util/size.h"

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

double rl_result_hit_ratio(const struct rl_run_result *res)
{
    uint64_t gets = res->stats.c.hits + res->stats.c.misses;
    return gets ? (double)res->stats.c.hits / (double)gets : -1;
}

double rl_result_ops_per_sec(const struct rl_run_result *res)
{
    uint64_t ops = rl_counters_ops(&res->stats.c);
    return res->elapsed_s > 0 ? (double)ops / res->elapsed_s : 0;
}

static void where(const struct rl_bench_report *r, char *out, size_t len)
{
    rl_target_where(&r->cfg->target, out, len);
}

void rl_report_header(FILE *f, const struct rl_bench_report *r)
{
    const struct rl_engine_cfg *c = r->cfg;
    char w[PATH_MAX + 32], mm[32], dist[32], vs[32];
    where(r, w, sizeof w);
    if (r->server->maxmemory)
        rl_fmt_size(r->server->maxmemory, mm, sizeof mm);
    else
        snprintf(mm, sizeof mm, "none");
    rl_keydist_name(r->keys, dist, sizeof dist);
    fprintf(f, "target:   %s (%s), redis %s, allocator %s, maxmemory %s, policy %s\n", w,
            r->target_source, r->server->redis_version, r->server->mem_allocator, mm,
            r->server->maxmemory_policy);
    fprintf(f, "load:     %u clients, %u thread%s, pipeline %u, %s values, keyspace %" PRIu64
            " (%s), prefix \"%s\"\n", c->clients, c->threads, c->threads == 1 ? "" : "s",
            c->pipeline, rl_fmt_size(c->value_size, vs, sizeof vs), r->keys->keyspace, dist,
            c->key_prefix);
    fprintf(f, "run:      ");
    if (c->duration_ns)
        fprintf(f, "%.3g s per test", (double)c->duration_ns / 1e9);
    else
        fprintf(f, "%" PRIu64 " requests per test", c->requests);
    if (c->warmup_ns)
        fprintf(f, " after %.3g s of warm-up", (double)c->warmup_ns / 1e9);
    if (c->rps > 0)
        fprintf(f, ", rate %.0f req/s (latency from the intended send time)", c->rps);
    else
        fprintf(f, ", closed loop");
    fprintf(f, ", seed %" PRIu64 "\n", c->seed);
    if (r->ratio)
        fprintf(f, "tests:    one mixed test, SET:GET = %s\n", r->ratio);
    fputc('\n', f);
}

void rl_report_table(FILE *f, const struct rl_bench_report *r)
{
    fprintf(f, "%-9s %11s %12s %8s %8s %8s %8s %9s %9s %8s %9s\n", "test", "requests", "ops/s",
            "avg ms", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "hit ratio");
    for (int i = 0; i < r->nresults; i++) {
        const struct rl_run_result *res = &r->results[i];
        const struct rl_hist *h = &res->stats.lat;
        double hr = rl_result_hit_ratio(res);
        char hrs[16];
        if (hr < 0)
            snprintf(hrs, sizeof hrs, "-");
        else
            snprintf(hrs, sizeof hrs, "%.4f", hr);
        fprintf(f, "%-9s %11" PRIu64 " %12.1f %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f %8" PRIu64
                " %9s%s\n", res->test, rl_counters_ops(&res->stats.c), rl_result_ops_per_sec(res),
                rl_hist_mean(h) / 1e6, ms(rl_hist_percentile(h, 50)), ms(rl_hist_percentile(h, 95)),
                ms(rl_hist_percentile(h, 99)), ms(rl_hist_percentile(h, 99.9)),
                ms(h->count ? h->max : 0), rl_counters_errors(&res->stats.c), hrs,
                res->status != RL_RUN_OK ? "  (partial)" : "");
    }
    /* The details that only matter when they are not zero. */
    for (int i = 0; i < r->nresults; i++) {
        const struct rl_run_result *res = &r->results[i];
        const struct rl_counters *c = &res->stats.c;
        for (int k = 0; k < RL_ERR_COUNT; k++)
            if (c->errors[k])
                fprintf(f, "%s: %" PRIu64 " %s error%s, e.g. \"%s\"\n", res->test, c->errors[k],
                        rl_errkind_name(k), c->errors[k] == 1 ? "" : "s", res->first_error[k]);
        if (c->conn_errors)
            fprintf(f, "%s: %" PRIu64 " connection failure%s (dropped connections and failed reconnect attempts); %" PRIu64
                    " requests in flight were lost\n", res->test, c->conn_errors,
                    c->conn_errors == 1 ? "" : "s", c->lost);
        if (res->stats.lat.overflow)
            fprintf(f, "%s: %" PRIu64 " latencies above %.1f s (counted; percentiles there are "
                    "the maximum)\n", res->test, res->stats.lat.overflow,
                    (double)RL_HIST_LIMIT_NS / 1e9);
        if (c->ops[RL_OP_SET] && c->ops[RL_OP_GET])
            fprintf(f, "%s: %" PRIu64 " SET and %" PRIu64 " GET\n", res->test, c->ops[RL_OP_SET],
                    c->ops[RL_OP_GET]);
    }
}

static void csv_str(FILE *f, const char *s, bool last)
{
    fprintf(f, "\"%s\"%s", s, last ? "\n" : ",");
}

static void csv_num(FILE *f, double v, bool last)
{
    fprintf(f, "\"%.3f\"%s", v, last ? "\n" : ",");
}

static void csv_u64(FILE *f, uint64_t v, bool last)
{
    fprintf(f, "\"%" PRIu64 "\"%s", v, last ? "\n" : ",");
}

void rl_report_csv(FILE *f, const struct rl_bench_report *r)
{
    /* redis-benchmark --csv's columns first, in its order and quoting, so existing
     * spreadsheets and scripts read ours; then what it does not report. */
    fprintf(f, "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
               "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\",\"p999_latency_ms\","
               "\"requests\",\"errors\",\"oom_errors\",\"auth_errors\",\"other_errors\","
               "\"connection_errors\",\"hits\",\"misses\",\"hit_ratio\",\"duration_s\"\n");
    for (int i = 0; i < r->nresults; i++) {
        const struct rl_run_result *res = &r->results[i];
        const struct rl_hist *h = &res->stats.lat;
        const struct rl_counters *c = &res->stats.c;
        csv_str(f, res->test, false);
        csv_num(f, rl_result_ops_per_sec(res), false);
        csv_num(f, rl_hist_mean(h) / 1e6, false);
        csv_num(f, ms(h->count ? h->min : 0), false);
        csv_num(f, ms(rl_hist_percentile(h, 50)), false);
        csv_num(f, ms(rl_hist_percentile(h, 95)), false);
        csv_num(f, ms(rl_hist_percentile(h, 99)), false);
        csv_num(f, ms(h->count ? h->max : 0), false);
        csv_num(f, ms(rl_hist_percentile(h, 99.9)), false);
        csv_u64(f, rl_counters_ops(c), false);
        csv_u64(f, rl_counters_errors(c), false);
        csv_u64(f, c->errors[RL_ERR_OOM], false);
        csv_u64(f, c->errors[RL_ERR_AUTH], false);
        csv_u64(f, c->errors[RL_ERR_OTHER], false);
        csv_u64(f, c->conn_errors, false);
        csv_u64(f, c->hits, false);
        csv_u64(f, c->misses, false);
        double hr = rl_result_hit_ratio(res);
        if (hr < 0)
            csv_str(f, "", false);
        else
            fprintf(f, "\"%.4f\",", hr);
        csv_num(f, res->elapsed_s, true);
    }
}

static void json_latency(struct rl_json *j, const struct rl_hist *h)
{
    rl_json_obj(j);
    rl_json_key(j, "avg");
    rl_json_dbl(j, rl_hist_mean(h) / 1e6);
    static const struct {
        const char *key;
        double p;
    } pct[] = {{"p50", 50}, {"p95", 95}, {"p99", 99}, {"p999", 99.9}};
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++) {
        rl_json_key(j, pct[i].key);
        rl_json_dbl(j, ms(rl_hist_percentile(h, pct[i].p)));
    }
    rl_json_key(j, "max");
    rl_json_dbl(j, ms(h->count ? h->max : 0));
    rl_json_key(j, "min");
    rl_json_dbl(j, ms(h->count ? h->min : 0));
    rl_json_end_obj(j);
}

void rl_report_json_result(struct rl_json *j, const struct rl_run_result *res)
{
    const struct rl_counters *c = &res->stats.c;
    rl_json_obj(j);
    rl_json_key(j, "test");
    rl_json_str(j, res->test);
    rl_json_key(j, "requests");
    rl_json_u64(j, rl_counters_ops(c));
    rl_json_key(j, "ops_per_sec");
    rl_json_dbl(j, rl_result_ops_per_sec(res));
    rl_json_key(j, "errors");
    rl_json_u64(j, rl_counters_errors(c));
    rl_json_key(j, "latency_ms");
    json_latency(j, &res->stats.lat);
    rl_json_key(j, "complete");
    rl_json_bool(j, res->status == RL_RUN_OK);
    rl_json_key(j, "duration_s");
    rl_json_dbl(j, res->elapsed_s);
    rl_json_key(j, "sets");
    rl_json_u64(j, c->ops[RL_OP_SET]);
    rl_json_key(j, "gets");
    rl_json_u64(j, c->ops[RL_OP_GET]);
    rl_json_key(j, "hits");
    rl_json_u64(j, c->hits);
    rl_json_key(j, "misses");
    rl_json_u64(j, c->misses);
    rl_json_key(j, "hit_ratio");
    double hr = rl_result_hit_ratio(res);
    if (hr < 0)
        rl_json_null(j);
    else
        rl_json_dbl(j, hr);
    rl_json_key(j, "errors_by_kind");
    rl_json_obj(j);
    for (int k = 0; k < RL_ERR_COUNT; k++) {
        rl_json_key(j, rl_errkind_name(k));
        rl_json_u64(j, c->errors[k]);
    }
    rl_json_end_obj(j);
    rl_json_key(j, "first_errors");
    rl_json_obj(j);
    for (int k = 0; k < RL_ERR_COUNT; k++) {
        rl_json_key(j, rl_errkind_name(k));
        rl_json_str(j, res->first_error[k][0] ? res->first_error[k] : NULL);
    }
    rl_json_end_obj(j);
    rl_json_key(j, "connection_errors");
    rl_json_u64(j, c->conn_errors);
    rl_json_key(j, "lost_requests");
    rl_json_u64(j, c->lost);
    rl_json_key(j, "warmup_requests");
    rl_json_u64(j, c->warmup_ops[RL_OP_SET] + c->warmup_ops[RL_OP_GET] + c->warmup_errors);
    rl_json_key(j, "warmup_sets");
    rl_json_u64(j, c->warmup_ops[RL_OP_SET]);
    rl_json_key(j, "warmup_gets");
    rl_json_u64(j, c->warmup_ops[RL_OP_GET]);
    rl_json_key(j, "latency_out_of_range");
    rl_json_u64(j, res->stats.lat.overflow);
    rl_json_key(j, "series");
    rl_json_arr(j);
    for (size_t i = 0; i < res->nseries; i++) {
        const struct rl_series_row *s = &res->series[i];
        rl_json_obj(j);
        rl_json_key(j, "t");
        rl_json_dbl(j, s->t);
        rl_json_key(j, "ops_per_sec");
        rl_json_dbl(j, s->ops_per_sec);
        rl_json_key(j, "ops");
        rl_json_u64(j, s->ops);
        rl_json_key(j, "errors");
        rl_json_u64(j, s->errors);
        rl_json_key(j, "p50_ms");
        rl_json_dbl(j, ms(s->p50_ns));
        rl_json_key(j, "p99_ms");
        rl_json_dbl(j, ms(s->p99_ns));
        rl_json_key(j, "max_ms");
        rl_json_dbl(j, ms(s->max_ns));
        rl_json_end_obj(j);
    }
    rl_json_end_arr(j);
    rl_json_end_obj(j);
}

void rl_report_json(FILE *f, const struct rl_bench_report *r)
{
    const struct rl_engine_cfg *c = r->cfg;
    struct rl_json j;
    rl_json_init(&j, f, true);
    rl_json_obj(&j);
    rl_json_key(&j, "target");
    rl_json_obj(&j);
    rl_json_key(&j, "host");
    rl_json_str(&j, c->target.socket[0] ? NULL : c->target.host);
    rl_json_key(&j, "port");
    if (c->target.socket[0])
        rl_json_null(&j);
    else
        rl_json_i64(&j, c->target.port);
    rl_json_key(&j, "socket");
    rl_json_str(&j, c->target.socket[0] ? c->target.socket : NULL);
    rl_json_key(&j, "source");
    rl_json_str(&j, r->target_source);
    rl_json_key(&j, "redis_version");
    rl_json_str(&j, r->server->redis_version);
    rl_json_key(&j, "mem_allocator");
    rl_json_str(&j, r->server->mem_allocator);
    rl_json_key(&j, "maxmemory");
    rl_json_u64(&j, r->server->maxmemory);
    rl_json_key(&j, "maxmemory_policy");
    rl_json_str(&j, r->server->maxmemory_policy);
    rl_json_end_obj(&j);

    char dist[32];
    rl_json_key(&j, "config");
    rl_json_obj(&j);
    rl_json_key(&j, "clients");
    rl_json_u64(&j, c->clients);
    rl_json_key(&j, "threads");
    rl_json_u64(&j, c->threads);
    rl_json_key(&j, "pipeline");
    rl_json_u64(&j, c->pipeline);
    rl_json_key(&j, "data_size");
    rl_json_u64(&j, c->value_size);
    rl_json_key(&j, "keyspace");
    rl_json_u64(&j, r->keys->keyspace);
    rl_json_key(&j, "distribution");
    rl_json_str(&j, rl_keydist_name(r->keys, dist, sizeof dist));
    rl_json_key(&j, "key_prefix");
    rl_json_str(&j, c->key_prefix);
    rl_json_key(&j, "requests");
    if (c->duration_ns)
        rl_json_null(&j);
    else
        rl_json_u64(&j, c->requests);
    rl_json_key(&j, "duration_s");
    if (c->duration_ns)
        rl_json_dbl(&j, (double)c->duration_ns / 1e9);
    else
        rl_json_null(&j);
    rl_json_key(&j, "warmup_s");
    rl_json_dbl(&j, (double)c->warmup_ns / 1e9);
    rl_json_key(&j, "rps");
    if (c->rps > 0)
        rl_json_dbl(&j, c->rps);
    else
        rl_json_null(&j);
    rl_json_key(&j, "ratio");
    rl_json_str(&j, r->ratio);
    rl_json_key(&j, "tests");
    rl_json_arr(&j);
    for (int i = 0; i < r->ntests; i++)
        rl_json_str(&j, r->tests[i]);
    rl_json_end_arr(&j);
    rl_json_key(&j, "dbnum");
    rl_json_i64(&j, c->target.dbnum);
    rl_json_key(&j, "seed");
    rl_json_u64(&j, c->seed);
    rl_json_end_obj(&j);

    rl_json_key(&j, "results");
    rl_json_arr(&j);
    for (int i = 0; i < r->nresults; i++)
        rl_report_json_result(&j, &r->results[i]);
    rl_json_end_arr(&j);
    rl_json_key(&j, "error");
    rl_json_str(&j, r->error);
    rl_json_end_obj(&j);
    rl_json_done(&j);
}

void rl_live_tick(void *arg, const struct rl_tick *t)
{
    struct rl_live *l = arg;
    double now_ops = t->window_s > 0 ? (double)rl_counters_ops(&t->window->c) / t->window_s : 0;
    if (t->t < 0) {
        fprintf(stderr, "\r\033[K%s: warming up, %.1f s left", l->test, -t->t);
    } else {
        double all = t->t > 0 ? (double)rl_counters_ops(&t->total->c) / t->t : 0;
        fprintf(stderr, "\r\033[K%s: %.0f ops/s now, %.0f overall, p50 %.3f ms, %.1f s", l->test,
                now_ops, all, ms(rl_hist_percentile(&t->window->lat, 50)), t->t);
        uint64_t errs = rl_counters_errors(&t->total->c);
        if (errs)
            fprintf(stderr, ", %" PRIu64 " errors", errs);
    }
    fflush(stderr);
    l->shown = true;
}

void rl_live_clear(struct rl_live *l)
{
    if (l->shown)
        fprintf(stderr, "\r\033[K");
    l->shown = false;
}
