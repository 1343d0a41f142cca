#include "cli/doctor/report.h"

#include <stdio.h>
#include <string.h>

#include "cli/util/out.h"

void rl_report_run(struct rl_report *rep, const struct rl_facts *f)
{
    memset(rep, 0, sizeof *rep);
    rep->facts = f;
    for (const struct rl_check *c = rl_checks; c->id && rep->nrows < RL_MAX_CHECKS; c++) {
        rep->rows[rep->nrows].id = c->id;
        c->fn(f, &rep->rows[rep->nrows].r);
        rep->count[rep->rows[rep->nrows].r.status]++;
        rep->nrows++;
    }
}

void rl_report_for_persistence(struct rl_report *rep, const char *persist)
{
    const struct rl_fu64 *oc = &rep->facts->overcommit_memory;
    if (oc->state != RL_FACT_VALUE || oc->v != 0)
        return; /* unreadable and strict mode hurt jemalloc itself, persistence or not */
    for (int i = 0; i < rep->nrows; i++) {
        struct rl_check_result *r = &rep->rows[i].r;
        if (strcmp(rep->rows[i].id, "overcommit") != 0 || r->status != RL_ST_WARN)
            continue;
        rep->count[r->status]--;
        if (strcmp(persist, "none") == 0) {
            r->status = RL_ST_OK;
            snprintf(r->summary, sizeof r->summary, "vm.overcommit_memory=0 (heuristic): harmless for this plan, "
                     "which persists nothing and so never forks to save");
            snprintf(r->advice, sizeof r->advice, "with --persist aof|rdb: sysctl -w vm.overcommit_memory=1 on the "
                     "host, so the kernel never refuses the save's fork");
        } else {
            snprintf(r->summary, sizeof r->summary, "vm.overcommit_memory=0 (heuristic) and this plan persists (%s): "
                     "the kernel may refuse the %s fork (\"fork: Cannot allocate memory\"; the save fails and is retried)",
                     persist, strcmp(persist, "aof") == 0 ? "AOF rewrite's" : "snapshot's");
            snprintf(r->advice, sizeof r->advice, "sysctl -w vm.overcommit_memory=1 on the host (Redis's own advice), "
                     "or --persist none if the data need not outlive Redis");
        }
        rep->count[r->status]++;
    }
}

void rl_facts_json(struct rl_json *w, const struct rl_facts *f)
{
    rl_json_obj(w);
    for (const struct rl_fact_desc *d = rl_fact_table; d->name; d++) {
        if (!d->in_json)
            continue;
        struct rl_fact_ref ref;
        rl_fact_get(f, d->name, &ref);
        rl_json_key(w, d->name);
        if (ref.state != RL_FACT_VALUE)
            rl_json_null(w);
        else if (d->kind == RL_FK_U64)
            rl_json_u64(w, ref.u);
        else if (d->kind == RL_FK_DBL)
            rl_json_dbl(w, ref.d);
        else
            rl_json_str(w, ref.s);
        if (strcmp(d->name, "cgroup_version") == 0) {
            rl_json_key(w, "cgroup_hybrid");
            rl_json_bool(w, f->cgroup_hybrid);
        }
    }
    rl_json_key(w, "redis_binaries");
    rl_json_arr(w);
    for (int i = 0; i < f->nbins; i++) {
        const struct rl_redis_bin *b = &f->bins[i];
        rl_json_obj(w);
        rl_json_key(w, "path");
        rl_json_str(w, b->path);
        rl_json_key(w, "name");
        rl_json_str(w, b->name);
        rl_json_key(w, "version");
        rl_json_str(w, b->version[0] ? b->version : NULL);
        rl_json_key(w, "allocator");
        rl_json_str(w, b->allocator[0] ? b->allocator : NULL);
        rl_json_key(w, "from_cache");
        rl_json_bool(w, b->from_cache);
        rl_json_end_obj(w);
    }
    rl_json_end_arr(w);
    rl_json_end_obj(w);
}

void rl_facts_evidence_json(struct rl_json *w, const struct rl_facts *f)
{
    rl_json_obj(w);
    for (const struct rl_fact_desc *d = rl_fact_table; d->name; d++) {
        struct rl_fact_ref ref;
        rl_fact_get(f, d->name, &ref);
        if (d->in_json && ref.src && *ref.src) {
            rl_json_key(w, d->name);
            rl_json_str(w, ref.src);
        }
    }
    rl_json_end_obj(w);
}

void rl_report_json_checks(struct rl_json *w, const struct rl_report *rep)
{
    rl_json_key(w, "checks");
    rl_json_arr(w);
    for (int i = 0; i < rep->nrows; i++) {
        const struct rl_check_result *r = &rep->rows[i].r;
        rl_json_obj(w);
        rl_json_key(w, "id");
        rl_json_str(w, rep->rows[i].id);
        rl_json_key(w, "status");
        rl_json_str(w, rl_status_name(r->status));
        rl_json_key(w, "summary");
        rl_json_str(w, r->summary);
        rl_json_key(w, "advice");
        rl_json_str(w, r->advice);
        rl_json_key(w, "evidence");
        rl_json_str(w, r->evidence);
        rl_json_end_obj(w);
    }
    rl_json_end_arr(w);
    rl_json_key(w, "summary");
    rl_json_obj(w);
    for (int s = 0; s < 4; s++) {
        rl_json_key(w, rl_status_name((enum rl_status)s));
        rl_json_u64(w, (uint64_t)rep->count[s]);
    }
    rl_json_end_obj(w);
}

static const char *status_color(enum rl_status s)
{
    switch (s) {
    case RL_ST_OK: return RL_GREEN;
    case RL_ST_WARN: return RL_YELLOW;
    case RL_ST_FAIL: return RL_RED;
    default: return RL_DIM;
    }
}

void rl_report_print(FILE *out, const struct rl_report *rep, int verbose)
{
    size_t w = 5;
    for (int i = 0; i < rep->nrows; i++)
        if (strlen(rep->rows[i].id) > w)
            w = strlen(rep->rows[i].id);
    fprintf(out, "%s%-*s  %-4s  %s%s\n", rl_c(RL_BOLD, false), (int)w, "CHECK", "", "FINDING",
            rl_c(RL_RESET, false));
    for (int i = 0; i < rep->nrows; i++) {
        const struct rl_check_result *r = &rep->rows[i].r;
        fprintf(out, "%-*s  %s%-4s%s  %s\n", (int)w, rep->rows[i].id, rl_c(status_color(r->status), false),
                rl_status_name(r->status), rl_c(RL_RESET, false), r->summary);
        if (r->advice[0] && r->status != RL_ST_OK && r->status != RL_ST_SKIP)
            fprintf(out, "%*s  %s-> %s%s\n", (int)w + 6, "", rl_c(RL_DIM, false), r->advice, rl_c(RL_RESET, false));
        if (verbose && r->evidence[0])
            fprintf(out, "%*s  %sfrom: %s%s\n", (int)w + 6, "", rl_c(RL_DIM, false), r->evidence, rl_c(RL_RESET, false));
    }
}

void rl_report_print_summary(FILE *out, const struct rl_report *rep)
{
    fprintf(out, "summary: %d ok, %d warn, %d fail, %d skip\n", rep->count[RL_ST_OK],
            rep->count[RL_ST_WARN], rep->count[RL_ST_FAIL], rep->count[RL_ST_SKIP]);
}
