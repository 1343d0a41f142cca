/* Stopping an instance: one SHUTDOWN (SAVE when the record says snapshots, else plain:
 * the server's own config decides),
 * a wait, then SIGTERM, then SIGKILL, each only after the previous step's timeout. Used
 * by `down` (Redis is not our child) and by a foreground `up` (it is). in->pid must be the
 * instance's verified server (identity.h); SHUTDOWN is sent only over a connection whose
 * INFO server process_id is that pid, else the first step is SIGTERM to the pid. */
#ifndef RL_INSTANCE_STOP_H
#define RL_INSTANCE_STOP_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli/instance/instance.h"

struct rl_stop {
    const struct rl_instance *in; /* pid, starttime, address */
    const char *password;         /* the instance's password (password.h), or NULL */
    bool is_child;                /* reap with waitpid (foreground up) */
    bool save;                    /* the record persists: SHUTDOWN SAVE (in->aof: plain SHUTDOWN, which
                                   * flushes the AOF and writes no RDB); otherwise plain SHUTDOWN */
    double shutdown_timeout;      /* seconds to wait after SHUTDOWN */
    double term_timeout;          /* seconds to wait after SIGTERM */
};

struct rl_stop_result {
    bool shutdown_sent, sigterm, sigkill;
    bool have_status;             /* is_child: status is the wait status */
    int status;
    double seconds;
    char note[1024];              /* what went wrong on the way, if anything */
};

/* Returns 0 when the process is gone, -1 when even SIGKILL did not end it (r->note). */
int rl_stop_instance(const struct rl_stop *s, struct rl_stop_result *r);
/* The SHUTDOWN command s sends: "SHUTDOWN SAVE" (snapshots) or "SHUTDOWN". */
const char *rl_stop_command(const struct rl_stop *s);

#endif
