/* One benchmark connection: non-blocking connect, the AUTH/SELECT handshake, sending a
 * batch of pipelined requests, parsing replies and counting them, failure and reconnect.
 * Everything here runs on the connection's worker thread. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cli/bench/reply.h"
#include "cli/bench/worker.h"

int rl_conn_init(struct rl_conn *c, struct rl_worker *w, unsigned gidx)
{
    const struct rl_shared *sh = w->sh;
    unsigned p = sh->cfg->pipeline;
    size_t cap = (size_t)p * sh->max_cmd_len;
    if (cap < sh->handshake_len)
        cap = sh->handshake_len;
    memset(c, 0, sizeof *c);
    c->w = w;
    c->gidx = gidx;
    c->fd = -1;
    c->heap_idx = -1;
    c->state = RL_C_DOWN;
    c->wbuf = malloc(cap ? cap : 1);
    c->slots = calloc(p, sizeof *c->slots);
    c->layout = calloc(p, sizeof *c->layout);
    if (!c->wbuf || !c->slots || !c->layout) {
        rl_conn_free(c);
        return -1;
    }
    return 0;
}

void rl_conn_free(struct rl_conn *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    if (c->reader)
        redisReaderFree(c->reader);
    c->reader = NULL;
    free(c->wbuf);
    free(c->slots);
    free(c->layout);
    c->wbuf = NULL;
    c->slots = NULL;
    c->layout = NULL;
}

static void set_events(struct rl_conn *c, bool out)
{
    if (out == c->want_out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = c};
    epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = out;
}

void rl_conn_fail(struct rl_conn *c, uint64_t now, const char *fmt, ...)
{
    struct rl_worker *w = c->w;
    struct rl_shared *sh = w->sh;
    if (c->state == RL_C_DOWN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->last_error, sizeof c->last_error, fmt, ap);
    va_end(ap);
    bool was_up = c->state >= RL_C_IDLE || c->state == RL_C_HANDSHAKE;
    if (c->fd >= 0) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    if (c->reader)
        redisReaderFree(c->reader);
    c->reader = NULL;
    w->st.c.conn_errors++;
    if (c->state == RL_C_BUSY) {
        w->busy--;
        unsigned lost = c->inflight - c->replied;
        if (!c->warmup_batch) {
            w->st.c.lost += lost;
            /* -n promises that many answered requests: send the lost ones again. */
            if (!sh->cfg->duration_ns)
                w->issued -= lost;
        }
    }
    c->inflight = c->replied = 0;
    c->hs_pending = 0;
    c->want_out = false;
    c->layout_n = 0;
    if (c->heap_idx >= 0)
        rl_worker_heap_remove(w, c);
    c->state = RL_C_DOWN;
    if (!c->down_since_ns)
        c->down_since_ns = now;
    uint64_t budget = (uint64_t)sh->cfg->target.timeout_ms * 1000000u;
    if (now - c->down_since_ns >= budget) {
        if (was_up || w->started)
            rl_shared_fail(sh, "lost the connection to %s and could not get it back within %d ms "
                           "(%s); the server stopped or restarted, or the network failed",
                           sh->where, sh->cfg->target.timeout_ms, c->last_error);
        else
            rl_shared_fail(sh, "cannot connect to %s within %d ms: %s; check that redis-server "
                           "runs there (-h/-p/-s), or raise --timeout", sh->where,
                           sh->cfg->target.timeout_ms, c->last_error);
        return;
    }
    c->backoff_ns = c->backoff_ns ? c->backoff_ns * 2 : RL_BACKOFF_MIN_NS;
    if (c->backoff_ns > RL_BACKOFF_MAX_NS)
        c->backoff_ns = RL_BACKOFF_MAX_NS;
    uint64_t due = now + c->backoff_ns;
    if (due > c->down_since_ns + budget)
        due = c->down_since_ns + budget; /* one last try right at the deadline */
    rl_worker_heap_push(w, c, due);
}

static void flush(struct rl_conn *c, uint64_t now)
{
    while (c->woff < c->wlen) {
        ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (n > 0) {
            c->woff += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_events(c, true);
            return;
        }
        rl_conn_fail(c, now, "write failed: %s", n < 0 ? strerror(errno) : "no progress");
        return;
    }
    set_events(c, false);
}

static void became_ready(struct rl_conn *c, uint64_t now)
{
    c->state = RL_C_IDLE;
    c->io_ns = now;
    if (c->w->started)
        rl_conn_try_send(c, now);
}

static void connected(struct rl_conn *c, uint64_t now)
{
    const struct rl_shared *sh = c->w->sh;
    c->reader = rl_bench_reader_create();
    if (!c->reader) {
        rl_shared_fail(c->w->sh, "out of memory creating a reply parser");
        return;
    }
    c->io_ns = now;
    if (!sh->handshake) {
        set_events(c, false);
        became_ready(c, now);
        return;
    }
    c->state = RL_C_HANDSHAKE;
    c->hs_pending = sh->handshake_replies;
    memcpy(c->wbuf, sh->handshake, sh->handshake_len);
    c->wlen = sh->handshake_len;
    c->woff = 0;
    c->layout_n = 0; /* the handshake overwrote the templates */
    flush(c, now);
}

