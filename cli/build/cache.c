#include "cli/build/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli/build/cache_check.h"
#include "cli/sys/kvfile.h"
#include "cli/build/memo.h"
#include "cli/build/sha256.h"
#include "cli/sys/spawn.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "probes/redisbin.h"

int rl_compiler_id(const char *cache_dir, char *out, size_t len)
{
    const char *cc = getenv("CC");
    char word[256], path[PATH_MAX], text[512];
    snprintf(word, sizeof word, "%s", cc && *cc ? cc : "cc");
    word[strcspn(word, " \t")] = '\0';
    if (rl_which(word, path, sizeof path) < 0) {
        snprintf(out, len, "none");
        return -1;
    }
    if (rl_memo_get(cache_dir, "compiler", path, text, sizeof text) < 0) {
        if (rl_run_version(path, text, sizeof text, 5000) < 0) {
            snprintf(out, len, "none");
            return -1;
        }
        text[strcspn(text, "\r\n")] = '\0';
        rl_memo_put(cache_dir, "compiler", path, text);
    }
    snprintf(out, len, "%s: %s", cc && *cc ? cc : "cc", text);
    return 0;
}

void rl_machine_arch(char *out, size_t len)
{
    struct utsname u;
    snprintf(out, len, "%s", uname(&u) == 0 ? u.machine : "unknown");
}

void rl_join_vars(const char *const *vars, size_t nvars, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nvars && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "", vars[i]);
}

void rl_build_key(const char *source_id, const char *const *vars, size_t nvars, const char *compiler,
                  const char *arch, char key[17])
{
    struct rl_sha256 s;
    rl_sha256_init(&s);
    /* A version tag first: a change in how redis-light builds invalidates old keys. */
    const char *parts[] = {"redis-light build v1\nsource=", source_id, "\ncompiler=", compiler,
                           "\narch=", arch, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        rl_sha256_update(&s, parts[i], strlen(parts[i]));
    for (size_t i = 0; i < nvars; i++) {
        rl_sha256_update(&s, "var=", 4);
        rl_sha256_update(&s, vars[i], strlen(vars[i]));
        rl_sha256_update(&s, "\n", 1);
    }
    char hex[65];
    rl_sha256_hex(&s, hex);
    memcpy(key, hex, 16);
    key[16] = '\0';
}

int rl_cache_read_entry(const char *entry_dir, struct rl_build_info *info)
{
    char rec[PATH_MAX];
    snprintf(rec, sizeof rec, "%s/%s", entry_dir, RL_BUILD_RECORD);
    struct rl_kv *kv = rl_kv_new();
    if (!kv || rl_kv_load(kv, rec) < 0) {
        rl_kv_free(kv);
        return -1;
    }
    memset(info, 0, sizeof *info);
    const char *server = rl_kv_get(kv, "server"), *cli = rl_kv_get(kv, "cli");
    snprintf(info->dir, sizeof info->dir, "%s", entry_dir);
    snprintf(info->server, sizeof info->server, "%s/bin/%s", entry_dir, server ? server : "redis-server");
    snprintf(info->cli, sizeof info->cli, "%s/bin/%s", entry_dir, cli ? cli : "redis-cli");
#define COPY(field, key) snprintf(info->field, sizeof info->field, "%s", rl_kv_get(kv, key) ? rl_kv_get(kv, key) : "")
    COPY(version, "version");
    COPY(key, "key");
    COPY(allocator, "malloc");
    COPY(make_vars, "make_vars");
    COPY(built_at, "built_at");
#undef COPY
    const char *secs = rl_kv_get(kv, "build_seconds");
    info->build_seconds = secs ? strtod(secs, NULL) : 0;
    info->cached = true;
    char cache_dir[PATH_MAX], why[512];
    snprintf(cache_dir, sizeof cache_dir, "%s", entry_dir);
    for (int up = 0; up < 2; up++) { /* <cache>/builds/<entry> */
        char *slash = strrchr(cache_dir, '/');
        if (slash)
            *slash = '\0';
    }
    int rc = rl_cache_check_binary(cache_dir, kv, info->server, why, sizeof why);
    rl_kv_free(kv);
    if (rc < 0) {
        /* Several lookups may visit one entry in a run: say it once. */
        static char warned[PATH_MAX];
        if (strcmp(warned, entry_dir) != 0)
            rl_warn("the cached build %s is damaged: %s; it is not used, and the next build of it replaces it "
                    "(or remove it: rm -r %s)", entry_dir, why, entry_dir);
        snprintf(warned, sizeof warned, "%s", entry_dir);
    }
    return rc;
}

int rl_cache_lookup(const char *cache_dir, const char *key, struct rl_build_info *info)
{
    char builds[PATH_MAX];
    snprintf(builds, sizeof builds, "%s/builds", cache_dir);
    DIR *d = opendir(builds);
    if (!d)
        return -1;
    int rc = -1;
    size_t kl = strlen(key);
    struct dirent *e;
    while (rc < 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || n <= kl + 1 || e->d_name[n - kl - 1] != '-' ||
            strcmp(e->d_name + n - kl, key) != 0)
            continue;
        char entry[PATH_MAX];
        snprintf(entry, sizeof entry, "%s/%s", builds, e->d_name);
        rc = rl_cache_read_entry(entry, info);
    }
    closedir(d);
    return rc;
}

