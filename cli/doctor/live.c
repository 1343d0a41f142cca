#include "cli/doctor/live.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

/* A port the kernel just considered free (bind to 0, read it back, close). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static uint64_t status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    uint64_t v = 0;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = strtoull(line + kl + 1, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return v * 1024;
}

static uint64_t count_maps(pid_t pid)
{
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint64_t lines = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
    close(fd);
    return lines;
}

static void sample(pid_t pid, struct rl_live_result *r)
{
    uint64_t rss = status_kb(pid, "VmRSS"), maps = count_maps(pid);
    if (rss > r->rss_peak)
        r->rss_peak = rss;
    if (maps > r->maps_peak)
        r->maps_peak = maps;
}

/* True (and the status recorded) when the child has exited. */
static bool reaped(pid_t pid, struct rl_live_result *r)
{
    int st;
    if (waitpid(pid, &st, WNOHANG) != pid)
        return false;
    r->exit_status = WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
    return true;
}

static void log_tail(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "re");
    out[0] = '\0';
    if (!f)
        return;
    char ring[16][256];
    int n = 0;
    while (fgets(ring[n % 16], sizeof ring[0], f))
        n++;
    fclose(f);
    size_t used = 0;
    for (int i = n > 12 ? n - 12 : 0; i < n && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s", ring[i % 16]);
}

static uint64_t info_field(redisContext *c, const char *section, const char *key)
{
    redisReply *rep = redisCommand(c, "INFO %s", section);
    uint64_t v = 0;
    if (rep && rep->type == REDIS_REPLY_STRING) {
        size_t kl = strlen(key);
        for (char *p = rep->str; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
            if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
                v = strtoull(p + kl + 1, NULL, 10);
                break;
            }
    }
    freeReplyObject(rep);
    return v;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static pid_t launch(const char *server, const char *conf_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setpgid(0, 0); /* Ctrl-C at the terminal reaches doctor, which stops this child once */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
    }
    execl(server, server, conf_path, (char *)NULL);
    _exit(127);
}

/* Pipelined SETs in batches until the target is written, time is up or Redis is gone. */
static void flood(redisContext *c, pid_t pid, const struct rl_live_opts *o, struct rl_live_result *r,
                  double t0, bool *dead)
{
    enum { BATCH = 64 };
    char *value = malloc(o->value_size);
    if (!value)
        return;
    memset(value, 'x', o->value_size);
    uint64_t target = (uint64_t)((double)o->maxmemory * o->fill_factor);
    double next_sample = 0;
    while (r->written_bytes + (r->oom_errors * o->value_size) < target) {
        double t = now_s() - t0;
        if (t > o->max_seconds)
            break;
        if (t >= next_sample) {
            sample(pid, r);
            next_sample = t + 0.1;
        }
        if (reaped(pid, r)) {
            *dead = true;
            break;
        }
        for (int i = 0; i < BATCH; i++) {
            char key[48];
            int kl = snprintf(key, sizeof key, "rl:live:%llu", (unsigned long long)r->written_keys + r->oom_errors + r->other_errors + (unsigned long long)i);
            redisAppendCommand(c, "SET %b %b", key, (size_t)kl, value, (size_t)o->value_size);
        }
        for (int i = 0; i < BATCH; i++) {
            redisReply *rep;
            if (redisGetReply(c, (void **)&rep) != REDIS_OK) {
                *dead = true; /* connection lost: the process is checked below */
                goto out;
            }
            if (rep->type == REDIS_REPLY_ERROR) {
                if (strncmp(rep->str, "OOM", 3) == 0)
                    r->oom_errors++;
                else
                    r->other_errors++;
            } else {
                r->written_keys++;
                r->written_bytes += o->value_size;
            }
            freeReplyObject(rep);
        }
    }
out:
    free(value);
}

