/* The step `build` and `up` share: from a profile to a redis-server binary, reusing the
 * cache when the key matches and building otherwise. */
#ifndef RL_BUILD_OBTAIN_H
#define RL_BUILD_OBTAIN_H
#include <stdbool.h>
#include <stddef.h>

#include "cli/build/cache.h"
#include "probes/facts.h"
#include "profiles/profile.h"

struct rl_obtain {
    const char *cache_dir;
    const char *source;              /* --source or NULL */
    const struct rl_profile *profile;
    const struct rl_facts *facts;
    bool rebuild;
    bool dry_run;                    /* find only: never fetch, never build */
    bool progress;                   /* TTY progress line while compiling */
};

/* Returns 0 with info (info->cached tells whether it was built now), 1 in dry-run mode
 * when a build would be needed (plan says from what and how; info has the make variables,
 * and the version and key when the source is at hand), or -1 with err and
 * *fault (RL_FAULT_INPUT for a bad --source, else RL_FAULT_RUNTIME). */
int rl_obtain_build(const struct rl_obtain *o, struct rl_build_info *info, char *plan, size_t planlen,
                    char *err, size_t errlen, enum rl_fault *fault);

#endif
