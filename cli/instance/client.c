#include "cli/instance/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

redisContext *rl_client_connect(const struct rl_instance *in, const char *password, int timeout_ms,
                                char *err, size_t errlen)
{
    struct timeval tv = {timeout_ms / 1000, (suseconds_t)(timeout_ms % 1000) * 1000};
    redisContext *c;
    char host[128];
    if (in->socket[0]) {
        c = redisConnectUnixWithTimeout(in->socket, tv);
        snprintf(host, sizeof host, "%s", in->socket);
    } else {
        rl_instance_connect_host(in, host, sizeof host);
        c = redisConnectWithTimeout(host, in->port, tv);
    }
    if (!c || c->err) {
        if (in->socket[0])
            snprintf(err, errlen, "cannot connect to socket %s: %s", in->socket, c ? c->errstr : "out of memory");
        else
            snprintf(err, errlen, "cannot connect to %s port %d: %s", host, in->port, c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    if (password && *password) {
        redisReply *r = redisCommand(c, "AUTH %s", password);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(err, errlen, "AUTH with the instance's password (its password file, else the config's "
                     "requirepass) failed: %s", r ? r->str : c->errstr);
            freeReplyObject(r);
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    return c;
}

enum rl_ping rl_client_ping(redisContext *c, char *err, size_t errlen)
{
    redisReply *r = redisCommand(c, "PING");
    enum rl_ping res = RL_PING_ERROR;
    if (!r)
        snprintf(err, errlen, "PING failed: %s", c->errstr);
    else if (r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0)
        res = RL_PING_PONG;
    else if (r->type == REDIS_REPLY_ERROR && (strncmp(r->str, "LOADING", 7) == 0 || strncmp(r->str, "BUSY", 4) == 0))
        res = RL_PING_LOADING;
    else
        snprintf(err, errlen, "PING answered %s", r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS ? r->str : "something else");
    freeReplyObject(r);
    return res;
}

char *rl_client_info(redisContext *c, const char *section)
{
    redisReply *r = redisCommand(c, "INFO %s", section);
    char *out = r && r->type == REDIS_REPLY_STRING ? strdup(r->str) : NULL;
    freeReplyObject(r);
    return out;
}

int rl_info_field(const char *info, const char *key, char *out, size_t len)
{
    size_t kl = strlen(key);
    for (const char *p = info; p && *p;) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
            const char *v = p + kl + 1;
            size_t n = strcspn(v, "\r\n");
            snprintf(out, len, "%.*s", (int)n, v);
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

uint64_t rl_info_u64(const char *info, const char *key, uint64_t def)
{
    char v[64];
    if (!info || rl_info_field(info, key, v, sizeof v) < 0)
        return def;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    return end == v ? def : (uint64_t)x;
}
