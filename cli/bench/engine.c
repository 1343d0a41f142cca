/* Runs one test: sets up the shared read-only state, starts the workers, samples them on
 * the calling thread every 250 ms, and merges their exact totals after join. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/bench/worker.h"

static int resolve(struct rl_shared *sh, const struct rl_target *t, char *err, size_t errlen)
{
    if (t->socket[0]) {
        struct sockaddr_un *un = (struct sockaddr_un *)&sh->addr;
        if (strlen(t->socket) >= sizeof un->sun_path) {
            snprintf(err, errlen, "unix socket path %s is longer than the %zu bytes the kernel "
                     "allows; use a shorter path or TCP", t->socket, sizeof un->sun_path - 1);
            return -1;
        }
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, t->socket, strlen(t->socket) + 1); /* length checked above */
        sh->addrlen = sizeof *un;
        snprintf(sh->where, sizeof sh->where, "unix socket %s", t->socket);
        return 0;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", t->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(t->host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve host \"%s\": %s; give an IP address or a name "
                 "this machine resolves", t->host, gai_strerror(rc));
        return -1;
    }
    /* Prefer IPv4: "localhost" often lists ::1 first while redis binds 127.0.0.1. */
    const struct addrinfo *pick = res;
    if (!pick) {
        snprintf(err, errlen, "host \"%s\" resolved to no address", t->host);
        return -1;
    }
    for (const struct addrinfo *a = res; a; a = a->ai_next)
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    memcpy(&sh->addr, pick->ai_addr, pick->ai_addrlen);
    sh->addrlen = pick->ai_addrlen;
    freeaddrinfo(res);
    snprintf(sh->where, sizeof sh->where, "%s:%d", t->host, t->port);
    return 0;
}

static int build_handshake(struct rl_shared *sh, const struct rl_target *t)
{
    /* AUTH and SELECT go out pipelined on every new connection, before any request. */
    char *auth = NULL, *sel = NULL;
    int la = 0, ls = 0, n = 0;
    if (t->has_password) {
        const char *argv[3] = {"AUTH", t->user, t->password};
        size_t lens[3] = {4, strlen(t->user), strlen(t->password)};
        la = t->user[0] ? redisFormatCommandArgv(&auth, 3, argv, lens)
                        : redisFormatCommandArgv(&auth, 2, (const char *[]){"AUTH", t->password},
                                                 (size_t[]){4, lens[2]});
        if (la <= 0)
            return -1;
        n++;
    }
    if (t->dbnum) {
        char db[16];
        snprintf(db, sizeof db, "%d", t->dbnum);
        const char *argv[2] = {"SELECT", db};
        size_t lens[2] = {6, strlen(db)};
        ls = redisFormatCommandArgv(&sel, 2, argv, lens);
        if (ls <= 0) {
            redisFreeCommand(auth);
            return -1;
        }
        n++;
    }
    if (n) {
        sh->handshake = malloc((size_t)la + (size_t)ls);
        if (sh->handshake) {
            if (auth)
                memcpy(sh->handshake, auth, (size_t)la);
            if (sel)
                memcpy(sh->handshake + la, sel, (size_t)ls);
            sh->handshake_len = (size_t)la + (size_t)ls;
            sh->handshake_replies = n;
        }
    }
    if (auth)
        redisFreeCommand(auth);
    if (sel)
        redisFreeCommand(sel);
    return n && !sh->handshake ? -1 : 0;
}

static void sample(struct rl_shared *sh, struct rl_stats *out)
{
    rl_stats_reset(out);
    for (unsigned i = 0; i < sh->nworkers; i++) {
        struct rl_worker *w = &sh->workers[i];
        pthread_mutex_lock(&w->snap_lock);
        rl_stats_merge(out, &w->snap);
        pthread_mutex_unlock(&w->snap_lock);
    }
}

