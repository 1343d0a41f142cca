#include "cli/instance/stop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/instance/client.h"
#include "cli/instance/identity.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool gone(const struct rl_stop *s, struct rl_stop_result *r)
{
    if (s->is_child) {
        int st;
        pid_t w = waitpid(s->in->pid, &st, WNOHANG);
        if (w == s->in->pid) {
            r->have_status = true;
            r->status = st;
            return true;
        }
        return w < 0 && errno == ECHILD;
    }
    return !rl_pid_alive(s->in->pid, s->in->starttime);
}

static bool wait_gone(const struct rl_stop *s, struct rl_stop_result *r, double timeout)
{
    double t0 = mono();
    while (mono() - t0 < timeout) {
        if (gone(s, r))
            return true;
        struct timespec ts = {0, 10L * 1000000L};
        nanosleep(&ts, NULL);
    }
    return gone(s, r);
}

static void note(struct rl_stop_result *r, const char *what, const char *detail)
{
    size_t n = strlen(r->note);
    snprintf(r->note + n, sizeof r->note - n, "%s%s%s", n ? "; " : "", what, detail);
}

const char *rl_stop_command(const struct rl_stop *s)
{
    /* Plain SHUTDOWN lets the server's live config decide (it saves when save points are
     * set, flushes the AOF when it is on): a record that is stale or a CONFIG SET since
     * start never makes it drop data. SAVE only where the record says snapshots. */
    return s->save && !s->in->aof ? "SHUTDOWN SAVE" : "SHUTDOWN";
}

int rl_stop_instance(const struct rl_stop *s, struct rl_stop_result *r)
{
    memset(r, 0, sizeof *r);
    double t0 = mono();
    if (gone(s, r)) {
        r->seconds = 0;
        return 0;
    }
    char err[768];
    char st = rl_proc_state(s->in->pid);
    if (st == 'T' || st == 't') {
        /* A stopped process answers nothing, so SHUTDOWN would only cost its timeouts.
         * SIGTERM stays pending until SIGCONT; then Redis shuts down as on SHUTDOWN. */
        note(r, "redis-server was stopped (SIGSTOP or a debugger): ", "sent SIGTERM and SIGCONT so it can exit");
        r->sigterm = true;
        kill(s->in->pid, SIGTERM);
        kill(s->in->pid, SIGCONT);
        if (wait_gone(s, r, s->term_timeout))
            goto done;
        goto escalate;
    }
    /* SHUTDOWN goes only over a connection that leads to this very process (INFO server's
     * process_id): an edited record, or another server on the port or socket, must never
     * get it. Otherwise SIGTERM to the verified pid, which Redis treats like SHUTDOWN. */
    bool foreign;
    redisContext *c = rl_identity_connect(s->in, s->password, 2000, NULL, &foreign, err, sizeof err);
    bool refused = false;
    if (c) {
        /* A successful SHUTDOWN never replies: the connection just closes. */
        redisReply *rep = redisCommand(c, rl_stop_command(s));
        r->shutdown_sent = true;
        if (rep && rep->type == REDIS_REPLY_ERROR) {
            note(r, "SHUTDOWN was refused: ", rep->str);
            refused = true;
        }
        freeReplyObject(rep);
        redisFree(c);
    } else if (foreign) {
        char t[sizeof err + 64];
        snprintf(t, sizeof t, "%s; sent SIGTERM to pid %d instead", err, (int)s->in->pid);
        note(r, "did not send SHUTDOWN: ", t);
    } else {
        note(r, "no SHUTDOWN could be sent: ", err);
    }
    if (r->shutdown_sent && !refused && wait_gone(s, r, s->shutdown_timeout))
        goto done;
    if (r->shutdown_sent && !refused) {
        char t[64];
        snprintf(t, sizeof t, "%.0f s after SHUTDOWN: sent SIGTERM", s->shutdown_timeout);
        note(r, "still running ", t);
    }
    r->sigterm = true;
    kill(s->in->pid, SIGTERM);
    if (wait_gone(s, r, s->term_timeout))
        goto done;
escalate:
    note(r, "still running after SIGTERM: sent SIGKILL", "");
    r->sigkill = true;
    kill(s->in->pid, SIGKILL);
    if (!wait_gone(s, r, 5)) {
        r->seconds = mono() - t0;
        note(r, "the process survived SIGKILL (stuck in the kernel?)", "");
        return -1;
    }
done:
    r->seconds = mono() - t0;
    return 0;
}
