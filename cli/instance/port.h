/* TCP ports for `up`: is this one free (and if not, who holds it), or pick a free one. */
#ifndef RL_INSTANCE_PORT_H
#define RL_INSTANCE_PORT_H
#include <stddef.h>
#include <sys/types.h>

/* Tries to bind addr:port the way Redis will (SO_REUSEADDR). Returns 0 when free, 1 when
 * in use (owner gets "redis-server (pid 1234)" when /proc tells, else ""), -1 with err
 * when addr cannot be used at all. */
int rl_port_check(const char *addr, int port, char *owner, size_t ownerlen, char *err, size_t errlen);
/* A port the kernel considers free on 127.0.0.1 right now. Returns it, or -1. */
int rl_port_pick(void);
/* The process listening on TCP port (from /proc/net/tcp{,6} and /proc/PID/fd). Returns
 * its pid and command name, or -1. */
pid_t rl_port_owner(int port, char *comm, size_t commlen);
/* The socket inode listening on port in a /proc/net/tcp table text, or 0. Pure. */
unsigned long rl_port_listen_inode(const char *table, int port);

#endif
