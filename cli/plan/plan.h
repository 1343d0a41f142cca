/* The plan: facts → profile → build + memory budget + role → redis.conf, computed in one
 * place for every command (doctor, build, up, doctor --live, bench --eviction --launch),
 * so what doctor says up will do is what up does. hiredis style: rl_plan_make fills the
 * object and returns 0, or -1 with err (the kind of failure) and errstr; only the command
 * files turn that into an exit code. */
#ifndef RL_PLAN_PLAN_H
#define RL_PLAN_PLAN_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/plan/budget.h"
#include "cli/build/cache.h"
#include "cli/util/fault.h"
#include "cli/util/json.h"
#include "probes/facts.h"
#include "probes/root.h"
#include "profiles/profile.h"

#define RL_PLAN_MAX_SET 64

/* What the command line says. Every pointer may be NULL. */
struct rl_plan_opts {
    const char *profile;              /* --profile NAME|PATH */
    const char *allocator;            /* the chosen profile rebuilt with this allocator (bench --launch) */
    const char *source;               /* --source DIR|TARBALL */
    const char *maxmemory, *policy;   /* --maxmemory, --policy */
    const char *persist;              /* --persist aof|rdb|none (NULL: the profile's) */
    bool persist_keeps_policy;        /* persist was not asked for: keep the profile's policy */
    const char *set[RL_PLAN_MAX_SET]; /* --set KEY=VALUE */
    int nset;
    bool force;                       /* allow a maxmemory above the limit */
};

/* How the binary the plan needs is had. */
enum rl_plan_build_state {
    RL_BUILD_CACHED,      /* in the cache: info is complete */
    RL_BUILD_COMPILE,     /* the source is at hand: it would be compiled (key known) */
    RL_BUILD_FETCH,       /* the source would be fetched first (key not known yet) */
    RL_BUILD_UNAVAILABLE, /* no source and no compatible build: action says what to do */
};

struct rl_plan_build {
    enum rl_plan_build_state state;
    char server[16];                  /* "redis" or "valkey" */
    char version[32];                 /* "" until known */
    char allocator[16];               /* what the profile asks for: libc | jemalloc */
    char make_vars[512];
    char key[17];                     /* "" until known */
    char from[64];                    /* the profile the build decision came from */
    char action[2048];                /* what obtaining it involves, for people */
    struct rl_build_info info;        /* RL_BUILD_CACHED, or after rl_plan_obtain */
};

struct rl_plan {
    enum rl_fault err;                /* RL_FAULT_NONE, or what kind of failure */
    char errstr[4096];
    struct rl_root root;
    char state_dir[PATH_MAX], cache_dir[PATH_MAX];
    bool probed;                      /* facts were gathered (before any later failure) */
    struct rl_facts facts;
    struct rl_choice choice;          /* winner NULL when no profile could be chosen */
    struct rl_profile *build_profile; /* the winner, or its copy with opts.allocator */
    struct rl_plan_build build;
    struct rl_overhead_table shipped, calibration; /* the measured costs (nrows 0: none) */
    struct rl_budget budget;
    char role[8];                     /* "cache" or "store" */
    char role_why[200];
    char *conf;                       /* the profile's part of redis.conf, malloc'd */
    uint64_t maxmemory;               /* as rendered (0: none) */
    char policy[64];
    bool persistent;
    char persist[8];                  /* what the config persists with: "aof", "rdb" or "none" */
};

/* Computes the whole plan for the system under root (the live one, or a --sysroot) without
 * changing anything: the build is looked up, never fetched or compiled. Returns 0, or -1
 * with p->err and p->errstr. Call rl_plan_free either way. */
int rl_plan_make(struct rl_plan *p, const struct rl_root *root, const struct rl_plan_opts *o);
/* Makes the planned binary exist: fetches the source and compiles when needed (progress
 * on a TTY; stops at the signal module's interrupt flag). Returns 0 with p->build.info, or
 * -1 with err/errstr. */
int rl_plan_obtain(struct rl_plan *p, const struct rl_plan_opts *o, bool rebuild, bool progress);
void rl_plan_free(struct rl_plan *p);
/* The facts as every plan gathers them (for commands that only list or judge them). */
void rl_plan_facts(struct rl_facts *f, const struct rl_root *root);

/* The plan object of DESIGN.md ("build", "budget", "role", "config"), the same bytes for
 * the same inputs whichever command prints it. */
void rl_plan_json(struct rl_json *w, const struct rl_plan *p);
/* The plan for people: build, budget table, role (verbose: every source). */
void rl_plan_print(FILE *out, const struct rl_plan *p, bool verbose);

#endif
