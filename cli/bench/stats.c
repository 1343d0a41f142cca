#include "cli/bench/stats.h"

#include <string.h>

void rl_stats_reset(struct rl_stats *s)
{
    memset(&s->c, 0, sizeof s->c);
    rl_hist_reset(&s->lat);
}

void rl_stats_merge(struct rl_stats *dst, const struct rl_stats *src)
{
    for (int i = 0; i < RL_OP_COUNT; i++) {
        dst->c.ops[i] += src->c.ops[i];
        dst->c.warmup_ops[i] += src->c.warmup_ops[i];
    }
    for (int i = 0; i < RL_ERR_COUNT; i++)
        dst->c.errors[i] += src->c.errors[i];
    dst->c.hits += src->c.hits;
    dst->c.misses += src->c.misses;
    dst->c.conn_errors += src->c.conn_errors;
    dst->c.lost += src->c.lost;
    dst->c.warmup_errors += src->c.warmup_errors;
    dst->c.warmup_oom += src->c.warmup_oom;
    rl_hist_merge(&dst->lat, &src->lat);
}

void rl_stats_diff(struct rl_stats *dst, const struct rl_stats *now, const struct rl_stats *before)
{
    /* The counters are all uint64_t: subtract them as an array. */
    const uint64_t *a = (const uint64_t *)&now->c, *b = (const uint64_t *)&before->c;
    uint64_t *d = (uint64_t *)&dst->c;
    for (size_t i = 0; i < sizeof dst->c / sizeof(uint64_t); i++)
        d[i] = a[i] - b[i];
    rl_hist_diff(&dst->lat, &now->lat, &before->lat);
}

uint64_t rl_counters_ops(const struct rl_counters *c)
{
    uint64_t n = 0;
    for (int i = 0; i < RL_OP_COUNT; i++)
        n += c->ops[i];
    return n;
}

uint64_t rl_counters_errors(const struct rl_counters *c)
{
    uint64_t n = 0;
    for (int i = 0; i < RL_ERR_COUNT; i++)
        n += c->errors[i];
    return n;
}

const char *rl_errkind_name(enum rl_errkind k)
{
    static const char *names[RL_ERR_COUNT] = {"oom", "auth", "other"};
    return k < RL_ERR_COUNT ? names[k] : "other";
}

static int starts(const char *msg, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && memcmp(msg, word, n) == 0 && (len == n || msg[n] == ' ');
}

enum rl_errkind rl_errkind_of(const char *msg, size_t len)
{
    if (starts(msg, len, "OOM"))
        return RL_ERR_OOM;
    if (starts(msg, len, "NOAUTH") || starts(msg, len, "WRONGPASS") || starts(msg, len, "NOPERM"))
        return RL_ERR_AUTH;
    return RL_ERR_OTHER;
}
