#include "cli/bench/zipf.h"

#include <math.h>

/* log1p(x)/x and expm1(x)/x, with their Taylor series near 0 where the quotients lose
 * precision (as in Apache Commons' RejectionInversionZipfSampler). */
static double helper1(double x)
{
    if (fabs(x) > 1e-8)
        return log1p(x) / x;
    return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double helper2(double x)
{
    if (fabs(x) > 1e-8)
        return expm1(x) / x;
    return 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}

/* h(x) = x^-s, its integral H(x) = (x^(1-s) - 1) / (1 - s) (log x when s == 1), and the
 * inverse of H, all written through the helpers so s == 1 needs no special case. */
static double h(double s, double x)
{
    return exp(-s * log(x));
}

static double hint(double s, double x)
{
    double lx = log(x);
    return helper2((1 - s) * lx) * lx;
}

static double hint_inv(double s, double x)
{
    double t = x * (1 - s);
    if (t < -1)
        t = -1; /* only reachable through rounding at the very end of the range */
    return exp(helper1(t) * x);
}

int rl_zipf_init(struct rl_zipf *z, uint64_t n, double s)
{
    if (n == 0 || !(s > 0) || s > 100)
        return -1;
    z->n = n;
    z->s = s;
    z->h_x1 = hint(s, 1.5) - 1;
    z->h_n = hint(s, (double)n + 0.5);
    z->sq = 2 - hint_inv(s, hint(s, 2.5) - h(s, 2));
    return 0;
}

uint64_t rl_zipf_next(const struct rl_zipf *z, struct rl_rng *r)
{
    for (;;) {
        /* u is uniform in (h_x1, h_n]; x = H^-1(u) is a continuous variate whose rounding
         * is accepted when it lands under the discrete mass of its integer. */
        double u = z->h_n + rl_rng_double(r) * (z->h_x1 - z->h_n);
        double x = hint_inv(z->s, u);
        double kd = floor(x + 0.5);
        uint64_t k;
        if (kd < 1)
            k = 1;
        else if (kd > (double)z->n)
            k = z->n;
        else
            k = (uint64_t)kd;
        if ((double)k - x <= z->sq || u >= hint(z->s, (double)k + 0.5) - h(z->s, (double)k))
            return k;
    }
}

/* sum_{k=a..b} k^-s for a >= some tens, by Euler-Maclaurin with two correction terms. */
static double tail_sum(double a, double b, double s)
{
    double integral = fabs(s - 1) < 1e-12 ? log(b / a)
                                          : (pow(b, 1 - s) - pow(a, 1 - s)) / (1 - s);
    double ends = (pow(a, -s) + pow(b, -s)) / 2;
    double d1 = s / 12 * (pow(a, -s - 1) - pow(b, -s - 1));
    double d3 = -s * (s + 1) * (s + 2) / 720 * (pow(a, -s - 3) - pow(b, -s - 3));
    return integral + ends + d1 + d3;
}

#define EXACT_TERMS 1000

double rl_zipf_harmonic(uint64_t n, double s)
{
    double sum = 0;
    uint64_t k = 1;
    for (; k <= n && k < EXACT_TERMS; k++)
        sum += pow((double)k, -s);
    if (k <= n)
        sum += tail_sum((double)k, (double)n, s);
    return sum;
}

double rl_zipf_mass(uint64_t n, double s, uint64_t k)
{
    if (k >= n)
        return 1.0;
    if (k == 0)
        return 0.0;
    return rl_zipf_harmonic(k, s) / rl_zipf_harmonic(n, s);
}
