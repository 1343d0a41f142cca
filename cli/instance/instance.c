#include "cli/instance/instance.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/sys/kvfile.h"

int rl_instance_name_ok(const char *name, char *err, size_t errlen)
{
    size_t n = strlen(name);
    bool ok = n >= 1 && n <= RL_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '-'));
    }
    if (!ok)
        snprintf(err, errlen, "invalid instance name \"%s\": use 1-%d letters, digits, '.', '_' or '-', "
                 "starting with a letter or digit", name, RL_NAME_MAX);
    return ok ? 0 : -1;
}

int rl_instance_init(struct rl_instance *in, const char *state_root, const char *name)
{
    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    int n = snprintf(in->dir, sizeof in->dir, "%s/%s", state_root, name);
    if (n < 0 || (size_t)n + 32 >= sizeof in->dir)
        return -1;
    snprintf(in->conf, sizeof in->conf, "%s/redis.conf", in->dir);
    snprintf(in->log, sizeof in->log, "%s/redis.log", in->dir);
    snprintf(in->data, sizeof in->data, "%s/data", in->dir);
    snprintf(in->pidfile, sizeof in->pidfile, "%s/redis.pid", in->dir);
    snprintf(in->record, sizeof in->record, "%s/%s", in->dir, RL_INSTANCE_RECORD);
    snprintf(in->secret, sizeof in->secret, "%s/%s", in->dir, RL_INSTANCE_PASSWORD);
    snprintf(in->bind, sizeof in->bind, "127.0.0.1");
    snprintf(in->state, sizeof in->state, "stopped");
    return 0;
}

#define GETS(field, key)                                                        \
    snprintf(in->field, sizeof in->field, "%s", rl_kv_get(kv, key) ? rl_kv_get(kv, key) : "")

/* A record up wrote always holds these, with these shapes; anything else means the file
 * was cut short or overwritten, and its pid must not be trusted (down would signal it). */
static int check_record(const struct rl_kv *kv, const char *name, char *why, size_t len)
{
    static const char *const required[] = {"name", "state", "pid", "port"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!rl_kv_get(kv, required[i])) {
            snprintf(why, len, "it has no \"%s:\" line", required[i]);
            return -1;
        }
    const char *state = rl_kv_get(kv, "state");
    if (strcmp(rl_kv_get(kv, "name"), name) != 0)
        snprintf(why, len, "it names instance \"%.40s\", not \"%s\"", rl_kv_get(kv, "name"), name);
    else if (strcmp(state, "starting") != 0 && strcmp(state, "running") != 0 && strcmp(state, "stopped") != 0)
        snprintf(why, len, "state \"%.40s\" is not starting, running or stopped", state);
    else if (rl_kv_get_ll(kv, "pid", -1) < 0 || rl_kv_get_ll(kv, "pid", -1) > INT_MAX)
        snprintf(why, len, "pid \"%.40s\" is not a process id", rl_kv_get(kv, "pid"));
    else if (rl_kv_get_ll(kv, "port", -1) < 0 || rl_kv_get_ll(kv, "port", -1) > 65535)
        snprintf(why, len, "port \"%.40s\" is not a port number", rl_kv_get(kv, "port"));
    else if (rl_kv_get(kv, "starttime") && rl_kv_get_ll(kv, "starttime", -1) < 0)
        snprintf(why, len, "starttime \"%.40s\" is not a number", rl_kv_get(kv, "starttime"));
    else
        return 0;
    return -1;
}

int rl_instance_load(struct rl_instance *in, char *err, size_t errlen)
{
    struct rl_kv *kv = rl_kv_new();
    if (!kv || rl_kv_load(kv, in->record) < 0) {
        int e = kv ? kv->err : ENOMEM;
        if (e == EINVAL) /* it exists but does not parse */
            snprintf(err, errlen, "the instance record %s is damaged (%s)", in->record,
                     kv->errstr + (strncmp(kv->errstr, in->record, strlen(in->record)) == 0 ? strlen(in->record) + 2 : 0));
        else
            snprintf(err, errlen, "%s", kv ? kv->errstr : "out of memory");
        rl_kv_free(kv);
        errno = e;
        return -1;
    }
    char why[160];
    if (check_record(kv, in->name, why, sizeof why) < 0) {
        snprintf(err, errlen, "the instance record %s is damaged (%s)", in->record, why);
        rl_kv_free(kv);
        errno = EINVAL;
        return -1;
    }
    GETS(socket, "socket");
    GETS(bind, "bind");
    GETS(profile, "profile");
    GETS(allocator, "malloc");
    GETS(binary, "binary");
    GETS(version, "version");
    GETS(policy, "maxmemory_policy");
    GETS(state, "state");
    if (rl_kv_get(kv, "config"))
        GETS(conf, "config");
    if (rl_kv_get(kv, "log"))
        GETS(log, "log");
    if (rl_kv_get(kv, "data"))
        GETS(data, "data");
    in->port = (int)rl_kv_get_ll(kv, "port", 0);
    in->pid = (pid_t)rl_kv_get_ll(kv, "pid", 0);
    in->starttime = (unsigned long long)rl_kv_get_ll(kv, "starttime", 0);
    in->maxmemory = (uint64_t)rl_kv_get_ll(kv, "maxmemory", 0);
    in->persistent = rl_kv_get_ll(kv, "persistent", 0) != 0;
    in->aof = rl_kv_get_ll(kv, "aof", 0) != 0;
    in->detached = rl_kv_get_ll(kv, "detached", 0) != 0;
    in->supervisor = (pid_t)rl_kv_get_ll(kv, "supervisor", 0);
    in->started_at = rl_kv_get_ll(kv, "started_at", 0);
    rl_kv_free(kv);
    return 0;
}

