/* --value-size: "1024", "16,128,1024", "16-1024" or a mix, in plain bytes. */
#include "cli/tune/tune.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A whole number of bytes in [1, RL_TUNE_MAX_VALUE] spanning exactly [s, end). */
static int parse_bytes(const char *s, const char *end, uint64_t *v)
{
    if (s == end || !isdigit((unsigned char)*s))
        return -1;
    char *stop;
    errno = 0;
    unsigned long long x = strtoull(s, &stop, 10);
    if (stop != end || errno || x < 1 || x > RL_TUNE_MAX_VALUE)
        return -1;
    *v = x;
    return 0;
}

int rl_tune_sizes_parse(const char *text, struct rl_tune_size *out, int max, char *err, size_t errlen)
{
    int n = 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *dash = memchr(p, '-', (size_t)(end - p));
        struct rl_tune_size sz = {0};
        int bad = dash ? parse_bytes(p, dash, &sz.min) < 0 || parse_bytes(dash + 1, end, &sz.max) < 0
                       : parse_bytes(p, end, &sz.min) < 0;
        if (!dash)
            sz.max = sz.min;
        if (bad || sz.min > sz.max) {
            snprintf(err, errlen, "--value-size: \"%.*s\" is not a size in bytes (1 to %llu) or a range A-B with "
                     "A < B; e.g. --value-size 200 or --value-size 16,1024 or --value-size 16-1024",
                     (int)(end - p), p, (unsigned long long)RL_TUNE_MAX_VALUE);
            return -1;
        }
        if (dash && sz.min == sz.max)
            dash = NULL; /* "200-200" is 200 */
        if (dash)
            snprintf(sz.label, sizeof sz.label, "%llu-%llu", (unsigned long long)sz.min, (unsigned long long)sz.max);
        else
            snprintf(sz.label, sizeof sz.label, "%llu", (unsigned long long)sz.min);
        for (int i = 0; i < n; i++)
            if (strcmp(out[i].label, sz.label) == 0) {
                snprintf(err, errlen, "--value-size names %s twice", sz.label);
                return -1;
            }
        if (n == max) {
            snprintf(err, errlen, "--value-size: at most %d sizes (each is its own set of runs)", max);
            return -1;
        }
        out[n++] = sz;
        if (!comma)
            return n;
        p = comma + 1;
    }
}
