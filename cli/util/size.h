/* Sizes as users and redis.conf write them. Units follow redis.conf: k/m/g/t are powers
 * of 1000, kb/mb/gb/tb (and kib/mib/gib/tib) powers of 1024, case-insensitive, an
 * optional 'b' or 'bytes' for plain bytes. Only whole non-negative numbers; anything
 * else (sign, fraction, junk, overflow) is an error with a message saying which. */
#ifndef RL_SIZE_H
#define RL_SIZE_H
#include <stddef.h>
#include <stdint.h>

/* Returns 0 and sets *out, or -1 and writes a reason into err. */
int rl_parse_size(const char *s, uint64_t *out, char *err, size_t errlen);
/* "25%" or "12.5%": returns 0 and sets *pct in [0,100], or -1 with a reason. Returns 1
 * (not an error) when s is not a percentage at all, so callers can try rl_parse_size. */
int rl_parse_percent(const char *s, double *pct, char *err, size_t errlen);
/* Human form with binary units: "512 B", "64 MiB", "1.5 GiB". Returns buf. */
char *rl_fmt_size(uint64_t v, char *buf, size_t len);
/* redis.conf form: "64mb" when a whole number of MiB, "3gb" of GiB, "16kb", else bytes. */
char *rl_fmt_size_conf(uint64_t v, char *buf, size_t len);

#endif
