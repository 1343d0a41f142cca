/* Internals shared by engine.c (threads, sampling), worker.c (the event loop) and conn.c
 * (one connection's life). Not for use outside cli/bench/. */
#ifndef RL_BENCH_WORKER_H
#define RL_BENCH_WORKER_H
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cli/bench/engine.h"

#define RL_READ_BUF (64 * 1024)
#define RL_BACKOFF_MIN_NS UINT64_C(50000000)   /* first reconnect after 50 ms */
#define RL_BACKOFF_MAX_NS UINT64_C(1000000000) /* then doubling up to 1 s */

/* Read-mostly state of one run, set up by the calling thread before workers start. */
struct rl_shared {
    const struct rl_engine_cfg *cfg;
    const struct rl_workload *wl;
    struct rl_cmdtpl tpl[RL_OP_COUNT];
    size_t max_cmd_len;                 /* longest template */
    char *handshake;                    /* AUTH/SELECT sent on every new connection, or NULL */
    size_t handshake_len;
    int handshake_replies;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char where[PATH_MAX + 32];          /* "127.0.0.1:6379" or "unix socket /path", for messages */

    /* The start gate: workers count themselves in once connected and wait for `go`; the
     * caller waits for all of them, sets the clock below, then opens the gate. (Not a
     * pthread barrier: its count must shrink when a thread could not be created.) */
    pthread_mutex_t gate_lock;
    pthread_cond_t gate_cond;
    unsigned ready;
    bool go;
    uint64_t epoch_ns;                  /* start of the run (warm-up included) */
    uint64_t measure_ns;                /* epoch + warm-up */
    uint64_t end_ns;                    /* --duration: no send after this; else UINT64_MAX */
    double interval_ns;                 /* --rps: time between two requests of one client */

    atomic_int abort;                   /* set once by rl_shared_fail */
    pthread_mutex_t reason_lock;
    char reason[512];
    int done_fd;                        /* eventfd the workers bump when they finish */
    struct rl_worker *workers;
    unsigned nworkers;
};

/* Wakes every worker's loop to re-check abort/stop. Thread-safe. */
void rl_shared_wake(struct rl_shared *sh);
/* Stops the run: records the first reason and wakes every worker. Thread-safe. */
void rl_shared_fail(struct rl_shared *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum rl_conn_state { RL_C_DOWN, RL_C_CONNECTING, RL_C_HANDSHAKE, RL_C_IDLE, RL_C_BUSY };

struct rl_slot {
    uint64_t key;
    enum rl_op op;
};

struct rl_conn {
    struct rl_worker *w;
    unsigned gidx;              /* index among all clients, for rate staggering */
    int fd;
    enum rl_conn_state state;
    redisReader *reader;
    char *wbuf;                 /* the batch as sent */
    size_t wlen, woff;          /* bytes in the batch, bytes written */
    struct rl_slot *slots;      /* the requests of the batch in flight, in order */
    enum rl_op *layout;         /* which template sits at each slot of wbuf already */
    unsigned layout_n;          /* slots of wbuf whose template is in place */
    unsigned inflight, replied;
    int hs_pending;             /* handshake replies still expected */
    bool want_out;              /* EPOLLOUT is registered */
    bool warmup_batch;          /* the batch in flight was sent before measurement began */
    uint64_t sent_ns;           /* batch send time: intended time under --rps */
    uint64_t due_ns;            /* when the heap entry fires: next send or reconnect */
    int heap_idx;               /* -1 when not in the heap */
    uint64_t next_send_ns;      /* --rps schedule */
    uint64_t io_ns;             /* last progress, for the reply and connect timeouts */
    uint64_t backoff_ns;
    uint64_t down_since_ns;     /* first failure of the current outage, 0 when up */
    char last_error[160];
};

struct rl_worker {
    struct rl_shared *sh;
    unsigned idx;
    pthread_t tid;
    bool started;
    int epfd, timerfd, wakefd;
    uint64_t armed_ns;          /* what timerfd is set to, 0 when disarmed */
    struct rl_conn *conns;
    unsigned nconns;
    void *wl_state;
    struct rl_conn **heap;      /* connections waiting for a time (rate or reconnect) */
    unsigned nheap;
    unsigned busy;              /* connections with requests in flight or in handshake */
    uint64_t quota, issued;     /* -n share of this thread, measured requests sent */
    uint64_t next_tick_ns;
    uint64_t last_reply_ns;     /* of a measured request */
    struct rl_stats st;         /* owned by the thread until join */
    char first_error[RL_ERR_COUNT][160]; /* the first error reply of each kind, for the report */

    pthread_mutex_t snap_lock;  /* guards snap: the copy the sampling thread reads */
    struct rl_stats snap;
    atomic_int finished;
    char rbuf[RL_READ_BUF];
};

/* worker.c */
void *rl_worker_main(void *arg);
void rl_worker_heap_push(struct rl_worker *w, struct rl_conn *c, uint64_t due);
void rl_worker_heap_remove(struct rl_worker *w, struct rl_conn *c);
uint64_t rl_now_ns(void);

/* conn.c */
int rl_conn_init(struct rl_conn *c, struct rl_worker *w, unsigned gidx);
void rl_conn_free(struct rl_conn *c);
/* Opens the socket and starts connecting (non-blocking). */
void rl_conn_start(struct rl_conn *c, uint64_t now);
/* The connection's fd is readable / writable. */
void rl_conn_on_readable(struct rl_conn *c);
void rl_conn_on_writable(struct rl_conn *c, uint64_t now);
/* Sends the next batch if the workload, quota, clock and rate allow. */
void rl_conn_try_send(struct rl_conn *c, uint64_t now);
/* Closes after a failure (counted), schedules a reconnect with back-off, or stops the run
 * when the outage outlasted the timeout. */
void rl_conn_fail(struct rl_conn *c, uint64_t now, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Fails connections that waited longer than the timeout. */
void rl_conn_check_timeout(struct rl_conn *c, uint64_t now);
/* True when this thread may send no more measured requests. */
bool rl_worker_sending_over(const struct rl_worker *w, uint64_t now);

#endif
