/* Strict parsers for the one-number files of /proc and /sys. They are fed text (kept
 * apart from I/O so fuzzers and tests can drive them) and say precisely what was wrong. */
#ifndef RL_PROBES_VALUE_H
#define RL_PROBES_VALUE_H
#include <stddef.h>
#include <stdint.h>

enum rl_val {
    RL_VAL_OK = 0,
    RL_VAL_MAX,      /* the literal "max" (cgroup v2 for "no limit") */
    RL_VAL_EMPTY,    /* nothing but whitespace */
    RL_VAL_GARBAGE,  /* not a number */
    RL_VAL_NEGATIVE, /* a minus sign where none is allowed */
    RL_VAL_OVERFLOW, /* does not fit in 64 bits */
};

/* One unsigned decimal, surrounded by optional whitespace (the trailing newline may be
 * missing). "max" gives RL_VAL_MAX. */
enum rl_val rl_parse_u64_text(const char *s, uint64_t *out);
/* One signed decimal (cpu.cfs_quota_us is -1 for none). */
enum rl_val rl_parse_i64_text(const char *s, int64_t *out);
/* Parses the first whitespace-separated token of s into u64 (for "150000 100000"). The
 * token ends at whitespace; *rest points after it. */
enum rl_val rl_parse_u64_token(const char *s, uint64_t *out, const char **rest);
const char *rl_val_reason(enum rl_val v);

#endif
