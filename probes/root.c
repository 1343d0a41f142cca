#include "probes/root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rl_root_init(struct rl_root *r, const char *dir)
{
    memset(r, 0, sizeof *r);
    if (!dir || !*dir || strcmp(dir, "/") == 0) {
        r->host = true;
        return 0;
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return -1;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n >= sizeof r->dir)
        return -1;
    memcpy(r->dir, dir, n);
    r->dir[n] = '\0';
    return 0;
}

char *rl_root_path(const struct rl_root *r, const char *abs, char *out, size_t len)
{
    int n = snprintf(out, len, "%s%s%s", r->dir, abs[0] == '/' ? "" : "/", abs);
    if (n < 0 || (size_t)n >= len)
        out[0] = '\0'; /* too long: an empty path fails to open rather than a wrong one */
    return out;
}

const char *rl_read_reason(enum rl_read_status st)
{
    switch (st) {
    case RL_READ_OK: return "ok";
    case RL_READ_MISSING: return "does not exist";
    case RL_READ_DENIED: return "permission denied";
    case RL_READ_NOTFILE: return "is not a regular file";
    case RL_READ_TOOBIG: return "is unreasonably large";
    default: return "could not be read";
    }
}

enum rl_read_status rl_root_read(const struct rl_root *r, const char *abs, size_t max,
                                 char **buf, size_t *len)
{
    char path[PATH_MAX];
    *buf = NULL;
    *len = 0;
    rl_root_path(r, abs, path, sizeof path);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return RL_READ_MISSING;
        if (errno == EACCES || errno == EPERM)
            return RL_READ_DENIED;
        return RL_READ_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return RL_READ_NOTFILE;
    }
    /* /proc and /sys files report size 0 or 4096 whatever they hold: read until EOF. */
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    if (!b) {
        close(fd);
        return RL_READ_ERROR;
    }
    enum rl_read_status status = RL_READ_OK;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max) {
                status = RL_READ_TOOBIG;
                break;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                status = RL_READ_ERROR;
                break;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, b + n, cap - n - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            status = (errno == EACCES || errno == EPERM) ? RL_READ_DENIED : RL_READ_ERROR;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max) {
            status = RL_READ_TOOBIG;
            break;
        }
    }
    close(fd);
    if (status != RL_READ_OK) {
        free(b);
        return status;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return RL_READ_OK;
}

bool rl_root_exists(const struct rl_root *r, const char *abs)
{
    char path[PATH_MAX];
    struct stat st;
    return lstat(rl_root_path(r, abs, path, sizeof path), &st) == 0;
}

char *rl_root_getenv(const struct rl_root *r, const char *name)
{
    if (r->host) {
        const char *v = getenv(name);
        return v ? strdup(v) : NULL;
    }
    char *buf;
    size_t len;
    if (rl_root_read(r, "/proc/self/environ", 1 << 20, &buf, &len) != RL_READ_OK)
        return NULL;
    size_t nl = strlen(name);
    char *res = NULL;
    for (size_t i = 0; i < len;) {
        char *entry = buf + i;
        size_t el = strnlen(entry, len - i);
        if (el > nl && strncmp(entry, name, nl) == 0 && entry[nl] == '=') {
            res = strndup(entry + nl + 1, el - nl - 1);
            break;
        }
        i += el + 1;
    }
    free(buf);
    return res;
}