int rl_live_run(const struct rl_live_opts *o_in, struct rl_live_result *r)
{
    struct rl_live_opts o = *o_in;
    memset(r, 0, sizeof *r);
    if (o.fill_factor <= 0)
        o.fill_factor = 3;
    if (o.max_seconds <= 0)
        o.max_seconds = 8;
    if (o.value_size == 0)
        o.value_size = 1024;
    if (o.maxmemory == 0) {
        snprintf(r->err, sizeof r->err, "the profile sets no maxmemory; --live floods to a multiple of it");
        return -1;
    }
    if (access(o.server, X_OK) < 0) {
        snprintf(r->err, sizeof r->err, "%s is not executable: %s", o.server, strerror(errno));
        return -1;
    }
    char dir[] = "/tmp/rl-live-XXXXXX";
    if (!mkdtemp(dir)) {
        snprintf(r->err, sizeof r->err, "cannot create a temporary directory in /tmp: %s", strerror(errno));
        return -1;
    }
    char conf_path[128], log_path[128];
    snprintf(conf_path, sizeof conf_path, "%s/redis.conf", dir);
    snprintf(log_path, sizeof log_path, "%s/redis.log", dir);
    int port = free_port();
    FILE *f = fopen(conf_path, "wxe");
    if (port < 0 || !f) {
        snprintf(r->err, sizeof r->err, "cannot prepare %s: %s", port < 0 ? "a free port" : conf_path, strerror(errno));
        if (f)
            fclose(f);
        remove_tree(dir);
        return -1;
    }
    fchmod(fileno(f), 0600);
    fprintf(f, "%s\n# doctor --live: a throwaway instance\nport %d\nbind 127.0.0.1\ndir %s\n"
               "logfile %s\ndaemonize no\nsave \"\"\nappendonly no\n",
            o.conf ? o.conf : "", port, dir, log_path);
    fclose(f);

    double t0 = now_s();
    pid_t pid = launch(o.server, conf_path);
    if (pid < 0) {
        snprintf(r->err, sizeof r->err, "fork failed: %s", strerror(errno));
        remove_tree(dir);
        return -1;
    }
    redisContext *c = NULL;
    bool dead = false;
    while (now_s() - t0 < 5 && !(dead = reaped(pid, r))) {
        struct timeval tv = {0, 200000};
        c = redisConnectWithTimeout("127.0.0.1", port, tv);
        if (c && !c->err) {
            redisReply *rep = redisCommand(c, "PING");
            bool pong = rep && rep->type == REDIS_REPLY_STATUS && strcmp(rep->str, "PONG") == 0;
            freeReplyObject(rep);
            if (pong)
                break;
        }
        redisFree(c);
        c = NULL;
        usleep(20000);
    }
    r->started = c != NULL;
    bool gone = dead; /* reaped already (died during startup) */
    if (c) {
        struct timeval tv = {2, 0};
        redisSetTimeout(c, tv);
        flood(c, pid, &o, r, now_s(), &dead);
        sample(pid, r);
        if (!dead)
            dead = gone = reaped(pid, r);
    }
    if (dead && !gone) {
        /* The connection broke (or flood() reaped it): give the process a moment to
         * finish dying so its exit status or signal is known. */
        double t = now_s();
        while (!(gone = reaped(pid, r)) && now_s() - t < 3 && kill(pid, 0) == 0)
            usleep(10000);
        if (!gone && kill(pid, 0) != 0)
            gone = true; /* reaped inside flood() */
        if (!gone) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            snprintf(r->err, sizeof r->err, "the connection broke but the server kept running; stopped it");
        }
    }
    r->seconds = now_s() - t0;
    if (!dead && c && !c->err) {
        r->used_memory_end = info_field(c, "memory", "used_memory");
        r->evicted_keys = info_field(c, "stats", "evicted_keys");
        dead = reaped(pid, r);
    }
    r->survived = r->started && !dead && c && !c->err;
    if (!dead) {
        /* Ours alone: stop it without saving, then make sure. */
        if (c && !c->err)
            freeReplyObject(redisCommand(c, "SHUTDOWN NOSAVE"));
        double stop = now_s();
        while (!reaped(pid, r) && now_s() - stop < 3)
            usleep(10000);
        if (kill(pid, 0) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
    }
    redisFree(c);
    if (!r->survived)
        log_tail(log_path, r->log_tail, sizeof r->log_tail);
    remove_tree(dir);
    return 0;
}
