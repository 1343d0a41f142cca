/* Process-wide output settings and message helpers. Every error names what failed, on
 * what input, and what to do (DESIGN.md); these helpers only format and route it. */
#ifndef RL_OUT_H
#define RL_OUT_H
#include <stdbool.h>

enum rl_exit {
    RL_EXIT_OK = 0,       /* all good */
    RL_EXIT_PROBLEMS = 1, /* the command ran and found problems (doctor FAIL, bench errors) */
    RL_EXIT_USAGE = 2,    /* bad flag, bad input file */
    RL_EXIT_RUNTIME = 3,  /* build failed, server died, cannot connect */
};

struct rl_out {
    bool json;    /* --json: machine output on stdout, nothing else there */
    bool color;   /* colour escapes allowed on stdout (a TTY, no NO_COLOR/--no-color) */
    bool ecolor;  /* same for stderr */
    int verbose;  /* -v count */
    bool quiet;   /* -q */
};
extern struct rl_out rl_out;

/* "redis-light: error: ..." on stderr. */
void rl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "redis-light: warning: ..." on stderr, unless -q. */
void rl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and informational lines on stderr, unless -q or --json. */
void rl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void rl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ANSI colour helpers: return "" when colour is off for that stream. */
const char *rl_c(const char *code, bool to_stderr);
#define RL_RED "31"
#define RL_GREEN "32"
#define RL_YELLOW "33"
#define RL_DIM "2"
#define RL_BOLD "1"
#define RL_RESET "0"

#endif
