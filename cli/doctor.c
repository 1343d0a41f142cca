/* redis-light doctor: probe, judge, report. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/doctor/live_cmd.h"
#include "cli/doctor/report.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "probes/facts.h"
#include "profiles/profile.h"

const struct rl_opt rl_doctor_opts[] = {
    {"profile", 0, "NAME|PATH", "judge with this profile instead of the one doctor would pick", false},
    {"live", 0, NULL, "also launch the profile's build here and flood it to 3x maxmemory", false},
    {"source", 0, "DIR|TARBALL", "with --live: Redis source to build from when no cached build matches", false},
    {NULL, 0, NULL, NULL, false},
};

/* Probes the system the command is pointed at, with redis-light's own directories. */
void rl_gather_facts(struct rl_facts *f, const struct rl_ctx *ctx, bool binaries)
{
    char state[4096], cache[4096];
    struct rl_probe_opts o = {0};
    if (rl_state_dir(state, sizeof state) == 0)
        o.state_dir = state;
    if (ctx->root.host && rl_cache_dir(cache, sizeof cache) == 0)
        o.cache_dir = cache;
    o.skip_binaries = !binaries;
    rl_probe_all(f, &ctx->root, &o);
}

int rl_cmd_doctor(struct rl_ctx *ctx)
{
    static struct rl_facts f;
    static struct rl_report rep;
    if (ctx->args->npos > 0)
        return rl_usage_error("doctor takes no arguments (got \"%s\")", ctx->args->pos[0]);
    bool live = rl_args_has(ctx->args, "live");
    if (live && !ctx->root.host)
        return rl_usage_error("--live launches Redis on this machine; it cannot be combined with --sysroot");
    if (rl_args_has(ctx->args, "source") && !live)
        return rl_usage_error("--source is only used with --live");
    rl_gather_facts(&f, ctx, true);
    rl_report_run(&rep, &f);

    struct rl_choice choice;
    char perr[512];
    int pcode = 0;
    bool have_profile = rl_profile_choose_at(&f, &ctx->root, rl_args_get(ctx->args, "profile"), &choice,
                                             perr, sizeof perr, &pcode) == 0;
    if (!have_profile && rl_args_has(ctx->args, "profile")) {
        rl_err("--profile: %s", perr);
        return pcode;
    }
    char problems[8][512];
    int nproblems = rl_profile_load_problems(problems, 8);
    static struct rl_doctor_live lv;
    int live_rc = 0;
    if (live && !have_profile) {
        rl_err("--live: no profile to launch: %s", perr);
        return pcode ? pcode : RL_EXIT_RUNTIME;
    }
    if (live && (live_rc = rl_doctor_live(&f, choice.winner, rl_args_get(ctx->args, "source"), &lv)) != 0)
        rl_err("--live: %s", lv.err);

    if (rl_out.json) {
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_json_obj(&w);
        rl_json_key(&w, "facts");
        rl_facts_json(&w, &f);
        rl_json_key(&w, "evidence");
        rl_facts_evidence_json(&w, &f);
        rl_json_key(&w, "warnings");
        rl_json_arr(&w);
        for (int i = 0; i < f.nwarnings; i++)
            rl_json_str(&w, f.warnings[i]);
        rl_json_end_arr(&w);
        rl_report_json_checks(&w, &rep);
        rl_json_key(&w, "profile");
        if (have_profile) {
            rl_choice_json(&choice, &f, &w);
        } else {
            rl_json_obj(&w);
            rl_json_key(&w, "name");
            rl_json_null(&w);
            rl_json_key(&w, "error");
            rl_json_str(&w, perr);
            rl_json_key(&w, "reasons");
            rl_json_arr(&w);
            rl_json_end_arr(&w);
            rl_json_end_obj(&w);
        }
        if (live) {
            rl_json_key(&w, "live");
            rl_doctor_live_json(&w, &lv);
        }
        rl_json_key(&w, "profile_problems");
        rl_json_arr(&w);
        for (int i = 0; i < nproblems; i++)
            rl_json_str(&w, problems[i]);
        rl_json_end_arr(&w);
        rl_json_end_obj(&w);
        rl_json_done(&w);
    } else {
        rl_report_print(stdout, &rep, rl_out.verbose);
        if (!rl_out.quiet)
            for (int i = 0; i < f.nwarnings; i++)
                printf("warning: %s\n", f.warnings[i]);
        for (int i = 0; i < nproblems; i++)
            printf("warning: ignored a broken profile: %s\n", problems[i]);
        if (have_profile)
            rl_choice_print(&choice, &f, stdout);
        else
            printf("profile: none — %s\n", perr);
        if (live && lv.ran)
            rl_doctor_live_print(stdout, &lv, &f);
        rl_report_print_summary(stdout, &rep);
    }
    if (have_profile)
        rl_choice_free(&choice);
    if (live_rc)
        return live_rc;
    if (live && !lv.res.survived)
        return RL_EXIT_PROBLEMS;
    return rep.count[RL_ST_FAIL] ? RL_EXIT_PROBLEMS : RL_EXIT_OK;
}
