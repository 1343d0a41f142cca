/* Minimal TAP-style assertions for the C unit tests. Each failed check prints the
 * expression and location; tap_done() returns the process exit code. */
#ifndef RL_TAP_H
#define RL_TAP_H
#include <stdint.h>

extern int tap_failures, tap_checks;

void tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void tap_eq_u64(uint64_t got, uint64_t want, const char *file, int line, const char *what);
void tap_eq_str(const char *got, const char *want, const char *file, int line, const char *what);
int tap_done(void);
/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL when unreadable. */
char *tap_slurp(const char *path);

#define OK(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define EQ_U64(got, want) tap_eq_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, #got)
#define EQ_STR(got, want) tap_eq_str((got), (want), __FILE__, __LINE__, #got)

#endif
