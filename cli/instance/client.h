/* Control connections to an instance (hiredis, API common to 0.14 and 1.x): connect by
 * TCP or socket with a timeout, authenticate with the instance's password (password.h),
 * PING for readiness, read INFO fields. */
#ifndef RL_INSTANCE_CLIENT_H
#define RL_INSTANCE_CLIENT_H
#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/instance/instance.h"

/* Connects to in (socket when it has one, else TCP) and AUTHs when password is set (the
 * password never appears in err).
 * Returns a context (free with redisFree) or NULL with err. */
redisContext *rl_client_connect(const struct rl_instance *in, const char *password, int timeout_ms,
                                char *err, size_t errlen);

enum rl_ping { RL_PING_PONG = 0, RL_PING_LOADING, RL_PING_ERROR };
/* PING: PONG, LOADING (or BUSY: not ready yet), or an error (err has the reply). */
enum rl_ping rl_client_ping(redisContext *c, char *err, size_t errlen);

/* "INFO section" text, malloc'd, or NULL. */
char *rl_client_info(redisContext *c, const char *section);
/* The value of "key:value" in INFO text. Returns 0 or -1. Pure. */
int rl_info_field(const char *info, const char *key, char *out, size_t len);
uint64_t rl_info_u64(const char *info, const char *key, uint64_t def);

#endif
