/* The subcommands. Each lives in cli/<name>.c and declares its options table next to
 * its code; main.c holds the one table that lists them. */
#ifndef RL_COMMANDS_H
#define RL_COMMANDS_H
#include <signal.h>

#include "cli/util/args.h"
#include "cli/util/fault.h"
#include "cli/util/out.h"
#include "probes/root.h"

struct rl_ctx {
    struct rl_root root;        /* --sysroot */
    const struct rl_args *args; /* parsed options and positionals of the command */
};

struct rl_cmd {
    const char *name;
    int (*fn)(struct rl_ctx *ctx);
    const char *summary;        /* one line for the command list */
    const char *synopsis;       /* positional part of the usage line */
    const struct rl_opt *opts;  /* the command's options */
    const char *description;    /* paragraph(s) for --help, may be NULL */
};

#define RL_DECLARE_CMD(n)                   \
    int rl_cmd_##n(struct rl_ctx *ctx);     \
    extern const struct rl_opt rl_##n##_opts[]

RL_DECLARE_CMD(doctor);
RL_DECLARE_CMD(profiles);
RL_DECLARE_CMD(build);
RL_DECLARE_CMD(up);
RL_DECLARE_CMD(down);
RL_DECLARE_CMD(status);
RL_DECLARE_CMD(bench);
RL_DECLARE_CMD(tune);
extern const char rl_tune_help[]; /* its --help paragraph (cli/tune.c) */

/* bench --eviction (cli/bench_eviction.c): cfg holds the load options bench parsed;
 * interrupted is the signal module's flag. Returns the exit code. */
struct rl_engine_cfg;
struct rl_keydist;
int rl_bench_eviction(const struct rl_ctx *ctx, struct rl_engine_cfg *cfg, const char *target_source,
                      const struct rl_keydist *keys, volatile sig_atomic_t *interrupted);
/* The options only --eviction takes, for bench's usage checks. */
extern const char *const rl_eviction_only_opts[];

/* Prints the usage line for a command to f. */
void rl_print_usage(FILE *f, const struct rl_cmd *c);
/* Reports a usage error for the running command (one line + usage) and returns 2. */
int rl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit code of a failure of that kind (DESIGN.md: 2 invalid input, 3 runtime). */
static inline int rl_exit_for(enum rl_fault f) { return f == RL_FAULT_INPUT ? RL_EXIT_USAGE : RL_EXIT_RUNTIME; }

#endif
