#include "cli/plan/overhead.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col { C_ALLOC, C_CLASS, C_VBYTES, C_MAXMEM, C_MEDIAN, C_MAX, C_RSSUSED, C_BASE, C_CLIENT, C_EVICTED, C_RUNS, C_N };
static const char *const col_names[C_N] = {"allocator", "value_class", "value_bytes", "maxmemory_bytes",
                                           "overhead_median", "overhead_max", "rss_over_used", "base_rss_bytes",
                                           "per_client_bytes", "evicted_keys", "runs"};

/* Splits line at tabs into at most max fields (in place). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static int num_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || errno)
        return -1;
    *v = x;
    return 0;
}

static int num_dbl(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (!*s || *end || errno || !(x > 0) || x > 100)
        return -1;
    *v = x;
    return 0;
}

static int row(char **f, int nf, const int *at, struct rl_overhead_row *r, const char **bad)
{
    for (int c = 0; c < C_N; c++)
        if (at[c] >= nf) {
            *bad = col_names[c];
            return -1;
        }
    memset(r, 0, sizeof *r);
    const char *a = f[at[C_ALLOC]];
    if (strcmp(a, "libc") != 0 && strcmp(a, "jemalloc") != 0) {
        *bad = "allocator (libc or jemalloc)";
        return -1;
    }
    snprintf(r->allocator, sizeof r->allocator, "%s", a);
    snprintf(r->value_class, sizeof r->value_class, "%s", f[at[C_CLASS]]);
    uint64_t runs = 0;
    struct { enum col c; uint64_t *v; } u[] = {{C_VBYTES, &r->value_bytes}, {C_MAXMEM, &r->maxmemory_bytes},
                                              {C_BASE, &r->base_rss_bytes}, {C_CLIENT, &r->per_client_bytes},
                                              {C_EVICTED, &r->evicted_keys}, {C_RUNS, &runs}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (num_u64(f[at[u[i].c]], u[i].v) < 0) {
            *bad = col_names[u[i].c];
            return -1;
        }
    struct { enum col c; double *v; } d[] = {{C_MEDIAN, &r->overhead_median}, {C_MAX, &r->overhead_max},
                                            {C_RSSUSED, &r->rss_over_used}};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (num_dbl(f[at[d[i].c]], d[i].v) < 0) {
            *bad = col_names[d[i].c];
            return -1;
        }
    /* RSS below half the data it holds is not a measurement: the file is damaged */
    if (r->overhead_max < 0.5) {
        *bad = "overhead_max (at least 0.5)";
        return -1;
    }
    /* a base RSS past 1 GiB or a client past 64 MiB is a damaged file, not a measurement */
    if (r->base_rss_bytes == 0 || r->base_rss_bytes > (1ULL << 30)) {
        *bad = "base_rss_bytes (1 byte to 1 GiB)";
        return -1;
    }
    if (r->per_client_bytes > (64ULL << 20)) {
        *bad = "per_client_bytes (at most 64 MiB)";
        return -1;
    }
    if (runs == 0 || runs > 1000 || r->overhead_max < r->overhead_median) {
        *bad = runs == 0 || runs > 1000 ? "runs (1 to 1000)" : "overhead_max (below overhead_median)";
        return -1;
    }
    r->runs = (int)runs;
    return 0;
}

int rl_overhead_parse(const char *text, const char *path, struct rl_overhead_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    int at[C_N];
    bool header = false;
    int lineno = 0;
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        lineno++;
        char line[1024];
        if (n >= sizeof line) {
            snprintf(err, errlen, "%s:%d: line longer than %zu characters", path, lineno, sizeof line - 1);
            return -1;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        p = eol ? eol + 1 : NULL;
        if (!line[0] || line[0] == '#')
            continue;
        char *f[32];
        int nf = split(line, f, 32);
        if (!header) {
            for (int c = 0; c < C_N; c++) {
                at[c] = 99;
                for (int i = 0; i < nf; i++)
                    if (strcmp(f[i], col_names[c]) == 0)
                        at[c] = i;
                if (at[c] == 99) {
                    snprintf(err, errlen, "%s:%d: the header names no column \"%s\"", path, lineno, col_names[c]);
                    return -1;
                }
            }
            header = true;
            continue;
        }
        if (t->nrows >= RL_OVERHEAD_MAX_ROWS) {
            snprintf(err, errlen, "%s:%d: more than %d rows", path, lineno, RL_OVERHEAD_MAX_ROWS);
            return -1;
        }
        const char *bad = "";
        if (row(f, nf, at, &t->rows[t->nrows], &bad) < 0) {
            snprintf(err, errlen, "%s:%d: bad or missing %s; regenerate the file (scripts/measure-overhead, or "
                     "redis-light tune for a calibration)", path, lineno, bad);
            return -1;
        }
        t->nrows++;
    }
    if (!header || !t->nrows) {
        snprintf(err, errlen, "%s: no rows", path);
        return -1;
    }
    return 0;
}

int rl_overhead_load(const char *path, struct rl_overhead_table *t, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "re");
    if (!fp) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    bool more = !feof(fp);
    fclose(fp);
    if (more) {
        snprintf(err, errlen, "%s is larger than %zu bytes: not an overhead table", path, sizeof buf - 1);
        return -1;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        snprintf(err, errlen, "%s holds a NUL byte: not an overhead table", path);
        return -1;
    }
    return rl_overhead_parse(buf, path, t, err, errlen);
}

void rl_overhead_pick(const struct rl_overhead_table *t, const char *allocator, struct rl_overhead_pick *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < t->nrows; i++) {
        const struct rl_overhead_row *r = &t->rows[i];
        if (strcmp(r->allocator, allocator) != 0)
            continue;
        out->nrows++;
        if (r->overhead_max > out->factor) {
            out->factor = r->overhead_max;
            snprintf(out->worst_class, sizeof out->worst_class, "%s", r->value_class);
            out->worst_maxmemory = r->maxmemory_bytes;
        }
        if (r->base_rss_bytes > out->base_rss)
            out->base_rss = r->base_rss_bytes;
        if (r->per_client_bytes > out->per_client)
            out->per_client = r->per_client_bytes;
    }
}
