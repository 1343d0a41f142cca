/* Remembered results of slow-to-recompute facts about files (a tarball's SHA-256, a
 * compiler's --version line), keyed by the file's path and invalidated by its size,
 * modification time and inode: `up` with a cached build must not re-read 3 MB of
 * tarball or run the compiler just to find that build again. Kept under the cache's
 * ids/ directory; a missing or unwritable memo only costs time. */
#ifndef RL_BUILD_MEMO_H
#define RL_BUILD_MEMO_H
#include <stddef.h>

/* Returns 0 and the remembered value for the file at path (unchanged since), or -1. */
int rl_memo_get(const char *cache_dir, const char *kind, const char *path, char *out, size_t len);
/* Remembers value for the file at path as it is now. Errors are ignored (it is a cache). */
void rl_memo_put(const char *cache_dir, const char *kind, const char *path, const char *value);

#endif
