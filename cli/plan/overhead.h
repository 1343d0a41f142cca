/* The measured costs the memory budget is summed from: per allocator and value size, the
 * idle server's RSS, the RSS of one client connection, and the overhead factor (RSS beyond
 * the idle server per byte of maxmemory, at its worst point while writing 3x maxmemory
 * through eviction). Shipped as profiles/overhead.tsv (scripts/measure-overhead) and
 * measured on this machine by `redis-light tune` into $XDG_CONFIG_HOME/redis-light/
 * calibration.tsv, which wins for the allocator it has rows for. */
#ifndef RL_PLAN_OVERHEAD_H
#define RL_PLAN_OVERHEAD_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define RL_OVERHEAD_MAX_ROWS 64
#define RL_OVERHEAD_FILE "overhead.tsv"
#define RL_CALIBRATION_FILE "calibration.tsv"

struct rl_overhead_row {
    char allocator[16];       /* libc | jemalloc */
    char value_class[24];     /* 16, 128, 1k, 16k, lognormal, or tune's label */
    uint64_t value_bytes, maxmemory_bytes;
    double overhead_median, overhead_max, rss_over_used;
    uint64_t base_rss_bytes, per_client_bytes, evicted_keys;
    int runs;
};

struct rl_overhead_table {
    char path[PATH_MAX];
    struct rl_overhead_row rows[RL_OVERHEAD_MAX_ROWS];
    int nrows;
};

/* Parses the table text (pure: tests feed it strings). Comment lines start with '#'; the
 * first other line names the columns (any order, extra columns ignored). Returns 0, or -1
 * with err naming the line and the problem. */
int rl_overhead_parse(const char *text, const char *path, struct rl_overhead_table *t, char *err, size_t errlen);
/* Reads and parses path. Returns 0, 1 when the file does not exist, or -1 with err. */
int rl_overhead_load(const char *path, struct rl_overhead_table *t, char *err, size_t errlen);

/* What the budget takes for one allocator: the worst of its rows (value sizes and test
 * sizes alike: the budget must hold whatever values arrive). */
struct rl_overhead_pick {
    double factor;            /* max overhead_max */
    uint64_t base_rss, per_client;
    char worst_class[24];     /* the row the factor came from */
    uint64_t worst_maxmemory;
    int nrows;                /* rows of that allocator; 0: none */
};
void rl_overhead_pick(const struct rl_overhead_table *t, const char *allocator, struct rl_overhead_pick *out);

#endif
