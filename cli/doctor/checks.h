/* doctor's checks: each a row with an id and a pure function over facts gathered
 * beforehand (systemd-analyze security's shape). "skip, because …" is a result too. */
#ifndef RL_CHECKS_H
#define RL_CHECKS_H
#include "probes/facts.h"

enum rl_status { RL_ST_OK = 0, RL_ST_WARN, RL_ST_FAIL, RL_ST_SKIP };

struct rl_check_result {
    enum rl_status status;
    char summary[256];  /* measured value and the threshold it was judged by */
    char advice[320];   /* the exact fix; empty when nothing to do */
    char evidence[512]; /* where the values came from */
};

struct rl_check {
    const char *id;
    void (*fn)(const struct rl_facts *f, struct rl_check_result *r);
};

extern const struct rl_check rl_checks[];
const char *rl_status_name(enum rl_status s);

/* Thresholds, named so the README and the advice text quote the same numbers. */
#define RL_MAPS_FAIL 1024ULL          /* below this even a libc Redis with a few clients runs out */
#define RL_MAPS_DEFAULT 65530ULL      /* the kernel's default vm.max_map_count */
#define RL_TCP_BACKLOG 511ULL         /* Redis's default tcp-backlog */
#define RL_MAXCLIENTS 10000ULL        /* Redis's default maxclients; it needs maxclients+32 fds */
#define RL_MIN_LIMIT (32ULL << 20)    /* below 32 MiB Redis has almost no room for data */
#define RL_PIDS_FAIL 16ULL            /* main + 3 bio threads + jemalloc bg + io-threads + fork */
#define RL_PIDS_WARN 64ULL
#define RL_AS_FAIL (256ULL << 20)
#define RL_AS_JEMALLOC_WARN (4ULL << 30)
#define RL_DISK_FAIL (64ULL << 20)
#define RL_DISK_WARN (512ULL << 20)   /* a Redis source build takes a few hundred MiB */

#endif