static int push_row(struct rl_run_result *res, size_t *cap, double t, double window_s,
                    const struct rl_stats *win)
{
    if (res->nseries == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        struct rl_series_row *n = realloc(res->series, ncap * sizeof *n);
        if (!n)
            return -1;
        res->series = n;
        *cap = ncap;
    }
    struct rl_series_row *r = &res->series[res->nseries++];
    r->t = t;
    r->ops = rl_counters_ops(&win->c);
    r->errors = rl_counters_errors(&win->c);
    r->ops_per_sec = window_s > 0 ? (double)r->ops / window_s : 0;
    r->p50_ns = rl_hist_percentile(&win->lat, 50);
    r->p99_ns = rl_hist_percentile(&win->lat, 99);
    r->max_ns = win->lat.count ? win->lat.max : 0;
    return 0;
}

/* The calling thread's part while workers run: ticks, hooks, series, Ctrl-C. */
static void supervise(struct rl_shared *sh, const struct rl_engine_hooks *hooks,
                      struct rl_run_result *res, bool *interrupted)
{
    struct rl_stats *total = malloc(sizeof *total), *prev = malloc(sizeof *prev);
    struct rl_stats *win = malloc(sizeof *win), *sec_prev = malloc(sizeof *sec_prev);
    size_t cap = 0;
    if (!total || !prev || !win || !sec_prev) {
        rl_shared_fail(sh, "out of memory for the sampling buffers");
        goto out;
    }
    rl_stats_reset(prev);
    rl_stats_reset(sec_prev);
    uint64_t prev_ns = sh->epoch_ns, sec_prev_ns = sh->measure_ns;
    uint64_t next_sec = sh->measure_ns + 1000000000u;
    /* A little after the workers' own tick, so their published copies are fresh. */
    uint64_t next_tick = sh->epoch_ns + RL_TICK_NS + 5000000u;
    for (;;) {
        unsigned finished = 0;
        for (unsigned i = 0; i < sh->nworkers; i++)
            finished += (unsigned)atomic_load(&sh->workers[i].finished);
        if (finished == sh->nworkers)
            break;
        if (sh->cfg->interrupted && *sh->cfg->interrupted && !atomic_load(&sh->abort)) {
            *interrupted = true;
            rl_shared_fail(sh, "interrupted by a signal; the figures cover the run until then");
        }
        uint64_t now = rl_now_ns();
        if (now < next_tick) {
            struct pollfd p = {.fd = sh->done_fd, .events = POLLIN};
            int ms = (int)((next_tick - now + 999999u) / 1000000u);
            if (poll(&p, 1, ms) > 0) {
                uint64_t v;
                if (read(sh->done_fd, &v, sizeof v) < 0) {
                    /* drained by an earlier wake-up */
                }
            }
            continue;
        }
        sample(sh, total);
        rl_stats_diff(win, total, prev);
        if (hooks && hooks->on_tick) {
            /* Measured time only: a window straddling the warm-up's end is shorter. */
            uint64_t from = prev_ns;
            if (now > sh->measure_ns && from < sh->measure_ns)
                from = sh->measure_ns;
            struct rl_tick t = {
                .t = ((double)now - (double)sh->measure_ns) / 1e9,
                .window_s = (double)(now - from) / 1e9,
                .total = total,
                .window = win,
            };
            hooks->on_tick(hooks->arg, &t);
        }
        if (now >= next_sec) {
            rl_stats_diff(win, total, sec_prev);
            push_row(res, &cap, (double)(next_sec - sh->measure_ns) / 1e9,
                     (double)(now - sec_prev_ns) / 1e9, win);
            *sec_prev = *total;
            sec_prev_ns = now;
            while (next_sec <= now)
                next_sec += 1000000000u;
        }
        *prev = *total;
        prev_ns = now;
        while (next_tick <= now)
            next_tick += RL_TICK_NS;
    }
    /* The last, partial second, from the exact totals. */
    rl_stats_reset(total);
    uint64_t last = 0;
    for (unsigned i = 0; i < sh->nworkers; i++) {
        rl_stats_merge(total, &sh->workers[i].snap);
        if (sh->workers[i].last_reply_ns > last)
            last = sh->workers[i].last_reply_ns;
    }
    rl_stats_diff(win, total, sec_prev);
    if (last > sec_prev_ns && (rl_counters_ops(&win->c) || rl_counters_errors(&win->c)))
        push_row(res, &cap, (double)(last - sh->measure_ns) / 1e9,
                 (double)(last - sec_prev_ns) / 1e9, win);
out:
    free(total);
    free(prev);
    free(win);
    free(sec_prev);
}

