#include "cli/sys/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *rl_signal_name(int sig, char *buf, size_t len)
{
    static const struct { int n; const char *s; } names[] = {
        {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
        {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
        {SIGSEGV, "SIGSEGV"}, {SIGPIPE, "SIGPIPE"}, {SIGTERM, "SIGTERM"}, {SIGXCPU, "SIGXCPU"},
        {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].n == sig)
            return names[i].s;
    snprintf(buf, len, "signal %d", sig);
    return buf;
}

char *rl_status_text(int status, char *buf, size_t len)
{
    char tmp[32];
    if (WIFSIGNALED(status))
        snprintf(buf, len, "was killed by signal %d (%s)%s", WTERMSIG(status),
                 rl_signal_name(WTERMSIG(status), tmp, sizeof tmp), WCOREDUMP(status) ? ", core dumped" : "");
    else if (WIFEXITED(status))
        snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
    else
        snprintf(buf, len, "stopped with wait status 0x%x", (unsigned)status);
    return buf;
}

int rl_which(const char *name, char *out, size_t len)
{
    if (strchr(name, '/')) {
        if (access(name, X_OK) < 0)
            return -1;
        snprintf(out, len, "%s", name);
        return 0;
    }
    const char *path = getenv("PATH");
    char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    int rc = -1;
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); copy && d; d = strtok_r(NULL, ":", &save)) {
        char p[4096];
        struct stat st;
        if (snprintf(p, sizeof p, "%s/%s", *d ? d : ".", name) < (int)sizeof p && stat(p, &st) == 0 &&
            S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
            snprintf(out, len, "%s", p);
            rc = 0;
            break;
        }
    }
    free(copy);
    return rc;
}

/* Runs the program: never returns. Reports an exec failure's errno through errfd. */
static void exec_child(const struct rl_spawn *o, int outfd, int errfd)
{
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0)
        dup2(devnull, STDIN_FILENO);
    int fd = outfd >= 0 ? outfd : devnull;
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    for (int i = 0; o->env && o->env[i]; i++)
        putenv((char *)o->env[i]);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int e = 0;
    if (o->cwd && chdir(o->cwd) < 0)
        e = errno;
    else {
        execvp(o->argv[0], (char *const *)o->argv);
        e = errno;
    }
    /* errfd is close-on-exec: the parent reads EOF on success, our errno on failure. */
    if (write(errfd, &e, sizeof e) < 0)
        _exit(126);
    _exit(127);
}

static void stop_group(int sig)
{
    signal(SIGTERM, SIG_IGN); /* we are in the group too */
    kill(0, SIGTERM);
    _exit(128 + sig);
}

/* With pdeathsig: a guardian process leads a process group of its own and execs nothing;
 * the program runs as its child in that group. When we die (or tell the guardian to
 * stop), the guardian signals the whole group, so make's grandchildren (sub-makes,
 * compilers) stop too instead of building on as orphans — a plain death signal would
 * reach only make itself. The guardian exits as its child did. */
static void guardian(const struct rl_spawn *o, pid_t parent, int outfd, int errfd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, o->pdeathsig);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = stop_group;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGCHLD, SIG_DFL);
    if (getppid() != parent) /* we died before the death signal was armed */
        stop_group(SIGTERM);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    pid_t g = fork();
    if (g == 0)
        exec_child(o, outfd, errfd);
    close(errfd);
    if (outfd >= 0)
        close(outfd);
    int st = 0;
    while (g > 0 && waitpid(g, &st, 0) < 0 && errno == EINTR)
        ;
    if (g < 0)
        _exit(127);
    if (WIFSIGNALED(st)) {
        signal(WTERMSIG(st), SIG_DFL);
        raise(WTERMSIG(st));
    }
    _exit(WEXITSTATUS(st));
}

static void feed_lines(const struct rl_spawn *o, char *buf, size_t *n)
{
    size_t start = 0;
    for (size_t i = 0; i < *n; i++)
        if (buf[i] == '\n') {
            buf[i] = '\0';
            o->on_line(o->ud, buf + start);
            start = i + 1;
        }
    if (start == 0 && *n >= 4095) { /* an endless line: pass it on in pieces */
        buf[*n] = '\0';
        o->on_line(o->ud, buf);
        start = *n;
    }
    memmove(buf, buf + start, *n - start);
    *n -= start;
}

