/* A worker thread: one epoll loop over its own connections, a timerfd for everything that
 * happens at a time (rate-limited sends, reconnects, the 250 ms tick, the end of
 * --duration) and an eventfd that wakes it when the run is stopped. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench/worker.h"

uint64_t rl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rl_shared_wake(struct rl_shared *sh)
{
    uint64_t one = 1;
    for (unsigned i = 0; i < sh->nworkers; i++)
        if (sh->workers[i].wakefd >= 0 && write(sh->workers[i].wakefd, &one, sizeof one) < 0) {
            /* the counter cannot overflow here; nothing else to do */
        }
}

void rl_shared_fail(struct rl_shared *sh, const char *fmt, ...)
{
    pthread_mutex_lock(&sh->reason_lock);
    if (!atomic_load(&sh->abort)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(sh->reason, sizeof sh->reason, fmt, ap);
        va_end(ap);
        atomic_store(&sh->abort, 1);
    }
    pthread_mutex_unlock(&sh->reason_lock);
    rl_shared_wake(sh);
}

/* A binary min-heap of connections by due_ns: the rate schedule and reconnects of a
 * thread with thousands of clients cost O(log n) per event, not a scan. */
static void heap_swap(struct rl_worker *w, unsigned a, unsigned b)
{
    struct rl_conn *t = w->heap[a];
    w->heap[a] = w->heap[b];
    w->heap[b] = t;
    w->heap[a]->heap_idx = (int)a;
    w->heap[b]->heap_idx = (int)b;
}

static void heap_up(struct rl_worker *w, unsigned i)
{
    while (i > 0) {
        unsigned p = (i - 1) / 2;
        if (w->heap[p]->due_ns <= w->heap[i]->due_ns)
            break;
        heap_swap(w, i, p);
        i = p;
    }
}

static void heap_down(struct rl_worker *w, unsigned i)
{
    for (;;) {
        unsigned l = 2 * i + 1, r = l + 1, m = i;
        if (l < w->nheap && w->heap[l]->due_ns < w->heap[m]->due_ns)
            m = l;
        if (r < w->nheap && w->heap[r]->due_ns < w->heap[m]->due_ns)
            m = r;
        if (m == i)
            return;
        heap_swap(w, i, m);
        i = m;
    }
}

void rl_worker_heap_push(struct rl_worker *w, struct rl_conn *c, uint64_t due)
{
    if (c->heap_idx >= 0)
        rl_worker_heap_remove(w, c);
    c->due_ns = due;
    c->heap_idx = (int)w->nheap;
    w->heap[w->nheap++] = c; /* capacity is nconns: a connection is in it at most once */
    heap_up(w, (unsigned)c->heap_idx);
}

void rl_worker_heap_remove(struct rl_worker *w, struct rl_conn *c)
{
    unsigned i = (unsigned)c->heap_idx;
    c->heap_idx = -1;
    w->nheap--;
    if (i == w->nheap)
        return;
    w->heap[i] = w->heap[w->nheap];
    w->heap[i]->heap_idx = (int)i;
    heap_down(w, i);
    heap_up(w, i);
}

static void publish(struct rl_worker *w)
{
    pthread_mutex_lock(&w->snap_lock);
    w->snap = w->st;
    pthread_mutex_unlock(&w->snap_lock);
}