static int setup(struct rl_shared *sh, const struct rl_engine_cfg *cfg,
                 const struct rl_workload *wl, char *err, size_t errlen)
{
    if (resolve(sh, &cfg->target, err, errlen) < 0)
        return -1;
    /* sized SETs are written over the largest one's template (conn.c) */
    size_t value_size = cfg->value_size_max > cfg->value_size ? cfg->value_size_max : cfg->value_size;
    for (int op = 0; op < RL_OP_COUNT; op++) {
        if (rl_cmdtpl_build(&sh->tpl[op], (enum rl_op)op, cfg->key_prefix, value_size) < 0) {
            snprintf(err, errlen, "out of memory formatting the %s command", rl_op_name(op));
            return -1;
        }
        if (sh->tpl[op].len > sh->max_cmd_len)
            sh->max_cmd_len = sh->tpl[op].len;
    }
    if (build_handshake(sh, &cfg->target) < 0) {
        snprintf(err, errlen, "out of memory formatting AUTH/SELECT");
        return -1;
    }
    sh->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    sh->workers = calloc(cfg->threads, sizeof *sh->workers);
    if (sh->done_fd < 0 || !sh->workers) {
        snprintf(err, errlen, "cannot set up the worker threads: %s", strerror(errno));
        return -1;
    }
    sh->nworkers = cfg->threads;
    for (unsigned t = 0; t < cfg->threads; t++) { /* teardown-safe before anything can fail */
        struct rl_worker *w = &sh->workers[t];
        w->sh = sh;
        w->idx = t;
        w->timerfd = w->wakefd = w->epfd = -1;
        pthread_mutex_init(&w->snap_lock, NULL);
        rl_stats_reset(&w->st);
        rl_stats_reset(&w->snap);
    }
    unsigned gidx = 0;
    for (unsigned t = 0; t < cfg->threads; t++) {
        struct rl_worker *w = &sh->workers[t];
        w->nconns = cfg->clients / cfg->threads + (t < cfg->clients % cfg->threads);
        w->quota = cfg->requests / cfg->threads + (t < cfg->requests % cfg->threads);
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        w->conns = calloc(w->nconns, sizeof *w->conns);
        w->heap = calloc(w->nconns, sizeof *w->heap); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
        w->wl_state = wl->thread_new(wl, cfg->seed, t, cfg->threads);
        if (w->epfd < 0 || w->timerfd < 0 || w->wakefd < 0 || !w->conns || !w->heap ||
            !w->wl_state) {
            snprintf(err, errlen, "cannot set up worker thread %u: %s", t,
                     errno ? strerror(errno) : "out of memory");
            return -1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->timerfd};
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->timerfd, &ev);
        ev.data.ptr = &w->wakefd;
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev);
        for (unsigned i = 0; i < w->nconns; i++)
            if (rl_conn_init(&w->conns[i], w, gidx++) < 0) {
                w->nconns = i;
                snprintf(err, errlen, "out of memory for connection buffers (%u clients x "
                         "pipeline %u x %zu bytes); lower -c, -P or -d", cfg->clients,
                         cfg->pipeline, sh->max_cmd_len);
                return -1;
            }
    }
    return 0;
}

static void teardown(struct rl_shared *sh)
{
    for (unsigned t = 0; t < sh->nworkers; t++) {
        struct rl_worker *w = &sh->workers[t];
        for (unsigned i = 0; w->conns && i < w->nconns; i++)
            rl_conn_free(&w->conns[i]);
        free(w->conns);
        free(w->heap);
        if (w->wl_state)
            sh->wl->thread_free(w->wl_state);
        if (w->epfd >= 0)
            close(w->epfd);
        if (w->timerfd >= 0)
            close(w->timerfd);
        if (w->wakefd >= 0)
            close(w->wakefd);
        pthread_mutex_destroy(&w->snap_lock);
    }
    free(sh->workers);
    for (int op = 0; op < RL_OP_COUNT; op++)
        rl_cmdtpl_free(&sh->tpl[op]);
    free(sh->handshake);
    if (sh->done_fd >= 0)
        close(sh->done_fd);
    pthread_mutex_destroy(&sh->reason_lock);
    pthread_mutex_destroy(&sh->gate_lock);
    pthread_cond_destroy(&sh->gate_cond);
    free(sh);
}

