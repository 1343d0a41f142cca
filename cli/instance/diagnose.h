/* Why did Redis die? The wait status, the log's last lines and the facts doctor measured
 * are turned into a diagnosis with a fix: OOM kill by the cgroup (its oom_kill counter
 * moved), address-space limit, page size, overcommit, port, config, data files. */
#ifndef RL_INSTANCE_DIAGNOSE_H
#define RL_INSTANCE_DIAGNOSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probes/facts.h"

#define RL_OOM_LEVELS 16

/* The oom_kill counters of a process's memory cgroup and each ancestor (v2 memory.events,
 * v1 memory.oom_control), so a kill anywhere up the tree shows as a moved counter. */
struct rl_oom_snapshot {
    int n;
    char dir[RL_OOM_LEVELS][512];
    uint64_t kills[RL_OOM_LEVELS];
};

/* Reads the counters for pid's cgroup (0: this process). Returns the number of levels
 * read (0 when there is no memory cgroup or nothing readable). */
int rl_oom_snapshot(pid_t pid, struct rl_oom_snapshot *s);
/* New OOM kills between two snapshots, and the deepest cgroup directory where they were
 * counted. Pure. */
uint64_t rl_oom_delta(const struct rl_oom_snapshot *before, const struct rl_oom_snapshot *after,
                      char *where, size_t len);
/* The value of "key N" in a memory.events / memory.oom_control text. Pure. */
int rl_oom_field(const char *text, const char *key, uint64_t *out);

struct rl_death {
    int status;              /* wait status */
    bool after_ready;        /* it had answered PING */
    const char *log_tail;    /* last lines of its log, may be NULL */
    uint64_t oom_kills;      /* rl_oom_delta */
    const char *oom_where;
    const char *data_dir;    /* the instance's data directory, may be NULL */
    const char *server;      /* the redis-server binary (redis-check-aof lies beside it), may be NULL */
};

/* One paragraph: what happened and what to do, from facts and the death. Pure. */
void rl_diagnose(const struct rl_facts *f, const struct rl_death *d, char *out, size_t len);

#endif
