/* `up` before launch: validate the options, find the instance's state, measure the facts,
 * choose and render the profile, obtain the build, settle the port and socket, compose
 * redis.conf (the plan --dry-run prints), then write the state directory. */
#ifndef RL_INSTANCE_UP_PLAN_H
#define RL_INSTANCE_UP_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/plan/plan.h"
#include "cli/build/cache.h"
#include "cli/instance/diagnose.h"
#include "cli/instance/instance.h"
#include "cli/instance/supervise.h"
#include "probes/facts.h"
#include "probes/root.h"
#include "profiles/profile.h"

#define RL_UP_MAX_SET RL_PLAN_MAX_SET

/* The command line, as up.c parsed it. Every pointer may be NULL. */
struct rl_up_opts {
    const char *profile, *source, *port, *bind, *socket, *maxmemory, *policy, *name;
    const char *persist;              /* --persist aof|rdb|none */
    const char *password;             /* from --password or --password-file, already checked */
    const char *set[RL_UP_MAX_SET];
    int nset;
    bool detach, dry_run, rebuild, force;
};

struct rl_up {
    struct rl_up_opts o;
    bool dry_run;
    struct rl_instance in;            /* paths, port, socket, profile, binary, … */
    struct rl_plan plan;              /* facts, profile, build, budget, role, profile config */
    struct rl_facts facts;            /* plan.facts, for diagnoses */
    struct rl_build_info build;       /* the binary (plan.build.info once obtained) */
    char *conf;                       /* the whole redis.conf, malloc'd */
    uint64_t maxmemory;
    char policy[64];
    char password[256];               /* requirepass of the rendered config (never printed) */
    char allocator_wanted[16];
    struct rl_oom_snapshot oom_before;
    struct rl_tail tail;
    long long log_offset;             /* where this run's lines start in the log */
    char persist_found[8];            /* what the data directory held before this run ("" nothing) */
    bool persist_adopted;             /* no --persist: the mode is the data's */
};

/* Everything up to launch. Returns 0 (u filled; in dry-run mode the plan is already
 * printed), or -1 with err and *fault (RL_FAULT_INPUT for invalid input, RL_FAULT_RUNTIME
 * for the machine). */
int rl_up_plan(const struct rl_up_opts *o, const struct rl_root *root, struct rl_up *u, char *err,
               size_t errlen, enum rl_fault *fault);
/* Creates the state directory (0700) and writes redis.conf, the password file (or removes a
 * stale one) and the log and pid files, all 0600. Returns 0, or -1 with the message
 * already printed (a runtime failure). */
int rl_up_write(struct rl_up *u);
void rl_up_free(struct rl_up *u);

#endif
