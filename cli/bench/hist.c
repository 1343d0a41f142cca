#include "cli/bench/hist.h"

#include <math.h>
#include <string.h>

void rl_hist_reset(struct rl_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

uint64_t rl_hist_bucket_low(unsigned i)
{
    if (i < 2 * RL_HIST_SUB)
        return i;
    unsigned shift = (i - 2 * RL_HIST_SUB) / RL_HIST_SUB + 1;
    uint64_t sub = (i - 2 * RL_HIST_SUB) % RL_HIST_SUB + RL_HIST_SUB;
    return sub << shift;
}

uint64_t rl_hist_bucket_high(unsigned i)
{
    if (i < 2 * RL_HIST_SUB)
        return i;
    unsigned shift = (i - 2 * RL_HIST_SUB) / RL_HIST_SUB + 1;
    return rl_hist_bucket_low(i) + (UINT64_C(1) << shift) - 1;
}

void rl_hist_merge(struct rl_hist *dst, const struct rl_hist *src)
{
    dst->count += src->count;
    dst->overflow += src->overflow;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    for (unsigned i = 0; i < RL_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
}

void rl_hist_diff(struct rl_hist *dst, const struct rl_hist *now, const struct rl_hist *before)
{
    rl_hist_reset(dst);
    dst->count = now->count - before->count;
    dst->overflow = now->overflow - before->overflow;
    dst->sum = now->sum - before->sum;
    for (unsigned i = 0; i < RL_HIST_BUCKETS; i++) {
        uint64_t n = now->buckets[i] - before->buckets[i];
        dst->buckets[i] = n;
        if (!n)
            continue;
        if (dst->min == UINT64_MAX)
            dst->min = rl_hist_bucket_low(i);
        dst->max = rl_hist_bucket_high(i);
    }
    if (dst->overflow) {
        dst->max = now->max;
        if (dst->min == UINT64_MAX)
            dst->min = RL_HIST_LIMIT_NS;
    }
}

uint64_t rl_hist_percentile(const struct rl_hist *h, double p)
{
    if (!h->count)
        return 0;
    if (p > 100)
        p = 100;
    /* Rank of the wanted sample, 1-based; the small epsilon keeps 50% of 10 at rank 5
     * despite binary floating point. */
    double r = ceil(p / 100.0 * (double)h->count - 1e-9);
    uint64_t rank = r < 1 ? 1 : (uint64_t)r;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < RL_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t v = rl_hist_bucket_high(i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max; /* the sample is among the overflow */
}

double rl_hist_mean(const struct rl_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}
