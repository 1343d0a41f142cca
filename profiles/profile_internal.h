/* Internals shared by the profile loader, matcher, selector and renderer. */
#ifndef RL_PROFILE_INTERNAL_H
#define RL_PROFILE_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profiles/profile.h"
#include "probes/root.h"

#define RL_PROFILE_MAX_DEPTH 8     /* all/any nesting */
/* Lists and mappings inside one another, counted over the whole file. A profile needs
 * the top mapping plus two levels (a mapping and its list) per all/any group, so the
 * deepest rules RL_PROFILE_MAX_DEPTH allows sit about 20 deep; 32 leaves room for the
 * match error to be the one an author sees, and keeps libyaml's scanner, whose cost
 * grows with the square of the depth, far from slow. */
#define RL_PROFILE_MAX_NESTING 32
#define RL_PROFILE_MAX_RULES 64
#define RL_PROFILE_MAX_VARS 32
#define RL_PROFILE_MAX_CONF 64

enum rl_op { RL_OP_LT, RL_OP_LE, RL_OP_GT, RL_OP_GE, RL_OP_EQ, RL_OP_NE };

enum rl_rule_kind { RL_RULE_FACT, RL_RULE_ENV, RL_RULE_ALL, RL_RULE_ANY };

struct rl_rule {
    enum rl_rule_kind kind;
    char text[160];            /* as written, for reasons */
    char fact[48];             /* RL_RULE_FACT: a fact name; RL_RULE_ENV: variable */
    enum rl_op op;
    bool value_is_null;        /* "== null" / "!= null" */
    bool value_is_number;
    uint64_t num;              /* sizes parsed to bytes, plain numbers as they are */
    double dnum;
    char str[96];
    int first_child, nchildren; /* RL_RULE_ALL/ANY: indexes into the profile's rules */
    int line, column;
};

struct rl_conf_item {
    char key[64];
    char value[256];
    bool is_share;             /* maxmemory as a percentage of the effective limit */
    bool is_budget;            /* maxmemory: budget — the plan's measured memory budget */
    double share;
    uint64_t min, max;         /* clamps for a share (0 = none) */
    int line;
};

/* Which directory a profile came from; later ones shadow earlier ones of the same name. */
enum rl_profile_origin {
    RL_ORIGIN_SHIPPED,  /* installed with the program (or the source tree's profiles/) */
    RL_ORIGIN_ENV,      /* $REDIS_LIGHT_PROFILES, which replaces the shipped directory */
    RL_ORIGIN_USER,     /* $XDG_CONFIG_HOME/redis-light/profiles */
    RL_ORIGIN_FILE,     /* --profile PATH */
};
const char *rl_profile_origin_name(enum rl_profile_origin o);

struct rl_profile {
    char name[64];
    char description[256];
    char source[4096];
    int priority;
    enum rl_profile_origin origin;
    bool shadows;              /* replaces a profile of the same name from an earlier directory */
    char shadowed_source[4096];
    struct rl_rule rules[RL_PROFILE_MAX_RULES];
    int nrules;
    int root_rule;             /* -1: no rules, always matches */
    char allocator[16];        /* libc | jemalloc */
    int jemalloc_lg_page;      /* 0, or 12..16 for jemalloc's --with-lg-page */
    int lg_line;
    char vars_store[RL_PROFILE_MAX_VARS][128];
    const char *vars[RL_PROFILE_MAX_VARS + 2]; /* MALLOC=, page option, then vars_store */
    char malloc_var[32], lg_var[64];
    int nvars;
    struct rl_conf_item conf[RL_PROFILE_MAX_CONF];
    int nconf;
    double headroom;           /* share of the limit to keep above maxmemory, 0..100 */
};

/* Directive rules shared by the loader and the renderer (profile_directives.c). */
bool rl_profile_policy_valid(const char *s);
extern const char rl_profile_policies_text[]; /* "noeviction, allkeys-lru, …" for messages */
bool rl_profile_directive_name_valid(const char *s); /* lower-case letters, digits, '-' */
/* The reason key may not be written by a profile or --set, or NULL when it may. */
const char *rl_profile_refused_directive(const char *key);
bool rl_profile_value_has_control(const char *v);

/* Loads and validates one profile file. Returns NULL with "FILE:LINE:COLUMN: what" in err. */
struct rl_profile *rl_profile_load(const char *path, char *err, size_t errlen);
void rl_profile_free(struct rl_profile *p);

/* Evaluates the profile's rules over facts (env via root). Appends one reason per leaf
 * rule when reasons is non-NULL. */
struct rl_reason {
    const struct rl_profile *profile;
    const struct rl_rule *rule;
    char value[96];            /* the measured value, as text */
    bool verdict;
};
bool rl_profile_matches(const struct rl_profile *p, const struct rl_facts *f,
                        const struct rl_root *r, struct rl_reason *reasons, int *nreasons, int max);

/* All profiles visible from here. Directories load in this order, each shadowing
 * profiles of the same name from the ones before it: shipped, then the user's
 * ($XDG_CONFIG_HOME/redis-light/profiles), then $REDIS_LIGHT_PROFILES (set for one
 * project or one run, so it is the most specific). Broken files are reported through
 * errs (one line each) and skipped, so one bad user file never hides the others. */
#define RL_PROFILE_MAX 64
#define RL_PROFILE_MAX_ERRS 16
struct rl_profile_set {
    struct rl_profile *p[RL_PROFILE_MAX];
    int n;
    char errs[RL_PROFILE_MAX_ERRS][512];
    int nerrs;
    char shipped_dir[4096], user_dir[4096], env_dir[4096];
};
/* Returns 0, or -1 with err when no valid profile was found at all (exit code 2). */
int rl_profile_set_load(struct rl_profile_set *s, char *err, size_t errlen);
/* Adds the profiles of one directory as origin (tests build sets from fixture dirs).
 * A missing directory is reported in s->errs unless quiet_missing. */
void rl_profile_set_add_dir(struct rl_profile_set *s, const char *dir, enum rl_profile_origin origin,
                            bool quiet_missing);
void rl_profile_set_free(struct rl_profile_set *s);
/* Chooses from a loaded set, as rl_profile_choose_at does from the visible directories.
 * The winner and runner-up are copies owned by out. */
int rl_profile_select(const struct rl_profile_set *s, const struct rl_facts *f, const struct rl_root *root,
                      const char *override, struct rl_choice *out, char *err, size_t errlen, enum rl_fault *fault);

#endif
