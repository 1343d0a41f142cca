#include "cli/plan/choice_report.h"

#include <string.h>

#include "cli/util/out.h"

void rl_choice_print(const struct rl_choice *c, const struct rl_facts *f, FILE *out)
{
    static struct rl_choice_account a;
    rl_choice_explain(c, f, &a);
    fprintf(out, "profile: %s%s%s — because %s\n", rl_c(RL_BOLD, false), rl_profile_name(c->winner),
            rl_c(RL_RESET, false), a.because);
    const struct rl_profile *ps[2] = {c->winner, c->runner_up};
    for (int k = 0; k < 2 && ps[k]; k++) {
        bool m = k == 0 ? a.winner_matches : a.runner_up_matches;
        const char *role = k == 0 ? (c->overridden ? "chosen with --profile" : "chosen")
                                  : (c->overridden ? "the automatic choice" : "runner-up");
        fprintf(out, "  %s (priority %d, %s%s)\n", rl_profile_name(ps[k]), rl_profile_priority(ps[k]), role,
                m ? "" : ", does not match here");
        bool any = false;
        for (int i = 0; i < a.n; i++) {
            if (a.r[i].runner_up != (k == 1))
                continue;
            any = true;
            fprintf(out, "    %s%-3s%s %-40s measured %s\n", rl_c(a.r[i].verdict ? RL_GREEN : RL_DIM, false),
                    a.r[i].verdict ? "yes" : "no", rl_c(RL_RESET, false), a.r[i].rule, a.r[i].value);
        }
        if (!any)
            fprintf(out, "    (no rules: matches everywhere)\n");
    }
}

void rl_choice_json(const struct rl_choice *c, const struct rl_facts *f, struct rl_json *w)
{
    static struct rl_choice_account a;
    rl_choice_explain(c, f, &a);
    rl_json_obj(w);
    rl_json_key(w, "name");
    rl_json_str(w, rl_profile_name(c->winner));
    rl_json_key(w, "source");
    rl_json_str(w, rl_profile_source(c->winner));
    rl_json_key(w, "overridden");
    rl_json_bool(w, c->overridden);
    rl_json_key(w, "because");
    rl_json_str(w, a.because);
    rl_json_key(w, "runner_up");
    rl_json_str(w, c->runner_up ? rl_profile_name(c->runner_up) : NULL);
    rl_json_key(w, "reasons");
    rl_json_arr(w);
    for (int i = 0; i < a.n; i++) {
        rl_json_obj(w);
        rl_json_key(w, "profile");
        rl_json_str(w, a.r[i].profile);
        rl_json_key(w, "rule");
        rl_json_str(w, a.r[i].rule);
        rl_json_key(w, "fact");
        rl_json_str(w, a.r[i].fact);
        rl_json_key(w, "value");
        rl_json_str(w, a.r[i].value);
        rl_json_key(w, "verdict");
        rl_json_bool(w, a.r[i].verdict);
        rl_json_end_obj(w);
    }
    rl_json_end_arr(w);
    rl_json_end_obj(w);
}
