/* The account of a profile choice: for the winner and the runner-up, every rule with the
 * value measured here and its verdict (rendered by cli/plan/choice_report.c). */
#include <stdio.h>
#include <string.h>

#include "profiles/profile_internal.h"


static int reasons_of(const struct rl_choice *c, const struct rl_facts *f, struct rl_reason *r, bool *won,
                      bool *second_matches)
{
    int n = 0;
    *won = rl_profile_matches(c->winner, f, &c->root, r, &n, RL_CHOICE_MAX_REASONS);
    *second_matches = c->runner_up && rl_profile_matches(c->runner_up, f, &c->root, r, &n, RL_CHOICE_MAX_REASONS);
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

void rl_choice_explain(const struct rl_choice *c, const struct rl_facts *f, struct rl_choice_account *a)
{
    struct rl_reason r[RL_CHOICE_MAX_REASONS];
    memset(a, 0, sizeof *a);
    a->n = reasons_of(c, f, r, &a->winner_matches, &a->runner_up_matches);
    because(c, r, a->n, a->because, sizeof a->because);
    for (int i = 0; i < a->n; i++) {
        struct rl_choice_reason *o = &a->r[i];
        o->runner_up = r[i].profile != c->winner;
        o->profile = r[i].profile->name;
        o->rule = r[i].rule->text;
        o->fact = r[i].rule->kind == RL_RULE_ENV ? NULL : r[i].rule->fact;
        snprintf(o->value, sizeof o->value, "%s", r[i].value);
        o->verdict = r[i].verdict;
    }
}

int rl_profile_priority(const struct rl_profile *p) { return p->priority; }
