#include "cli/instance/throwaway.h"

#include "cli/sys/files.h"
#include "cli/instance/port.h"

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

uint64_t rl_proc_rss(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    uint64_t kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtoull(line + 6, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return kb * 1024;
}

uint64_t rl_proc_maps(pid_t pid)
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

void rl_remove_flat_dir(const char *dir)
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

void rl_log_tail_text(const char *path, int max_lines, char *out, size_t len)
{
    char *tail = rl_file_tail(path, 0, max_lines);
    snprintf(out, len, "%s", tail ? tail : "");
    free(tail);
}

int rl_throwaway_start(struct rl_throwaway *t, const char *what, const char *server,
                       const char *conf_text, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (access(server, X_OK) < 0) {
        snprintf(err, errlen, "%s is not executable: %s", server, strerror(errno));
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || tmp[0] != '/' || strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(t->dir, sizeof t->dir, "%s/rl-%.16s-XXXXXX", tmp, what);
    if (!mkdtemp(t->dir)) {
        snprintf(err, errlen, "cannot create a temporary directory in %s: %s (set TMPDIR to a writable one)", tmp,
                 strerror(errno));
        t->dir[0] = '\0';
        return -1;
    }
    snprintf(t->conf, sizeof t->conf, "%s/redis.conf", t->dir);
    snprintf(t->log, sizeof t->log, "%s/redis.log", t->dir);
    t->port = rl_port_pick();
    int fd = t->port < 0 ? -1 : open(t->conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "cannot prepare %s: %s", t->port < 0 ? "a free port" : t->conf, strerror(errno));
        if (fd >= 0)
            close(fd);
        rl_remove_flat_dir(t->dir);
        t->dir[0] = '\0';
        return -1;
    }
    fprintf(f, "%s\n# a throwaway instance of redis-light (%s)\nport %d\nbind 127.0.0.1\nprotected-mode yes\n"
               "dir %s\nlogfile %s\ndaemonize no\nsave \"\"\nappendonly no\n",
            conf_text ? conf_text : "", what, t->port, t->dir, t->log);
    fclose(f);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork failed: %s", strerror(errno));
        rl_remove_flat_dir(t->dir);
        t->dir[0] = '\0';
        return -1;
    }
    if (pid == 0) {
        pid_t parent = getppid();
        setpgid(0, 0); /* Ctrl-C at the terminal reaches redis-light, which stops this once */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127); /* redis-light died before the death signal was armed */
        /* Under memory pressure the kernel should kill the server being measured, not
         * redis-light, which has to stay alive to report what happened. */
        int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (adj >= 0) {
            if (write(adj, "1000", 4) < 0) {
                /* not fatal: the measurement is still valid, only less protected */
            }
            close(adj);
        }
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execl(server, server, t->conf, (char *)NULL);
        _exit(127);
    }
    t->pid = pid;
    return 0;
}

bool rl_throwaway_reap(struct rl_throwaway *t)
{
    if (t->reaped)
        return true;
    if (t->pid <= 0)
        return false;
    int st;
    if (waitpid(t->pid, &st, WNOHANG) != t->pid)
        return false;
    t->exit_status = WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
    t->reaped = true;
    return true;
}

int rl_throwaway_wait_ready(struct rl_throwaway *t, double seconds, char *err, size_t errlen)
{
    double t0 = now_s();
    while (now_s() - t0 < seconds) {
        if (rl_throwaway_reap(t)) {
            char tail[1024];
            rl_log_tail_text(t->log, 8, tail, sizeof tail);
            snprintf(err, errlen, "redis-server %s %d during startup; its log ends:\n%s",
                     t->exit_status < 0 ? "was killed by signal" : "exited with code",
                     t->exit_status < 0 ? -t->exit_status : t->exit_status, tail[0] ? tail : "(empty)\n");
            return -1;
        }
        struct timeval tv = {0, 200000};
        redisContext *c = redisConnectWithTimeout("127.0.0.1", t->port, tv);
        if (c && !c->err) {
            /* ours, not whatever took the port between rl_port_pick and the bind */
            redisReply *r = redisCommand(c, "INFO server");
            char want[48];
            snprintf(want, sizeof want, "process_id:%d\r\n", (int)t->pid);
            bool ours = r && r->type == REDIS_REPLY_STRING && strstr(r->str, want);
            bool loading = r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "LOADING", 7) == 0;
            bool answered = r != NULL;
            freeReplyObject(r);
            redisFree(c);
            if (ours)
                return 0;
            if (!loading && answered && !rl_throwaway_reap(t)) {
                snprintf(err, errlen, "port %d answers, but not as redis-server pid %d (another process took "
                         "the port); try again", t->port, (int)t->pid);
                return -1;
            }
        } else {
            redisFree(c);
        }
        usleep(20000);
    }
    snprintf(err, errlen, "redis-server (pid %d) did not answer PING on port %d within %.0f s; see %s",
             (int)t->pid, t->port, seconds, t->log);
    return -1;
}

void rl_throwaway_stop(struct rl_throwaway *t)
{
    if (t->pid > 0 && !rl_throwaway_reap(t)) {
        /* A signal to our own unreaped child, never a SHUTDOWN over the port: the port may
         * lead to another server (one that took it before ours could bind). Its config
         * saves nothing, so SIGTERM ends it as SHUTDOWN NOSAVE would. */
        kill(t->pid, SIGTERM);
        double stop = now_s();
        while (!rl_throwaway_reap(t) && now_s() - stop < 3)
            usleep(10000);
        if (!t->reaped) {
            kill(t->pid, SIGKILL);
            waitpid(t->pid, NULL, 0);
            t->reaped = true;
        }
    }
    t->pid = 0;
    if (t->dir[0])
        rl_remove_flat_dir(t->dir);
    t->dir[0] = '\0';
}
