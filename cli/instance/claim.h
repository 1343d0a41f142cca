/* Claiming an instance before acting on it: its lock (instance_lock.h), and for `up` the
 * certainty that no server of it runs (identity.h). The refusals name who holds it:
 * "instance X is being started by pid N", "… is already running (pid R, URL)".
 * A foreground `up` holds the lock for as long as it supervises its running server;
 * `down` may stop that server without the lock (the up records the stop itself). */
#ifndef RL_INSTANCE_CLAIM_H
#define RL_INSTANCE_CLAIM_H
#include <stdbool.h>
#include <stddef.h>

#include "cli/instance/instance_lock.h"

/* For up: takes the lock (creating state_root), then checks that the old record, if any,
 * names no live server of the instance, by its pid or by redis.pid (a damaged record is
 * left to the plan, which reports it). Returns 0 with the lock held, or -1 with err and
 * the lock not held. */
int rl_claim_for_up(struct rl_instance_lock *lock, const char *state_root, const char *name, char *err,
                    size_t errlen);

/* For down: takes the lock when the instance directory exists (down never creates one).
 * Returns 0 to go ahead, with the lock held, or not held when there is no instance
 * directory or when *supervised (a foreground up supervising the running server holds it);
 * -1 with err when another command holds the instance or the lock fails. */
int rl_claim_for_down(struct rl_instance_lock *lock, const char *state_root, const char *name, bool *supervised,
                      char *err, size_t errlen);

#endif
