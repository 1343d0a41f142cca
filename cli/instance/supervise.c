#include "cli/instance/supervise.h"

#include <poll.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/sys/signals.h"

void rl_tail_flush(struct rl_tail *t)
{
    FILE *f = fopen(t->path, "re");
    if (!f)
        return;
    if (fseek(f, t->offset, SEEK_SET) == 0) {
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            if (t->out)
                fwrite(buf, 1, n, t->out);
            t->offset += (long long)n;
        }
        if (t->out)
            fflush(t->out);
    }
    fclose(f);
}

enum rl_sup_end rl_supervise(pid_t pid, struct rl_tail *t, int *status)
{
    for (;;) {
        rl_tail_flush(t);
        if (waitpid(pid, status, WNOHANG) == pid) {
            rl_tail_flush(t);
            return RL_SUP_EXITED;
        }
        if (rl_signal_seen)
            return RL_SUP_SIGNAL;
        /* A signal (ours, or SIGCHLD) ends the sleep early; otherwise the log is polled
         * five times a second, which is plenty for a human reading it. */
        poll(NULL, 0, 200);
    }
}
