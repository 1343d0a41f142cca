#include "cli/instance/instance_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/instance/instance.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"

/* What the holder wrote, when that process still runs. Returns 0, or -1 when the file is
 * empty or names a process that is gone (the holder has not written itself yet, and the
 * text is its predecessor's). */
static int read_holder(int fd, struct rl_lock_holder *h)
{
    char buf[64];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *end;
    long pid = strtol(buf, &end, 10);
    if (end == buf || pid <= 0 || pid > INT_MAX || !rl_pid_alive((pid_t)pid, 0))
        return -1;
    h->pid = (pid_t)pid;
    while (*end == ' ')
        end++;
    snprintf(h->role, sizeof h->role, "%.*s", (int)strcspn(end, " \r\n"), end);
    return 0;
}

static int write_holder(int fd, const char *role)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%d %s\n", (int)getpid(), role);
    return ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n ? 0 : -1;
}

int rl_instance_lock(struct rl_instance_lock *l, const char *state_root, const char *name, const char *role,
                     bool create_root, struct rl_lock_holder *holder, char *err, size_t errlen)
{
    l->fd = -1;
    memset(holder, 0, sizeof *holder);
    int n = snprintf(l->path, sizeof l->path, "%s/.%s.lock", state_root, name);
    if (n < 0 || (size_t)n >= sizeof l->path) {
        snprintf(err, errlen, "the state directory path %s is too long", state_root);
        return -1;
    }
    if (create_root && rl_mkdir_p(state_root, 0700) < 0) {
        snprintf(err, errlen, "cannot create the state directory %s: %s; set XDG_STATE_HOME to a writable directory",
                 state_root, strerror(errno));
        return -1;
    }
    /* O_NOFOLLOW: a link planted at the lock's name must not make us create or truncate
     * the file it points to. */
    int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open the instance lock %s: %s%s", l->path, strerror(e),
                 e == ENOENT ? "" : "; check the permissions of the state directory");
        errno = e;
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        /* Best effort: the lock works without it, only a refusal's message is poorer. */
        if (write_holder(fd, role) < 0)
            rl_debug("cannot write the holder into %s: %s", l->path, strerror(errno));
        l->fd = fd;
        return 0;
    }
    if (errno != EWOULDBLOCK) {
        snprintf(err, errlen, "cannot lock %s: %s", l->path, strerror(errno));
        close(fd);
        return -1;
    }
    /* The holder writes itself down right after it got the lock: give it a moment. This
     * only bounds how long a refusal may take to name the holder. */
    for (int i = 0; i < 100 && read_holder(fd, holder) < 0; i++) {
        struct timespec ts = {0, 10L * 1000000L};
        nanosleep(&ts, NULL);
    }
    close(fd);
    return 1;
}

void rl_instance_unlock(struct rl_instance_lock *l)
{
    if (l->fd < 0)
        return;
    /* Emptied first, so that a refusal never names this process after it is gone; when
     * that fails, read_holder still sees by the pid that the text is stale. */
    int emptied = ftruncate(l->fd, 0);
    (void)emptied;
    close(l->fd); /* closing the last descriptor of the open file releases the flock */
    l->fd = -1;
}
