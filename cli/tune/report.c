#include "cli/tune/report.h"

#include "cli/util/size.h"

void rl_tune_print_rows(FILE *f, const struct rl_tune *t)
{
    fprintf(f, "%-9s %-12s %8s %8s %9s %9s %9s %10s %11s %9s %4s\n", "allocator", "value size", "mean B",
            "maxmem", "overhead", "max", "rss/used", "base RSS", "per client", "evicted", "runs");
    for (int i = 0; i < t->nresults; i++) {
        const struct rl_overhead_row *r = &t->results[i].row;
        char mm[32], base[32];
        fprintf(f, "%-9s %-12s %8llu %8s %9.3f %9.3f %9.3f %10s %9llu B %9llu %4d\n", r->allocator, r->value_class,
                (unsigned long long)r->value_bytes, rl_fmt_size(r->maxmemory_bytes, mm, sizeof mm),
                r->overhead_median, r->overhead_max, r->rss_over_used,
                rl_fmt_size(r->base_rss_bytes, base, sizeof base), (unsigned long long)r->per_client_bytes,
                (unsigned long long)r->evicted_keys, r->runs);
    }
}

static void json_u64(struct rl_json *w, const char *key, uint64_t v)
{
    rl_json_key(w, key);
    rl_json_u64(w, v);
}

static void json_dbl(struct rl_json *w, const char *key, double v)
{
    rl_json_key(w, key);
    rl_json_dbl(w, v);
}

static void json_run(struct rl_json *w, const struct rl_tune_run *r)
{
    rl_json_obj(w);
    json_dbl(w, "overhead", r->overhead);
    json_dbl(w, "rss_over_used", r->rss_over_used);
    json_u64(w, "base_rss_bytes", r->base_rss);
    json_u64(w, "per_client_bytes", r->per_client);
    json_u64(w, "vmhwm_bytes", r->vmhwm);
    json_u64(w, "vmrss_end_bytes", r->vmrss_end);
    json_u64(w, "used_memory", r->used_memory);
    json_u64(w, "used_memory_rss", r->used_memory_rss);
    json_u64(w, "evicted_keys", r->evicted_keys);
    json_u64(w, "sets", r->sets);
    json_u64(w, "fill_bytes", r->fill_bytes);
    json_u64(w, "value_bytes", r->value_bytes_mean);
    json_dbl(w, "fill_seconds", r->fill_seconds);
    rl_json_end_obj(w);
}

void rl_tune_json_rows(struct rl_json *w, const struct rl_tune *t)
{
    rl_json_arr(w);
    for (int i = 0; i < t->nresults; i++) {
        const struct rl_tune_result *res = &t->results[i];
        const struct rl_overhead_row *r = &res->row;
        rl_json_obj(w);
        rl_json_key(w, "allocator");
        rl_json_str(w, r->allocator);
        rl_json_key(w, "value_class");
        rl_json_str(w, r->value_class);
        json_u64(w, "value_min", res->size.min);
        json_u64(w, "value_max", res->size.max);
        json_u64(w, "value_bytes", r->value_bytes);
        json_u64(w, "maxmemory_bytes", r->maxmemory_bytes);
        json_dbl(w, "overhead_median", r->overhead_median);
        json_dbl(w, "overhead_max", r->overhead_max);
        json_dbl(w, "rss_over_used", r->rss_over_used);
        json_u64(w, "base_rss_bytes", r->base_rss_bytes);
        json_u64(w, "per_client_bytes", r->per_client_bytes);
        json_u64(w, "evicted_keys", r->evicted_keys);
        json_u64(w, "runs", (uint64_t)r->runs);
        rl_json_key(w, "each_run");
        rl_json_arr(w);
        for (int k = 0; k < res->nruns; k++)
            json_run(w, &res->runs[k]);
        rl_json_end_arr(w);
        rl_json_end_obj(w);
    }
    rl_json_end_arr(w);
}
