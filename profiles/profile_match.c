/* Evaluates a profile's match rules over facts, recording the measured value and the
 * verdict of every leaf rule so doctor can show why a profile won or lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util/size.h"
#include "profiles/profile_internal.h"

static bool cmp_num(double a, enum rl_op op, double b)
{
    switch (op) {
    case RL_OP_LT: return a < b;
    case RL_OP_LE: return a <= b;
    case RL_OP_GT: return a > b;
    case RL_OP_GE: return a >= b;
    case RL_OP_EQ: return a == b;
    case RL_OP_NE: return a != b;
    }
    return false;
}

static bool leaf(const struct rl_rule *r, const struct rl_facts *f, const struct rl_root *root,
                 char *value, size_t len)
{
    if (r->kind == RL_RULE_ENV) {
        char *v = rl_root_getenv(root, r->fact);
        bool set = v && *v;
        snprintf(value, len, "%s", set ? "set" : "not set");
        free(v);
        return set;
    }
    struct rl_fact_ref ref;
    if (rl_fact_get(f, r->fact, &ref) < 0) {
        snprintf(value, len, "no such fact");
        return false;
    }
    bool is_null = ref.state != RL_FACT_VALUE;
    if (is_null) /* a numeric fact is "none" only when it is unlimited (cgroup max, RLIM_INFINITY) */
        snprintf(value, len, "null (%s)", ref.state == RL_FACT_UNKNOWN ? "unknown: could not be read"
                                          : ref.desc->kind == RL_FK_STR ? "none" : "no limit");
    else if (ref.desc->kind == RL_FK_STR)
        snprintf(value, len, "%s", ref.s);
    else if (ref.desc->kind == RL_FK_DBL)
        snprintf(value, len, "%g", ref.d);
    else if (strstr(r->fact, "bytes") || strcmp(r->fact, "rlimit_as") == 0)
        rl_fmt_size(ref.u, value, len);
    else
        snprintf(value, len, "%llu", (unsigned long long)ref.u);
    if (r->value_is_null)
        return r->op == RL_OP_EQ ? is_null : !is_null;
    if (is_null)
        return false; /* a comparison with an unknown or absent value is never true */
    if (ref.desc->kind == RL_FK_STR) {
        bool eq = strcmp(ref.s, r->str) == 0;
        return r->op == RL_OP_EQ ? eq : !eq;
    }
    if (ref.desc->kind == RL_FK_U64) { /* exact: doubles lose precision near 2^64 */
        int c = ref.u < r->num ? -1 : ref.u > r->num;
        switch (r->op) {
        case RL_OP_LT: return c < 0;
        case RL_OP_LE: return c <= 0;
        case RL_OP_GT: return c > 0;
        case RL_OP_GE: return c >= 0;
        case RL_OP_EQ: return c == 0;
        case RL_OP_NE: return c != 0;
        }
    }
    return cmp_num(ref.d, r->op, r->dnum);
}

static bool eval(const struct rl_profile *p, int idx, const struct rl_facts *f, const struct rl_root *root,
                 struct rl_reason *reasons, int *n, int max)
{
    const struct rl_rule *r = &p->rules[idx];
    if (r->kind == RL_RULE_ALL || r->kind == RL_RULE_ANY) {
        bool all = r->kind == RL_RULE_ALL, result = all;
        /* every child is evaluated (no short-circuit) so every reason is shown */
        for (int i = 0; i < r->nchildren; i++) {
            bool c = eval(p, r->first_child + i, f, root, reasons, n, max);
            result = all ? (result && c) : (result || c);
        }
        return r->nchildren == 0 ? true : result;
    }
    char value[96];
    bool v = leaf(r, f, root, value, sizeof value);
    if (reasons && *n < max) {
        reasons[*n].profile = p;
        reasons[*n].rule = r;
        snprintf(reasons[*n].value, sizeof reasons[*n].value, "%s", value);
        reasons[*n].verdict = v;
        (*n)++;
    }
    return v;
}

bool rl_profile_matches(const struct rl_profile *p, const struct rl_facts *f, const struct rl_root *r,
                        struct rl_reason *reasons, int *nreasons, int max)
{
    int dummy = 0;
    if (!nreasons)
        nreasons = &dummy;
    if (p->root_rule < 0)
        return true;
    return eval(p, p->root_rule, f, r, reasons, nreasons, max);
}
