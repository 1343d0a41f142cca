#include "cli/instance/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/instance/client.h"
#include "cli/sys/files.h"

/* The program pid runs: the name of /proc/PID/exe (a deleted, rebuilt binary still has its
 * name), else /proc/PID/comm when exe cannot be read (another user's process). */
static void program_name(pid_t pid, char *out, size_t len)
{
    char path[64], target[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        char *deleted = strstr(target, " (deleted)");
        if (deleted && deleted[10] == '\0')
            *deleted = '\0';
        const char *base = strrchr(target, '/');
        snprintf(out, len, "%s", base ? base + 1 : target);
        return;
    }
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    char *comm = rl_file_read(path, 64);
    snprintf(out, len, "%s", comm ? comm : "");
    out[strcspn(out, "\r\n")] = '\0';
    free(comm);
}

static bool is_server_program(const char *name)
{
    return strncmp(name, "redis-server", 12) == 0 || strncmp(name, "valkey-server", 13) == 0;
}

/* Whether argv[1] of pid is the config path: up starts Redis as `redis-server CONF`. */
static bool cmdline_names(pid_t pid, const char *conf, const char *conf_real)
{
    char path[64], buf[PATH_MAX + 256];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    size_t first = strlen(buf);
    if ((ssize_t)first + 1 >= n)
        return false; /* one argument only, or a rewritten process title */
    const char *arg1 = buf + first + 1;
    return strcmp(arg1, conf) == 0 || (conf_real[0] && strcmp(arg1, conf_real) == 0);
}

int rl_identity_check_pid(const struct rl_instance *in, pid_t pid, unsigned long long starttime,
                          const char *source, char *why, size_t len)
{
    if (pid <= 0 || !rl_pid_alive(pid, 0)) {
        snprintf(why, len, "pid %d %s is not running", (int)pid, source);
        return -1;
    }
    unsigned long long start = 0;
    if (starttime && (rl_proc_starttime(pid, &start) < 0 || start != starttime)) {
        snprintf(why, len, "pid %d %s is not the process that was recorded (it started at tick %llu, not %llu): "
                 "the pid was reused or the record edited", (int)pid, source, start, starttime);
        return -1;
    }
    char prog[PATH_MAX];
    program_name(pid, prog, sizeof prog);
    if (!is_server_program(prog)) {
        snprintf(why, len, "pid %d %s is \"%s\", not a redis-server (the pid was reused)", (int)pid, source, prog);
        return -1;
    }
    /* Compared against the paths of the instance's directory, not the record's fields. */
    char data[PATH_MAX + 8], conf[PATH_MAX + 16], data_real[PATH_MAX] = "", conf_real[PATH_MAX] = "";
    snprintf(data, sizeof data, "%s/data", in->dir);
    snprintf(conf, sizeof conf, "%s/redis.conf", in->dir);
    if (!realpath(data, data_real))
        data_real[0] = '\0';
    if (!realpath(conf, conf_real))
        conf_real[0] = '\0';
    char cwd_path[64], cwd[PATH_MAX];
    snprintf(cwd_path, sizeof cwd_path, "/proc/%d/cwd", (int)pid);
    ssize_t n = readlink(cwd_path, cwd, sizeof cwd - 1);
    if (n >= 0) {
        cwd[n] = '\0';
        if (data_real[0] && strcmp(cwd, data_real) == 0)
            return 0;
    }
    if (cmdline_names(pid, conf, conf_real))
        return 0;
    if (n < 0)
        snprintf(why, len, "cannot tell whether pid %d %s is this instance's Redis (%s: %s)", (int)pid, source,
                 cwd_path, strerror(errno));
    else
        snprintf(why, len, "pid %d %s is a redis-server of another directory (%s), not this instance's", (int)pid,
                 source, cwd);
    return -1;
}

int rl_identity_from_pidfile(struct rl_instance *in, char *why, size_t len)
{
    char *text = rl_file_read(in->pidfile, 256), *end;
    char line[64];
    snprintf(line, sizeof line, "%s", text ? text : "");
    free(text);
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) {
        snprintf(why, len, "%s is missing or empty", in->pidfile);
        return -1;
    }
    long pid = strtol(line, &end, 10);
    if (*end || pid <= 1 || pid > 4194304) {
        snprintf(why, len, "%s does not hold a process id", in->pidfile);
        return -1;
    }
    char source[PATH_MAX + 8];
    snprintf(source, sizeof source, "from %s", in->pidfile);
    unsigned long long start;
    if (rl_proc_starttime((pid_t)pid, &start) < 0) {
        snprintf(why, len, "pid %ld %s is not running", pid, source);
        return -1;
    }
    if (rl_identity_check_pid(in, (pid_t)pid, start, source, why, len) < 0)
        return -1;
    in->pid = (pid_t)pid;
    in->starttime = start;
    return 0;
}

enum rl_found rl_identity_find(struct rl_instance *in, char *why, size_t len)
{
    char rec[768], pf[768];
    if (in->pid > 0 && rl_identity_check_pid(in, in->pid, in->starttime, "in the record", rec, sizeof rec) == 0)
        return RL_FOUND_RECORD;
    if (in->pid <= 0)
        snprintf(rec, sizeof rec, "the record holds no pid");
    if (rl_identity_from_pidfile(in, pf, sizeof pf) == 0) {
        snprintf(why, len, "%s", rec);
        return RL_FOUND_PIDFILE;
    }
    snprintf(why, len, "%s; %s", rec, pf);
    return RL_FOUND_NONE;
}

int rl_identity_same_process(redisContext *c, pid_t pid, char **server_info, bool *foreign, char *why, size_t len)
{
    *foreign = false;
    if (server_info)
        *server_info = NULL;
    char *info = rl_client_info(c, "server");
    if (!info) {
        snprintf(why, len, "gave no answer to INFO server (%s), so which process listens there is unknown",
                 c->errstr[0] ? c->errstr : "an error reply");
        return -1;
    }
    long long got = (long long)rl_info_u64(info, "process_id", 0);
    if (got != (long long)pid) {
        free(info);
        *foreign = got > 0;
        if (got > 0)
            snprintf(why, len, "is answered by another server (process_id %lld), not this instance's Redis (pid %d)",
                     got, (int)pid);
        else
            snprintf(why, len, "answers INFO server without a process_id, so which process listens there is unknown");
        return -1;
    }
    if (server_info)
        *server_info = info;
    else
        free(info);
    return 0;
}

redisContext *rl_identity_connect(const struct rl_instance *in, const char *password, int timeout_ms,
                                  char **server_info, bool *foreign, char *why, size_t len)
{
    *foreign = false;
    if (server_info)
        *server_info = NULL;
    redisContext *c = rl_client_connect(in, password, timeout_ms, why, len);
    if (!c)
        return NULL;
    char url[PATH_MAX + 16], detail[512];
    if (in->socket[0]) /* the client goes there even when there is a port */
        snprintf(url, sizeof url, "unix://%s", in->socket);
    else
        rl_instance_url(in, url, sizeof url);
    if (rl_identity_same_process(c, in->pid, server_info, foreign, detail, sizeof detail) < 0) {
        snprintf(why, len, "%s %s", url, detail);
        redisFree(c);
        return NULL;
    }
    return c;
}

bool rl_identity_socket_in_use(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return false;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true; /* cannot tell: keep it */
    bool used = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 || (errno != ECONNREFUSED && errno != ENOENT);
    close(fd);
    return used;
}
