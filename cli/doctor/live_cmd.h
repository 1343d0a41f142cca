/* doctor --live, the command side: obtain the chosen profile's build, render its config,
 * run live.c's flood, diagnose a death; print it as text or JSON. */
#ifndef RL_DOCTOR_LIVE_CMD_H
#define RL_DOCTOR_LIVE_CMD_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/doctor/live.h"
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
    char err[1024];            /* when it could not run */
};

/* Returns 0 when the check ran, else an exit code (2 bad profile, 3 no build / cannot
 * launch) with out->err. source: --source or NULL. */
int rl_doctor_live(const struct rl_facts *f, const struct rl_profile *p, const char *source,
                   struct rl_doctor_live *out);
void rl_doctor_live_print(FILE *o, const struct rl_doctor_live *l, const struct rl_facts *f);
/* The "live" object of doctor --json. */
void rl_doctor_live_json(struct rl_json *w, const struct rl_doctor_live *l);

#endif
