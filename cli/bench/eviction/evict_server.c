#include "cli/bench/eviction/evict_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench/keygen.h"

static int config_get(redisContext *c, const char *name, char *out, size_t len, char *err, size_t errlen)
{
    redisReply *r = redisCommand(c, "CONFIG GET %s", name);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING) {
        snprintf(out, len, "%s", r->element[1]->str);
        rc = 0;
    } else {
        snprintf(err, errlen, "CONFIG GET %s failed: %s", name,
                 r && r->type == REDIS_REPLY_ERROR ? r->str : c->err ? c->errstr : "unexpected reply");
    }
    freeReplyObject(r);
    return rc;
}

int rl_config_set(redisContext *c, const char *name, const char *value, char *err, size_t errlen)
{
    redisReply *r = redisCommand(c, "CONFIG SET %s %s", name, value);
    int rc = r && r->type == REDIS_REPLY_STATUS ? 0 : -1;
    if (rc < 0)
        snprintf(err, errlen, "CONFIG SET %s %s failed: %s", name, value,
                 r && r->type == REDIS_REPLY_ERROR ? r->str : c->err ? c->errstr : "unexpected reply");
    freeReplyObject(r);
    return rc;
}

int rl_config_save(redisContext *c, struct rl_saved_config *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (config_get(c, "maxmemory", s->maxmemory, sizeof s->maxmemory, err, errlen) < 0 ||
        config_get(c, "maxmemory-policy", s->policy, sizeof s->policy, err, errlen) < 0)
        return -1;
    s->saved = true;
    return 0;
}

int rl_config_restore(redisContext *c, const struct rl_saved_config *s, char *err, size_t errlen)
{
    if (!s->saved)
        return 0;
    char e2[256];
    int a = rl_config_set(c, "maxmemory-policy", s->policy, err, errlen);
    int b = rl_config_set(c, "maxmemory", s->maxmemory, a < 0 ? e2 : err, a < 0 ? sizeof e2 : errlen);
    return a < 0 || b < 0 ? -1 : 0; /* both attempted: one failing must not skip the other */
}

void rl_prefix_pattern(const char *prefix, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = prefix; *p && o + 3 + 5 * (size_t)RL_KEY_DIGITS < len; p++) {
        if (strchr("*?[]\\", *p))
            out[o++] = '\\';
        out[o++] = *p;
    }
    for (int i = 0; i < RL_KEY_DIGITS; i++) {
        memcpy(out + o, "[0-9]", 5);
        o += 5;
    }
    out[o] = '\0';
}

bool rl_is_bench_key(const char *key, size_t len, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (len != plen + RL_KEY_DIGITS || memcmp(key, prefix, plen) != 0)
        return false;
    for (size_t i = plen; i < len; i++)
        if (key[i] < '0' || key[i] > '9')
            return false;
    return true;
}

int64_t rl_prefix_keys(redisContext *c, const char *prefix, bool del)
{
    char pattern[2200];
    rl_prefix_pattern(prefix, pattern, sizeof pattern);
    char cursor[32] = "0";
    int64_t n = 0;
    do {
        redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(r);
            return -1;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        size_t nk = 0;
        const char **argv = del ? calloc(keys->elements + 1, sizeof *argv) : NULL;
        size_t *argl = del ? calloc(keys->elements + 1, sizeof *argl) : NULL;
        if (del && (!argv || !argl)) {
            free(argv);
            free(argl);
            freeReplyObject(r);
            return -1;
        }
        for (size_t i = 0; i < keys->elements; i++) {
            const redisReply *k = keys->element[i];
            /* belt and braces: SCAN's MATCH is a glob; take only keys bench writes */
            if (k->type != REDIS_REPLY_STRING || !rl_is_bench_key(k->str, k->len, prefix))
                continue;
            n++;
            if (del) {
                argv[nk + 1] = k->str;
                argl[nk + 1] = k->len;
                nk++;
            }
        }
        if (del && nk) {
            argv[0] = "UNLINK";
            argl[0] = 6;
            redisReply *u = redisCommandArgv(c, (int)nk + 1, argv, argl);
            bool ok = u && u->type == REDIS_REPLY_INTEGER;
            freeReplyObject(u);
            if (!ok) {
                free(argv);
                free(argl);
                freeReplyObject(r);
                return -1;
            }
        }
        free(argv);
        free(argl);
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return n;
}
