/* Zipf sampling without a table: rank frequencies against theory, for a small keyspace
 * (every rank) and for 10^8 keys (the top ranks and the mass of each power-of-two band).
 * Fixed seeds make the runs deterministic; tolerances are 5 standard deviations of the
 * binomial count, so a correct sampler never fails and a biased one shows at once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench/keygen.h"
#include "cli/bench/zipf.h"
#include "tap.h"

static void check_count(uint64_t got, double p, uint64_t n, const char *what, uint64_t rank)
{
    double mean = p * (double)n, sd = sqrt((double)n * p * (1 - p));
    OK(fabs((double)got - mean) <= 5 * sd + 1, "%s: rank %llu seen %llu times, theory %.1f +- %.1f",
       what, (unsigned long long)rank, (unsigned long long)got, mean, sd);
}

static void test_small(uint64_t keys, double s)
{
    struct rl_zipf z;
    struct rl_rng r;
    OK(rl_zipf_init(&z, keys, s) == 0, "init n=%llu s=%g", (unsigned long long)keys, s);
    rl_rng_seed(&r, 1234, (uint64_t)(s * 100));
    uint64_t n = 1000000;
    uint64_t *count = calloc(keys + 1, sizeof *count);
    int out = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = rl_zipf_next(&z, &r);
        if (k < 1 || k > keys)
            out++;
        else
            count[k]++;
    }
    EQ_U64(out, 0);
    double hn = rl_zipf_harmonic(keys, s);
    char what[64];
    snprintf(what, sizeof what, "n=%llu s=%g", (unsigned long long)keys, s);
    for (uint64_t k = 1; k <= keys; k++)
        check_count(count[k], pow((double)k, -s) / hn, n, what, k);
    free(count);
}

static void test_huge(void)
{
    const uint64_t keys = 100000000; /* 10^8 */
    const double s = 0.99;
    struct rl_zipf z;
    struct rl_rng r;
    OK(rl_zipf_init(&z, keys, s) == 0, "init 10^8");
    rl_rng_seed(&r, 99, 3);
    uint64_t n = 2000000;
    uint64_t top[11] = {0}, band[28] = {0}, out = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = rl_zipf_next(&z, &r);
        if (k < 1 || k > keys) {
            out++;
            continue;
        }
        if (k <= 10)
            top[k]++;
        band[63 - __builtin_clzll(k)]++; /* [2^j, 2^(j+1)) */
    }
    EQ_U64(out, 0);
    double hn = rl_zipf_harmonic(keys, s);
    for (uint64_t k = 1; k <= 10; k++)
        check_count(top[k], pow((double)k, -s) / hn, n, "n=1e8 top", k);
    for (int j = 0; j < 27; j++) {
        uint64_t lo = UINT64_C(1) << j, hi = (UINT64_C(1) << (j + 1)) - 1;
        if (hi > keys)
            hi = keys;
        double p = (rl_zipf_harmonic(hi, s) - rl_zipf_harmonic(lo - 1, s)) / hn;
        check_count(band[j], p, n, "n=1e8 band starting at rank", lo);
    }
}

static void test_harmonic(void)
{
    /* The Euler-Maclaurin tail against plain summation. */
    double sums[3] = {0}, ss[3] = {0.5, 0.99, 1.0};
    for (int i = 0; i < 3; i++) {
        for (uint64_t k = 100000; k >= 1; k--) /* smallest terms first */
            sums[i] += pow((double)k, -ss[i]);
        double h = rl_zipf_harmonic(100000, ss[i]);
        OK(fabs(h - sums[i]) / sums[i] < 1e-10, "H(1e5, %g) = %.12f, sum %.12f", ss[i], h, sums[i]);
    }
    OK(fabs(rl_zipf_mass(1000, 1.0, 1000) - 1) < 1e-12, "mass of all keys is 1");
    OK(fabs(rl_zipf_mass(10, 1.0, 1) - 1 / rl_zipf_harmonic(10, 1.0)) < 1e-12, "mass of the top key");
}

static void test_keygen(void)
{
    struct rl_keydist d;
    char err[256];
    OK(rl_keydist_parse("zipf", &d, err, sizeof err) == 0 && d.kind == RL_DIST_ZIPF &&
           d.zipf_s == RL_ZIPF_DEFAULT_S, "zipf defaults to 0.99");
    OK(rl_keydist_parse("zipf:1.2", &d, err, sizeof err) == 0 && d.zipf_s == 1.2, "zipf:1.2");
    OK(rl_keydist_parse("zipf:0", &d, err, sizeof err) < 0, "zipf:0 refused");
    OK(rl_keydist_parse("zipf:abc", &d, err, sizeof err) < 0, "zipf:abc refused");
    OK(rl_keydist_parse("zipfy", &d, err, sizeof err) < 0, "zipfy refused");
    OK(rl_keydist_parse("gauss", &d, err, sizeof err) < 0 && strstr(err, "uniform"), "gauss refused: %s", err);

    /* Zipf keys: key 0 is the hottest, and keys stay below the keyspace. */
    d.kind = RL_DIST_ZIPF;
    d.zipf_s = 0.99;
    d.keyspace = 1000;
    struct rl_keygen g;
    OK(rl_keygen_init(&g, &d, 5, 0, 1) == 0, "keygen init");
    uint64_t zero = 0, bad = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t k = rl_keygen_next(&g);
        zero += k == 0;
        bad += k >= 1000;
    }
    EQ_U64(bad, 0);
    OK(zero > 100000 * 0.1, "key 0 drawn %llu times of 100000", (unsigned long long)zero);
}

int main(void)
{
    test_small(10, 0.99);
    test_small(50, 1.0);
    test_small(20, 1.5);
    test_small(1, 0.99);
    test_huge();
    test_harmonic();
    test_keygen();
    return tap_done();
}
