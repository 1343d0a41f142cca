/* A value size's runs summed up as scripts/measure-overhead sums its cells: the median of
 * every figure over the runs, and the max of the overhead factor (the budget divides by
 * the worst). */
#include "cli/tune/tune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (the mean of the middle two for an even n). */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void rl_tune_row(const struct rl_tune_result *r, const char *allocator, uint64_t maxmemory,
                 struct rl_overhead_row *row)
{
    memset(row, 0, sizeof *row);
    snprintf(row->allocator, sizeof row->allocator, "%s", allocator);
    snprintf(row->value_class, sizeof row->value_class, "%s", r->size.label);
    row->maxmemory_bytes = maxmemory;
    row->runs = r->nruns;
    if (r->nruns == 0)
        return;
    double overhead[RL_TUNE_MAX_RUNS] = {0}, rss_used[RL_TUNE_MAX_RUNS] = {0}, base[RL_TUNE_MAX_RUNS] = {0};
    double client[RL_TUNE_MAX_RUNS] = {0}, evicted[RL_TUNE_MAX_RUNS] = {0}, value[RL_TUNE_MAX_RUNS] = {0};
    for (int i = 0; i < r->nruns; i++) {
        const struct rl_tune_run *run = &r->runs[i];
        if (i == 0 || run->overhead > row->overhead_max)
            row->overhead_max = run->overhead;
        overhead[i] = run->overhead;
        rss_used[i] = run->rss_over_used;
        base[i] = (double)run->base_rss;
        client[i] = (double)run->per_client;
        evicted[i] = (double)run->evicted_keys;
        value[i] = (double)run->value_bytes_mean;
    }
    row->value_bytes = (uint64_t)(median(value, r->nruns) + 0.5);
    row->overhead_median = median(overhead, r->nruns);
    row->rss_over_used = median(rss_used, r->nruns);
    row->base_rss_bytes = (uint64_t)median(base, r->nruns);
    row->per_client_bytes = (uint64_t)median(client, r->nruns);
    row->evicted_keys = (uint64_t)median(evicted, r->nruns);
}
