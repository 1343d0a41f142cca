/* Source trees as data: a content hash that ignores build products (so a tree that was
 * built in place keeps its identity), a copy that leaves those products behind, and
 * recursive removal for temporary build directories. */
#ifndef RL_BUILD_TREE_H
#define RL_BUILD_TREE_H
#include <stdbool.h>
#include <stddef.h>

/* True for entries a source identity and a fresh build tree leave out: .git, object
 * files and archives, Redis's cached make settings, binaries built into src/. Pure. */
bool rl_tree_skip(const char *relpath, const char *name, bool is_dir);

/* SHA-256 over every kept entry's relative path, type, executable bit and content, in
 * byte order of names. Returns 0, or -1 with err. */
int rl_tree_hash(const char *dir, char hex[65], char *err, size_t errlen);
/* Copies the kept entries of src into dst (created; must not exist). Returns 0 or -1. */
int rl_tree_copy(const char *src, const char *dst, char *err, size_t errlen);
/* rm -rf without following symlinks. Returns 0, or -1 when something stayed. */
int rl_tree_remove(const char *dir);

#endif
