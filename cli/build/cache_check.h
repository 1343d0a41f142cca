/* Is a cache entry's binary still the one its build record describes? A disk that filled
 * up, a copy cut short or a stray edit can leave bin/redis-server truncated, and `up`
 * would then launch something that dies with SIGBUS or SIGSEGV far from the cause. The
 * record notes the binary's size and SHA-256; the size is compared on every lookup (one
 * stat), the digest once per change of the file (memo). Records written before those
 * fields existed are checked against the binary's own ELF headers (a cut-short file ends
 * before the section table they place last: running it would prove nothing, since a
 * truncated binary can start and serve until it touches a missing page) and by running
 * `redis-server --version`, also once per change of the file. */
#ifndef RL_BUILD_CACHE_CHECK_H
#define RL_BUILD_CACHE_CHECK_H
#include <stddef.h>

#include "cli/sys/kvfile.h"

/* Fills size and digest of a freshly built binary for its record. Returns 0 or -1. */
int rl_cache_binary_facts(const char *server, long long *size, char sha[65]);
/* Checks server against the record rec of the entry under cache_dir (for the memo; may
 * be NULL). Returns 0 when intact, or -1 with why ("bin/redis-server is 4096 bytes, its
 * build record says 7103792"). */
int rl_cache_check_binary(const char *cache_dir, const struct rl_kv *rec, const char *server, char *why,
                          size_t len);

#endif