int rl_instance_save(const struct rl_instance *in, char *err, size_t errlen)
{
    struct rl_kv *kv = rl_kv_new();
    if (!kv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rl_kv_set(kv, "name", in->name);
    rl_kv_set(kv, "state", in->state);
    rl_kv_setf(kv, "pid", "%d", (int)in->pid);
    rl_kv_setf(kv, "starttime", "%llu", in->starttime);
    rl_kv_setf(kv, "port", "%d", in->port);
    rl_kv_set(kv, "bind", in->bind);
    rl_kv_set(kv, "socket", in->socket);
    rl_kv_set(kv, "profile", in->profile);
    rl_kv_set(kv, "malloc", in->allocator);
    rl_kv_set(kv, "binary", in->binary);
    rl_kv_set(kv, "version", in->version);
    rl_kv_set(kv, "config", in->conf);
    rl_kv_set(kv, "log", in->log);
    rl_kv_set(kv, "data", in->data);
    rl_kv_setf(kv, "maxmemory", "%llu", (unsigned long long)in->maxmemory);
    rl_kv_set(kv, "maxmemory_policy", in->policy);
    rl_kv_setf(kv, "persistent", "%d", in->persistent ? 1 : 0);
    rl_kv_setf(kv, "aof", "%d", in->aof ? 1 : 0);
    rl_kv_setf(kv, "detached", "%d", in->detached ? 1 : 0);
    rl_kv_setf(kv, "supervisor", "%d", (int)in->supervisor);
    rl_kv_setf(kv, "started_at", "%lld", in->started_at);
    int rc = rl_kv_write(kv, in->record, "redis-light instance record (written by up, read by status and down)");
    if (rc < 0)
        snprintf(err, errlen, "%s", kv->errstr);
    rl_kv_free(kv);
    return rc;
}

static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

int rl_instance_list(const char *state_root, char names[][RL_NAME_MAX + 1], int max)
{
    DIR *d = opendir(state_root);
    int n = 0;
    struct dirent *e;
    while (d && n < max && (e = readdir(d)) != NULL) {
        char rec[PATH_MAX], why[8];
        if (rl_instance_name_ok(e->d_name, why, sizeof why) < 0)
            continue;
        snprintf(rec, sizeof rec, "%s/%s/%s", state_root, e->d_name, RL_INSTANCE_RECORD);
        if (access(rec, F_OK) == 0)
            snprintf(names[n++], RL_NAME_MAX + 1, "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    return n;
}

/* Parses /proc/PID/stat after the command name (which may hold spaces and parentheses). */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return -1;
    p += 2; /* field 3, the state */
    *state = *p;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    *start = strtoull(p, NULL, 10);
    return 0;
}

char rl_proc_state(pid_t pid)
{
    char st;
    unsigned long long start;
    if (pid <= 0 || proc_stat(pid, &st, &start) < 0)
        return '\0';
    return st;
}

int rl_proc_starttime(pid_t pid, unsigned long long *start)
{
    char st;
    return proc_stat(pid, &st, start);
}

bool rl_pid_alive(pid_t pid, unsigned long long starttime)
{
    char st;
    unsigned long long start;
    if (pid <= 0 || proc_stat(pid, &st, &start) < 0)
        return false;
    if (st == 'Z' || st == 'X')
        return false;
    return starttime == 0 || start == starttime;
}

bool rl_instance_alive(const struct rl_instance *in)
{
    return in->pid > 0 && rl_pid_alive(in->pid, in->starttime);
}

void rl_instance_connect_host(const struct rl_instance *in, char *out, size_t len)
{
    char first[128];
    const char *b = in->bind[0] ? in->bind : "127.0.0.1";
    while (*b == ' ')
        b++;
    if (*b == '-') /* Redis 7: "-addr" means optional */
        b++;
    size_t n = strcspn(b, " ,");
    snprintf(first, sizeof first, "%.*s", (int)n, b);
    if (strcmp(first, "0.0.0.0") == 0 || strcmp(first, "*") == 0 || first[0] == '\0')
        snprintf(out, len, "127.0.0.1");
    else if (strcmp(first, "::") == 0 || strcmp(first, "::*") == 0)
        snprintf(out, len, "::1");
    else
        snprintf(out, len, "%s", first);
}

void rl_instance_url(const struct rl_instance *in, char *out, size_t len)
{
    if (in->port == 0) {
        snprintf(out, len, "unix://%s", in->socket);
        return;
    }
    char host[128];
    rl_instance_connect_host(in, host, sizeof host);
    snprintf(out, len, strchr(host, ':') ? "redis://[%s]:%d" : "redis://%s:%d", host, in->port);
}
