/* Zipf-distributed ranks without a table: rank k in [1, n] with P(k) proportional to
 * 1/k^s, by rejection-inversion sampling (W. Hörmann, G. Derflinger, "Rejection-inversion
 * to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996).
 * Constant memory and expected O(1) time for any n up to 2^53 and any s > 0 (including
 * s = 1), which is what lets `--distribution zipf` cover a 10^9-key space. */
#ifndef RL_BENCH_ZIPF_H
#define RL_BENCH_ZIPF_H
#include <stdint.h>

#include "cli/bench/rng.h"

struct rl_zipf {
    uint64_t n;
    double s;
    double h_x1;  /* H(1.5) - 1 */
    double h_n;   /* H(n + 0.5) */
    double sq;    /* the squeeze constant: accept at once when k - x <= sq */
};

/* Prepares a sampler for ranks 1..n with exponent s. Returns 0, or -1 when n == 0 or s is
 * not in (0, 100]. */
int rl_zipf_init(struct rl_zipf *z, uint64_t n, double s);
/* A rank in [1, n]. */
uint64_t rl_zipf_next(const struct rl_zipf *z, struct rl_rng *r);

/* The generalised harmonic number H(n, s) = sum_{k=1..n} k^-s: exact summation for the
 * first terms, Euler-Maclaurin for the tail (relative error far below 1e-9 for n of any
 * size). Used by tests and by the eviction mode's ideal hit ratio. */
double rl_zipf_harmonic(uint64_t n, double s);
/* Probability mass of ranks 1..k out of n: the hit ratio of an ideal cache holding the k
 * most popular keys. */
double rl_zipf_mass(uint64_t n, double s, uint64_t k);

#endif
