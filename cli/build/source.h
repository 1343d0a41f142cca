/* Where Redis's source comes from (DESIGN.md order: --source, REDIS_LIGHT_SOURCE, the
 * cache's src/, apt-get source, git clone), what identifies it for the build cache, and
 * turning it into a fresh tree to build in. Works for Redis 6.2–8.x and Valkey. */
#ifndef RL_BUILD_SOURCE_H
#define RL_BUILD_SOURCE_H
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/util/fault.h"

enum rl_source_kind { RL_SRC_NONE = 0, RL_SRC_DIR, RL_SRC_TARBALL };

struct rl_source {
    enum rl_source_kind kind;
    char path[PATH_MAX];  /* absolute */
    char origin[64];      /* "--source", "REDIS_LIGHT_SOURCE", "cache", "apt-get source", "git clone" */
    char version[32];     /* from the file name or src/version.h; "" until known */
    char id[65];          /* SHA-256 of the tarball, or of the tree (rl_tree_hash) */
};

/* Validates a user-given path: a directory with a Makefile and src/version.h, or a
 * regular file named like a tarball. Returns 0, or -1 with err. */
int rl_source_from_path(const char *path, const char *origin, struct rl_source *s, char *err,
                        size_t errlen);
/* Fills s->id (hashing the tarball or the tree). Returns 0 or -1 with err. */
int rl_source_identify(struct rl_source *s, char *err, size_t errlen);

/* "redis_7.0.15.orig.tar.gz" → "7.0.15", "valkey-8.0.1.tar.gz" → "8.0.1". Pure. Returns
 * 0, or -1 when the name carries no version. */
int rl_version_from_name(const char *name, char *out, size_t len);
/* Orders "7.0.15" < "7.2.4" < "8.0.0"; unparsable versions sort first. Pure. */
int rl_version_cmp(const char *a, const char *b);
/* Reads src/version.h of a tree: the version and the server binary's name
 * ("redis-server", or "valkey-server" for a Valkey tree). Returns 0 or -1. */
int rl_tree_version(const char *tree, char *version, size_t vlen, char *server, size_t slen);
/* Parses version.h text (pure); see rl_tree_version. */
int rl_parse_version_h(const char *text, char *version, size_t vlen, char *server, size_t slen);

/* The best source already in the cache's src/ directory (highest version; newest on a
 * tie). Returns 0 with s filled, or -1 when there is none. */
int rl_source_scan(const char *srcdir, struct rl_source *s);

struct rl_discover {
    const char *source;       /* --source, or NULL */
    const char *cache_dir;    /* $XDG_CACHE_HOME/redis-light */
    bool fetch;               /* may run apt-get source / git clone (false for --dry-run) */
    volatile sig_atomic_t *interrupt;
};
/* Finds the source in the DESIGN.md order. Returns 0 with s filled (not yet
 * identified), 1 when nothing is local and fetch is false (s->origin names what would
 * be tried), or -1 with err listing every option tried and how to provide one.
 * *fault is RL_FAULT_INPUT for a bad --source/REDIS_LIGHT_SOURCE, else RL_FAULT_RUNTIME. */
int rl_source_discover(const struct rl_discover *d, struct rl_source *s, char *err, size_t errlen,
                       enum rl_fault *fault);

/* Makes a fresh tree under workdir to build in: extracts a tarball (tar -xf, no shell)
 * or copies a directory without its build products. *tree gets the top directory (the
 * one with the Makefile). Tool output goes to log_fd. Returns 0 or -1 with err. */
int rl_source_prepare(const struct rl_source *s, const char *workdir, int log_fd,
                      volatile sig_atomic_t *interrupt, char *tree, size_t treelen, char *err,
                      size_t errlen);

#endif
