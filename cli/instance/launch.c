#include "cli/instance/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/instance/client.h"
#include "cli/sys/files.h"
#include "cli/instance/identity.h"
#include "cli/sys/signals.h"
#include "cli/util/out.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL); /* SIGCHLD cuts it short, which is what we want */
}

pid_t rl_launch(const struct rl_launch *l, char *err, size_t errlen)
{
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork to start %s: %s", l->server, strerror(errno));
        close(ep[0]);
        close(ep[1]);
        return -1;
    }
    if (pid == 0) {
        int e = 0;
        if (l->detach) {
            setsid();
        } else {
            setpgid(0, 0);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) /* up died before the line above took effect */
                _exit(1);
        }
        rl_signals_default();
        /* Redis creates dumps, AOF files and its socket with the inherited umask: keep
         * them private like the rest of the state directory (files 0600, dirs 0700). */
        umask(077);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int in = open("/dev/null", O_RDONLY);
        int out = open(l->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in < 0 || out < 0) {
            e = errno;
        } else {
            dup2(in, STDIN_FILENO);
            dup2(out, STDOUT_FILENO);
            dup2(out, STDERR_FILENO);
            const char *argv[] = {l->server, l->conf, NULL};
            execv(l->server, (char *const *)argv);
            e = errno;
        }
        if (write(ep[1], &e, sizeof e) < 0)
            _exit(126);
        _exit(127);
    }
    if (!l->detach)
        setpgid(pid, pid); /* also from here: no window where Ctrl-C could reach it */
    close(ep[1]);
    int e = 0;
    ssize_t got = read(ep[0], &e, sizeof e);
    close(ep[0]);
    if (got == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        snprintf(err, errlen, "cannot start %s: %s", l->server, strerror(e));
        return -1;
    }
    return pid;
}

enum rl_ready_end rl_wait_ready(pid_t pid, const struct rl_instance *in, const char *password,
                                long long log_offset, double timeout_s, int *status, char *err,
                                size_t errlen)
{
    double t0 = mono(), pause = 0.002, pong_at = 0;
    bool said_loading = false;
    char other[512] = ""; /* who answered in our place, if anyone */
    for (;;) {
        if (waitpid(pid, status, WNOHANG) == pid) {
            snprintf(err, errlen, "redis-server exited during startup");
            return RL_READY_DIED;
        }
        if (rl_signal_seen) {
            snprintf(err, errlen, "interrupted while waiting for Redis to start");
            return RL_READY_INTERRUPTED;
        }
        if (mono() - t0 > timeout_s) {
            char st = rl_proc_state(pid);
            if (st == 'T' || st == 't') /* SIGSTOP, SIGTSTP or a debugger: it cannot answer */
                snprintf(err, errlen, "Redis did not answer PING within %.1f s: redis-server (pid %d) is stopped "
                         "(SIGSTOP or a debugger holds it)", timeout_s, (int)pid);
            else if (other[0] && in->socket[0])
                snprintf(err, errlen, "Redis did not answer PING within %.1f s; its socket %s %s", timeout_s,
                         in->socket, other);
            else if (other[0])
                snprintf(err, errlen, "Redis did not answer PING within %.1f s; its port %d %s", timeout_s, in->port,
                         other);
            else
                snprintf(err, errlen, "Redis did not answer PING within %.1f s (raise --timeout if it is just "
                         "slow to start; its log may say why)", timeout_s);
            return RL_READY_TIMEOUT;
        }
        if (pong_at > 0) {
            /* PING works; the log line follows within moments (it is written before the
             * event loop starts). Do not let a missing line hold a working server. */
            if (rl_file_contains(in->log, log_offset, "eady to accept connections") || mono() - pong_at > 1.0)
                return RL_READY;
            sleep_s(0.005);
            continue;
        }
        char why[512];
        redisContext *c = rl_client_connect(in, password, 200, why, sizeof why);
        if (c) {
            enum rl_ping p = rl_client_ping(c, why, sizeof why);
            bool foreign = false;
            /* A PONG counts only from our child: another server on the port or socket would
             * answer too, while our Redis is about to fail to bind and exit. */
            if (p == RL_PING_PONG && rl_identity_same_process(c, pid, NULL, &foreign, why, sizeof why) < 0) {
                if (foreign)
                    snprintf(other, sizeof other, "%s", why);
                p = RL_PING_ERROR;
            }
            redisFree(c);
            if (p == RL_PING_PONG) {
                pong_at = mono();
                continue;
            }
            if (p == RL_PING_LOADING) {
                /* Loading a big dataset takes as long as it takes: the clock only runs
                 * while Redis does not answer at all. */
                t0 = mono();
                if (!said_loading)
                    rl_info("Redis is loading its dataset; waiting (PING answers LOADING)");
                said_loading = true;
            }
            if (p == RL_PING_ERROR && strstr(why, "NOAUTH")) {
                snprintf(err, errlen, "Redis asks for a password the config does not hold: %s", why);
                return RL_READY_ERROR;
            }
        } else if (strstr(why, "AUTH")) {
            snprintf(err, errlen, "%s", why);
            return RL_READY_ERROR;
        }
        sleep_s(pause);
        if (pause < 0.05)
            pause *= 1.5;
    }
}
