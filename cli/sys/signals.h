/* SIGINT, SIGTERM and SIGHUP as a flag rather than death: an interrupted build must
 * clean its temporary tree, and a foreground `up` must stop Redis exactly once. */
#ifndef RL_SYS_SIGNALS_H
#define RL_SYS_SIGNALS_H
#include <signal.h>

/* The last of those signals received (0: none yet). */
extern volatile sig_atomic_t rl_signal_seen;
/* How many were received. */
extern volatile sig_atomic_t rl_signal_count;

/* Installs the handlers (without SA_RESTART, so blocking waits return EINTR), and a
 * SIGCHLD handler that only interrupts sleeps. Idempotent. */
void rl_signals_catch(void);
/* Restores the defaults (before exec in a child). */
void rl_signals_default(void);

#endif