int rl_cache_find_compatible(const char *cache_dir, const char *make_vars, const char *arch,
                             struct rl_build_info *info)
{
    char builds[PATH_MAX];
    snprintf(builds, sizeof builds, "%s/builds", cache_dir);
    DIR *d = opendir(builds);
    if (!d)
        return -1;
    int rc = -1;
    char best_at[32] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char entry[PATH_MAX], rec[PATH_MAX];
        snprintf(entry, sizeof entry, "%s/%s", builds, e->d_name);
        snprintf(rec, sizeof rec, "%s/%s", entry, RL_BUILD_RECORD);
        struct rl_kv *kv = rl_kv_new();
        struct rl_build_info cand;
        if (kv && rl_kv_load(kv, rec) == 0 && rl_kv_get(kv, "make_vars") && rl_kv_get(kv, "arch") &&
            strcmp(rl_kv_get(kv, "make_vars"), make_vars) == 0 && strcmp(rl_kv_get(kv, "arch"), arch) == 0 &&
            rl_cache_read_entry(entry, &cand) == 0 && strcmp(cand.built_at, best_at) > 0) {
            *info = cand;
            snprintf(best_at, sizeof best_at, "%s", cand.built_at);
            rc = 0;
        }
        rl_kv_free(kv);
    }
    closedir(d);
    return rc;
}

int rl_cache_init(const char *cache_dir, char *err, size_t errlen)
{
    char builds[PATH_MAX], tag[PATH_MAX];
    snprintf(builds, sizeof builds, "%s/builds", cache_dir);
    if (rl_mkdir_p(builds, 0755) < 0) {
        snprintf(err, errlen, "cannot create the build cache %s: %s; set XDG_CACHE_HOME to a writable "
                 "directory", builds, strerror(errno));
        return -1;
    }
    /* https://bford.info/cachedir/: backup tools skip directories with this tag. */
    snprintf(tag, sizeof tag, "%s/CACHEDIR.TAG", cache_dir);
    int fd = open(tag, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        static const char text[] = "Signature: 8a477f597d28d172789f06886806bc55\n"
                                   "# This file is a cache directory tag created by redis-light.\n"
                                   "# For information about cache directory tags see https://bford.info/cachedir/\n";
        if (write(fd, text, sizeof text - 1) < 0) {
            /* the tag is a courtesy to backup tools; the cache works without it */
        }
        close(fd);
    }
    return 0;
}

int rl_cache_lock(const char *cache_dir, const char *key, volatile sig_atomic_t *interrupt, char *err,
                  size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/builds/.lock-%s", cache_dir, key);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the build lock %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK) {
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        char who[32] = "";
        ssize_t n = pread(fd, who, sizeof who - 1, 0);
        who[n > 0 ? n : 0] = '\0';
        who[strcspn(who, "\n")] = '\0';
        if (who[0])
            rl_info("waiting for another redis-light (pid %s) building the same Redis (lock %s)", who, path);
        else
            rl_info("waiting for another redis-light building the same Redis (lock %s)", path);
        while (flock(fd, LOCK_EX) < 0) {
            if (errno != EINTR || (interrupt && *interrupt)) {
                snprintf(err, errlen, "interrupted while waiting for the build lock %s", path);
                close(fd);
                return -1;
            }
        }
    }
    char me[32];
    int n = snprintf(me, sizeof me, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, me, (size_t)n, 0) < 0) {
        /* the pid is only for the "waiting for" message */
    }
    return fd;
}
