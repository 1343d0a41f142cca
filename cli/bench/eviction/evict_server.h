/* What bench --eviction does to a server besides the load, on a control connection: save
 * and restore maxmemory/maxmemory-policy, and count or delete the keys under the bench
 * prefix (SCAN MATCH with the prefix's glob characters escaped, UNLINK in batches), so
 * nothing outside the prefix is ever touched. */
#ifndef RL_BENCH_EVICTION_EVICT_SERVER_H
#define RL_BENCH_EVICTION_EVICT_SERVER_H
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rl_saved_config {
    char maxmemory[32];
    char policy[48];
    bool saved;
};

/* CONFIG GET of both. Returns 0 or -1 with err. */
int rl_config_save(redisContext *c, struct rl_saved_config *s, char *err, size_t errlen);
/* CONFIG SET of both back. Returns 0 or -1 with err. */
int rl_config_restore(redisContext *c, const struct rl_saved_config *s, char *err, size_t errlen);
/* CONFIG SET name value; -1 with the server's words in err. */
int rl_config_set(redisContext *c, const char *name, const char *value, char *err, size_t errlen);

/* The SCAN pattern matching exactly the keys bench writes: prefix (glob characters
 * escaped) and RL_KEY_DIGITS digits. */
void rl_prefix_pattern(const char *prefix, char *out, size_t len);
/* True when key is prefix followed by exactly RL_KEY_DIGITS digits. Pure. */
bool rl_is_bench_key(const char *key, size_t len, const char *prefix);
/* Counts (del false) or deletes (del true) the keys bench writes under prefix (never a
 * key that merely starts with it); returns how many, or -1. */
int64_t rl_prefix_keys(redisContext *c, const char *prefix, bool del);

#endif
