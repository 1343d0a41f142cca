#include "probes/facts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/value.h"

#define U64(field, json) {#field, RL_FK_U64, offsetof(struct rl_facts, field), json}
#define DBL(field, json) {#field, RL_FK_DBL, offsetof(struct rl_facts, field), json}
#define STR(field, json) {#field, RL_FK_STR, offsetof(struct rl_facts, field), json}

/* Order here is the order of doctor --json "facts". */
const struct rl_fact_desc rl_fact_table[] = {
    U64(page_size, true),
    U64(max_map_count, true),
    U64(overcommit_memory, true),
    STR(thp_enabled, true),
    U64(somaxconn, true),
    U64(mem_total_bytes, true),
    U64(mem_available_bytes, true),
    U64(swap_total_bytes, true),
    U64(cgroup_version, true),
    STR(cgroup_memory_path, true),
    U64(memory_limit_bytes, true),
    U64(memory_high_bytes, true),
    U64(memory_usage_bytes, true),
    U64(swap_limit_bytes, true),
    DBL(cpu_quota_cores, true),
    U64(cpus_online, true),
    U64(pids_max, true),
    U64(rlimit_nofile, true),
    U64(rlimit_as, true),
    U64(rlimit_nproc, true),
    STR(container, true),
    STR(kernel_release, true),
    STR(arch, true),
    STR(state_dir, true),
    U64(state_dir_free_bytes, true),
    U64(state_dir_writable, true),
    U64(port_6379_in_use, true),
    {NULL, RL_FK_U64, 0, false},
};

int rl_fact_get(const struct rl_facts *f, const char *name, struct rl_fact_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    for (const struct rl_fact_desc *d = rl_fact_table; d->name; d++) {
        if (strcmp(d->name, name) != 0)
            continue;
        const char *base = (const char *)f + d->offset;
        ref->desc = d;
        switch (d->kind) {
        case RL_FK_U64: {
            const struct rl_fu64 *x = (const struct rl_fu64 *)base;
            ref->state = x->state, ref->u = x->v, ref->d = (double)x->v, ref->src = x->src;
            break;
        }
        case RL_FK_DBL: {
            const struct rl_fdbl *x = (const struct rl_fdbl *)base;
            ref->state = x->state, ref->d = x->v, ref->src = x->src;
            break;
        }
        case RL_FK_STR: {
            const struct rl_fstr *x = (const struct rl_fstr *)base;
            ref->state = x->state, ref->s = x->v, ref->src = x->src;
            break;
        }
        }
        return 0;
    }
    return -1;
}

void rl_facts_warn(struct rl_facts *f, const char *fmt, ...)
{
    if (f->nwarnings >= RL_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->warnings[f->nwarnings++], sizeof f->warnings[0], fmt, ap);
    va_end(ap);
}

#define SET_SRC(x, srcfmt)                                  \
    do {                                                    \
        va_list ap;                                         \
        va_start(ap, srcfmt);                               \
        vsnprintf((x)->src, sizeof (x)->src, srcfmt, ap);   \
        va_end(ap);                                         \
    } while (0)

void rl_fact_u64(struct rl_fu64 *x, uint64_t v, const char *srcfmt, ...)
{
    x->state = RL_FACT_VALUE;
    x->v = v;
    SET_SRC(x, srcfmt);
}

void rl_fact_none(struct rl_fu64 *x, const char *srcfmt, ...)
{
    x->state = RL_FACT_NONE;
    x->v = 0;
    SET_SRC(x, srcfmt);
}

void rl_fact_dbl(struct rl_fdbl *x, double v, const char *srcfmt, ...)
{
    x->state = RL_FACT_VALUE;
    x->v = v;
    SET_SRC(x, srcfmt);
}

void rl_fact_str(struct rl_fstr *x, const char *v, const char *srcfmt, ...)
{
    x->state = RL_FACT_VALUE;
    snprintf(x->v, sizeof x->v, "%s", v);
    SET_SRC(x, srcfmt);
}

int rl_fact_read_u64(struct rl_facts *f, const struct rl_root *r, const char *path,
                     struct rl_fu64 *x, bool max_is_none)
{
    char *buf;
    size_t len;
    enum rl_read_status st = rl_root_read(r, path, 4096, &buf, &len);
    if (st != RL_READ_OK) {
        x->state = RL_FACT_UNKNOWN;
        snprintf(x->src, sizeof x->src, "%s %s", path, rl_read_reason(st));
        rl_facts_warn(f, "%s %s", path, rl_read_reason(st));
        return -1;
    }
    uint64_t v = 0;
    enum rl_val pv = rl_parse_u64_text(buf, &v);
    int rc = 0;
    if (pv == RL_VAL_OK) {
        rl_fact_u64(x, v, "%s = %llu", path, (unsigned long long)v);
    } else if (pv == RL_VAL_MAX && max_is_none) {
        rl_fact_none(x, "%s = max", path);
    } else {
        x->state = RL_FACT_UNKNOWN;
        snprintf(x->src, sizeof x->src, "%s %s", path, rl_val_reason(pv));
        rl_facts_warn(f, "%s %s; ignoring it", path, rl_val_reason(pv));
        rc = -1;
    }
    free(buf);
    return rc;
}

void rl_probe_all(struct rl_facts *f, const struct rl_root *r, const struct rl_probe_opts *o)
{
    memset(f, 0, sizeof *f);
    rl_probe_kernel(f, r);
    rl_probe_meminfo(f, r);
    rl_probe_cgroup(f, r);
    rl_probe_rlimits(f, r);
    rl_probe_container(f, r);
    if (!o || !o->skip_binaries)
        rl_probe_redis_bins(f, r, o ? o->cache_dir : NULL);
    rl_probe_local(f, r, o);
}
