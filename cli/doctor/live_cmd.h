/* doctor --live, the command side: obtain the plan's build, launch it with the plan's
 * config, run live.c's flood, diagnose a death; print it as text or JSON. */
#ifndef RL_DOCTOR_LIVE_CMD_H
#define RL_DOCTOR_LIVE_CMD_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/doctor/live.h"
#include "cli/plan/plan.h"
#include "cli/util/json.h"
#include "probes/facts.h"
#include "profiles/profile.h"

struct rl_doctor_live {
    bool ran;                  /* the flood ran (whatever Redis did) */
    char profile[64], policy[64];
    char server[4096], version[32], allocator[48];
    uint64_t maxmemory;
    uint64_t oom_kills;        /* kernel OOM kills counted in our cgroup tree meanwhile */
    char oom_where[512];
    struct rl_live_result res;
    char diagnosis[2048];      /* when it died */
    enum rl_fault err_kind;    /* when it could not run */
    char err[4096];
};

/* Returns 0 when the check ran (out->res says whether Redis survived), or -1 with
 * out->err_kind and out->err (no build, cannot launch). */
int rl_doctor_live(struct rl_plan *plan, const struct rl_plan_opts *o, struct rl_doctor_live *out);
void rl_doctor_live_print(FILE *o, const struct rl_doctor_live *l, const struct rl_facts *f);
/* The "live" object of doctor --json. */
void rl_doctor_live_json(struct rl_json *w, const struct rl_doctor_live *l);

#endif
