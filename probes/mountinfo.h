/* /proc/self/mountinfo and /proc/self/cgroup, parsed apart from any I/O. */
#ifndef RL_PROBES_MOUNTINFO_H
#define RL_PROBES_MOUNTINFO_H
#include <stdbool.h>
#include <stddef.h>

/* One mountinfo line (proc(5)): "36 35 98:0 /root /mnt opts [optional...] - fstype src superopts".
 * Strings point into the caller's line buffer, which the parser modifies (NUL-terminates
 * fields and decodes \040-style octal escapes in root and mount point). */
struct rl_mount {
    const char *root;        /* the mount's root within its filesystem */
    const char *mountpoint;
    const char *fstype;
    const char *superopts;   /* for cgroup v1: "rw,cpu,cpuacct" */
};

/* Parses one line in place. Returns 0, or -1 when the line is malformed. */
int rl_mountinfo_parse_line(char *line, struct rl_mount *m);
/* Decodes \ooo escapes in place. */
void rl_unescape_octal(char *s);
/* True when a comma-separated list contains the exact item ("rw,cpu,cpuacct" has "cpu"). */
bool rl_list_has(const char *list, const char *item);

/* One /proc/self/cgroup line: "hierarchy:controllers:path". Fields point into the line
 * (modified in place). Returns 0 or -1 when malformed. */
struct rl_cgline {
    const char *hierarchy;
    const char *controllers; /* "" for the v2 unified line */
    const char *path;
};
int rl_cgroup_parse_line(char *line, struct rl_cgline *c);

#endif
