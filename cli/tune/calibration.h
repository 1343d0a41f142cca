/* The calibration file `redis-light tune` writes and the plan reads:
 * $XDG_CONFIG_HOME/redis-light/calibration.tsv, in profiles/overhead.tsv's format ('#'
 * lines saying what made it, the header, tab-separated rows; cli/plan/overhead.h). */
#ifndef RL_TUNE_CALIBRATION_H
#define RL_TUNE_CALIBRATION_H
#include <stddef.h>

#include "cli/plan/overhead.h"

/* What the comment lines say besides the date and the machine. */
struct rl_calibration_note {
    const char *server;       /* "redis 7.0.15 malloc=libc, /path/to/redis-server" */
    const char *options;      /* the measurement's options: "--value-size 200 --clients 50 ..." */
    const char *limit;        /* the memory limit it ran under: "cgroup limit 128 MiB" */
    double elapsed_s;
};

/* Writes rows (all of one allocator) into dir/calibration.tsv, keeping the rows of the file
 * already there that are not of the same allocator and value class. Atomic: a 0600
 * temporary file in dir (created 0700 when missing) renamed over the old one, after the
 * text was checked to parse as the plan parses it. path gets the file's path; kept the
 * number of rows kept; dropped says why an unreadable old file's rows were not kept ("").
 * Returns 0, or -1 with err (nothing changed). */
int rl_calibration_write(const char *dir, const struct rl_overhead_row *rows, int nrows,
                         const struct rl_calibration_note *note, char *path, size_t pathlen, int *kept,
                         char *dropped, size_t droppedlen, char *err, size_t errlen);

/* The text of the table: the comment lines, the header, the rows. Returns the length
 * written (truncated at len - 1), pure but for the date and the machine it names. */
size_t rl_calibration_text(char *out, size_t len, const struct rl_overhead_row *rows, int nrows,
                           const struct rl_calibration_note *note, const char *kept_note);

#endif
