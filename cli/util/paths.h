/* Where redis-light keeps things (XDG base directories, DESIGN.md "Files on disk"). */
#ifndef RL_PATHS_H
#define RL_PATHS_H
#include <stddef.h>

/* $XDG_CACHE_HOME/redis-light (default ~/.cache/redis-light). Returns 0, -1 when no HOME. */
int rl_cache_dir(char *out, size_t len);
/* $XDG_STATE_HOME/redis-light (default ~/.local/state/redis-light). */
int rl_state_dir(char *out, size_t len);
/* $XDG_CONFIG_HOME/redis-light (default ~/.config/redis-light). */
int rl_config_dir(char *out, size_t len);
/* mkdir -p with the given mode for every created component. Returns 0 or -1 (errno). */
int rl_mkdir_p(const char *path, unsigned mode);

#endif
