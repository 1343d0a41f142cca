#include "cli/sys/signals.h"

#include <string.h>

volatile sig_atomic_t rl_signal_seen;
volatile sig_atomic_t rl_signal_count;

static void on_signal(int sig)
{
    rl_signal_seen = sig;
    rl_signal_count++;
}

static void on_child(int sig)
{
    (void)sig; /* only here so that poll/nanosleep return early with EINTR */
}

void rl_signals_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    /* A closed log pipe (| head) must be an error on write, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
}

void rl_signals_default(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
}
