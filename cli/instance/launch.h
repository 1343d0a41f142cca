/* Starting redis-server for `up` and waiting until it serves. Foreground: its own
 * process group (a terminal's Ctrl-C reaches only `up`, which then stops Redis once) and
 * PR_SET_PDEATHSIG, so Redis never outlives a killed `up`. Detached: its own session and
 * no death signal, since it must outlive `up`. Output goes to the instance log, so
 * startup errors printed before the logfile opens are kept too. */
#ifndef RL_INSTANCE_LAUNCH_H
#define RL_INSTANCE_LAUNCH_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli/instance/instance.h"

struct rl_launch {
    const char *server;   /* redis-server binary */
    const char *conf;     /* redis.conf path, Redis's only argument */
    const char *log;      /* stdout/stderr appended here (0600) */
    bool detach;
};

/* Forks and execs. Returns the pid, or -1 with err (also when exec itself failed). */
pid_t rl_launch(const struct rl_launch *l, char *err, size_t errlen);

enum rl_ready_end { RL_READY = 0, RL_READY_DIED, RL_READY_INTERRUPTED, RL_READY_TIMEOUT, RL_READY_ERROR };
/* Waits until PING answers PONG (LOADING is not ready) on a connection whose INFO server
 * process_id is pid (another server on the address does not count) and the log, from
 * log_offset on, says "Ready to accept connections". Stops early when the child exits (*status set),
 * when rl_signal_seen is set, or after timeout_s without any answer (a LOADING reply
 * restarts the clock). err explains anything but RL_READY. */
enum rl_ready_end rl_wait_ready(pid_t pid, const struct rl_instance *in, const char *password,
                                long long log_offset, double timeout_s, int *status, char *err,
                                size_t errlen);

#endif
