/* Redis binaries: finding them and reading their --version line. */
#ifndef RL_PROBES_REDISBIN_H
#define RL_PROBES_REDISBIN_H
#include <stddef.h>

/* Parses "Redis server v=7.0.15 sha=… malloc=jemalloc-5.3.0 bits=64 build=…" (or
 * "Valkey server v=…"). Returns 0 when v= was found; allocator is "" if malloc= is
 * missing. Pure: fed text, no I/O. */
int rl_parse_server_version(const char *text, char *version, size_t vlen, char *alloc,
                            size_t alen);

/* Runs `path --version` with a timeout (no shell) and captures up to len-1 bytes of its
 * stdout. Returns 0 when it exited 0 within timeout_ms. */
int rl_run_version(const char *path, char *out, size_t len, int timeout_ms);

#endif
