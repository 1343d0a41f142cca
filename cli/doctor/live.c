/* doctor --live: a throwaway server (cli/instance/throwaway.c) with the profile's config,
 * flooded with pipelined SETs while /proc/PID is sampled. */
#include "cli/doctor/live.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/instance/client.h"
#include "cli/instance/throwaway.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sample(pid_t pid, struct rl_live_result *r)
{
    uint64_t rss = rl_proc_rss(pid), maps = rl_proc_maps(pid);
    if (rss > r->rss_peak)
        r->rss_peak = rss;
    if (maps > r->maps_peak)
        r->maps_peak = maps;
}

static uint64_t info_field(redisContext *c, const char *section, const char *key)
{
    char *info = rl_client_info(c, section);
    uint64_t v = rl_info_u64(info, key, 0);
    free(info);
    return v;
}

/* Pipelined SETs in batches until the target is written, time is up or Redis is gone. */
static void flood(redisContext *c, struct rl_throwaway *t, const struct rl_live_opts *o, struct rl_live_result *r,
                  double t0, bool *dead)
{
    enum { BATCH = 64 };
    char *value = malloc(o->value_size);
    if (!value)
        return;
    memset(value, 'x', o->value_size);
    uint64_t target = (uint64_t)((double)o->maxmemory * o->fill_factor);
    double next_sample = 0;
    while (r->written_bytes + (r->oom_errors * o->value_size) < target) {
        double el = now_s() - t0;
        if (el > o->max_seconds)
            break;
        if (el >= next_sample) {
            sample(t->pid, r);
            next_sample = el + 0.1;
        }
        if (rl_throwaway_reap(t)) {
            *dead = true;
            break;
        }
        for (int i = 0; i < BATCH; i++) {
            char key[48];
            int kl = snprintf(key, sizeof key, "rl:live:%llu", (unsigned long long)r->written_keys + r->oom_errors + r->other_errors + (unsigned long long)i);
            redisAppendCommand(c, "SET %b %b", key, (size_t)kl, value, (size_t)o->value_size);
        }
        for (int i = 0; i < BATCH; i++) {
            redisReply *rep;
            if (redisGetReply(c, (void **)&rep) != REDIS_OK) {
                *dead = true; /* connection lost: the process is checked below */
                goto out;
            }
            if (rep->type == REDIS_REPLY_ERROR) {
                if (strncmp(rep->str, "OOM", 3) == 0)
                    r->oom_errors++;
                else
                    r->other_errors++;
            } else {
                r->written_keys++;
                r->written_bytes += o->value_size;
            }
            freeReplyObject(rep);
        }
    }
out:
    free(value);
}

int rl_live_run(const struct rl_live_opts *o_in, struct rl_live_result *r)
{
    struct rl_live_opts o = *o_in;
    memset(r, 0, sizeof *r);
    if (o.fill_factor <= 0)
        o.fill_factor = 3;
    if (o.max_seconds <= 0)
        o.max_seconds = 8;
    if (o.value_size == 0)
        o.value_size = 1024;
    if (o.maxmemory == 0) {
        snprintf(r->err, sizeof r->err, "the profile sets no maxmemory; --live floods to a multiple of it");
        return -1;
    }
    struct rl_throwaway t;
    if (rl_throwaway_start(&t, "live", o.server, o.conf, r->err, sizeof r->err) < 0)
        return -1;
    double t0 = now_s();
    char why[1024];
    redisContext *c = NULL;
    r->started = rl_throwaway_wait_ready(&t, 5, why, sizeof why) == 0;
    if (!r->started && !t.reaped)
        snprintf(r->err, sizeof r->err, "%s", why); /* hung or lost its port, not dead */
    if (r->started) {
        struct timeval tv = {2, 0};
        c = redisConnectWithTimeout("127.0.0.1", t.port, tv);
        if (c && !c->err)
            redisSetTimeout(c, tv);
        else
            r->started = false;
    }
    bool dead = t.reaped;
    if (r->started) {
        flood(c, &t, &o, r, now_s(), &dead);
        sample(t.pid, r);
        if (dead && !t.reaped) {
            /* The connection broke: give the process a moment to finish dying so its
             * exit status or signal is known. */
            double w = now_s();
            while (!rl_throwaway_reap(&t) && now_s() - w < 3)
                usleep(10000);
            if (!t.reaped)
                snprintf(r->err, sizeof r->err, "the connection broke but the server kept running; stopped it");
        }
        dead = dead || rl_throwaway_reap(&t);
    }
    r->seconds = now_s() - t0;
    if (!dead && c && !c->err) {
        r->used_memory_end = info_field(c, "memory", "used_memory");
        r->evicted_keys = info_field(c, "stats", "evicted_keys");
        dead = rl_throwaway_reap(&t);
    }
    r->survived = r->started && !dead && c && !c->err;
    if (t.reaped)
        r->exit_status = t.exit_status;
    redisFree(c);
    if (!r->survived)
        rl_log_tail_text(t.log, 12, r->log_tail, sizeof r->log_tail);
    rl_throwaway_stop(&t);
    return 0;
}
