/* A foreground `up` after Redis is ready: stream new log lines to stdout and wait for
 * either a signal to us (the user wants it stopped) or Redis exiting by itself. */
#ifndef RL_INSTANCE_SUPERVISE_H
#define RL_INSTANCE_SUPERVISE_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct rl_tail {
    const char *path;
    long long offset;     /* bytes already shown */
    FILE *out;            /* NULL: follow without printing */
};
/* Prints whatever the log gained since the last call. */
void rl_tail_flush(struct rl_tail *t);

enum rl_sup_end { RL_SUP_SIGNAL, RL_SUP_EXITED };
/* Returns RL_SUP_SIGNAL when SIGINT/SIGTERM/SIGHUP arrived (Redis still runs), or
 * RL_SUP_EXITED with *status when Redis exited. */
enum rl_sup_end rl_supervise(pid_t pid, struct rl_tail *t, int *status);

#endif
