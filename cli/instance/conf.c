#include "cli/instance/conf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *reserved[] = {"port", "bind", "unixsocket", "unixsocketperm", "dir", "logfile",
                                 "pidfile", "daemonize", "supervised", "include",
                                 /* where the data lives: up must find it to load it next time */
                                 "dbfilename", "appendfilename", "appenddirname"};

bool rl_conf_reserved(const char *key)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcasecmp(key, reserved[i]) == 0)
            return true;
    return false;
}

int rl_conf_check_set(const char *kv, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        snprintf(err, errlen, "--set %s: expected KEY=VALUE, e.g. --set maxclients=100", kv);
        return -1;
    }
    if (strpbrk(kv, "\n\r")) {
        snprintf(err, errlen, "--set %.*s: the value holds a line break, which would start a new "
                 "directive in redis.conf", (int)(eq - kv), kv);
        return -1;
    }
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
            snprintf(err, errlen, "--set %s: \"%s\" is not a redis.conf directive name", kv, key);
            return -1;
        }
    if (strcasecmp(key, "include") == 0) {
        snprintf(err, errlen, "--set include is refused: an included file could add or override any "
                 "directive, including the ones up sets; put what you need in --set options or a profile");
        return -1;
    }
    if (strcasecmp(key, "loadmodule") == 0) { /* Redis reads directive names in any case */
        snprintf(err, errlen, "--set loadmodule is refused: a module is native code Redis would run inside the "
                 "server; redis-light does not load modules (run redis-server with your own redis.conf to use one)");
        return -1;
    }
    if (strcasecmp(key, "dbfilename") == 0 || strcasecmp(key, "appendfilename") == 0 ||
        strcasecmp(key, "appenddirname") == 0) {
        snprintf(err, errlen, "--set %s is refused: up finds an instance's data by Redis's default file names to "
                 "load it next time (each instance has its own data directory: use --name)", kv);
        return -1;
    }
    if (rl_conf_reserved(key)) {
        const char *use = strcasecmp(key, "port") == 0 ? "--port" : strcasecmp(key, "bind") == 0 ? "--bind"
                        : strncasecmp(key, "unixsocket", 10) == 0 ? "--socket" : "--name (files live in the state directory)";
        snprintf(err, errlen, "--set %s: up sets %s itself; use %s", kv, key, use);
        return -1;
    }
    return 0;
}

int rl_conf_check_socket(const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path);
    if (n == 0) {
        snprintf(err, errlen, "--socket needs a path");
        return -1;
    }
    if (n > RL_SOCKET_PATH_MAX) {
        snprintf(err, errlen, "--socket %s is %zu bytes long; Unix socket paths must stay under %d bytes "
                 "(the kernel's limit is 108, some clients' lower): pick a shorter path such as /tmp/redis.sock",
                 path, n, RL_SOCKET_PATH_MAX);
        return -1;
    }
    if (strpbrk(path, "\n\r")) {
        snprintf(err, errlen, "--socket: the path holds a line break");
        return -1;
    }
    return 0;
}

int rl_conf_check_bind(const char *bind, char *err, size_t errlen)
{
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", bind) >= (int)sizeof copy || !*bind) {
        snprintf(err, errlen, "--bind \"%s\": give one or more IP addresses, e.g. 127.0.0.1 or \"127.0.0.1 ::1\"", bind);
        return -1;
    }
    int count = 0;
    for (char *save = NULL, *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
        const char *a = *t == '-' ? t + 1 : t;
        unsigned char buf[16];
        if (strcmp(a, "*") != 0 && strcmp(a, "::*") != 0 && inet_pton(AF_INET, a, buf) != 1 &&
            inet_pton(AF_INET6, a, buf) != 1) {
            snprintf(err, errlen, "--bind: \"%s\" is not an IPv4 or IPv6 address (host names are not "
                     "accepted by Redis's bind)", t);
            return -1;
        }
        count++;
    }
    if (!count) {
        snprintf(err, errlen, "--bind \"%s\": no address given", bind);
        return -1;
    }
    return 0;
}

void rl_conf_line(char *out, size_t len, const char *key, const char *value)
{
    size_t o = (size_t)snprintf(out, len, "%s \"", key);
    for (const char *p = value; *p && o + 3 < len; p++) {
        if (*p == '"' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    if (o + 2 < len) {
        out[o++] = '"';
        out[o] = '\0';
    }
}

char *rl_conf_instance_part(const struct rl_instance *in, const char *profile_conf)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    if (!f)
        return NULL;
    char line[PATH_MAX + 32], bind[300], tmp[8];
    fprintf(f, "\n# --- instance \"%s\": written by redis-light up (changes here are overwritten) ---\n", in->name);
    fprintf(f, "port %d\n", in->port);
    /* bind takes several addresses as separate arguments: normalise commas to spaces */
    snprintf(bind, sizeof bind, "%s", in->bind);
    for (char *p = bind; *p; p++)
        if (*p == ',')
            *p = ' ';
    fprintf(f, "bind %s\n", bind);
    if (rl_conf_get(profile_conf ? profile_conf : "", "protected-mode", tmp, sizeof tmp) < 0)
        fprintf(f, "protected-mode yes\n");
    rl_conf_line(line, sizeof line, "dir", in->data);
    fprintf(f, "%s\n", line);
    rl_conf_line(line, sizeof line, "logfile", in->log);
    fprintf(f, "%s\n", line);
    rl_conf_line(line, sizeof line, "pidfile", in->pidfile);
    fprintf(f, "%s\n", line);
    if (in->socket[0]) {
        rl_conf_line(line, sizeof line, "unixsocket", in->socket);
        fprintf(f, "%s\nunixsocketperm 700\n", line);
    }
    fprintf(f, "daemonize no\n");
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Unquotes one redis.conf value (the rest of the line after the key). */
static void value_of(const char *p, const char *eol, char *out, size_t len)
{
    while (p < eol && (*p == ' ' || *p == '\t'))
        p++;
    while (eol > p && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
        eol--;
    size_t o = 0;
    if (p < eol && (*p == '"' || *p == '\'') && eol - p >= 2 && eol[-1] == *p) {
        char q = *p++;
        eol--;
        for (; p < eol && o + 1 < len; p++) {
            if (q == '"' && *p == '\\' && p + 1 < eol)
                p++;
            out[o++] = *p;
        }
    } else {
        for (; p < eol && o + 1 < len; p++)
            out[o++] = *p;
    }
    out[o] = '\0';
}

int rl_conf_get(const char *conf, const char *key, char *out, size_t len)
{
    size_t kl = strlen(key);
    int found = -1;
    for (const char *line = conf; line && *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        const char *p = line;
        while (p < eol && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(eol - p) >= kl && strncasecmp(p, key, kl) == 0 &&
            (p + kl == eol || p[kl] == ' ' || p[kl] == '\t')) {
            value_of(p + kl, eol, out, len);
            found = 0;
        }
        line = *eol ? eol + 1 : NULL;
    }
    return found;
}

const char *rl_conf_persist_mode(const char *conf)
{
    char v[256];
    if (rl_conf_get(conf, "appendonly", v, sizeof v) == 0 && strcasecmp(v, "yes") == 0)
        return "aof";
    if (rl_conf_get(conf, "save", v, sizeof v) < 0)
        return "rdb"; /* no save line: Redis's default snapshot rules apply */
    return v[0] ? "rdb" : "none";
}

bool rl_conf_persistent(const char *conf) { return strcmp(rl_conf_persist_mode(conf), "none") != 0; }
