/* The facts doctor measures, in one struct, plus a table describing them so that JSON
 * output and profile rules reach every fact by its DESIGN.md name with no list kept twice.
 * Each fact records whether it is known, "none" (no limit), and the evidence (file and
 * raw text) it was read from. */
#ifndef RL_PROBES_FACTS_H
#define RL_PROBES_FACTS_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/root.h"

enum rl_fstate {
    RL_FACT_UNKNOWN = 0, /* could not be read: null in JSON, with a warning */
    RL_FACT_NONE,        /* read fine and means "no limit": null in JSON */
    RL_FACT_VALUE,       /* a value */
};

#define RL_EVIDENCE_LEN 200

struct rl_fu64 { enum rl_fstate state; uint64_t v; char src[RL_EVIDENCE_LEN]; };
struct rl_fdbl { enum rl_fstate state; double v; char src[RL_EVIDENCE_LEN]; };
struct rl_fstr { enum rl_fstate state; char v[128]; char src[RL_EVIDENCE_LEN]; };

struct rl_redis_bin {
    char path[PATH_MAX];
    char name[32];      /* redis-server or valkey-server */
    char version[32];   /* "7.0.15", "" when --version could not be parsed */
    char allocator[48]; /* "libc", "jemalloc-5.3.0", "" when unknown */
    bool from_cache;    /* found in redis-light's build cache */
};

#define RL_MAX_BINS 16
#define RL_MAX_WARNINGS 64

struct rl_facts {
    /* kernel and sysctls */
    struct rl_fu64 page_size, max_map_count, overcommit_memory, somaxconn;
    struct rl_fstr thp_enabled, kernel_release, arch;
    struct rl_fu64 mem_total_bytes, mem_available_bytes, cpus_online;
    struct rl_fu64 swap_total_bytes; /* /proc/meminfo SwapTotal: 0 when no swap is configured */
    /* cgroups: effective values (minimum over the cgroup and its ancestors) */
    struct rl_fu64 cgroup_version; /* 0 none, 1, 2; hybrid is 1 with cgroup_hybrid */
    bool cgroup_hybrid;
    struct rl_fstr cgroup_memory_path; /* the process's memory cgroup, relative to its mount */
    struct rl_fu64 memory_limit_bytes, memory_high_bytes, memory_usage_bytes, swap_limit_bytes;
    struct rl_fdbl cpu_quota_cores;
    struct rl_fu64 pids_max;
    /* rlimits (from /proc/self/limits) */
    struct rl_fu64 rlimit_nofile, rlimit_as, rlimit_nproc;
    /* runtime */
    struct rl_fstr container;
    /* redis binaries */
    struct rl_redis_bin bins[RL_MAX_BINS];
    int nbins;
    /* local resources doctor checks: free disk where state lives, port 6379 */
    struct rl_fu64 state_dir_free_bytes;
    struct rl_fstr state_dir;
    /* 1 when this user can create files in the state directory (or, before it exists, in
     * its nearest existing ancestor), 0 when not; the evidence says why */
    struct rl_fu64 state_dir_writable;
    struct rl_fu64 port_6379_in_use; /* 1 in use, 0 free */

    char warnings[RL_MAX_WARNINGS][256];
    int nwarnings;
};

/* How a fact is reached by name (JSON output order and profile rules). */
enum rl_fkind { RL_FK_U64, RL_FK_DBL, RL_FK_STR };
struct rl_fact_desc {
    const char *name;
    enum rl_fkind kind;
    size_t offset;
    bool in_json; /* part of doctor --json "facts" */
};
extern const struct rl_fact_desc rl_fact_table[];

/* A fact value seen generically. */
struct rl_fact_ref {
    const struct rl_fact_desc *desc;
    enum rl_fstate state;
    uint64_t u;
    double d;
    const char *s;
    const char *src;
};
/* Returns 0 and fills ref, or -1 when no fact has that name. */
int rl_fact_get(const struct rl_facts *f, const char *name, struct rl_fact_ref *ref);

void rl_facts_warn(struct rl_facts *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Setters that also record the evidence (printf-style source text). */
void rl_fact_u64(struct rl_fu64 *x, uint64_t v, const char *srcfmt, ...) __attribute__((format(printf, 3, 4)));
void rl_fact_none(struct rl_fu64 *x, const char *srcfmt, ...) __attribute__((format(printf, 2, 3)));
void rl_fact_dbl(struct rl_fdbl *x, double v, const char *srcfmt, ...) __attribute__((format(printf, 3, 4)));
void rl_fact_str(struct rl_fstr *x, const char *v, const char *srcfmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a one-number file through the root into x. "max" sets NONE when max_is_none,
 * any problem sets UNKNOWN and a warning naming the file. Returns the parse status. */
int rl_fact_read_u64(struct rl_facts *f, const struct rl_root *r, const char *path,
                     struct rl_fu64 *x, bool max_is_none);

/* Every probe, in order. Options: where the state dir and the build cache are. */
struct rl_probe_opts {
    const char *state_dir;  /* for free-disk; NULL for the default */
    const char *cache_dir;  /* redis-light's build cache, searched for binaries */
    bool skip_binaries;     /* do not run --version on binaries */
    bool skip_network;      /* do not test port 6379 */
};
void rl_probe_all(struct rl_facts *f, const struct rl_root *r, const struct rl_probe_opts *o);

/* The individual probes (probes/<name>.c). */
void rl_probe_kernel(struct rl_facts *f, const struct rl_root *r);
void rl_probe_meminfo(struct rl_facts *f, const struct rl_root *r);
void rl_probe_cgroup(struct rl_facts *f, const struct rl_root *r);
/* The cgroup facts (memory_limit_bytes, memory_usage_bytes, …) of another process, e.g. a
 * Redis server being benchmarked: its /proc/PID/cgroup against our mountinfo. Only the
 * cgroup fields of f are written. Not thread-safe (shares static buffers). */
void rl_probe_cgroup_pid(struct rl_facts *f, const struct rl_root *r, int pid);
void rl_probe_cgroup_of(struct rl_facts *f, const struct rl_root *r, const char *cgroup_file);
void rl_probe_rlimits(struct rl_facts *f, const struct rl_root *r);
void rl_probe_container(struct rl_facts *f, const struct rl_root *r);
void rl_probe_redis_bins(struct rl_facts *f, const struct rl_root *r, const char *cache_dir);
void rl_probe_local(struct rl_facts *f, const struct rl_root *r, const struct rl_probe_opts *o);

#endif
