/* The server under test, seen through a control connection (hiredis's blocking API with
 * timeouts, apart from the load connections): login, the facts the report's header
 * states, and which server to use when the user names none. */
#ifndef RL_BENCH_TARGET_H
#define RL_BENCH_TARGET_H
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/bench/engine.h"

struct rl_server_info {
    char redis_version[32];
    char mem_allocator[48];
    uint64_t maxmemory;          /* 0: no limit */
    char maxmemory_policy[48];
    bool cluster;
    bool read_only_replica;      /* role:slave with slave_read_only:1: it refuses writes */
    char master[300];            /* a replica's master_host:master_port, or "" */
    long long pid;               /* process_id, for samplers that read /proc */
};

/* Connects to t, AUTHs and SELECTs as the load connections will. Returns the context (the
 * caller frees it with redisFree) or NULL with a message that names the target, the
 * server's own words and what to do. */
redisContext *rl_control_connect(const struct rl_target *t, char *err, size_t errlen);
/* INFO into si. Returns 0, or -1 with err (e.g. a password is needed). */
int rl_control_info(redisContext *c, const struct rl_target *t, struct rl_server_info *si,
                    char *err, size_t errlen);
/* "127.0.0.1:6379" or "unix socket /path". */
void rl_target_where(const struct rl_target *t, char *out, size_t len);

/* Fills host/port/socket with the default target: a running instance started by `up`
 * (under $XDG_STATE_HOME/redis-light; "default" preferred, else the first alive by name),
 * else 127.0.0.1:6379. Writes where it came from into source ("instance NAME" or
 * "default address"). */
void rl_target_default(struct rl_target *t, char *source, size_t len);

#endif
