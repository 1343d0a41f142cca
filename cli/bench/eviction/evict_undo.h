/* Undoing what bench --eviction did to a server: it notes each change as it sends it
 * (a command that timed out may still run once the server wakes up, so "sent" is what
 * counts), deletes its keys and restores maxmemory and the policy at the end, and when
 * that fails writes the exact redis-cli commands that finish the job by hand. */
#ifndef RL_BENCH_EVICTION_EVICT_UNDO_H
#define RL_BENCH_EVICTION_EVICT_UNDO_H
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/bench/engine.h"
#include "cli/bench/eviction/evict_server.h"

struct rl_evict_changes {
    struct rl_saved_config saved; /* the server's own values, read before any change */
    char maxmemory[32];           /* the last maxmemory sent, "" when none was */
    char policy[48];              /* the last maxmemory-policy sent, "" when none was */
    bool keys;                    /* writes under the prefix were sent */
};

/* True when anything was sent that undo has to take back. Pure. */
bool rl_evict_changed(const struct rl_evict_changes *ch);
/* Deletes the bench's keys (first: a lower maxmemory restored over them would make the
 * server evict the user's keys), then sets maxmemory and the policy back. c may be NULL
 * (the server is unreachable). Returns 0, or -1 with why. */
int rl_evict_undo(redisContext *c, const char *prefix, const struct rl_evict_changes *ch, char *why, size_t whylen);
/* What to tell the user when undo failed: the server, what it may still have, and the
 * commands (redis-cli, addressed as t, deleting only PREFIX + 12 digits) that undo it.
 * Never prints the password. Pure. */
void rl_evict_manual_undo(const struct rl_target *t, const char *prefix, const struct rl_evict_changes *ch,
                          const char *why, char *out, size_t len);
/* The line for a run that stopped early but was undone. Pure. */
void rl_evict_undone(const struct rl_target *t, const struct rl_evict_changes *ch, char *out, size_t len);

#endif
