/* A log-linear latency histogram (HdrHistogram's layout, wrk's flat-array spirit).
 *
 * Values are nanoseconds. Below 256 ns every value has its own bucket; above, each power
 * of two is split into 128 linear sub-buckets, so a bucket is never wider than 1/128 of
 * its values (< 0.8% relative error) all the way up to 2^36 ns (68.7 s). Samples beyond
 * that are counted in `overflow` and still take part in count, sum, min and max: nothing
 * is ever dropped. The layout is fixed, so merging two histograms is an exact element-wise
 * sum (per-thread histograms are merged after join without losing anything). */
#ifndef RL_BENCH_HIST_H
#define RL_BENCH_HIST_H
#include <stdint.h>

#define RL_HIST_SUB_BITS 7                         /* 128 sub-buckets per power of two */
#define RL_HIST_SUB (1u << RL_HIST_SUB_BITS)
#define RL_HIST_MAX_BITS 36                        /* trackable: [0, 2^36) ns */
#define RL_HIST_BUCKETS (2 * RL_HIST_SUB + (RL_HIST_MAX_BITS - RL_HIST_SUB_BITS - 1) * RL_HIST_SUB)
#define RL_HIST_LIMIT_NS (UINT64_C(1) << RL_HIST_MAX_BITS)

struct rl_hist {
    uint64_t count;    /* every sample, overflow included */
    uint64_t overflow; /* samples >= RL_HIST_LIMIT_NS (no bucket holds them) */
    uint64_t sum;      /* ns, for the mean */
    uint64_t min, max; /* exact; min is UINT64_MAX while empty */
    uint64_t buckets[RL_HIST_BUCKETS];
};

void rl_hist_reset(struct rl_hist *h);

/* Bucket index of v (v < RL_HIST_LIMIT_NS). Pure. */
static inline unsigned rl_hist_index(uint64_t v)
{
    if (v < 2 * RL_HIST_SUB)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);  /* >= SUB_BITS + 1 */
    unsigned shift = msb - RL_HIST_SUB_BITS;            /* v >> shift is in [128, 256) */
    return 2 * RL_HIST_SUB + (shift - 1) * RL_HIST_SUB + (unsigned)(v >> shift) - RL_HIST_SUB;
}

/* Records one sample. The hot path: no branches beyond the range checks. */
static inline void rl_hist_record(struct rl_hist *h, uint64_t ns)
{
    h->count++;
    h->sum += ns;
    if (ns < h->min)
        h->min = ns;
    if (ns > h->max)
        h->max = ns;
    if (ns >= RL_HIST_LIMIT_NS)
        h->overflow++;
    else
        h->buckets[rl_hist_index(ns)]++;
}

/* Lowest and highest value that fall into bucket i. Pure. */
uint64_t rl_hist_bucket_low(unsigned i);
uint64_t rl_hist_bucket_high(unsigned i);

/* dst += src, exactly. */
void rl_hist_merge(struct rl_hist *dst, const struct rl_hist *src);
/* dst = now - before, for a window between two snapshots of one growing histogram. The
 * window's min and max are bucket bounds (within the bucket error), except that a window
 * holding overflow samples reports now->max. */
void rl_hist_diff(struct rl_hist *dst, const struct rl_hist *now, const struct rl_hist *before);

/* The value at percentile p (0 < p <= 100): the highest value of the bucket holding the
 * sample of rank ceil(p% * count), clamped to [min, max]; max when that sample overflowed;
 * 0 when empty. */
uint64_t rl_hist_percentile(const struct rl_hist *h, double p);
/* Mean in ns; 0 when empty. */
double rl_hist_mean(const struct rl_hist *h);

#endif
