/* The profile choice for people and machines: doctor's "profile: NAME — because …" with
 * every rule of the winner and the runner-up, and DESIGN.md's "profile" JSON object. */
#ifndef RL_PLAN_CHOICE_REPORT_H
#define RL_PLAN_CHOICE_REPORT_H
#include <stdio.h>

#include "cli/util/json.h"
#include "profiles/profile.h"

void rl_choice_print(const struct rl_choice *c, const struct rl_facts *f, FILE *out);
void rl_choice_json(const struct rl_choice *c, const struct rl_facts *f, struct rl_json *w);

#endif
