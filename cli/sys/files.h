/* Small reads of text files the server engine keeps looking at: logs and configs. */
#ifndef RL_SYS_FILES_H
#define RL_SYS_FILES_H
#include <stdbool.h>
#include <stddef.h>

/* Size of a file (0 when missing): where the log of a new run starts. */
long long rl_file_size(const char *path);
/* True when the file holds needle after offset. */
bool rl_file_contains(const char *path, long long offset, const char *needle);
/* The last n lines of a file from offset on, malloc'd (NULL when unreadable). Reads at
 * most the last 64 KiB. */
char *rl_file_tail(const char *path, long long offset, int n);
/* The whole file (at most max bytes), malloc'd and NUL-terminated, or NULL. */
char *rl_file_read(const char *path, size_t max);

#endif
