#include "cli/build/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/build/sha256.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool rl_tree_skip(const char *relpath, const char *name, bool is_dir)
{
    if (is_dir)
        return strcmp(name, ".git") == 0;
    static const char *suffixes[] = {".o", ".d", ".a", ".so", ".gcda", ".gcno", ".rdb", ".aof"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (ends_with(name, suffixes[i]))
            return true;
    if (strncmp(name, ".make-", 6) == 0) /* .make-settings, .make-prerequisites, … */
        return true;
    /* Binaries a previous in-place build left in src/ (redis-server, valkey-cli, …). */
    if (strncmp(relpath, "src/", 4) == 0 && !strchr(relpath + 4, '/') &&
        (strncmp(name, "redis-", 6) == 0 || strncmp(name, "valkey-", 7) == 0) && !strchr(name, '.'))
        return true;
    return false;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dots(const struct dirent *e)
{
    return strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
}

struct walk {
    const char *root;
    struct rl_sha256 sha;
    const char *dst; /* copy mode when set */
    char *err;
    size_t errlen;
};

static int copy_file(const char *from, const char *to, mode_t mode, struct walk *w)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = in >= 0 ? open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777) : -1;
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[65536];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n)
            rc = -1;
    }
    int e = errno;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0)
        rc = -1;
    if (rc < 0)
        snprintf(w->err, w->errlen, "cannot copy %s to %s: %s", from, to, strerror(e));
    return rc;
}

static int hash_file(const char *path, struct walk *w)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(w->err, w->errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        rl_sha256_update(&w->sha, buf, (size_t)n);
    close(fd);
    return n < 0 ? -1 : 0;
}

static int walk_dir(struct walk *w, const char *rel)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s%s", w->root, *rel ? "/" : "", rel);
    struct dirent **list;
    int n = scandir(dir, &list, no_dots, cmp_names);
    if (n < 0) {
        snprintf(w->err, w->errlen, "cannot list %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char r[PATH_MAX], full[PATH_MAX], to[PATH_MAX];
        if (snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", list[i]->d_name) >= (int)sizeof r ||
            snprintf(full, sizeof full, "%s/%s", w->root, r) >= (int)sizeof full ||
            (w->dst && snprintf(to, sizeof to, "%s/%s", w->dst, r) >= (int)sizeof to)) {
            snprintf(w->err, w->errlen, "path too long under %s: %s", w->root, r);
            rc = -1;
            break;
        }
        struct stat st;
        if (lstat(full, &st) < 0) {
            snprintf(w->err, w->errlen, "cannot stat %s: %s", full, strerror(errno));
            rc = -1;
            break;
        }
        if (rl_tree_skip(r, list[i]->d_name, S_ISDIR(st.st_mode)))
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (w->dst && mkdir(to, 0755) < 0) {
                snprintf(w->err, w->errlen, "cannot create %s: %s", to, strerror(errno));
                rc = -1;
            } else {
                rl_sha256_update(&w->sha, "D ", 2);
                rl_sha256_update(&w->sha, r, strlen(r) + 1);
                rc = walk_dir(w, r);
            }
        } else if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t tl = readlink(full, target, sizeof target - 1);
            target[tl > 0 ? tl : 0] = '\0';
            rl_sha256_update(&w->sha, "L ", 2);
            rl_sha256_update(&w->sha, r, strlen(r) + 1);
            rl_sha256_update(&w->sha, target, strlen(target) + 1);
            if (w->dst && symlink(target, to) < 0) {
                snprintf(w->err, w->errlen, "cannot create link %s: %s", to, strerror(errno));
                rc = -1;
            }
        } else if (S_ISREG(st.st_mode)) {
            /* Content and the executable bit matter (configure scripts); times do not. */
            rl_sha256_update(&w->sha, (st.st_mode & 0100) ? "X " : "F ", 2);
            rl_sha256_update(&w->sha, r, strlen(r) + 1);
            rc = w->dst ? copy_file(full, to, st.st_mode, w) : hash_file(full, w);
        }
    }
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return rc;
}

int rl_tree_hash(const char *dir, char hex[65], char *err, size_t errlen)
{
    struct walk w = {.root = dir, .err = err, .errlen = errlen};
    rl_sha256_init(&w.sha);
    if (walk_dir(&w, "") < 0)
        return -1;
    rl_sha256_hex(&w.sha, hex);
    return 0;
}

int rl_tree_copy(const char *src, const char *dst, char *err, size_t errlen)
{
    struct walk w = {.root = src, .dst = dst, .err = err, .errlen = errlen};
    rl_sha256_init(&w.sha);
    if (mkdir(dst, 0755) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
        return -1;
    }
    return walk_dir(&w, "");
}

int rl_tree_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return (errno == ENOENT) ? 0 : (unlink(dir) == 0 ? 0 : -1);
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) {
            rc = -1;
            continue;
        }
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(p, 0700); /* a read-only directory in a tarball must not stop cleanup */
            if (rl_tree_remove(p) < 0)
                rc = -1;
        } else if (unlink(p) < 0 && errno != ENOENT) {
            rc = -1;
        }
    }
    closedir(d);
    if (rmdir(dir) < 0 && errno != ENOENT)
        rc = -1;
    return rc;
}
