#include "cli/server/recover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/server/conf.h"
#include "cli/server/files.h"

static void from_conf(struct rl_instance *in)
{
    char *conf = rl_file_read(in->conf, 1 << 20);
    if (!conf)
        return;
    char v[PATH_MAX];
    if (rl_conf_get(conf, "port", v, sizeof v) == 0)
        in->port = (int)strtol(v, NULL, 10);
    if (rl_conf_get(conf, "bind", v, sizeof v) == 0)
        snprintf(in->bind, sizeof in->bind, "%s", v);
    if (rl_conf_get(conf, "unixsocket", v, sizeof v) == 0)
        snprintf(in->socket, sizeof in->socket, "%s", v);
    in->persistent = rl_conf_persistent(conf);
    free(conf);
}

/* The first line of a small file, or "" when unreadable. */
static void first_line(const char *path, char *out, size_t len)
{
    char *text = rl_file_read(path, 256);
    snprintf(out, len, "%s", text ? text : "");
    out[strcspn(out, "\r\n")] = '\0';
    free(text);
}

int rl_recover_instance(struct rl_instance *in, char *why, size_t len)
{
    in->pid = 0;
    in->starttime = 0;
    from_conf(in);
    char text[64], *end;
    first_line(in->pidfile, text, sizeof text);
    long pid = strtol(text, &end, 10);
    if (!text[0]) {
        snprintf(why, len, "%s is missing or empty", in->pidfile);
        return -1;
    }
    if (*end || pid <= 1 || pid > 4194304) {
        snprintf(why, len, "%s does not hold a process id", in->pidfile);
        return -1;
    }
    unsigned long long start;
    if (rl_proc_starttime((pid_t)pid, &start) < 0 || !rl_pid_alive((pid_t)pid, start)) {
        snprintf(why, len, "pid %ld from %s is not running", pid, in->pidfile);
        return -1;
    }
    char comm_path[64], comm[64], cwd_path[64], cwd[PATH_MAX], data[PATH_MAX];
    snprintf(comm_path, sizeof comm_path, "/proc/%ld/comm", pid);
    first_line(comm_path, comm, sizeof comm);
    if (strncmp(comm, "redis-server", 12) != 0 && strncmp(comm, "valkey-server", 13) != 0) {
        snprintf(why, len, "pid %ld from %s is \"%s\", not a redis-server (the pid was reused)", pid, in->pidfile,
                 comm);
        return -1;
    }
    snprintf(cwd_path, sizeof cwd_path, "/proc/%ld/cwd", pid);
    ssize_t n = readlink(cwd_path, cwd, sizeof cwd - 1);
    if (n < 0) {
        snprintf(why, len, "cannot tell whether pid %ld is this instance's Redis (%s: %s)", pid, cwd_path,
                 strerror(errno));
        return -1;
    }
    cwd[n] = '\0';
    if (!realpath(in->data, data) || strcmp(cwd, data) != 0) {
        snprintf(why, len, "pid %ld from %s is a redis-server of another directory (%s), not this instance's", pid,
                 in->pidfile, cwd);
        return -1;
    }
    in->pid = (pid_t)pid;
    in->starttime = start;
    return 0;
}

int rl_recover_set_aside(const struct rl_instance *in, char *aside, size_t len)
{
    snprintf(aside, len, "%s.damaged", in->record);
    return rename(in->record, aside);
}
