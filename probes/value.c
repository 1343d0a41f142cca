#include "probes/value.h"

#include <ctype.h>
#include <string.h>

const char *rl_val_reason(enum rl_val v)
{
    switch (v) {
    case RL_VAL_OK: return "ok";
    case RL_VAL_MAX: return "is \"max\"";
    case RL_VAL_EMPTY: return "is empty";
    case RL_VAL_GARBAGE: return "does not hold a number";
    case RL_VAL_NEGATIVE: return "holds a negative number";
    case RL_VAL_OVERFLOW: return "holds a number too large for 64 bits";
    }
    return "is invalid";
}

static enum rl_val digits(const char **pp, uint64_t *out)
{
    const char *p = *pp;
    if (!isdigit((unsigned char)*p))
        return RL_VAL_GARBAGE;
    uint64_t n = 0;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return RL_VAL_OVERFLOW;
        n = n * 10 + d;
    }
    *pp = p;
    *out = n;
    return RL_VAL_OK;
}

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

enum rl_val rl_parse_u64_token(const char *s, uint64_t *out, const char **rest)
{
    const char *p = skip_ws(s);
    if (!*p)
        return RL_VAL_EMPTY;
    if (strncmp(p, "max", 3) == 0 && (p[3] == '\0' || isspace((unsigned char)p[3]))) {
        *rest = p + 3;
        return RL_VAL_MAX;
    }
    if (*p == '-')
        return isdigit((unsigned char)p[1]) ? RL_VAL_NEGATIVE : RL_VAL_GARBAGE;
    if (*p == '+')
        p++;
    enum rl_val v = digits(&p, out);
    if (v != RL_VAL_OK)
        return v;
    if (*p && !isspace((unsigned char)*p))
        return RL_VAL_GARBAGE;
    *rest = p;
    return RL_VAL_OK;
}

enum rl_val rl_parse_u64_text(const char *s, uint64_t *out)
{
    const char *rest = s;
    uint64_t v;
    enum rl_val st = rl_parse_u64_token(s, &v, &rest);
    if (st != RL_VAL_OK && st != RL_VAL_MAX)
        return st;
    if (*skip_ws(rest))
        return RL_VAL_GARBAGE;
    if (st == RL_VAL_OK)
        *out = v;
    return st;
}

enum rl_val rl_parse_i64_text(const char *s, int64_t *out)
{
    const char *p = skip_ws(s);
    if (!*p)
        return RL_VAL_EMPTY;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    uint64_t mag;
    enum rl_val v = digits(&p, &mag);
    if (v != RL_VAL_OK)
        return v;
    if (*skip_ws(p))
        return RL_VAL_GARBAGE;
    if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX)
        return RL_VAL_OVERFLOW;
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return RL_VAL_OK;
}
