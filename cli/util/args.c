#include "cli/util/args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct rl_opt rl_global_opts[] = {
    {"sysroot", 0, "DIR", "read /proc and /sys under DIR instead of / (also REDIS_LIGHT_SYSROOT)", false},
    {"json", 0, NULL, "machine-readable output on stdout", false},
    {"no-color", 0, NULL, "no colour (also NO_COLOR)", false},
    {"quiet", 'q', NULL, "only errors and results", false},
    {"verbose", 'v', NULL, "more detail (repeat for more)", true},
    {"help", 0, NULL, "show this help", false},
    {NULL, 0, NULL, NULL, false},
};

static const struct rl_opt *find_long(const struct rl_args *a, const char *name, size_t len)
{
    for (int t = 0; t < 2; t++)
        for (const struct rl_opt *o = a->tables[t]; o && o->name; o++)
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                return o;
    return NULL;
}

static const struct rl_opt *find_short(const struct rl_args *a, char c)
{
    /* The command's own short options win over global ones (bench -h is the host, as in
     * redis-benchmark; --help still works everywhere). */
    for (int t = 1; t >= 0; t--)
        for (const struct rl_opt *o = a->tables[t]; o && o->name; o++)
            if (o->shortname == c)
                return o;
    return NULL;
}

static int record(struct rl_args *a, const struct rl_opt *o, const char *val, char *err, size_t errlen)
{
    for (int i = 0; i < a->nseen; i++) {
        if (a->seen[i].opt != o)
            continue;
        if (a->seen[i].count >= RL_ARGS_MAX_VALUES) {
            snprintf(err, errlen, "option --%s given too many times", o->name);
            return -1;
        }
        a->seen[i].values[a->seen[i].count++] = val;
        return 0;
    }
    if (a->nseen >= RL_ARGS_MAX_OPTS) {
        snprintf(err, errlen, "too many options");
        return -1;
    }
    a->seen[a->nseen].opt = o;
    a->seen[a->nseen].count = 1;
    a->seen[a->nseen].values[0] = val;
    a->nseen++;
    return 0;
}

int rl_args_parse(struct rl_args *a, const struct rl_opt *cmd_opts, int argc, char **argv,
                  char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->tables[0] = rl_global_opts;
    a->tables[1] = cmd_opts;
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        if (only_pos || arg[0] != '-' || arg[1] == '\0') {
            if (a->npos >= RL_ARGS_MAX_POS) {
                snprintf(err, errlen, "too many arguments");
                return -1;
            }
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = true;
            continue;
        }
        const struct rl_opt *o;
        const char *val = NULL;
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(a, name, len);
            if (!o) {
                snprintf(err, errlen, "unknown option --%.*s", (int)len, name);
                return -1;
            }
            if (eq) {
                if (!o->arg) {
                    snprintf(err, errlen, "option --%s takes no value", o->name);
                    return -1;
                }
                val = eq + 1;
            }
        } else {
            o = find_short(a, arg[1]);
            if (!o) {
                snprintf(err, errlen, "unknown option -%c", arg[1]);
                return -1;
            }
            if (arg[2]) {
                if (!o->arg) {
                    snprintf(err, errlen, "option -%c takes no value (got \"%s\")", arg[1], arg);
                    return -1;
                }
                val = arg + 2;
            }
        }
        if (o->arg && !val) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "option --%s needs a value (%s)", o->name, o->arg);
                return -1;
            }
            val = argv[++i];
        }
        if (!o->repeat && rl_args_count(a, o->name) > 0 && !o->arg) {
            snprintf(err, errlen, "option --%s given twice", o->name);
            return -1;
        }
        if (record(a, o, val ? val : "", err, errlen) < 0)
            return -1;
    }
    return 0;
}

int rl_args_count(const struct rl_args *a, const char *name)
{
    for (int i = 0; i < a->nseen; i++)
        if (strcmp(a->seen[i].opt->name, name) == 0)
            return a->seen[i].count;
    return 0;
}

bool rl_args_has(const struct rl_args *a, const char *name)
{
    return rl_args_count(a, name) > 0;
}

const char *rl_args_nth(const struct rl_args *a, const char *name, int n)
{
    for (int i = 0; i < a->nseen; i++)
        if (strcmp(a->seen[i].opt->name, name) == 0)
            return n < a->seen[i].count ? a->seen[i].values[n] : NULL;
    return NULL;
}

const char *rl_args_get(const struct rl_args *a, const char *name)
{
    int n = rl_args_count(a, name);
    return n ? rl_args_nth(a, name, n - 1) : NULL;
}

int rl_args_int(const struct rl_args *a, const char *name, long long min, long long max,
                long long *out, char *err, size_t errlen)
{
    const char *v = rl_args_get(a, name);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end || errno) {
        snprintf(err, errlen, "--%s expects a whole number, got \"%s\"", name, v);
        return -1;
    }
    if (n < min || n > max) {
        snprintf(err, errlen, "--%s must be between %lld and %lld, got %s", name, min, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

int rl_args_double(const struct rl_args *a, const char *name, double min, double max,
                   double *out, char *err, size_t errlen)
{
    const char *v = rl_args_get(a, name);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d)) {
        snprintf(err, errlen, "--%s expects a number, got \"%s\"", name, v);
        return -1;
    }
    if (d < min || d > max) {
        snprintf(err, errlen, "--%s must be between %g and %g, got %s", name, min, max, v);
        return -1;
    }
    *out = d;
    return 0;
}

void rl_args_help(FILE *f, const struct rl_opt *opts)
{
    for (const struct rl_opt *o = opts; o && o->name; o++) {
        char left[64];
        if (o->shortname)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->shortname, o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        fprintf(f, "  %-28s %s\n", left, o->help);
    }
}