static void arm(struct rl_worker *w, uint64_t at)
{
    if (at == w->armed_ns)
        return;
    struct itimerspec its = {0};
    its.it_value.tv_sec = (time_t)(at / 1000000000u);
    its.it_value.tv_nsec = (long)(at % 1000000000u);
    timerfd_settime(w->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
    w->armed_ns = at;
}

static uint64_t next_deadline(const struct rl_worker *w, uint64_t now)
{
    uint64_t at = w->next_tick_ns;
    if (w->nheap && w->heap[0]->due_ns < at)
        at = w->heap[0]->due_ns;
    const struct rl_shared *sh = w->sh;
    if (w->started && sh->end_ns > now && sh->end_ns < at)
        at = sh->end_ns;
    return at ? at : 1; /* 0 would disarm the timer */
}

static void on_timer(struct rl_worker *w)
{
    uint64_t expirations;
    if (read(w->timerfd, &expirations, sizeof expirations) < 0) {
        /* EAGAIN: a re-arm raced the expiry; the deadlines below are checked anyway */
    }
    w->armed_ns = 0;
    uint64_t now = rl_now_ns();
    if (now >= w->next_tick_ns) {
        if (w->started)
            publish(w);
        for (unsigned i = 0; i < w->nconns; i++)
            rl_conn_check_timeout(&w->conns[i], now);
        while (w->next_tick_ns <= now)
            w->next_tick_ns += RL_TICK_NS;
    }
    while (w->nheap && w->heap[0]->due_ns <= now &&
           !atomic_load_explicit(&w->sh->abort, memory_order_relaxed)) {
        struct rl_conn *c = w->heap[0];
        rl_worker_heap_remove(w, c);
        if (c->state == RL_C_DOWN)
            rl_conn_start(c, now);
        else
            rl_conn_try_send(c, now);
    }
}

static bool all_ready(const struct rl_worker *w)
{
    for (unsigned i = 0; i < w->nconns; i++)
        if (w->conns[i].state != RL_C_IDLE)
            return false;
    return true;
}

/* Runs the loop until the phase is over: connecting (every connection ready) or running
 * (nothing more to send and nothing in flight). Returns when the run is aborted too. */
static void loop(struct rl_worker *w)
{
    struct epoll_event ev[256];
    struct rl_shared *sh = w->sh;
    for (;;) {
        if (atomic_load_explicit(&sh->abort, memory_order_relaxed))
            return;
        uint64_t now = rl_now_ns();
        if (!w->started && all_ready(w))
            return;
        if (w->started && w->busy == 0 && rl_worker_sending_over(w, now))
            return;
        arm(w, next_deadline(w, now));
        int n = epoll_wait(w->epfd, ev, 256, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rl_shared_fail(sh, "epoll_wait failed: %s", strerror(errno));
            return;
        }
        for (int i = 0; i < n; i++) {
            void *p = ev[i].data.ptr;
            if (p == &w->timerfd) {
                on_timer(w);
                continue;
            }
            if (p == &w->wakefd) {
                /* Aborted: the check at the top of the loop ends it. */
                uint64_t v;
                if (read(w->wakefd, &v, sizeof v) < 0) {
                    /* already drained */
                }
                continue;
            }
            struct rl_conn *c = p;
            if (c->state == RL_C_DOWN)
                continue; /* failed earlier in this batch */
            uint32_t e = ev[i].events;
            if (c->state == RL_C_CONNECTING) {
                rl_conn_on_writable(c, rl_now_ns());
                continue;
            }
            if (e & (EPOLLIN | EPOLLERR | EPOLLHUP))
                rl_conn_on_readable(c);
            if ((e & EPOLLOUT) && c->state != RL_C_DOWN && c->fd >= 0)
                rl_conn_on_writable(c, rl_now_ns());
        }
    }
}

void *rl_worker_main(void *arg)
{
    struct rl_worker *w = arg;
    struct rl_shared *sh = w->sh;
    if (sh->interval_ns > 0)
        prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* sends on time, not 50 us late */
    uint64_t now = rl_now_ns();
    w->next_tick_ns = now + RL_TICK_NS;
    for (unsigned i = 0; i < w->nconns && !atomic_load(&sh->abort); i++)
        rl_conn_start(&w->conns[i], now);
    loop(w); /* until connected (or failed for good) */

    pthread_mutex_lock(&sh->gate_lock);
    sh->ready++;
    pthread_cond_broadcast(&sh->gate_cond);
    while (!sh->go)
        pthread_cond_wait(&sh->gate_cond, &sh->gate_lock);
    pthread_mutex_unlock(&sh->gate_lock);
    if (!atomic_load(&sh->abort)) {
        w->started = true;
        w->next_tick_ns = sh->epoch_ns + RL_TICK_NS;
        now = rl_now_ns();
        for (unsigned i = 0; i < w->nconns; i++) {
            struct rl_conn *c = &w->conns[i];
            /* Under --rps the clients' first sends are spread over one interval, so the
             * aggregate stream is even rather than bursty. */
            c->next_send_ns = sh->epoch_ns +
                              (uint64_t)(sh->interval_ns * c->gidx / sh->cfg->clients);
            rl_conn_try_send(c, now);
        }
        loop(w);
    }
    publish(w);
    atomic_store(&w->finished, 1);
    uint64_t one = 1;
    if (write(sh->done_fd, &one, sizeof one) < 0) {
        /* the caller also polls on its tick */
    }
    return NULL;
}
