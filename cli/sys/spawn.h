/* Running helper programs (tar, make, apt-get, git, redis-server --version) with an argv
 * vector, never a shell string: user input such as a --source path reaches them only as
 * one argv element. Output can go to a log file and, line by line, to a callback (build
 * progress). */
#ifndef RL_SYS_SPAWN_H
#define RL_SYS_SPAWN_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct rl_spawn {
    const char *const *argv;    /* argv[0] is looked up on PATH (execvp) */
    const char *cwd;            /* NULL: inherit */
    int log_fd;                 /* stdout+stderr go here (appended); -1: /dev/null */
    /* Called for every complete output line (without the newline) when set; the output
     * is then read through a pipe and still copied to log_fd. */
    void (*on_line)(void *ud, const char *line);
    void (*on_tick)(void *ud);  /* about every 200 ms while the child runs, may be NULL */
    void *ud;
    const char *const *env;     /* "KEY=VALUE" entries added to the environment, NULL-ended */
    /* Non-zero: the program runs in a process group of its own under a small guardian
     * that gets this signal if we die and then stops the whole group (make's sub-makes
     * and compilers included). 0: a plain child in our group. */
    int pdeathsig;
    double timeout_s;           /* SIGTERM then SIGKILL after this long (0: no limit) */
    /* Polled while waiting: when it becomes non-zero the child gets SIGTERM once (our own
     * SIGINT/SIGTERM handlers set it, so an interrupted build stops its make). */
    volatile sig_atomic_t *interrupt;
};

/* Runs the child to completion. Returns 0 with *status as from waitpid (and *timed_out
 * set when the timeout fired), or -1 with err when it could not be started (fork
 * failed, or exec failed: "make: not found on PATH"). */
int rl_spawn_run(const struct rl_spawn *o, int *status, bool *timed_out, char *err, size_t errlen);

/* "exited with code 2", "was killed by signal 9 (SIGKILL)". Returns buf. */
char *rl_status_text(int status, char *buf, size_t len);
/* The conventional name of a signal ("SIGKILL"), or "signal N". */
const char *rl_signal_name(int sig, char *buf, size_t len);

/* Finds an executable on PATH. Returns 0 and its path, or -1. */
int rl_which(const char *name, char *out, size_t len);

#endif