int rl_spawn_run(const struct rl_spawn *o, int *status, bool *timed_out, char *err, size_t errlen)
{
    int ep[2], pp[2] = {-1, -1};
    bool tmo = false;
    if (timed_out)
        *timed_out = false;
    if (pipe2(ep, O_CLOEXEC) < 0 || (o->on_line && pipe2(pp, O_CLOEXEC) < 0)) {
        snprintf(err, errlen, "cannot create a pipe to run %s: %s", o->argv[0], strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork to run %s: %s", o->argv[0], strerror(errno));
        close(ep[0]);
        close(ep[1]);
        if (pp[0] >= 0) {
            close(pp[0]);
            close(pp[1]);
        }
        return -1;
    }
    if (pid == 0) {
        int out = o->log_fd;
        if (pp[1] >= 0)
            out = dup(pp[1]); /* a copy without close-on-exec */
        if (o->pdeathsig)
            guardian(o, parent, out, ep[1]);
        exec_child(o, out, ep[1]);
    }
    close(ep[1]);
    if (pp[1] >= 0)
        close(pp[1]);
    int e = 0;
    ssize_t got = read(ep[0], &e, sizeof e);
    close(ep[0]);
    if (got == (ssize_t)sizeof e) {
        if (pp[0] >= 0)
            close(pp[0]);
        waitpid(pid, status, 0);
        if (e == ENOENT)
            snprintf(err, errlen, "%s: not found on PATH", o->argv[0]);
        else
            snprintf(err, errlen, "cannot run %s%s%s: %s", o->argv[0], o->cwd ? " in " : "",
                     o->cwd ? o->cwd : "", strerror(e));
        return -1;
    }

    double start = now_s(), last_tick = start;
    bool sent_term = false, sent_kill = false;
    char buf[4096];
    size_t n = 0;
    int fd = pp[0];
    for (;;) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            *status = st;
            break;
        }
        if (fd >= 0) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (poll(&p, 1, 200) > 0) {
                ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
                if (r > 0) {
                    if (o->log_fd >= 0 && write(o->log_fd, buf + n, (size_t)r) < 0) {
                        /* a full disk shows up in the build itself; keep reading */
                    }
                    n += (size_t)r;
                    feed_lines(o, buf, &n);
                } else if (r == 0) {
                    close(fd); /* EOF: every writer is gone; only the exit is left */
                    fd = -1;
                }
            }
        } else {
            struct timespec ts = {0, 20L * 1000000L};
            nanosleep(&ts, NULL);
        }
        double t = now_s();
        if (o->on_tick && t - last_tick >= 0.2) {
            o->on_tick(o->ud);
            last_tick = t;
        }
        if (!sent_term && ((o->interrupt && *o->interrupt) || (o->timeout_s > 0 && t - start > o->timeout_s))) {
            tmo = !(o->interrupt && *o->interrupt);
            kill(pid, SIGTERM);
            sent_term = true;
            start = t; /* the grace period before SIGKILL starts now */
        } else if (sent_term && !sent_kill && t - start > 10) {
            kill(o->pdeathsig ? -pid : pid, SIGKILL); /* the guardian's whole group */
            sent_kill = true;
        }
    }
    if (fd >= 0) {
        /* Drain what the child wrote just before exiting (grandchildren may still hold
         * the pipe: do not wait for them). */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, 0) > 0) {
            ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
            if (r <= 0)
                break;
            if (o->log_fd >= 0 && write(o->log_fd, buf + n, (size_t)r) < 0) {
            }
            n += (size_t)r;
            feed_lines(o, buf, &n);
        }
        close(fd);
    }
    if (o->on_line && n) { /* a last line without its newline */
        buf[n] = '\0';
        o->on_line(o->ud, buf);
    }
    if (timed_out)
        *timed_out = tmo;
    return 0;
}
