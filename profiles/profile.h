/* Profiles: YAML files that turn probed facts into a build (allocator, make variables)
 * and a redis.conf. This header is the contract the rest of the program uses; the
 * loader, rule matcher and renderer live beside it in profiles/. hiredis conventions:
 * functions return 0/-1 and write a reason into err; destructors accept NULL. */
#ifndef RL_PROFILE_H
#define RL_PROFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/util/fault.h"
#include "probes/facts.h"
#include "probes/root.h"

struct rl_profile; /* opaque: profiles/profile_*.c */

/* Where the chosen profile came from and why (for doctor's report). */
struct rl_choice {
    struct rl_profile *winner;    /* owned by the choice */
    struct rl_profile *runner_up; /* may be NULL; the highest-priority profile that lost */
    bool overridden;              /* --profile given */
    struct rl_root root;          /* where environment rules were read (for reasons) */
    /* Every other profile whose rules hold here, highest priority first (copies owned by
     * the choice): the plan takes a decision the winner cannot make here (a fixed
     * maxmemory that does not fit the limit) from the first of these that can. */
    struct rl_profile *matching[16];
    int nmatching;
};

/* Resolves --profile NAME|PATH (override may be NULL: select from facts). Loads the
 * shipped, user ($XDG_CONFIG_HOME/redis-light/profiles) and REDIS_LIGHT_PROFILES
 * directories; environment rules read the environment of root (the live one, or a
 * --sysroot's). Returns 0, or -1 with err set and *fault RL_FAULT_INPUT (bad profile,
 * unknown name, two profiles tie, nothing matched) or RL_FAULT_RUNTIME (out of memory). */
int rl_profile_choose_at(const struct rl_facts *f, const struct rl_root *root, const char *override,
                         struct rl_choice *out, char *err, size_t errlen, enum rl_fault *fault);
/* Problems with individual profile files found while choosing (a broken user profile
 * does not stop the others): up to max lines into lines; returns the count. */
int rl_profile_load_problems(char lines[][512], int max);
void rl_choice_free(struct rl_choice *c);
/* Where the shipped profiles (and the measured overhead table beside them) are: the
 * installed share dir next to the executable, else the source tree, else the prefix. */
void rl_profile_shipped_dir(char *out, size_t len);

const char *rl_profile_name(const struct rl_profile *p);
const char *rl_profile_source(const struct rl_profile *p); /* file it was loaded from */
/* "libc" or "jemalloc". */
const char *rl_profile_allocator(const struct rl_profile *p);
/* Make variables as "KEY=VALUE", MALLOC=… first; USE_SYSTEMD and BUILD_TLS always
 * present (explicit, DESIGN.md). Returns the count; *vars points into p. */
size_t rl_profile_make_vars(const struct rl_profile *p, const char *const **vars);
/* A copy of p to be built with another allocator ("libc" or "jemalloc"), for side-by-side
 * comparisons of the same configuration; NULL for another name or when out of memory.
 * Free it with rl_profile_free (which accepts NULL). */
struct rl_profile *rl_profile_with_allocator(const struct rl_profile *p, const char *allocator);
void rl_profile_free(struct rl_profile *p);
/* True when the profile's config turns persistence on (save rules or appendonly yes). */
bool rl_profile_persistent(const struct rl_profile *p);

/* How a profile sizes maxmemory: the memory decision the plan's budget takes from it. */
enum rl_memory_kind { RL_MEM_NONE, RL_MEM_FIXED, RL_MEM_SHARE, RL_MEM_BUDGET };
struct rl_memory_rule {
    enum rl_memory_kind kind;
    uint64_t fixed;            /* RL_MEM_FIXED: bytes; RL_MEM_BUDGET: measured terms (cli/plan/budget.c) */
    double share;              /* RL_MEM_SHARE: percent of the effective limit */
    uint64_t min, max;         /* clamps of a share, 0 = none */
    double headroom;           /* percent of the limit the profile keeps above maxmemory */
};
void rl_profile_memory(const struct rl_profile *p, struct rl_memory_rule *out);
/* The memory a share of maxmemory is taken of: the cgroup limit (memory.high when lower,
 * MemTotal when that is lower still), else MemTotal; 0 when unknown. what says which. */
uint64_t rl_profile_effective_limit(const struct rl_facts *f, char *what, size_t len);
/* pct percent of limit, rounded down to whole MiB (reads better and errs low). */
uint64_t rl_profile_share_of(uint64_t limit, double pct);

/* Command-line overrides for rendering; every field may be NULL/0. */
struct rl_render_overrides {
    const char *maxmemory;      /* --maxmemory SIZE|N% */
    const char *policy;         /* --policy */
    const char *const *set;     /* --set KEY=VALUE … */
    int nset;
    bool force;                 /* allow maxmemory above the effective limit */
    /* --persist aof|rdb|none: replaces the profile's save, appendonly, appendfsync and
     * aof-use-rdb-preamble (a --set of one of them still wins); aof and rdb make the
     * policy noeviction unless --policy or --set says otherwise. NULL: the profile's. */
    const char *persist;
    bool persist_keeps_policy;  /* the mode was not asked for (the data's own): keep the policy */
    /* The plan's budget: when planned is set and neither --maxmemory nor --set maxmemory
     * is given, maxmemory is planned_bytes, commented with planned_why, instead of the
     * profile's own rule. */
    bool planned;
    uint64_t planned_bytes;
    const char *planned_why;
};

/* Renders the profile's redis.conf directives for these facts into a malloc'd string,
 * every line commented with where its value came from. The instance part (port, bind,
 * dir, logfile, pidfile, unixsocket) is written by `up`, not here. Returns 0, or -1 with
 * err (exit code 2 for invalid overrides). *maxmemory_bytes gets the rendered value. */
int rl_profile_render(const struct rl_profile *p, const struct rl_facts *f,
                      const struct rl_render_overrides *o, char **conf,
                      uint64_t *maxmemory_bytes, char *policy, size_t policylen,
                      char *err, size_t errlen);
/* --persist's modes (profile_persist.c). Whether s is one: aof, rdb or none. */
bool rl_profile_persist_valid(const char *s);
/* Whether this mode keeps data on disk (aof or rdb). */
bool rl_profile_persist_on(const char *s);
/* The directives a mode decides (NULL-terminated); whether key is one of them; a mode's
 * value for one ("" for an empty string, NULL: the mode leaves it to Redis); and the
 * comment saying what the mode does. */
extern const char *const rl_profile_persist_keys[];
bool rl_profile_persist_owns(const char *key);
const char *rl_profile_persist_value(const char *mode, const char *key);
const char *rl_profile_persist_why(const char *mode);

/* Why the choice fell as it did: the "because" line and, for the winner and the
 * runner-up, every leaf rule with the value measured here (pointers into c). */
#define RL_CHOICE_MAX_REASONS 64
struct rl_choice_reason {
    bool runner_up;            /* a rule of the runner-up, not of the winner */
    const char *profile, *rule;
    const char *fact;          /* NULL for an environment rule */
    char value[96];
    bool verdict;
};
struct rl_choice_account {
    char because[512];
    bool winner_matches, runner_up_matches;
    struct rl_choice_reason r[RL_CHOICE_MAX_REASONS];
    int n;
};
void rl_choice_explain(const struct rl_choice *c, const struct rl_facts *f, struct rl_choice_account *a);
int rl_profile_priority(const struct rl_profile *p);

#endif
