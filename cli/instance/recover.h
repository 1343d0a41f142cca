/* An instance whose record is damaged (cut short, overwritten, garbage): its Redis is
 * found through the pid file Redis itself keeps, and trusted only when that process passes
 * the identity checks (identity.h: a redis-server or valkey-server of the instance's own
 * directory), so a reused pid is never signalled. Where it listens comes from the
 * instance's redis.conf. This is what lets `down` stop it anyway. */
#ifndef RL_INSTANCE_RECOVER_H
#define RL_INSTANCE_RECOVER_H
#include <stddef.h>

#include "cli/instance/instance.h"

/* in has its paths (rl_instance_init). Fills port, bind, socket and persistent from
 * redis.conf (when readable), then pid and starttime from redis.pid. Returns 0 when that
 * pid is this instance's live Redis, or -1 with why (no pid file, process gone, another
 * program); in->pid is 0 then. */
int rl_recover_instance(struct rl_instance *in, char *why, size_t len);
/* Moves a damaged record aside to instance.yaml.damaged (kept for a bug report), so a
 * fresh record can take its place. Returns 0 or -1 (errno). */
int rl_recover_set_aside(const struct rl_instance *in, char *aside, size_t len);

#endif
