/* The latency histogram: bucket layout, percentiles within 1% of the exact answer on known
 * inputs, out-of-range samples counted (never dropped), exact merge and window diff. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench/hist.h"
#include "cli/bench/rng.h"
#include "tap.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exact percentile by the same rank rule: the sample of rank ceil(p% * n). */
static uint64_t exact(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static void check_within(const struct rl_hist *h, const uint64_t *sorted, size_t n, const char *what)
{
    static const double ps[] = {1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double want = (double)exact(sorted, n, ps[i]);
        double got = (double)rl_hist_percentile(h, ps[i]);
        OK(fabs(got - want) <= 0.01 * want, "%s: p%g = %.0f ns, exact %.0f ns (more than 1%% off)",
           what, ps[i], got, want);
    }
}

static void test_layout(void)
{
    /* Buckets tile [0, limit) without gaps or overlaps, and none is wider than 1/128 of
     * its lowest value once values leave the exact region. */
    uint64_t expect_low = 0;
    double worst = 0;
    int gaps = 0;
    for (unsigned i = 0; i < RL_HIST_BUCKETS; i++) {
        uint64_t lo = rl_hist_bucket_low(i), hi = rl_hist_bucket_high(i);
        if (lo != expect_low || hi < lo || rl_hist_index(lo) != i || rl_hist_index(hi) != i)
            gaps++;
        if (lo >= 2 * (uint64_t)RL_HIST_SUB) {
            double rel = (double)(hi - lo + 1) / (double)lo;
            if (rel > worst)
                worst = rel;
        }
        expect_low = hi + 1;
    }
    EQ_U64(gaps, 0);
    EQ_U64(expect_low, RL_HIST_LIMIT_NS);
    OK(worst <= 1.0 / 128 + 1e-12, "widest bucket is %.5f of its value, want <= 1/128", worst);
    OK(RL_HIST_LIMIT_NS >= UINT64_C(60000000000), "range ends at %llu ns, below 60 s",
       (unsigned long long)RL_HIST_LIMIT_NS);
}

static void test_known_inputs(void)
{
    struct rl_hist *h = malloc(sizeof *h);
    rl_hist_reset(h);
    /* 1 us .. 100 ms in 1 us steps: every percentile has a closed form. */
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = (i + 1) * 1000;
        rl_hist_record(h, v[i]);
    }
    EQ_U64(h->count, n);
    EQ_U64(h->min, 1000);
    EQ_U64(h->max, 100000000);
    check_within(h, v, n, "linear 1us..100ms");
    OK(fabs(rl_hist_mean(h) - 50000500.0) < 1e-6, "mean %.3f, want 50000500 (sum is exact)",
       rl_hist_mean(h));
    uint64_t p50 = rl_hist_percentile(h, 50);
    OK(p50 >= 50000000 && p50 <= 50000000 * 1.01, "p50 of 1..100000 us is %llu ns",
       (unsigned long long)p50);

    /* Log-uniform from 1 us to 60 s: the whole promised range. */
    struct rl_rng r;
    rl_rng_seed(&r, 42, 0);
    rl_hist_reset(h);
    for (size_t i = 0; i < n; i++) {
        double e = log(1e3) + rl_rng_double(&r) * (log(6e10) - log(1e3));
        v[i] = (uint64_t)exp(e);
        rl_hist_record(h, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_u64);
    check_within(h, v, n, "log-uniform 1us..60s");

    /* A tiny sample: percentiles are sample values. */
    rl_hist_reset(h);
    uint64_t few[] = {5000, 1000, 3000, 2000, 4000};
    for (int i = 0; i < 5; i++)
        rl_hist_record(h, few[i]);
    qsort(few, 5, sizeof few[0], cmp_u64);
    check_within(h, few, 5, "five samples");
    OK(rl_hist_percentile(h, 0.1) >= 1000 && rl_hist_percentile(h, 0.1) <= 1010, "p0.1 is the minimum's bucket");
    EQ_U64(rl_hist_percentile(h, 100), 5000);

    rl_hist_reset(h);
    EQ_U64(rl_hist_percentile(h, 50), 0);
    OK(rl_hist_mean(h) == 0, "empty mean is 0");
    free(v);
    free(h);
}

static void test_out_of_range(void)
{
    struct rl_hist *h = malloc(sizeof *h);
    rl_hist_reset(h);
    for (int i = 0; i < 98; i++)
        rl_hist_record(h, 1000000);
    rl_hist_record(h, UINT64_C(100000000000));  /* 100 s: beyond the buckets */
    rl_hist_record(h, UINT64_C(300000000000));  /* 300 s */
    EQ_U64(h->count, 100);
    EQ_U64(h->overflow, 2);
    EQ_U64(h->max, UINT64_C(300000000000));
    EQ_U64(rl_hist_percentile(h, 100), UINT64_C(300000000000));
    EQ_U64(rl_hist_percentile(h, 99.5), UINT64_C(300000000000)); /* lands among them: max */
    uint64_t p50 = rl_hist_percentile(h, 50);
    OK(p50 >= 1000000 && p50 <= 1010000, "p50 %llu", (unsigned long long)p50);
    OK(fabs(rl_hist_mean(h) - (98e6 + 4e11) / 100) < 1, "mean includes the overflow samples");
    /* Zero and sub-microsecond values are exact. */
    rl_hist_reset(h);
    rl_hist_record(h, 0);
    rl_hist_record(h, 7);
    EQ_U64(rl_hist_percentile(h, 50), 0);
    EQ_U64(rl_hist_percentile(h, 100), 7);
    free(h);
}

static void test_merge_and_diff(void)
{
    struct rl_hist *all = malloc(sizeof *all), *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    struct rl_hist *m = malloc(sizeof *m), *d = malloc(sizeof *d);
    rl_hist_reset(all);
    rl_hist_reset(a);
    rl_hist_reset(b);
    struct rl_rng r;
    rl_rng_seed(&r, 7, 1);
    for (int i = 0; i < 200000; i++) {
        uint64_t v = rl_rng_below(&r, UINT64_C(1) << (10 + i % 26));
        if (i % 1000 == 0)
            v = UINT64_C(70000000000) + (uint64_t)i; /* some overflow too */
        rl_hist_record(all, v);
        rl_hist_record(i % 3 ? a : b, v);
    }
    rl_hist_reset(m);
    rl_hist_merge(m, a);
    rl_hist_merge(m, b);
    OK(memcmp(m, all, sizeof *m) == 0, "merging per-thread histograms equals recording all in one");
    EQ_U64(m->count, all->count);
    EQ_U64(m->overflow, 200);
    EQ_U64(m->min, all->min);
    EQ_U64(m->max, all->max);

    /* Window diff: (a+b) - a has b's buckets and counters exactly. */
    rl_hist_diff(d, m, a);
    OK(memcmp(d->buckets, b->buckets, sizeof d->buckets) == 0, "diff buckets equal the window's");
    EQ_U64(d->count, b->count);
    EQ_U64(d->sum, b->sum);
    EQ_U64(d->overflow, b->overflow);
    for (int pi = 1; pi <= 9; pi++) {
        double p = 10.0 * pi;
        uint64_t want = rl_hist_percentile(b, p), got = rl_hist_percentile(d, p);
        OK(fabs((double)got - (double)want) <= 0.01 * (double)want, "diff p%g %llu vs %llu", p,
           (unsigned long long)got, (unsigned long long)want);
    }
    free(all);
    free(a);
    free(b);
    free(m);
    free(d);
}

int main(void)
{
    test_layout();
    test_known_inputs();
    test_out_of_range();
    test_merge_and_diff();
    return tap_done();
}
