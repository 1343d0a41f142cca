/* Internals shared by the profile loader, matcher, selector and renderer. */
#ifndef RL_PROFILE_INTERNAL_H
#define RL_PROFILE_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profiles/profile.h"
#include "probes/root.h"

#define RL_PROFILE_MAX_DEPTH 8     /* all/any nesting */
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
    double share;
    uint64_t min, max;         /* clamps for a share (0 = none) */
    int line;
};

struct rl_profile {
    char name[64];
    char description[256];
    char source[4096];
    int priority;
    bool shadows;              /* a user profile replacing a shipped one of the same name */
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

/* All profiles visible from here: shipped (or REDIS_LIGHT_PROFILES) shadowed by the
 * user's. Broken files are reported through errs (one line each) and skipped. */
#define RL_PROFILE_MAX 64
struct rl_profile_set {
    struct rl_profile *p[RL_PROFILE_MAX];
    int n;
    char errs[16][512];
    int nerrs;
    char shipped_dir[4096], user_dir[4096];
};
int rl_profile_set_load(struct rl_profile_set *s, char *err, size_t errlen);
void rl_profile_set_free(struct rl_profile_set *s);
/* The effective memory limit a share is taken of, and where it came from. */
uint64_t rl_profile_effective_limit(const struct rl_facts *f, char *what, size_t len);

#endif
