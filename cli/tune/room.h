/* Whether tune's throwaway server fits in the memory left here, so that tune never gets
 * itself (or its neighbours) OOM-killed: the server needs about base RSS + 1.3 x its
 * maxmemory + its idle clients, and tune's own load engine a few MiB more than it had when
 * the facts were read, out of the tighter of the cgroup's limit minus its usage and the
 * machine's MemAvailable. Pure: facts and tables in, numbers out. */
#ifndef RL_TUNE_ROOM_H
#define RL_TUNE_ROOM_H
#include <stdbool.h>
#include <stdint.h>

#include "cli/plan/overhead.h"
#include "probes/facts.h"

#define RL_TUNE_PEAK_FACTOR 1.3                 /* RSS per byte of maxmemory at the fill's peak */
#define RL_TUNE_MIN_DEFAULT (UINT64_C(16) << 20) /* the smallest maxmemory tune picks by itself */
#define RL_TUNE_MAX_DEFAULT (UINT64_C(64) << 20) /* and the largest */
#define RL_TUNE_MIN_MAXMEMORY (UINT64_C(4) << 20) /* below this the idle server's RSS drowns the signal */
/* What redis-light grows by while it fills (50 connections, their buffers, the engine's
 * thread and histograms): its VmHWM reached 4.8 MiB during a fill here, from 3.4 MiB when
 * the facts are read. Built with AddressSanitizer (make test-asan) it went from 16 to 34
 * MiB (shadow memory, the freed-memory quarantine), and a 64 MiB cgroup OOM-killed the
 * server of a tune sized for the plain build. */
#if defined(__SANITIZE_ADDRESS__)
#define RL_TUNE_SELF_BYTES (UINT64_C(28) << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RL_TUNE_SELF_BYTES (UINT64_C(28) << 20)
#endif
#endif
#ifndef RL_TUNE_SELF_BYTES
#define RL_TUNE_SELF_BYTES (UINT64_C(4) << 20)
#endif

struct rl_tune_room {
    bool known;                  /* some bound on free memory is known */
    uint64_t free_bytes;         /* what is left here */
    char free_source[240];       /* "the cgroup has 40 MiB free (limit 128 MiB, 88 MiB in use)" */
    uint64_t base_rss, per_client; /* the test server's fixed costs, as estimated */
    char cost_source[PATH_MAX + 64];
};

/* tables: the calibration (may be NULL) and the shipped table (may be NULL); the first
 * with rows for allocator gives the costs, else a generous default. */
void rl_tune_room_of(struct rl_tune_room *r, const struct rl_facts *f, const struct rl_overhead_table *calibration,
                     const struct rl_overhead_table *shipped, const char *allocator);
/* What the server (and tune's own growth) needs at this maxmemory with this many idle
 * clients. */
uint64_t rl_tune_room_need(const struct rl_tune_room *r, uint64_t maxmemory, unsigned clients);
/* The largest whole-MiB maxmemory whose need fits, at most RL_TUNE_MAX_DEFAULT; 0 when
 * not even 1 MiB fits. Without a known bound: RL_TUNE_MAX_DEFAULT. */
uint64_t rl_tune_room_fits(const struct rl_tune_room *r, unsigned clients);

#endif
