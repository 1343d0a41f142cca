/* Building Redis into the cache: lock the key, extract a fresh tree, make with the
 * profile's variables and the cores the cgroup allows, install (redis-cli comes along),
 * check the binary's malloc=, write the build record, rename into place. */
#ifndef RL_BUILD_BUILDER_H
#define RL_BUILD_BUILDER_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/build/cache.h"
#include "cli/build/source.h"
#include "probes/facts.h"

struct rl_build_req {
    const char *cache_dir;
    struct rl_source *source;     /* discovered; identified here when id is empty */
    const char *const *vars;      /* make variables "KEY=VALUE" (MALLOC= first) */
    size_t nvars;
    const char *allocator;        /* the profile's: "libc" or "jemalloc" */
    const char *profile;          /* for the record and messages */
    int jobs;                     /* make -j */
    bool rebuild;                 /* ignore a cached entry and replace it */
    bool progress;                /* draw the TTY progress line */
    volatile sig_atomic_t *interrupt;
};

/* make -j: the CPUs the cgroup quota allows (else the online CPUs), at most one job per
 * 384 MiB of the memory limit so a small container does not OOM-kill its compilers,
 * overridden by REDIS_LIGHT_JOBS. Always >= 1. Pure apart from that variable. */
int rl_build_jobs(const struct rl_facts *f);

/* The cache key for a request (identifies the source when needed). Returns 0 or -1. */
int rl_build_request_key(struct rl_build_req *req, char key[17], char *err, size_t errlen);

/* Returns 0 with info (cached or freshly built), or -1 with err (several lines: what
 * failed, the log tail, the log's path, the likely fix). Nothing half-built is ever left
 * where a lookup would find it. */
int rl_build_ensure(struct rl_build_req *req, struct rl_build_info *info, char *err, size_t errlen);

#endif
