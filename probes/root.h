/* The one path context every probe reads through. All paths are absolute as seen by the
 * probed system ("/proc/self/mountinfo"); the context prefixes them with the sysroot so
 * tests can feed fixture trees (util-linux lscpu's --sysroot). Reads are bounded, refuse
 * non-regular files (a FIFO in a fixture must not hang us) and never follow the caller
 * into anything but reading. */
#ifndef RL_PROBES_ROOT_H
#define RL_PROBES_ROOT_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct rl_root {
    char dir[PATH_MAX]; /* "" for the real root */
    bool host;          /* true when probing the live system (sysroot "/") */
};

/* dir NULL or "/" means the live system. Returns 0, or -1 when dir is not a directory. */
int rl_root_init(struct rl_root *r, const char *dir);
/* Joins the sysroot and an absolute path into out. Returns out. */
char *rl_root_path(const struct rl_root *r, const char *abs, char *out, size_t len);

enum rl_read_status { RL_READ_OK = 0, RL_READ_MISSING, RL_READ_DENIED, RL_READ_NOTFILE,
                      RL_READ_TOOBIG, RL_READ_ERROR };

/* Reads the whole file into a malloc'd NUL-terminated buffer (*len without the NUL),
 * at most max bytes. Returns the status; *buf is NULL unless RL_READ_OK. */
enum rl_read_status rl_root_read(const struct rl_root *r, const char *abs, size_t max,
                                 char **buf, size_t *len);
/* Human reason for a status ("does not exist", "permission denied", …). */
const char *rl_read_reason(enum rl_read_status st);
bool rl_root_exists(const struct rl_root *r, const char *abs);

/* Environment of the probed system: the real environ for the host, else the sysroot's
 * /proc/self/environ (NUL-separated). Returns a malloc'd copy of the value or NULL. */
char *rl_root_getenv(const struct rl_root *r, const char *name);

#endif
