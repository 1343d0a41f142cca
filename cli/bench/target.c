#include "cli/bench/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/instance/client.h"
#include "cli/instance/instance.h"
#include "cli/instance/password.h"
#include "cli/util/paths.h"

void rl_target_where(const struct rl_target *t, char *out, size_t len)
{
    if (t->socket[0])
        snprintf(out, len, "unix socket %s", t->socket);
    else
        snprintf(out, len, strchr(t->host, ':') ? "[%s]:%d" : "%s:%d", t->host, t->port);
}

static redisReply *command(redisContext *c, int argc, const char **argv)
{
    size_t lens[4];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    return redisCommandArgv(c, argc, argv, lens);
}

redisContext *rl_control_connect(const struct rl_target *t, char *err, size_t errlen)
{
    char where[PATH_MAX + 32];
    rl_target_where(t, where, sizeof where);
    struct timeval tv = {t->timeout_ms / 1000, (suseconds_t)(t->timeout_ms % 1000) * 1000};
    redisContext *c = t->socket[0] ? redisConnectUnixWithTimeout(t->socket, tv)
                                   : redisConnectWithTimeout(t->host, t->port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "cannot connect to %s: %s; start a server there (redis-light up), "
                 "or point bench at one with -h/-p or -s", where, c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv); /* every later reply wait is bounded too */
    if (t->has_password) {
        const char *argv[3] = {"AUTH", t->user[0] ? t->user : t->password, t->password};
        redisReply *r = command(c, t->user[0] ? 3 : 2, argv);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(err, errlen, "%s refused the login%s%s: %s; check -a and --user", where,
                     t->user[0] ? " of user " : "", t->user, r ? r->str : c->errstr);
            freeReplyObject(r);
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    if (t->dbnum) {
        char db[16];
        snprintf(db, sizeof db, "%d", t->dbnum);
        const char *argv[2] = {"SELECT", db};
        redisReply *r = command(c, 2, argv);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(err, errlen, "%s refused SELECT %d: %s; check --dbnum against the server's "
                     "'databases' setting", where, t->dbnum, r ? r->str : c->errstr);
            freeReplyObject(r);
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    return c;
}

int rl_control_info(redisContext *c, const struct rl_target *t, struct rl_server_info *si,
                    char *err, size_t errlen)
{
    char where[PATH_MAX + 32];
    rl_target_where(t, where, sizeof where);
    memset(si, 0, sizeof *si);
    const char *argv[1] = {"INFO"};
    redisReply *r = command(c, 1, argv);
    if (!r) {
        snprintf(err, errlen, "INFO on %s failed: %s; it did not answer within --timeout %d ms: "
                 "is the server stopped or overloaded, or not a Redis server?", where, c->errstr,
                 t->timeout_ms);
        return -1;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        if (strncmp(r->str, "NOAUTH", 6) == 0)
            snprintf(err, errlen, "%s requires a password (%s): give -a PASSWORD (and --user NAME "
                     "for an ACL user), or set REDISCLI_AUTH", where, r->str);
        else
            snprintf(err, errlen, "INFO on %s failed: %s", where, r->str);
        freeReplyObject(r);
        return -1;
    }
    if (r->type != REDIS_REPLY_STRING) {
        snprintf(err, errlen, "INFO on %s gave no text; is it a Redis server?", where);
        freeReplyObject(r);
        return -1;
    }
    const char *info = r->str;
    char v[64];
    if (rl_info_field(info, "redis_version", si->redis_version, sizeof si->redis_version) < 0)
        snprintf(si->redis_version, sizeof si->redis_version, "unknown");
    if (rl_info_field(info, "mem_allocator", si->mem_allocator, sizeof si->mem_allocator) < 0)
        snprintf(si->mem_allocator, sizeof si->mem_allocator, "unknown");
    si->maxmemory = rl_info_u64(info, "maxmemory", 0);
    if (rl_info_field(info, "maxmemory_policy", si->maxmemory_policy, sizeof si->maxmemory_policy) < 0)
        snprintf(si->maxmemory_policy, sizeof si->maxmemory_policy, "unknown");
    si->cluster = rl_info_field(info, "cluster_enabled", v, sizeof v) == 0 && strcmp(v, "1") == 0;
    si->pid = (long long)rl_info_u64(info, "process_id", 0);
    char host[256], port[16];
    if (rl_info_field(info, "role", v, sizeof v) == 0 && strcmp(v, "slave") == 0) {
        si->read_only_replica = rl_info_u64(info, "slave_read_only", 1) != 0;
        if (rl_info_field(info, "master_host", host, sizeof host) == 0 &&
            rl_info_field(info, "master_port", port, sizeof port) == 0)
            snprintf(si->master, sizeof si->master, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
    }
    freeReplyObject(r);
    return 0;
}

static int use_instance(struct rl_target *t, const char *root, const char *name)
{
    struct rl_instance in;
    char err[256];
    if (rl_instance_init(&in, root, name) < 0 || rl_instance_load(&in, err, sizeof err) < 0 ||
        !rl_instance_alive(&in))
        return -1;
    if (in.port > 0) {
        rl_instance_connect_host(&in, t->host, sizeof t->host);
        t->port = in.port;
        t->socket[0] = '\0';
    } else if (in.socket[0]) {
        snprintf(t->socket, sizeof t->socket, "%s", in.socket);
    } else {
        return -1;
    }
    /* The instance's own password (its 0600 password file, or its config's requirepass):
     * bench against `up --password` needs no -a. An explicit -a or REDISCLI_AUTH, applied
     * after this, wins. */
    char pw[RL_PASSWORD_MAX + 1];
    rl_password_load(&in, pw, sizeof pw);
    if (pw[0] && strlen(pw) < sizeof t->password) {
        snprintf(t->password, sizeof t->password, "%s", pw);
        t->has_password = true;
    }
    return 0;
}

void rl_target_default(struct rl_target *t, char *source, size_t len)
{
    t->password[0] = '\0';
    t->has_password = false;
    snprintf(t->host, sizeof t->host, "127.0.0.1");
    t->port = 6379;
    t->socket[0] = '\0';
    snprintf(source, len, "default address");
    char root[PATH_MAX];
    if (rl_state_dir(root, sizeof root) < 0)
        return;
    static char names[64][RL_NAME_MAX + 1];
    int n = rl_instance_list(root, names, 64);
    /* "default" is what a bare `up` creates: prefer it, then the others by name. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            bool is_default = strcmp(names[i], "default") == 0;
            if ((pass == 0) != is_default)
                continue;
            if (use_instance(t, root, names[i]) == 0) {
                snprintf(source, len, "instance \"%s\" started by up", names[i]);
                return;
            }
        }
}
