#include "cli/tune/room.h"

#include <stdio.h>
#include <string.h>

#include "cli/util/size.h"

/* Without a table row: above every idle server and client measured so far. */
#define DEFAULT_BASE_RSS (UINT64_C(8) << 20)
#define DEFAULT_PER_CLIENT (UINT64_C(32) << 10)

void rl_tune_room_of(struct rl_tune_room *r, const struct rl_facts *f, const struct rl_overhead_table *calibration,
                     const struct rl_overhead_table *shipped, const char *allocator)
{
    memset(r, 0, sizeof *r);
    char a[32], b[32], c[32];
    const struct rl_fu64 *lim = &f->memory_limit_bytes, *use = &f->memory_usage_bytes;
    if (lim->state == RL_FACT_VALUE && use->state == RL_FACT_VALUE) {
        r->known = true;
        r->free_bytes = lim->v > use->v ? lim->v - use->v : 0;
        snprintf(r->free_source, sizeof r->free_source, "the cgroup has %s free (limit %s, %s in use)",
                 rl_fmt_size(r->free_bytes, a, sizeof a), rl_fmt_size(lim->v, b, sizeof b),
                 rl_fmt_size(use->v, c, sizeof c));
    }
    const struct rl_fu64 *avail = &f->mem_available_bytes;
    if (avail->state == RL_FACT_VALUE && (!r->known || avail->v < r->free_bytes)) {
        r->known = true;
        r->free_bytes = avail->v;
        snprintf(r->free_source, sizeof r->free_source, "the machine has %s free (MemAvailable)",
                 rl_fmt_size(avail->v, a, sizeof a));
    }
    const struct rl_overhead_table *tables[2] = {calibration, shipped};
    for (int i = 0; i < 2 && !r->base_rss; i++) {
        struct rl_overhead_pick pick;
        if (!tables[i])
            continue;
        rl_overhead_pick(tables[i], allocator, &pick);
        if (pick.nrows && pick.base_rss) {
            r->base_rss = pick.base_rss;
            r->per_client = pick.per_client;
            snprintf(r->cost_source, sizeof r->cost_source, "%s", tables[i]->path);
        }
    }
    if (!r->base_rss) {
        r->base_rss = DEFAULT_BASE_RSS;
        r->per_client = DEFAULT_PER_CLIENT;
        snprintf(r->cost_source, sizeof r->cost_source, "no table has %s rows: assumed", allocator);
    }
}

uint64_t rl_tune_room_need(const struct rl_tune_room *r, uint64_t maxmemory, unsigned clients)
{
    return r->base_rss + (uint64_t)((double)maxmemory * RL_TUNE_PEAK_FACTOR) + (uint64_t)clients * r->per_client +
           RL_TUNE_SELF_BYTES;
}

uint64_t rl_tune_room_fits(const struct rl_tune_room *r, unsigned clients)
{
    if (!r->known)
        return RL_TUNE_MAX_DEFAULT;
    uint64_t fixed = rl_tune_room_need(r, 0, clients);
    if (r->free_bytes <= fixed)
        return 0;
    uint64_t fits = (uint64_t)((double)(r->free_bytes - fixed) / RL_TUNE_PEAK_FACTOR);
    fits &= ~((UINT64_C(1) << 20) - 1);
    return fits < RL_TUNE_MAX_DEFAULT ? fits : RL_TUNE_MAX_DEFAULT;
}