void rl_conn_start(struct rl_conn *c, uint64_t now)
{
    struct rl_worker *w = c->w;
    const struct rl_shared *sh = w->sh;
    int family = sh->addr.ss_family;
    c->io_ns = now;
    c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->state = RL_C_CONNECTING; /* so that fail() counts and schedules a retry */
        rl_conn_fail(c, now, "socket: %s", strerror(errno));
        return;
    }
    if (family != AF_UNIX) {
        int one = 1; /* small pipelined writes must not wait for Nagle */
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    c->state = RL_C_CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        rl_conn_fail(c, now, "epoll_ctl: %s", strerror(errno));
        return;
    }
    c->want_out = true;
    if (connect(c->fd, (const struct sockaddr *)&sh->addr, sh->addrlen) == 0) {
        connected(c, now);
        return;
    }
    if (errno == EINPROGRESS)
        return; /* writable when done */
    rl_conn_fail(c, now, "connect: %s", strerror(errno));
}

bool rl_worker_sending_over(const struct rl_worker *w, uint64_t now)
{
    const struct rl_shared *sh = w->sh;
    if (atomic_load_explicit(&sh->abort, memory_order_relaxed))
        return true;
    if (sh->cfg->duration_ns)
        return now >= sh->end_ns;
    return now >= sh->measure_ns && w->issued >= w->quota;
}

void rl_conn_try_send(struct rl_conn *c, uint64_t now)
{
    struct rl_worker *w = c->w;
    const struct rl_shared *sh = w->sh;
    if (c->state != RL_C_IDLE || rl_worker_sending_over(w, now))
        return;
    uint64_t sent = now;
    if (sh->interval_ns > 0) {
        if (now < c->next_send_ns) {
            if (c->heap_idx < 0)
                rl_worker_heap_push(w, c, c->next_send_ns);
            return;
        }
        /* Latency counts from when the request should have gone out, so a stall of the
         * server shows in the figures instead of silently slowing the schedule down. */
        sent = c->next_send_ns;
    }
    bool warmup = sent < sh->measure_ns;
    unsigned batch = sh->cfg->pipeline;
    if (!warmup && !sh->cfg->duration_ns) {
        uint64_t left = w->quota - w->issued;
        if (left < batch)
            batch = (unsigned)left;
        w->issued += batch;
    }
    size_t off = 0;
    const struct rl_engine_cfg *cfg = sh->cfg;
    bool sized = cfg->value_size_max > cfg->value_size; /* SETs of varying length: no slot stays put */
    for (unsigned i = 0; i < batch; i++) {
        uint64_t key;
        enum rl_op op = sh->wl->next(w->wl_state, &key);
        const struct rl_cmdtpl *t = &sh->tpl[op];
        size_t len = t->len;
        /* Same command in the same slot as last time: only the key digits change, which
         * is all the hot path does for single-command tests. A sized SET (a value of its
         * key's size) is written whole, and moves every slot after it. */
        if (sized && op == RL_OP_SET) {
            len = rl_cmdtpl_set_sized(t, rl_value_size_of(key, cfg->value_size, cfg->value_size_max), c->wbuf + off);
        } else if (sized || i >= c->layout_n || c->layout[i] != op) {
            memcpy(c->wbuf + off, t->buf, t->len);
            c->layout[i] = op;
            c->layout_n = i + 1;
        }
        rl_key_digits(c->wbuf + off + t->key_off, key);
        c->slots[i].key = key;
        c->slots[i].op = op;
        off += len;
    }
    if (sized)
        c->layout_n = 0;
    c->wlen = off;
    c->woff = 0;
    c->inflight = batch;
    c->replied = 0;
    c->state = RL_C_BUSY;
    c->sent_ns = sent;
    c->warmup_batch = warmup;
    c->io_ns = now;
    w->busy++;
    if (sh->interval_ns > 0)
        c->next_send_ns = sent + (uint64_t)(sh->interval_ns * batch + 0.5);
    flush(c, now);
}

static bool is_cluster_redirect(const char *s, size_t len)
{
    return (len >= 6 && memcmp(s, "MOVED ", 6) == 0) || (len >= 4 && memcmp(s, "ASK ", 4) == 0) ||
           (len >= 11 && memcmp(s, "CLUSTERDOWN", 11) == 0);
}

/* The server answered: the outage (if any) is over. Not on connect alone, since a stopped
 * server's kernel still completes TCP handshakes and the budget must keep running. */
static void alive(struct rl_conn *c)
{
    c->down_since_ns = 0;
    c->backoff_ns = 0;
}

