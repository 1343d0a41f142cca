/* The instance part of redis.conf (what `up` owns: where Redis listens and keeps its
 * files) and small readers of a rendered config. The profile part comes from
 * rl_profile_render; the instance part is appended after it, so it wins. */
#ifndef RL_INSTANCE_CONF_H
#define RL_INSTANCE_CONF_H
#include <stdbool.h>
#include <stddef.h>

#include "cli/instance/instance.h"

/* Unix socket paths longer than this are refused: sun_path holds 108 bytes, and some
 * clients and platforms (macOS: 104) hold fewer. */
#define RL_SOCKET_PATH_MAX 100

/* Directives only `up` sets (--port, --bind, --socket, the state directory). */
bool rl_conf_reserved(const char *key);
/* Checks one --set KEY=VALUE: a key, no line breaks, not reserved. Pure. */
int rl_conf_check_set(const char *kv, char *err, size_t errlen);
/* Checks a --socket path's length. Pure. */
int rl_conf_check_socket(const char *path, char *err, size_t errlen);
/* Checks --bind: one or more IPv4/IPv6 addresses separated by spaces or commas (a
 * leading '-' marks an optional one, as in Redis 7). Pure. */
int rl_conf_check_bind(const char *bind, char *err, size_t errlen);

/* Writes "KEY VALUE" with the value double-quoted and escaped for redis.conf. */
void rl_conf_line(char *out, size_t len, const char *key, const char *value);
/* The instance part for in (port, bind, protected-mode unless profile_conf sets it, dir,
 * logfile, pidfile, unixsocket, daemonize no), malloc'd. NULL when out of memory. */
char *rl_conf_instance_part(const struct rl_instance *in, const char *profile_conf);

/* The value of the last KEY directive in conf text, unquoted ("" for save ""). Returns 0,
 * or -1 when the directive is absent. Pure. */
int rl_conf_get(const char *conf, const char *key, char *out, size_t len);
/* True when the config saves data: a non-empty save rule (or no save line at all, which
 * means Redis's defaults) or appendonly yes. Pure. */
bool rl_conf_persistent(const char *conf);
/* How conf keeps data: "aof" (appendonly yes), "rdb" (save rules, or no save line: Redis's
 * defaults) or "none". */
const char *rl_conf_persist_mode(const char *conf);

#endif
