/* doctor's account of the profile choice: the winner, and for it and the runner-up every
 * rule with the value measured here and its verdict. */
#include <stdio.h>
#include <string.h>

#include "cli/util/out.h"
#include "profiles/profile_internal.h"

#define MAX_REASONS 64

static int reasons_of(const struct rl_choice *c, const struct rl_facts *f, struct rl_reason *r, bool *won,
                      bool *second_matches)
{
    int n = 0;
    *won = rl_profile_matches(c->winner, f, &c->root, r, &n, MAX_REASONS);
    *second_matches = c->runner_up && rl_profile_matches(c->runner_up, f, &c->root, r, &n, MAX_REASONS);
    return n;
}

/* "because memory_limit_bytes < 256mb (200 MiB)" from the winner's true rules. */
static void because(const struct rl_choice *c, const struct rl_reason *r, int n, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    if (c->overridden) {
        snprintf(out, len, "chosen with --profile");
        return;
    }
    for (int i = 0; i < n && used < len; i++)
        if (r[i].profile == c->winner && r[i].verdict)
            used += (size_t)snprintf(out + used, len - used, "%s%s (%s)", used ? ", " : "", r[i].rule->text, r[i].value);
    if (!used)
        snprintf(out, len, "no profile with a higher priority matched (%s has no rules: the fallback)", c->winner->name);
}

void rl_choice_print(const struct rl_choice *c, const struct rl_facts *f, FILE *out)
{
    struct rl_reason r[MAX_REASONS];
    bool won, second;
    int n = reasons_of(c, f, r, &won, &second);
    char why[512];
    because(c, r, n, why, sizeof why);
    fprintf(out, "profile: %s%s%s — because %s\n", rl_c(RL_BOLD, false), c->winner->name, rl_c(RL_RESET, false), why);
    const struct rl_profile *ps[2] = {c->winner, c->runner_up};
    for (int k = 0; k < 2 && ps[k]; k++) {
        bool m = k == 0 ? won : second;
        const char *role = k == 0 ? (c->overridden ? "chosen with --profile" : "chosen")
                                  : (c->overridden ? "the automatic choice" : "runner-up");
        fprintf(out, "  %s (priority %d, %s%s)\n", ps[k]->name, ps[k]->priority, role, m ? "" : ", does not match here");
        bool any = false;
        for (int i = 0; i < n; i++) {
            if (r[i].profile != ps[k])
                continue;
            any = true;
            fprintf(out, "    %s%-3s%s %-40s measured %s\n", rl_c(r[i].verdict ? RL_GREEN : RL_DIM, false),
                    r[i].verdict ? "yes" : "no", rl_c(RL_RESET, false), r[i].rule->text, r[i].value);
        }
        if (!any)
            fprintf(out, "    (no rules: matches everywhere)\n");
    }
}

void rl_choice_json(const struct rl_choice *c, const struct rl_facts *f, struct rl_json *w)
{
    struct rl_reason r[MAX_REASONS];
    bool won, second;
    int n = reasons_of(c, f, r, &won, &second);
    char why[512];
    because(c, r, n, why, sizeof why);
    rl_json_obj(w);
    rl_json_key(w, "name");
    rl_json_str(w, c->winner->name);
    rl_json_key(w, "source");
    rl_json_str(w, c->winner->source);
    rl_json_key(w, "overridden");
    rl_json_bool(w, c->overridden);
    rl_json_key(w, "because");
    rl_json_str(w, why);
    rl_json_key(w, "runner_up");
    rl_json_str(w, c->runner_up ? c->runner_up->name : NULL);
    rl_json_key(w, "reasons");
    rl_json_arr(w);
    for (int i = 0; i < n; i++) {
        rl_json_obj(w);
        rl_json_key(w, "profile");
        rl_json_str(w, r[i].profile->name);
        rl_json_key(w, "rule");
        rl_json_str(w, r[i].rule->text);
        rl_json_key(w, "fact");
        rl_json_str(w, r[i].rule->kind == RL_RULE_ENV ? NULL : r[i].rule->fact);
        rl_json_key(w, "value");
        rl_json_str(w, r[i].value);
        rl_json_key(w, "verdict");
        rl_json_bool(w, r[i].verdict);
        rl_json_end_obj(w);
    }
    rl_json_end_arr(w);
    rl_json_end_obj(w);
}