int rl_engine_run(const struct rl_engine_cfg *cfg, const struct rl_workload *wl,
                  const struct rl_engine_hooks *hooks, struct rl_run_result *res)
{
    memset(res, 0, sizeof *res);
    snprintf(res->test, sizeof res->test, "%s", wl->name);
    rl_stats_reset(&res->stats);
    struct rl_shared *sh = calloc(1, sizeof *sh);
    if (!sh) {
        res->status = RL_RUN_FAILED;
        snprintf(res->reason, sizeof res->reason, "out of memory");
        return -1;
    }
    sh->cfg = cfg;
    sh->wl = wl;
    sh->done_fd = -1;
    sh->end_ns = UINT64_MAX;
    sh->interval_ns = cfg->rps > 0 ? (double)cfg->clients * 1e9 / cfg->rps : 0;
    pthread_mutex_init(&sh->reason_lock, NULL);
    pthread_mutex_init(&sh->gate_lock, NULL);
    pthread_cond_init(&sh->gate_cond, NULL);
    if (setup(sh, cfg, wl, res->reason, sizeof res->reason) < 0) {
        res->status = RL_RUN_FAILED;
        teardown(sh);
        return -1;
    }

    /* Signals go to the calling thread only: workers never see EINTR from Ctrl-C. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    unsigned started = 0;
    for (; started < sh->nworkers; started++) {
        int e = pthread_create(&sh->workers[started].tid, NULL, rl_worker_main, &sh->workers[started]);
        if (e) {
            rl_shared_fail(sh, "cannot start worker thread %u: %s; lower --threads", started, strerror(e));
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    bool interrupted = false;

    /* Wait for every started worker to connect (they give up on their own after the
     * timeout), watching for Ctrl-C meanwhile. */
    pthread_mutex_lock(&sh->gate_lock);
    while (sh->ready < started) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&sh->gate_cond, &sh->gate_lock, &ts);
        if (cfg->interrupted && *cfg->interrupted && !atomic_load(&sh->abort)) {
            interrupted = true;
            pthread_mutex_unlock(&sh->gate_lock);
            rl_shared_fail(sh, "interrupted by a signal while connecting");
            pthread_mutex_lock(&sh->gate_lock);
        }
    }
    sh->epoch_ns = rl_now_ns();
    sh->measure_ns = sh->epoch_ns + cfg->warmup_ns;
    if (cfg->duration_ns)
        sh->end_ns = sh->measure_ns + cfg->duration_ns;
    sh->go = true;
    pthread_cond_broadcast(&sh->gate_cond);
    pthread_mutex_unlock(&sh->gate_lock);

    if (started == sh->nworkers)
        supervise(sh, hooks, res, &interrupted);
    for (unsigned t = 0; t < started; t++)
        pthread_join(sh->workers[t].tid, NULL);

    uint64_t last = 0;
    for (unsigned t = 0; t < started; t++) {
        struct rl_worker *w = &sh->workers[t];
        rl_stats_merge(&res->stats, &w->st);
        if (w->last_reply_ns > last)
            last = w->last_reply_ns;
        for (int k = 0; k < RL_ERR_COUNT; k++)
            if (!res->first_error[k][0] && w->first_error[k][0])
                memcpy(res->first_error[k], w->first_error[k], sizeof res->first_error[k]);
    }
    res->elapsed_s = last > sh->measure_ns ? (double)(last - sh->measure_ns) / 1e9 : 0;
    int rc = 0;
    if (atomic_load(&sh->abort)) {
        res->status = interrupted ? RL_RUN_INTERRUPTED : RL_RUN_FAILED;
        snprintf(res->reason, sizeof res->reason, "%s", sh->reason);
        rc = -1;
    }
    teardown(sh);
    return rc;
}

void rl_run_result_free(struct rl_run_result *res)
{
    if (!res)
        return;
    free(res->series);
    res->series = NULL;
    res->nseries = 0;
}
