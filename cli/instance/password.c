#include "cli/instance/password.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/instance/conf.h"
#include "cli/sys/files.h"
#include "cli/util/out.h"

int rl_password_check(const char *pw, const char *origin, char *err, size_t errlen)
{
    size_t n = strlen(pw);
    if (n == 0) {
        snprintf(err, errlen, "%s: the password is empty; give at least one character (Redis treats an empty "
                 "requirepass as no password)", origin);
        return -1;
    }
    if (n > RL_PASSWORD_MAX) {
        snprintf(err, errlen, "%s: the password is %zu bytes long; at most %d are accepted", origin, n,
                 RL_PASSWORD_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)pw[i];
        if (c < 0x20 || c == 0x7f) {
            /* The byte's position, never the password: it may be echoed into logs. */
            snprintf(err, errlen, "%s: the password holds a %s (byte %zu of %zu); redis.conf takes one "
                     "directive per line, so it could start another one. Use a single-line password of "
                     "printable characters", origin, c == '\n' || c == '\r' ? "line break" : "control character",
                     i + 1, n);
            return -1;
        }
    }
    return 0;
}

/* Up to len-1 bytes of fd; sets *more when the file holds more than that. */
static ssize_t read_all(int fd, char *buf, size_t len, int *more)
{
    size_t got = 0;
    *more = 0;
    for (;;) {
        char extra;
        ssize_t n = got < len - 1 ? read(fd, buf + got, len - 1 - got) : read(fd, &extra, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        if (got >= len - 1) {
            *more = 1;
            break;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    return (ssize_t)got;
}

/* The password file of either kind; warn_mode for a file the user named, since a
 * readable one is theirs to fix (ours are written 0600). */
static int read_password(const char *path, bool warn_mode, char *out, size_t len, char *err, size_t errlen)
{
    char origin[PATH_MAX + 32];
    snprintf(origin, sizeof origin, "--password-file %s", path);
    /* Not O_NOFOLLOW: mounted secrets (Kubernetes, Docker) are symlinks. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s; give a readable file holding the password on one line",
                 origin, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s is a directory; give a file holding the password on one line", origin);
        return -1;
    }
    if (warn_mode && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
        rl_warn("%s can be read by other users (mode %04o); chmod 600 it", origin, (unsigned)(st.st_mode & 07777));
    char buf[RL_PASSWORD_MAX + 4];
    int more;
    ssize_t n = read_all(fd, buf, sizeof buf, &more);
    int e = errno;
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "cannot read %s: %s", origin, strerror(e));
        return -1;
    }
    if (more) {
        snprintf(err, errlen, "%s holds more than a password (over %d bytes); give a file with the password "
                 "on one line", origin, RL_PASSWORD_MAX);
        return -1;
    }
    /* The newline an editor or `echo` ends the file with is not part of the password. */
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    if (memchr(buf, '\0', (size_t)n)) {
        snprintf(err, errlen, "%s holds a NUL byte; give a text file with the password on one line", origin);
        return -1;
    }
    if (rl_password_check(buf, origin, err, errlen) < 0)
        return -1;
    snprintf(out, len, "%s", buf);
    return 0;
}

int rl_password_read_file(const char *path, char *out, size_t len, char *err, size_t errlen)
{
    return read_password(path, true, out, len, err, errlen);
}

int rl_password_store(const struct rl_instance *in, const char *pw, char *err, size_t errlen)
{
    if (!pw[0]) {
        if (unlink(in->secret) < 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove the old password file %s: %s", in->secret, strerror(errno));
            return -1;
        }
        return 0;
    }
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", in->secret);
    /* mkostemp creates the file 0600 with O_EXCL: nothing planted at a guessable name is
     * ever written through. */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a password file in %s: %s", in->dir, strerror(errno));
        return -1;
    }
    size_t n = strlen(pw);
    bool ok = fchmod(fd, 0600) == 0 && write(fd, pw, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) < 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, in->secret) < 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        snprintf(err, errlen, "cannot write the password file %s: %s; check the free space of %s", in->secret,
                 strerror(e), in->dir);
        return -1;
    }
    return 0;
}

void rl_password_load(const struct rl_instance *in, char *out, size_t len)
{
    char why[PATH_MAX + 256];
    out[0] = '\0';
    if (access(in->secret, F_OK) == 0 && read_password(in->secret, false, out, len, why, sizeof why) == 0)
        return;
    char *conf = rl_file_read(in->conf, 1 << 20);
    if (!conf || rl_conf_get(conf, "requirepass", out, len) < 0)
        out[0] = '\0';
    free(conf);
}
