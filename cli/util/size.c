#include "cli/util/size.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit { const char *name; uint64_t mul; };

static const struct unit units[] = {
    {"", 1}, {"b", 1}, {"bytes", 1},
    {"k", 1000ULL}, {"kb", 1024ULL}, {"kib", 1024ULL},
    {"m", 1000000ULL}, {"mb", 1048576ULL}, {"mib", 1048576ULL},
    {"g", 1000000000ULL}, {"gb", 1073741824ULL}, {"gib", 1073741824ULL},
    {"t", 1000000000000ULL}, {"tb", 1099511627776ULL}, {"tib", 1099511627776ULL},
};

int rl_parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
    if (!s || !*s) {
        snprintf(err, errlen, "empty size; write e.g. 64mb, 1gb or a byte count");
        return -1;
    }
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '-') {
        snprintf(err, errlen, "size \"%s\" is negative", s);
        return -1;
    }
    if (!isdigit((unsigned char)*p)) {
        snprintf(err, errlen, "size \"%s\" does not start with a number; write e.g. 64mb", s);
        return -1;
    }
    uint64_t n = 0;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10) {
            snprintf(err, errlen, "size \"%s\" is too large (over 2^64 bytes)", s);
            return -1;
        }
        n = n * 10 + d;
    }
    if (*p == '.') {
        snprintf(err, errlen, "size \"%s\" has a fraction; use a smaller unit (e.g. 1536mb)", s);
        return -1;
    }
    char unit[8];
    size_t ul = 0;
    while (isspace((unsigned char)*p))
        p++;
    while (*p && !isspace((unsigned char)*p) && ul < sizeof unit - 1)
        unit[ul++] = *p++;
    unit[ul] = '\0';
    while (isspace((unsigned char)*p))
        p++;
    if (*p) {
        snprintf(err, errlen, "size \"%s\" has trailing text", s);
        return -1;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(unit, units[i].name) == 0) {
            if (n != 0 && units[i].mul > UINT64_MAX / n) {
                snprintf(err, errlen, "size \"%s\" is too large (over 2^64 bytes)", s);
                return -1;
            }
            *out = n * units[i].mul;
            return 0;
        }
    }
    snprintf(err, errlen, "size \"%s\" has an unknown unit \"%s\"; use b, kb, mb, gb or tb", s, unit);
    return -1;
}

int rl_parse_percent(const char *s, double *pct, char *err, size_t errlen)
{
    size_t len = s ? strlen(s) : 0;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || s[len - 1] != '%')
        return 1;
    char num[64];
    if (len - 1 >= sizeof num) {
        snprintf(err, errlen, "percentage \"%s\" is too long", s);
        return -1;
    }
    memcpy(num, s, len - 1);
    num[len - 1] = '\0';
    char *end = num;
    errno = 0;
    double v = strtod(num, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == num || *end || errno || !isfinite(v)) {
        snprintf(err, errlen, "percentage \"%s\" is not a number followed by %%", s);
        return -1;
    }
    if (v < 0 || v > 100) {
        snprintf(err, errlen, "percentage \"%s\" is outside 0-100%%", s);
        return -1;
    }
    *pct = v;
    return 0;
}

char *rl_fmt_size(uint64_t v, char *buf, size_t len)
{
    static const char *names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int i = 0;
    double d = (double)v;
    while (d >= 1024 && i < 6) {
        d /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%llu B", (unsigned long long)v);
    else if (d == floor(d))
        snprintf(buf, len, "%.0f %s", d, names[i]);
    else
        snprintf(buf, len, "%.1f %s", d, names[i]);
    return buf;
}

char *rl_fmt_size_conf(uint64_t v, char *buf, size_t len)
{
    if (v && v % 1073741824ULL == 0)
        snprintf(buf, len, "%llugb", (unsigned long long)(v / 1073741824ULL));
    else if (v && v % 1048576ULL == 0)
        snprintf(buf, len, "%llumb", (unsigned long long)(v / 1048576ULL));
    else if (v && v % 1024ULL == 0)
        snprintf(buf, len, "%llukb", (unsigned long long)(v / 1024ULL));
    else
        snprintf(buf, len, "%llu", (unsigned long long)v);
    return buf;
}
