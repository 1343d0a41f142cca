/* Options as data: each command declares a table of rl_opt next to its code; the parser
 * and the --help text are generated from it (git's and systemd's way). Parsed values are
 * looked up by long name. */
#ifndef RL_ARGS_H
#define RL_ARGS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct rl_opt {
    const char *name;  /* long name without dashes, e.g. "port" */
    char shortname;    /* e.g. 'p', or 0 */
    const char *arg;   /* metavar ("N", "SIZE"); NULL for a flag without value */
    const char *help;  /* one line */
    bool repeat;       /* may be given several times (--set K=V --set K=V) */
};

#define RL_ARGS_MAX_OPTS 64
#define RL_ARGS_MAX_VALUES 32
#define RL_ARGS_MAX_POS 32

struct rl_args {
    const struct rl_opt *tables[2]; /* the global table and the command's */
    struct {
        const struct rl_opt *opt;
        int count;
        const char *values[RL_ARGS_MAX_VALUES];
    } seen[RL_ARGS_MAX_OPTS];
    int nseen;
    const char *pos[RL_ARGS_MAX_POS];
    int npos;
};

/* The options every command accepts (--sysroot, --json, --no-color, -q, -v, --help). */
extern const struct rl_opt rl_global_opts[];

/* Parses argv (without the program and command name) against the global table and the
 * command's table (which may be NULL). Returns 0, or -1 with a one-line reason in err. */
int rl_args_parse(struct rl_args *a, const struct rl_opt *cmd_opts, int argc, char **argv,
                  char *err, size_t errlen);
bool rl_args_has(const struct rl_args *a, const char *name);
/* The last value given for name, or NULL. */
const char *rl_args_get(const struct rl_args *a, const char *name);
int rl_args_count(const struct rl_args *a, const char *name);
const char *rl_args_nth(const struct rl_args *a, const char *name, int i);
/* Parses an integer option in [min,max]; returns 0 (and *out) when absent (*out keeps
 * its default), -1 with a reason when malformed. */
int rl_args_int(const struct rl_args *a, const char *name, long long min, long long max,
                long long *out, char *err, size_t errlen);
/* Parses a non-negative decimal (seconds, ratios). Same conventions. */
int rl_args_double(const struct rl_args *a, const char *name, double min, double max,
                   double *out, char *err, size_t errlen);

/* Writes the options part of a help text for a table. */
void rl_args_help(FILE *f, const struct rl_opt *opts);

#endif
