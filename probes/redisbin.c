/* Finds redis-server / valkey-server on PATH and in redis-light's build cache and records
 * version and allocator from their --version line. Running --version is the only process
 * a probe launches: the allocator is not readable any other way short of parsing ELF. */
#include "probes/redisbin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probes/facts.h"

static void token(const char *text, const char *key, char *out, size_t len)
{
    out[0] = '\0';
    const char *p = text;
    size_t kl = strlen(key);
    while ((p = strstr(p, key)) != NULL) {
        if (p == text || p[-1] == ' ') {
            p += kl;
            size_t n = strcspn(p, " \t\r\n");
            if (n >= len)
                n = len - 1;
            memcpy(out, p, n);
            out[n] = '\0';
            return;
        }
        p += kl;
    }
}

int rl_parse_server_version(const char *text, char *version, size_t vlen, char *alloc,
                            size_t alen)
{
    token(text, "v=", version, vlen);
    token(text, "malloc=", alloc, alen);
    return version[0] ? 0 : -1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rl_run_version(const char *path, char *out, size_t len, int timeout_ms)
{
    int fds[2];
    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        execl(path, path, "--version", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t got = read(fds[0], out + n, len - 1 - n);
        if (got <= 0)
            break;
        n += (size_t)got;
        if (n >= len - 1)
            break;
    }
    out[n] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        /* still running: give it the rest of the timeout, then kill */
        while (now_ms() < deadline && waitpid(pid, &status, WNOHANG) == 0)
            usleep(2000);
        if (waitpid(pid, &status, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
    }
    return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

static void add(struct rl_facts *f, const struct rl_root *r, const char *abs, const char *name,
                bool from_cache)
{
    char real[PATH_MAX], full[PATH_MAX];
    rl_root_path(r, abs, full, sizeof full);
    struct stat st;
    if (stat(full, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
        return;
    if (!realpath(full, real))
        snprintf(real, sizeof real, "%s", full);
    for (int i = 0; i < f->nbins; i++) {
        char other[PATH_MAX], oreal[PATH_MAX];
        rl_root_path(r, f->bins[i].path, other, sizeof other);
        if (realpath(other, oreal) && strcmp(oreal, real) == 0)
            return; /* /bin and /usr/bin on a merged-/usr system */
    }
    if (f->nbins >= RL_MAX_BINS)
        return;
    struct rl_redis_bin *b = &f->bins[f->nbins++];
    memset(b, 0, sizeof *b);
    snprintf(b->path, sizeof b->path, "%s", abs);
    snprintf(b->name, sizeof b->name, "%s", name);
    b->from_cache = from_cache;
    char text[1024];
    if (rl_run_version(full, text, sizeof text, 2000) < 0 ||
        rl_parse_server_version(text, b->version, sizeof b->version, b->allocator,
                                sizeof b->allocator) < 0)
        rl_facts_warn(f, "%s --version did not print a version line; its allocator is unknown", abs);
}

void rl_probe_redis_bins(struct rl_facts *f, const struct rl_root *r, const char *cache_dir)
{
    static const char *names[] = {"redis-server", "valkey-server"};
    char *path = rl_root_getenv(r, "PATH");
    const char *p = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    char *copy = strdup(p);
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] != '/')
            continue; /* a relative PATH entry depends on the cwd: not a fact */
        for (size_t i = 0; i < 2; i++) {
            char abs[PATH_MAX];
            snprintf(abs, sizeof abs, "%s/%s", dir, names[i]);
            add(f, r, abs, names[i], false);
        }
    }
    free(copy);
    free(path);
    if (!cache_dir)
        return;
    char builds[PATH_MAX];
    snprintf(builds, sizeof builds, "%s/builds", cache_dir);
    DIR *d = opendir(builds);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char abs[PATH_MAX];
        if (snprintf(abs, sizeof abs, "%s/%s/bin/redis-server", builds, e->d_name) < (int)sizeof abs) {
            struct rl_root host;
            rl_root_init(&host, NULL); /* the cache is on this machine, not in the sysroot */
            add(f, &host, abs, "redis-server", true);
        }
    }
    closedir(d);
}
