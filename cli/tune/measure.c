/* One tune run after another on fresh throwaway servers, measured the way
 * scripts/measure-overhead measures the shipped table (see tune.h). */
#include "cli/tune/tune.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/instance/client.h"
#include "cli/instance/throwaway.h"
#include "cli/util/size.h"

#define READY_TIMEOUT_S 10

void rl_tune_init(struct rl_tune *t, const struct rl_tune_cfg *cfg)
{
    memset(t, 0, sizeof *t);
    t->cfg = *cfg;
}

static bool stopped(const struct rl_tune *t)
{
    return t->cfg.interrupted && *t->cfg.interrupted;
}

/* Sleeps up to seconds, in 50 ms steps so that Ctrl-C is seen at once. Returns false
 * when interrupted. */
static bool pause_for(const struct rl_tune *t, double seconds)
{
    for (int step = 0; step < (int)(seconds * 20 + 0.5) && !stopped(t); step++) {
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    return !stopped(t);
}

/* A "Vm…:" line of /proc/PID/status in bytes, 0 when unreadable. */
static uint64_t proc_status_bytes(pid_t pid, const char *field)
{
    char path[64], line[256];
    size_t n = strlen(field);
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    uint64_t kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kb = strtoull(line + n + 1, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return kb * 1024;
}

/* Restarts the process's VmHWM from its current RSS (Linux >= 4.0), so the fill's peak is
 * not the idle clients' peak. */
static int reset_hwm(pid_t pid, char *err, size_t errlen)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "5", 1) != 1) {
        snprintf(err, errlen, "cannot reset the server's peak RSS through %s: %s (needs Linux 4.0 or later and "
                 "a /proc that lets redis-light write its children's clear_refs)", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static redisContext *connect_local(int port)
{
    struct timeval tv = {5, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c && !c->err)
        redisSetTimeout(c, tv);
    return c;
}

/* "INFO section" as text (malloc'd) on c, or NULL. */
static char *info(redisContext *c, const char *section)
{
    return rl_client_info(c, section);
}

static uint64_t info_u64(redisContext *c, const char *section, const char *key)
{
    char *text = info(c, section);
    uint64_t v = text ? rl_info_u64(text, key, 0) : 0;
    free(text);
    return v;
}

/* Over the control connection c, then n more connections that each send one PING (so
 * Redis has read from them and allocated their query buffers, as for any client that has
 * spoken): VmRSS growth per connection. The connections are closed again, and the wait
 * for the server to count them gone is bounded. */
static int idle_clients(redisContext *c, const struct rl_throwaway *srv, unsigned n, uint64_t *per_client,
                        char *err, size_t errlen)
{
    redisContext **conns = calloc(n, sizeof *conns); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    if (!conns) {
        snprintf(err, errlen, "out of memory for %u connections", n);
        return -1;
    }
    int rc = 0;
    free(info(c, "clients")); /* the control connection has spoken before the baseline */
    uint64_t before = proc_status_bytes(srv->pid, "VmRSS");
    for (unsigned i = 0; i < n && rc == 0; i++) {
        conns[i] = connect_local(srv->port);
        redisReply *r = conns[i] && !conns[i]->err ? redisCommand(conns[i], "PING") : NULL;
        if (!r || r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0) {
            snprintf(err, errlen, "idle connection %u of %u to port %d failed: %s (with many --clients, raise "
                     "ulimit -n or lower --clients)", i + 1, n, srv->port,
                     conns[i] && conns[i]->err ? conns[i]->errstr : r ? r->str : "no reply to PING");
            rc = -1;
        }
        freeReplyObject(r);
    }
    uint64_t after = proc_status_bytes(srv->pid, "VmRSS");
    uint64_t counted = rc == 0 ? info_u64(c, "clients", "connected_clients") : 0;
    if (rc == 0 && counted != (uint64_t)n + 1) {
        snprintf(err, errlen, "INFO counted %llu clients, not the %u idle ones and the measuring one",
                 (unsigned long long)counted, n);
        rc = -1;
    }
    for (unsigned i = 0; i < n; i++)
        redisFree(conns[i]);
    free(conns);
    *per_client = after > before ? (after - before) / n : 0;
    for (int i = 0; rc == 0 && i < 100 && info_u64(c, "clients", "connected_clients") > 1; i++)
        usleep(50000);
    return rc;
}

/* After the fill: INFO's used_memory_rss is a sample serverCron takes every 100 ms, so a
 * short fill may be reported by its start. Waits (at most 2 s) for a sample within 2% of
 * the kernel's VmRSS, then checks the server saw the fill and evicted. */
static int final_counts(struct rl_tune *t, redisContext *c, const struct rl_throwaway *srv, struct rl_tune_run *r)
{
    char *mem = NULL, *stats = NULL;
    for (int i = 0; i < 20; i++) {
        free(mem);
        mem = info(c, "memory");
        r->vmrss_end = proc_status_bytes(srv->pid, "VmRSS");
        double rss = mem ? (double)rl_info_u64(mem, "used_memory_rss", 0) : 0;
        if (!mem || (rss > 0.98 * (double)r->vmrss_end && rss < 1.02 * (double)r->vmrss_end) || !pause_for(t, 0.1))
            break;
    }
    stats = info(c, "stats");
    char *cmds = info(c, "commandstats");
    char calls[256];
    uint64_t set_calls = 0; /* "cmdstat_set:calls=N,usec=…" */
    if (cmds && rl_info_field(cmds, "cmdstat_set", calls, sizeof calls) == 0 && strncmp(calls, "calls=", 6) == 0)
        set_calls = strtoull(calls + 6, NULL, 10);
    int rc = 0;
    if (!mem || !stats || !cmds) {
        snprintf(t->errstr, sizeof t->errstr, "INFO failed on port %d after the fill: %s", srv->port,
                 c->err ? c->errstr : "no reply");
        rc = -1;
    } else {
        r->used_memory = rl_info_u64(mem, "used_memory", 0);
        r->used_memory_rss = rl_info_u64(mem, "used_memory_rss", 0);
        r->evicted_keys = rl_info_u64(stats, "evicted_keys", 0);
        char mm[32];
        rl_fmt_size(t->cfg.maxmemory, mm, sizeof mm);
        if (set_calls < r->sets) {
            snprintf(t->errstr, sizeof t->errstr, "the server counted %llu SETs, the fill sent %llu: not the "
                     "server tune started?", (unsigned long long)set_calls, (unsigned long long)r->sets);
            rc = -1;
        } else if (r->evicted_keys == 0 || r->used_memory == 0) {
            snprintf(t->errstr, sizeof t->errstr, "the fill of %llu SETs never reached eviction at maxmemory %s, "
                     "so it measured nothing; use smaller --value-size values", (unsigned long long)r->sets, mm);
            rc = -1;
        }
    }
    free(mem);
    free(stats);
    free(cmds);
    return rc;
}

/* "tune: libc, 1024 B values, run 2/3: filling 192 MiB…" */
__attribute__((format(printf, 4, 5))) static void say(const struct rl_tune *t, const char *what, int run,
                                                      const char *fmt, ...)
{
    if (!t->cfg.progress)
        return;
    fprintf(t->cfg.progress, "tune: %s, %s, run %d/%d: ", t->cfg.allocator, what, run, t->cfg.runs);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->cfg.progress, fmt, ap);
    va_end(ap);
    fputc('\n', t->cfg.progress);
    fflush(t->cfg.progress);
}

/* One run on a fresh server; the server is stopped on every path. */
static int one_run(struct rl_tune *t, const struct rl_tune_size *size, int run, struct rl_tune_run *r)
{
    const struct rl_tune_cfg *cfg = &t->cfg;
    char conf[128], fill_size[32], what[48], mm[32], base[32];
    snprintf(conf, sizeof conf, "maxmemory %llu\nmaxmemory-policy allkeys-lru\n", (unsigned long long)cfg->maxmemory);
    rl_fmt_size(3 * cfg->maxmemory, fill_size, sizeof fill_size);
    rl_fmt_size(cfg->maxmemory, mm, sizeof mm);
    snprintf(what, sizeof what, size->min == size->max ? "%s B values" : "%s B values (uniform)", size->label);
    say(t, what, run, "starting a throwaway server (maxmemory %s, allkeys-lru)", mm);
    struct rl_throwaway srv;
    redisContext *c = NULL;
    memset(r, 0, sizeof *r);
    int rc = -1;
    if (rl_throwaway_start(&srv, "tune", cfg->server, conf, t->errstr, sizeof t->errstr) < 0 ||
        rl_throwaway_wait_ready(&srv, READY_TIMEOUT_S, t->errstr, sizeof t->errstr) < 0)
        goto out;
    if (!pause_for(t, 0.5))
        goto out;
    r->base_rss = proc_status_bytes(srv.pid, "VmRSS");
    c = connect_local(srv.port);
    if (!c || c->err) {
        snprintf(t->errstr, sizeof t->errstr, "cannot connect to the throwaway server on port %d: %s", srv.port,
                 c ? c->errstr : "out of memory");
        goto out;
    }
    if (idle_clients(c, &srv, cfg->clients, &r->per_client, t->errstr, sizeof t->errstr) < 0 || stopped(t) ||
        reset_hwm(srv.pid, t->errstr, sizeof t->errstr) < 0)
        goto out;
    rl_fmt_size(r->base_rss, base, sizeof base);
    say(t, what, run, "base RSS %s; %u idle clients cost %llu B each; filling %s…", base, cfg->clients,
        (unsigned long long)r->per_client, fill_size);
    struct rl_tune_fill fill;
    bool interrupted = false;
    if (rl_tune_fill(srv.port, size, 3 * cfg->maxmemory, (uint64_t)run, cfg->interrupted, &fill, &interrupted,
                     t->errstr, sizeof t->errstr) < 0 || stopped(t))
        goto out;
    r->vmhwm = proc_status_bytes(srv.pid, "VmHWM");
    r->sets = fill.sets;
    r->fill_bytes = fill.bytes;
    r->fill_seconds = fill.seconds;
    r->value_bytes_mean = fill.sets ? (fill.value_bytes + fill.sets / 2) / fill.sets : 0;
    if (final_counts(t, c, &srv, r) < 0 || stopped(t))
        goto out;
    if (r->vmhwm <= r->base_rss || r->used_memory_rss == 0) {
        snprintf(t->errstr, sizeof t->errstr, "the server's peak RSS (%llu) is not above its idle RSS (%llu) "
                 "after the fill: /proc/%d/status is not telling the truth here", (unsigned long long)r->vmhwm,
                 (unsigned long long)r->base_rss, (int)srv.pid);
        goto out;
    }
    r->overhead = (double)(r->vmhwm - r->base_rss) / (double)cfg->maxmemory;
    r->rss_over_used = (double)r->used_memory_rss / (double)r->used_memory;
    rc = 0;
out:
    redisFree(c);
    if (rc < 0 && stopped(t)) {
        t->interrupted = true;
        snprintf(t->errstr, sizeof t->errstr, "interrupted by signal %d during run %d of %s",
                 (int)*cfg->interrupted, run, what);
    } else if (rc < 0 && srv.pid > 0 && rl_throwaway_reap(&srv)) {
        /* it died under us: the kernel's OOM killer (oom_score_adj 1000) is the usual cause */
        size_t used = strlen(t->errstr);
        snprintf(t->errstr + used, sizeof t->errstr - used, "; the throwaway server %s %d (an OOM kill? lower "
                 "--maxmemory)", srv.exit_status < 0 ? "was killed by signal" : "exited with code",
                 srv.exit_status < 0 ? -srv.exit_status : srv.exit_status);
    }
    rl_throwaway_stop(&srv);
    return rc;
}

int rl_tune_measure(struct rl_tune *t, const struct rl_tune_size *size)
{
    if (t->nresults >= RL_TUNE_MAX_SIZES || t->cfg.runs < 1 || t->cfg.runs > RL_TUNE_MAX_RUNS) {
        t->err = RL_FAULT_INPUT;
        snprintf(t->errstr, sizeof t->errstr, "at most %d value sizes and 1 to %d runs", RL_TUNE_MAX_SIZES,
                 RL_TUNE_MAX_RUNS);
        return -1;
    }
    struct rl_tune_result *res = &t->results[t->nresults];
    memset(res, 0, sizeof *res);
    res->size = *size;
    for (int run = 1; run <= t->cfg.runs; run++) {
        struct rl_tune_run *r = &res->runs[res->nruns];
        if (stopped(t) || one_run(t, size, run, r) < 0) {
            if (stopped(t) && !t->interrupted) {
                t->interrupted = true;
                snprintf(t->errstr, sizeof t->errstr, "interrupted by signal %d", (int)*t->cfg.interrupted);
            }
            t->err = RL_FAULT_RUNTIME;
            return -1;
        }
        res->nruns++;
        if (t->cfg.progress) {
            char base[32], hwm[32];
            fprintf(t->cfg.progress, "tune: %s, %s B, run %d/%d: overhead %.4f, rss/used %.4f, base RSS %s, "
                    "%llu B per client, peak RSS %s, %llu keys evicted\n", t->cfg.allocator, size->label, run,
                    t->cfg.runs, r->overhead, r->rss_over_used, rl_fmt_size(r->base_rss, base, sizeof base),
                    (unsigned long long)r->per_client, rl_fmt_size(r->vmhwm, hwm, sizeof hwm),
                    (unsigned long long)r->evicted_keys);
            fflush(t->cfg.progress);
        }
    }
    rl_tune_row(res, t->cfg.allocator, t->cfg.maxmemory, &res->row);
    t->nresults++;
    return 0;
}
