/* doctor --live, the command side: the plan's build (from the cache, built when missing,
 * as `up` would), the plan's redis.conf, then live.c's flood under this container's real
 * limits, and a verdict with the evidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/doctor/live.h"
#include "cli/doctor/live_cmd.h"
#include "cli/instance/diagnose.h"
#include "cli/util/out.h"
#include "cli/util/size.h"

int rl_doctor_live(struct rl_plan *plan, const struct rl_plan_opts *o, struct rl_doctor_live *out)
{
    memset(out, 0, sizeof *out);
    const struct rl_facts *f = &plan->facts;
    snprintf(out->profile, sizeof out->profile, "%s", rl_profile_name(plan->choice.winner));
    out->maxmemory = plan->maxmemory;
    snprintf(out->policy, sizeof out->policy, "%s", plan->policy);
    if (rl_plan_obtain(plan, o, false, isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json) < 0) {
        out->err_kind = plan->err;
        snprintf(out->err, sizeof out->err, "%s", plan->errstr);
        return -1;
    }
    const struct rl_build_info *b = &plan->build.info;
    snprintf(out->server, sizeof out->server, "%s", b->server);
    snprintf(out->version, sizeof out->version, "%s", b->version);
    snprintf(out->allocator, sizeof out->allocator, "%s", b->allocator);
    if (!rl_out.quiet && !rl_out.json)
        fprintf(stderr, "live check: redis-server %s (malloc=%s, profile %s) under this container's limits, "
                "writing 3x maxmemory...\n", b->version, b->allocator, out->profile);

    struct rl_oom_snapshot before, after;
    rl_oom_snapshot(0, &before);
    struct rl_live_opts lo = {.server = b->server, .conf = plan->conf, .maxmemory = out->maxmemory};
    if (rl_live_run(&lo, &out->res) < 0) {
        out->err_kind = RL_FAULT_RUNTIME;
        snprintf(out->err, sizeof out->err, "the live check could not run: %s", out->res.err);
        return -1;
    }
    rl_oom_snapshot(0, &after);
    out->oom_kills = rl_oom_delta(&before, &after, out->oom_where, sizeof out->oom_where);
    out->ran = true;
    if (!out->res.survived) {
        int st = out->res.exit_status < 0 ? -out->res.exit_status : (out->res.exit_status & 0xff) << 8;
        struct rl_death d = {.status = st, .after_ready = out->res.started, .log_tail = out->res.log_tail,
                             .oom_kills = out->oom_kills, .oom_where = out->oom_where};
        rl_diagnose(f, &d, out->diagnosis, sizeof out->diagnosis);
    }
    return 0;
}

void rl_doctor_live_print(FILE *o, const struct rl_doctor_live *l, const struct rl_facts *f)
{
    char a[32], b[32], c[32];
    const struct rl_live_result *r = &l->res;
    fprintf(o, "\nlive check (%s, malloc=%s, profile %s, maxmemory %s %s):\n", l->server, l->allocator, l->profile,
            rl_fmt_size(l->maxmemory, a, sizeof a), l->policy);
    if (!r->started) {
        fprintf(o, "  FAIL  redis-server did not start (%s)\n", r->exit_status < 0 ? "killed by a signal" : "it exited");
    } else {
        fprintf(o, "  %s  %s after writing %s in %.1f s (%llu keys, %llu evicted, %llu OOM replies)\n",
                r->survived ? "ok  " : "FAIL", r->survived ? "survived" : "DIED", rl_fmt_size(r->written_bytes, b, sizeof b),
                r->seconds, (unsigned long long)r->written_keys, (unsigned long long)r->evicted_keys,
                (unsigned long long)r->oom_errors);
    }
    const char *limit = "no memory limit";
    char lim[64];
    if (f->memory_limit_bytes.state == RL_FACT_VALUE) {
        snprintf(lim, sizeof lim, "limit %s", rl_fmt_size(f->memory_limit_bytes.v, c, sizeof c));
        limit = lim;
    }
    fprintf(o, "  peak RSS %s (%s), peak map count %llu", rl_fmt_size(r->rss_peak, b, sizeof b), limit,
            (unsigned long long)r->maps_peak);
    if (f->max_map_count.state == RL_FACT_VALUE)
        fprintf(o, " (vm.max_map_count %llu)", (unsigned long long)f->max_map_count.v);
    fputc('\n', o);
    if (l->oom_kills)
        fprintf(o, "  the kernel OOM-killed %llu process(es) in %s during the check\n",
                (unsigned long long)l->oom_kills, l->oom_where);
    if (!r->survived) {
        fprintf(o, "  log tail:\n%s\n  diagnosis: %s\n", r->log_tail[0] ? r->log_tail : "  (empty)", l->diagnosis);
    }
}

void rl_doctor_live_json(struct rl_json *w, const struct rl_doctor_live *l)
{
    const struct rl_live_result *r = &l->res;
    rl_json_obj(w);
    rl_json_key(w, "ran"); rl_json_bool(w, l->ran);
    rl_json_key(w, "error"); rl_json_str(w, l->ran ? NULL : l->err);
    rl_json_key(w, "profile"); rl_json_str(w, l->profile);
    rl_json_key(w, "binary"); rl_json_str(w, l->server[0] ? l->server : NULL);
    rl_json_key(w, "version"); rl_json_str(w, l->version[0] ? l->version : NULL);
    rl_json_key(w, "allocator"); rl_json_str(w, l->allocator[0] ? l->allocator : NULL);
    rl_json_key(w, "maxmemory"); rl_json_u64(w, l->maxmemory);
    rl_json_key(w, "maxmemory_policy"); rl_json_str(w, l->policy);
    if (l->ran) {
        rl_json_key(w, "started"); rl_json_bool(w, r->started);
        rl_json_key(w, "survived"); rl_json_bool(w, r->survived);
        rl_json_key(w, "exit_status");
        if (r->survived)
            rl_json_null(w);
        else
            rl_json_i64(w, r->exit_status);
        rl_json_key(w, "seconds"); rl_json_dbl(w, r->seconds);
        rl_json_key(w, "written_keys"); rl_json_u64(w, r->written_keys);
        rl_json_key(w, "written_bytes"); rl_json_u64(w, r->written_bytes);
        rl_json_key(w, "evicted_keys"); rl_json_u64(w, r->evicted_keys);
        rl_json_key(w, "oom_errors"); rl_json_u64(w, r->oom_errors);
        rl_json_key(w, "rss_peak"); rl_json_u64(w, r->rss_peak);
        rl_json_key(w, "maps_peak"); rl_json_u64(w, r->maps_peak);
        rl_json_key(w, "used_memory_end"); rl_json_u64(w, r->used_memory_end);
        rl_json_key(w, "oom_kills"); rl_json_u64(w, l->oom_kills);
        rl_json_key(w, "log_tail"); rl_json_str(w, r->survived ? NULL : r->log_tail);
        rl_json_key(w, "diagnosis"); rl_json_str(w, r->survived ? NULL : l->diagnosis);
    }
    rl_json_end_obj(w);
}
