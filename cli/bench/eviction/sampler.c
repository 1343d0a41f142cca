#include "cli/bench/eviction/sampler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench/target.h"
#include "cli/instance/throwaway.h"
#include "probes/facts.h"

double rl_info_dbl(const char *info, const char *key, double def)
{
    char v[64], *end;
    if (rl_info_field(info, key, v, sizeof v) < 0)
        return def;
    double d = strtod(v, &end);
    return end == v ? def : d;
}

uint64_t rl_info_errorstat(const char *info, const char *name)
{
    char key[64], v[64];
    snprintf(key, sizeof key, "errorstat_%s", name);
    if (rl_info_field(info, key, v, sizeof v) < 0 || strncmp(v, "count=", 6) != 0) /* "count=12,…" */
        return 0;
    return strtoull(v + 6, NULL, 10);
}

int rl_sampler_open(struct rl_sampler *s, const struct rl_target *t, pid_t local_pid, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->target = *t;
    s->c = rl_control_connect(t, err, errlen);
    if (!s->c)
        return -1;
    s->pid = local_pid;
    return 0;
}

static char *info_all(redisContext *c)
{
    redisReply *r = redisCommand(c, "INFO");
    char *text = NULL;
    if (r && r->type == REDIS_REPLY_STRING)
        text = strdup(r->str);
    freeReplyObject(r);
    return text;
}

/* INFO on the sampler's connection, with one fresh connection when it fails: a hiredis
 * context is dead after a timeout or a close (a server's `timeout` closes idle ones). The
 * login commands of a new connection count in the server's total, so they are noted. */
static char *sampler_info(struct rl_sampler *s)
{
    char *info = s->c ? info_all(s->c) : NULL;
    if (!info) {
        char err[256];
        redisFree(s->c);
        s->c = rl_control_connect(&s->target, err, sizeof err);
        s->own_commands += (uint64_t)s->target.has_password + (uint64_t)(s->target.dbnum != 0);
        info = s->c ? info_all(s->c) : NULL;
    }
    return info;
}

double rl_sampler_rate(uint64_t commands0, int64_t time0_us, uint64_t commands1, int64_t time1_us, uint64_t own)
{
    if (time1_us <= time0_us || commands1 < commands0)
        return -1;
    uint64_t n = commands1 - commands0;
    n = n > own ? n - own : 0;
    return (double)n * 1e6 / (double)(time1_us - time0_us);
}

/* The server's command counter and clock from one INFO text: both are read as the INFO
 * command starts (Redis refreshes its cached time at every command), so they belong to
 * the same instant. A server without server_time_usec (before 6.2) gets this machine's
 * clock at the reply instead. */
static void counter_and_clock(const char *info, uint64_t *commands, int64_t *time_us, bool *server_clock)
{
    *commands = rl_info_u64(info, "total_commands_processed", 0);
    uint64_t us = rl_info_u64(info, "server_time_usec", 0);
    *server_clock = us > 0 && us <= (uint64_t)INT64_MAX;
    if (*server_clock) {
        *time_us = (int64_t)us;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        *time_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
}

int rl_sampler_begin(struct rl_sampler *s)
{
    s->own_commands = 0;
    char *info = sampler_info(s);
    if (!info)
        return -1;
    s->evicted0 = rl_info_u64(info, "evicted_keys", 0);
    s->oom0 = rl_info_errorstat(info, "OOM");
    bool server_clock;
    counter_and_clock(info, &s->prev_commands, &s->prev_time_us, &server_clock);
    s->have_prev = true;
    s->own_commands = 1; /* this INFO counts in the next reading */
    free(info);
    return 0;
}

void rl_sampler_take(struct rl_sampler *s, double t, const struct rl_stats *window, double window_s)
{
    if (s->failed)
        return;
    char *info = sampler_info(s);
    if (!info) {
        s->failed = true; /* the load's own errors say why; samples stop here */
        return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        struct rl_evict_sample *ns = realloc(s->s, cap * sizeof *ns);
        if (!ns) {
            free(info);
            return;
        }
        s->s = ns;
        s->cap = cap;
    }
    struct rl_evict_sample *e = &s->s[s->n++];
    memset(e, 0, sizeof *e);
    e->t = t + s->t_offset;
    e->phase = s->phase;
    e->used_memory = rl_info_u64(info, "used_memory", 0);
    e->used_memory_rss = rl_info_u64(info, "used_memory_rss", 0);
    e->maxmemory = rl_info_u64(info, "maxmemory", 0);
    uint64_t ev = rl_info_u64(info, "evicted_keys", 0), oom = rl_info_errorstat(info, "OOM");
    e->evicted_keys = ev >= s->evicted0 ? ev - s->evicted0 : 0;
    e->oom_rejections = oom >= s->oom0 ? oom - s->oom0 : 0;
    e->frag = rl_info_dbl(info, "mem_fragmentation_ratio", 0);
    counter_and_clock(info, &e->commands_processed, &e->time_us, &e->server_clock);
    free(info);
    e->ops_per_sec = s->have_prev ? rl_sampler_rate(s->prev_commands, s->prev_time_us, e->commands_processed,
                                                    e->time_us, s->own_commands)
                                  : -1;
    s->prev_commands = e->commands_processed;
    s->prev_time_us = e->time_us;
    s->have_prev = true;
    s->own_commands = 1;
    if (window && window_s > 0) {
        /* error replies are not commands the server processed: the load's own count */
        e->errors = rl_counters_errors(&window->c) + window->c.warmup_errors;
        e->oom_errors = window->c.errors[RL_ERR_OOM] + window->c.warmup_oom;
    }
    if (s->pid > 0) {
        e->proc_rss = rl_proc_rss(s->pid);
        e->maps = rl_proc_maps(s->pid);
        static struct rl_facts f;
        struct rl_root host;
        rl_root_init(&host, NULL);
        memset(&f, 0, sizeof f);
        rl_probe_cgroup_pid(&f, &host, (int)s->pid);
        if (f.memory_limit_bytes.state == RL_FACT_VALUE)
            e->cg_limit = f.memory_limit_bytes.v;
        if (f.memory_usage_bytes.state == RL_FACT_VALUE)
            e->cg_usage = f.memory_usage_bytes.v;
    }
}

void rl_sampler_tick(void *arg, const struct rl_tick *tick)
{
    struct rl_sampler *s = arg;
    /* warm-up ticks have t < 0: t_offset places them after the previous phase */
    rl_sampler_take(s, tick->t, tick->window, tick->window_s);
}

void rl_sampler_close(struct rl_sampler *s)
{
    redisFree(s->c);
    free(s->s);
    memset(s, 0, sizeof *s);
}
