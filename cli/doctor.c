/* redis-light doctor: probe, judge, plan, report. The plan is the one every command
 * computes (cli/plan/), so what doctor says up will do is what up does. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/doctor/live_cmd.h"
#include "cli/doctor/report.h"
#include "cli/instance/instance.h"
#include "cli/instance/persist.h"
#include "cli/plan/choice_report.h"
#include "cli/plan/plan.h"
#include "cli/util/paths.h"
#include "cli/util/out.h"
#include "cli/util/size.h"

const struct rl_opt rl_doctor_opts[] = {
    {"profile", 0, "NAME|PATH", "judge with this profile instead of the one doctor would pick", false},
    {"persist", 0, "aof|rdb|none", "judge the plan of `up --persist` (a store keeps its data on disk)", false},
    {"live", 0, NULL, "also launch the plan's build here and flood it to 3x maxmemory", false},
    {"source", 0, "DIR|TARBALL", "with --live: Redis source to build from when no cached build matches", false},
    {NULL, 0, NULL, NULL, false},
};

/* The plan as one more row of the table: ok with what up would run, fail with the fix. */
static void add_plan_row(struct rl_report *rep, const struct rl_plan *plan, bool made)
{
    if (rep->nrows >= RL_MAX_CHECKS)
        return;
    struct rl_check_result *r = &rep->rows[rep->nrows].r;
    rep->rows[rep->nrows++].id = "plan";
    memset(r, 0, sizeof *r);
    if (!made) {
        r->status = RL_ST_FAIL;
        snprintf(r->summary, sizeof r->summary, "up cannot run here as planned: %s", plan->errstr);
        snprintf(r->advice, sizeof r->advice, "fix the cause above, or choose with --profile / --maxmemory");
    } else {
        char mm[32];
        r->status = plan->build.state == RL_BUILD_UNAVAILABLE || plan->budget.over_budget ? RL_ST_WARN : RL_ST_OK;
        snprintf(r->summary, sizeof r->summary, "up would run %s %s malloc=%s with maxmemory %s %s (%s)",
                 plan->build.server, plan->build.version[0] ? plan->build.version : "(version once fetched)",
                 plan->build.allocator, plan->maxmemory ? rl_fmt_size(plan->maxmemory, mm, sizeof mm) : "none",
                 plan->policy, plan->role);
        if (plan->budget.over_budget)
            snprintf(r->advice, sizeof r->advice, "%s", plan->budget.note);
        else if (r->status == RL_ST_WARN)
            snprintf(r->advice, sizeof r->advice, "%s", plan->build.action);
        snprintf(r->evidence, sizeof r->evidence, "budget: %s%s%s", plan->budget.rule,
                 plan->budget.note[0] ? "; " : "", plan->budget.note);
    }
    rep->count[r->status]++;
}

static void print_json(const struct rl_plan *plan, bool made, const struct rl_report *rep, bool live,
                       const struct rl_doctor_live *lv, char problems[][512], int nproblems)
{
    const struct rl_facts *f = &plan->facts;
    struct rl_json w;
    rl_json_init(&w, stdout, true);
    rl_json_obj(&w);
    rl_json_key(&w, "facts");
    rl_facts_json(&w, f);
    rl_json_key(&w, "evidence");
    rl_facts_evidence_json(&w, f);
    rl_json_key(&w, "warnings");
    rl_json_arr(&w);
    for (int i = 0; i < f->nwarnings; i++)
        rl_json_str(&w, f->warnings[i]);
    rl_json_end_arr(&w);
    rl_report_json_checks(&w, rep);
    rl_json_key(&w, "profile");
    if (plan->choice.winner) {
        rl_choice_json(&plan->choice, f, &w);
    } else {
        rl_json_obj(&w);
        rl_json_key(&w, "name");
        rl_json_null(&w);
        rl_json_key(&w, "error");
        rl_json_str(&w, plan->errstr);
        rl_json_key(&w, "reasons");
        rl_json_arr(&w);
        rl_json_end_arr(&w);
        rl_json_end_obj(&w);
    }
    rl_json_key(&w, "plan");
    if (made) {
        rl_plan_json(&w, plan);
    } else {
        rl_json_obj(&w);
        rl_json_key(&w, "error");
        rl_json_str(&w, plan->errstr);
        rl_json_end_obj(&w);
    }
    if (live) {
        rl_json_key(&w, "live");
        rl_doctor_live_json(&w, lv);
    }
    rl_json_key(&w, "profile_problems");
    rl_json_arr(&w);
    for (int i = 0; i < nproblems; i++)
        rl_json_str(&w, problems[i]);
    rl_json_end_arr(&w);
    rl_json_end_obj(&w);
    rl_json_done(&w);
}

