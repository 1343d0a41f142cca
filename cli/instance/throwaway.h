/* Throwaway redis-server instances: ones redis-light starts for a measurement (doctor
 * --live, bench --eviction --launch) in a private temporary directory, on a free loopback
 * port, in their own process group, killed if redis-light dies (PR_SET_PDEATHSIG), and
 * always stopped and removed afterwards. Also the /proc readings those measurements take. */
#ifndef RL_INSTANCE_THROWAWAY_H
#define RL_INSTANCE_THROWAWAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rl_throwaway {
    pid_t pid;              /* 0 when not running */
    int port;
    char dir[256];          /* $TMPDIR (or /tmp)/rl-<what>-XXXXXX, 0700 */
    char conf[300], log[300];
    int exit_status;        /* after it died: exit code, or -signal */
    bool reaped;
};

/* VmRSS of pid in bytes (0 when unreadable) and the number of its mappings. */
uint64_t rl_proc_rss(pid_t pid);
uint64_t rl_proc_maps(pid_t pid);
/* Removes a flat directory and its files. */
void rl_remove_flat_dir(const char *dir);
/* The last max_lines lines of a file into out ("" when unreadable). */
void rl_log_tail_text(const char *path, int max_lines, char *out, size_t len);

/* Writes conf_text plus the instance lines (port, bind 127.0.0.1, dir, logfile, no
 * persistence, no daemonize) into a fresh temporary directory named after what, and
 * starts server on it. Does not wait. Returns 0, or -1 with err. */
int rl_throwaway_start(struct rl_throwaway *t, const char *what, const char *server,
                       const char *conf_text, char *err, size_t errlen);
/* True once the process has exited (records the status). */
bool rl_throwaway_reap(struct rl_throwaway *t);
/* Waits up to seconds for PING to answer PONG. Returns 0, or -1 with err (it died: the log
 * tail is in err; or it did not answer). */
int rl_throwaway_wait_ready(struct rl_throwaway *t, double seconds, char *err, size_t errlen);
/* SHUTDOWN NOSAVE, then SIGKILL after a few seconds; reaps it and removes its directory.
 * Safe to call twice and on a never-started instance. */
void rl_throwaway_stop(struct rl_throwaway *t);

#endif
