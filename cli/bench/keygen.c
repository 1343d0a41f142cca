#include "cli/bench/keygen.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rl_keydist_parse(const char *text, struct rl_keydist *d, char *err, size_t errlen)
{
    if (strcmp(text, "uniform") == 0) {
        d->kind = RL_DIST_UNIFORM;
        return 0;
    }
    if (strcmp(text, "sequential") == 0) {
        d->kind = RL_DIST_SEQUENTIAL;
        return 0;
    }
    if (strncmp(text, "zipf", 4) == 0 && (text[4] == '\0' || text[4] == ':')) {
        d->kind = RL_DIST_ZIPF;
        d->zipf_s = RL_ZIPF_DEFAULT_S;
        if (text[4] == ':') {
            char *end;
            errno = 0;
            double s = strtod(text + 5, &end);
            if (end == text + 5 || *end || errno || !isfinite(s) || s <= 0 || s > 100) {
                snprintf(err, errlen, "--distribution %s: the zipf exponent must be a number "
                         "above 0 and at most 100 (e.g. zipf:0.99); for no skew use uniform", text);
                return -1;
            }
            d->zipf_s = s;
        }
        return 0;
    }
    snprintf(err, errlen, "--distribution \"%s\" is not one of uniform, sequential, zipf, zipf:S", text);
    return -1;
}

const char *rl_keydist_name(const struct rl_keydist *d, char *buf, size_t len)
{
    switch (d->kind) {
    case RL_DIST_SEQUENTIAL:
        snprintf(buf, len, "sequential");
        break;
    case RL_DIST_ZIPF:
        snprintf(buf, len, "zipf:%g", d->zipf_s);
        break;
    default:
        snprintf(buf, len, "uniform");
    }
    return buf;
}

int rl_keygen_init(struct rl_keygen *g, const struct rl_keydist *d, uint64_t seed,
                   unsigned stream, unsigned nstreams)
{
    memset(g, 0, sizeof *g);
    g->d = *d;
    if (g->d.keyspace == 0)
        return -1;
    rl_rng_seed(&g->rng, seed, stream);
    g->stride = (nstreams ? nstreams : 1) % g->d.keyspace;
    if (g->stride == 0)
        g->stride = g->d.keyspace == 1 ? 0 : 1;
    g->next_seq = stream % g->d.keyspace;
    if (d->kind == RL_DIST_ZIPF)
        return rl_zipf_init(&g->zipf, d->keyspace, d->zipf_s);
    return 0;
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void rl_key_digits(char *dst, uint64_t v)
{
    /* Two digits per step from the right: the key is rewritten for every request, so this
     * is on the hot path. */
    char *p = dst + RL_KEY_DIGITS;
    for (int i = 0; i < RL_KEY_DIGITS / 2; i++) {
        unsigned pair = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        p[0] = digit_pairs[2 * (size_t)pair];
        p[1] = digit_pairs[2 * (size_t)pair + 1];
    }
}