int rl_cmd_doctor(struct rl_ctx *ctx)
{
    static struct rl_plan plan;
    static struct rl_report rep;
    static struct rl_doctor_live lv;
    if (ctx->args->npos > 0)
        return rl_usage_error("doctor takes no arguments (got \"%s\")", ctx->args->pos[0]);
    bool live = rl_args_has(ctx->args, "live");
    if (live && !ctx->root.host)
        return rl_usage_error("--live launches Redis on this machine; it cannot be combined with --sysroot");
    if (rl_args_has(ctx->args, "source") && !live)
        return rl_usage_error("--source is only used with --live");
    struct rl_plan_opts o = {.profile = rl_args_get(ctx->args, "profile"), .source = rl_args_get(ctx->args, "source"),
                             .persist = rl_args_get(ctx->args, "persist")};
    if (o.persist && !rl_profile_persist_valid(o.persist))
        return rl_usage_error("--persist %s is not a persistence mode; use aof, rdb or none", o.persist);
    /* What `up` would do for the default instance here: the mode its data on disk asks for. */
    char state[4096], perr[8192];
    static struct rl_instance in;
    struct rl_persist_decision pd = {0};
    if (ctx->root.host && rl_state_dir(state, sizeof state) == 0 && rl_instance_init(&in, state, "default") == 0) {
        if (rl_persist_decide(&in, o.persist, true, &pd, perr, sizeof perr) < 0)
            return rl_usage_error("%s", perr);
        o.persist = pd.mode;
        o.persist_keeps_policy = pd.keep_policy;
    }
    bool made = rl_plan_make(&plan, &ctx->root, &o) == 0;
    if (!plan.probed) {
        rl_err("%s", plan.errstr);
        rl_plan_free(&plan);
        return RL_EXIT_RUNTIME;
    }
    if (!plan.choice.winner && o.profile) {
        rl_err("--profile: %s", plan.errstr);
        rl_plan_free(&plan);
        return rl_exit_for(plan.err);
    }
    rl_report_run(&rep, &plan.facts);
    if (made)
        rl_report_for_persistence(&rep, plan.persist);
    add_plan_row(&rep, &plan, made);
    char problems[8][512];
    int nproblems = rl_profile_load_problems(problems, 8);
    int live_rc = RL_EXIT_OK;
    if (live && !made) {
        rl_err("--live: no plan to launch: %s", plan.errstr);
        live_rc = rl_exit_for(plan.err);
    } else if (live && rl_doctor_live(&plan, &o, &lv) < 0) {
        rl_err("--live: %s", lv.err);
        live_rc = rl_exit_for(lv.err_kind);
    }

    if (rl_out.json) {
        print_json(&plan, made, &rep, live, &lv, problems, nproblems);
    } else {
        rl_report_print(stdout, &rep, rl_out.verbose);
        if (!rl_out.quiet)
            for (int i = 0; i < plan.facts.nwarnings; i++)
                printf("warning: %s\n", plan.facts.warnings[i]);
        for (int i = 0; i < nproblems; i++)
            printf("warning: ignored a broken profile: %s\n", problems[i]);
        if (plan.choice.winner)
            rl_choice_print(&plan.choice, &plan.facts, stdout);
        else
            printf("profile: none — %s\n", plan.errstr);
        if (made && !rl_out.quiet)
            rl_plan_print(stdout, &plan, rl_out.verbose);
        if (live && lv.ran)
            rl_doctor_live_print(stdout, &lv, &plan.facts);
        rl_report_print_summary(stdout, &rep);
    }
    rl_plan_free(&plan);
    if (live_rc)
        return live_rc;
    if (live && !lv.res.survived)
        return RL_EXIT_PROBLEMS;
    return rep.count[RL_ST_FAIL] ? RL_EXIT_PROBLEMS : RL_EXIT_OK;
}
