/* The build cache (DESIGN.md "Files on disk"): $XDG_CACHE_HOME/redis-light/builds/
 * <version>-<key>/ with bin/, build.log and build.yaml (the build record). The key hashes
 * what decides the binary: source identity, make variables, compiler and architecture.
 * An entry exists only once complete (it is renamed into place), and one lock per key
 * makes concurrent builders of the same key compile once. */
#ifndef RL_BUILD_CACHE_H
#define RL_BUILD_CACHE_H
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define RL_BUILD_RECORD "build.yaml"

struct rl_build_info {
    char dir[PATH_MAX];       /* the cache entry */
    char server[PATH_MAX];    /* bin/redis-server (or valkey-server) */
    char cli[PATH_MAX];       /* bin/redis-cli (or valkey-cli) */
    char version[32];
    char key[17];
    char allocator[48];       /* malloc= as the binary reports it: "libc", "jemalloc-5.2.1" */
    char make_vars[512];      /* space-separated, as passed to make */
    char built_at[32];
    double build_seconds;
    bool cached;              /* found in the cache rather than built just now */
};

/* The compiler make will use: $CC (first word) or cc, and the first line of its
 * --version (remembered under cache_dir, which may be NULL, while the binary is
 * unchanged). Writes "none" when there is none. Returns 0 when a compiler was found. */
int rl_compiler_id(const char *cache_dir, char *out, size_t len);
/* uname -m. */
void rl_machine_arch(char *out, size_t len);

/* 16 hex characters of SHA-256 over the inputs, each on its own labelled line. Pure. */
void rl_build_key(const char *source_id, const char *const *vars, size_t nvars, const char *compiler,
                  const char *arch, char key[17]);
/* Joins make variables with spaces into out. */
void rl_join_vars(const char *const *vars, size_t nvars, char *out, size_t len);

/* Finds the complete entry for key under cache_dir. Returns 0 with info, -1 when absent. */
int rl_cache_lookup(const char *cache_dir, const char *key, struct rl_build_info *info);
/* Finds an entry built from the same make variables and architecture, whatever the source
 * and compiler (the newest): what `up` uses when no source or compiler is at hand but a
 * build is. Returns 0 with info, or -1. */
int rl_cache_find_compatible(const char *cache_dir, const char *make_vars, const char *arch,
                             struct rl_build_info *info);
/* Fills info from an entry's build.yaml. Returns 0, or -1 when it is not complete or its
 * binary no longer matches the record (truncated, replaced: warned once per entry). */
int rl_cache_read_entry(const char *entry_dir, struct rl_build_info *info);

/* Creates builds/ and CACHEDIR.TAG. Returns 0 or -1 with err. */
int rl_cache_init(const char *cache_dir, char *err, size_t errlen);
/* Takes the per-key lock (blocking; says once that it waits, and for whom). Returns the
 * lock fd (close to release; close-on-exec, so make never inherits it), or -1 with err
 * (also when interrupted). */
int rl_cache_lock(const char *cache_dir, const char *key, volatile sig_atomic_t *interrupt, char *err,
                  size_t errlen);

#endif
