/* Is this process, and the server behind this address, an instance's own Redis? A record
 * can be edited, cut short or simply stale, and pids and ports get reused, so nothing that
 * acts on an instance (status, down, up finding an old record, recovery of a damaged one)
 * believes the record alone. A process counts as the instance's server only when
 *   (a) it is alive, with the start time the record noted (when it noted one),
 *   (b) /proc/PID/exe (else comm) is a redis-server or valkey-server,
 *   (c) its working directory is the instance's data directory (Redis chdirs to `dir`
 *       while it reads its config), or its command line still names the instance's
 *       redis.conf (before that chdir, until Redis rewrites its process title);
 * and a connection counts as leading to it only when
 *   (d) `INFO server` answers with process_id equal to that pid.
 * The paths compared are derived from the instance's directory, never read from the
 * record, so editing the record cannot make a foreign server pass. A redis.pid that names
 * a server passing (a)-(c) wins over a record pid that does not. */
#ifndef RL_INSTANCE_IDENTITY_H
#define RL_INSTANCE_IDENTITY_H
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli/instance/instance.h"

/* Checks (a)-(c) for pid (starttime 0: any). source says where the pid came from, for
 * why ("in the record", "from /path/redis.pid"). Returns 0 when pid is the instance's
 * server, or -1 with why ("pid N <source> is not running", "… is \"sleep\", not a
 * redis-server (the pid was reused)", "… is a redis-server of another directory (D), not
 * this instance's"). Reads /proc only. */
int rl_identity_check_pid(const struct rl_instance *in, pid_t pid, unsigned long long starttime,
                          const char *source, char *why, size_t len);

/* Reads in->pidfile and checks the pid in it. Returns 0 with in->pid and in->starttime
 * set, or -1 with why (the file missing or empty, not a pid, or the checks failing); in
 * is untouched then. */
int rl_identity_from_pidfile(struct rl_instance *in, char *why, size_t len);

enum rl_found { RL_FOUND_NONE = -1, RL_FOUND_RECORD = 0, RL_FOUND_PIDFILE = 1 };
/* The instance's live server, for a record that loaded: the record's pid when it passes,
 * else the pid in redis.pid when that one does (in->pid and in->starttime replaced; why
 * then says what is wrong with the record's pid, as rl_identity_check_pid does, or "the
 * record holds no pid"). RL_FOUND_NONE when neither does: why says why neither is
 * believed, in->pid stays the record's. */
enum rl_found rl_identity_find(struct rl_instance *in, char *why, size_t len);

/* Check (d) over an open connection. Returns 0 when INFO server's process_id is pid (the
 * INFO server text in *server_info when that is not NULL: malloc'd, free it); -1 with why
 * otherwise ("is answered by another server (process_id N), …", to follow an address),
 * *foreign set when another process answered (not when INFO failed). */
int rl_identity_same_process(redisContext *c, pid_t pid, char **server_info, bool *foreign, char *why,
                             size_t len);

/* rl_client_connect to in's socket or port, then check (d) against in->pid. Returns the
 * connection (redisFree), with *server_info as above; or NULL with why ("ADDRESS is
 * answered by …", or why it could not connect) and *foreign as above. Nothing is sent but
 * AUTH and INFO server, so a foreign server is only read, never changed. */
redisContext *rl_identity_connect(const struct rl_instance *in, const char *password, int timeout_ms,
                                  char **server_info, bool *foreign, char *why, size_t len);

/* True when something accepts connections on the Unix socket at path: such a socket is
 * a live server's and must not be unlinked. */
bool rl_identity_socket_in_use(const char *path);

#endif