static void on_handshake_reply(struct rl_conn *c, const redisReply *r, uint64_t now)
{
    struct rl_shared *sh = c->w->sh;
    alive(c);
    if (r->type == REDIS_REPLY_ERROR) {
        /* The first reply answers AUTH when a password was given, else SELECT. */
        bool auth = sh->cfg->target.has_password && c->hs_pending == sh->handshake_replies;
        if (auth)
            rl_shared_fail(sh, "%s refused the login%s%s: %s; check -a and --user", sh->where,
                           sh->cfg->target.user[0] ? " of user " : "", sh->cfg->target.user, r->str);
        else
            rl_shared_fail(sh, "%s refused SELECT %d: %s; check --dbnum against the server's "
                           "'databases' setting", sh->where, sh->cfg->target.dbnum, r->str);
        return;
    }
    if (--c->hs_pending == 0)
        became_ready(c, now);
}

static void on_reply(struct rl_conn *c, const redisReply *r, uint64_t now)
{
    struct rl_worker *w = c->w;
    struct rl_shared *sh = w->sh;
    if (c->state == RL_C_HANDSHAKE) {
        on_handshake_reply(c, r, now);
        return;
    }
    if (c->state != RL_C_BUSY || c->replied >= c->inflight) {
        rl_conn_fail(c, now, "a reply arrived that no request asked for");
        return;
    }
    const struct rl_slot *s = &c->slots[c->replied++];
    alive(c);
    struct rl_counters *k = &w->st.c;
    enum rl_outcome out;
    if (r->type == REDIS_REPLY_ERROR) {
        if (is_cluster_redirect(r->str, r->len)) {
            rl_shared_fail(sh, "%s is a Redis Cluster node (it replied \"%s\"); this is a Redis "
                           "Cluster; cluster mode is not supported yet: point bench at a "
                           "standalone server", sh->where, r->str);
            return;
        }
        out = RL_OUT_ERROR;
        enum rl_errkind kind = rl_errkind_of(r->str, r->len);
        if (c->warmup_batch) {
            k->warmup_errors++;
            k->warmup_oom += kind == RL_ERR_OOM;
        } else
            k->errors[kind]++;
        if (!w->first_error[kind][0])
            snprintf(w->first_error[kind], sizeof w->first_error[kind], "%s", r->str);
    } else {
        if (s->op == RL_OP_GET)
            out = r->type == REDIS_REPLY_NIL ? RL_OUT_MISS : RL_OUT_HIT;
        else
            out = RL_OUT_OK;
        if (c->warmup_batch) {
            k->warmup_ops[s->op]++;
        } else {
            k->ops[s->op]++;
            k->hits += out == RL_OUT_HIT;
            k->misses += out == RL_OUT_MISS;
            rl_hist_record(&w->st.lat, now > c->sent_ns ? now - c->sent_ns : 0);
        }
    }
    if (!c->warmup_batch)
        w->last_reply_ns = now;
    if (sh->wl->on_reply)
        sh->wl->on_reply(w->wl_state, s->op, s->key, out);
    if (c->replied == c->inflight) {
        c->state = RL_C_IDLE;
        w->busy--;
        rl_conn_try_send(c, now);
    }
}

void rl_conn_on_readable(struct rl_conn *c)
{
    struct rl_worker *w = c->w;
    ssize_t n;
    do
        n = read(c->fd, w->rbuf, sizeof w->rbuf);
    while (n < 0 && errno == EINTR);
    uint64_t now = rl_now_ns(); /* one clock read per read(), not per reply */
    if (n == 0) {
        rl_conn_fail(c, now, "the server closed the connection");
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            rl_conn_fail(c, now, "read failed: %s", strerror(errno));
        return;
    }
    c->io_ns = now;
    if (redisReaderFeed(c->reader, w->rbuf, (size_t)n) != REDIS_OK) {
        rl_conn_fail(c, now, "reply parser: %s", c->reader->errstr);
        return;
    }
    while (c->reader && !atomic_load_explicit(&w->sh->abort, memory_order_relaxed)) {
        void *reply = NULL;
        if (redisReaderGetReply(c->reader, &reply) != REDIS_OK) {
            rl_conn_fail(c, now, "the server sent something that is not RESP: %s", c->reader->errstr);
            return;
        }
        if (!reply)
            return;
        on_reply(c, reply, now);
        freeReplyObject(reply);
    }
}

void rl_conn_on_writable(struct rl_conn *c, uint64_t now)
{
    if (c->state == RL_C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err) {
            rl_conn_fail(c, now, "connect: %s", strerror(err));
            return;
        }
        connected(c, now);
        return;
    }
    flush(c, now);
}

void rl_conn_check_timeout(struct rl_conn *c, uint64_t now)
{
    int ms = c->w->sh->cfg->target.timeout_ms;
    if (c->state == RL_C_IDLE || c->state == RL_C_DOWN)
        return;
    if (now - c->io_ns < (uint64_t)ms * 1000000u)
        return;
    if (c->state == RL_C_CONNECTING)
        rl_conn_fail(c, now, "connect timed out after %d ms", ms);
    else if (c->state == RL_C_HANDSHAKE)
        rl_conn_fail(c, now, "no reply to AUTH/SELECT within %d ms", ms);
    else
        rl_conn_fail(c, now, "no reply within %d ms (the server hangs or is overloaded)", ms);
}
