#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tap_failures, tap_checks;

void tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
    tap_checks++;
    if (cond)
        return;
    tap_failures++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "not ok %d - %s:%d: ", tap_checks, file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void tap_eq_u64(uint64_t got, uint64_t want, const char *file, int line, const char *what)
{
    tap_ok(got == want, file, line, "%s = %llu, want %llu", what,
           (unsigned long long)got, (unsigned long long)want);
}

void tap_eq_str(const char *got, const char *want, const char *file, int line, const char *what)
{
    int same = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
    tap_ok(same, file, line, "%s = \"%s\", want \"%s\"", what, got ? got : "(null)",
           want ? want : "(null)");
}

int tap_done(void)
{
    printf("%d checks, %d failed\n", tap_checks, tap_failures);
    return tap_failures ? 1 : 0;
}

char *tap_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            else buf = nb;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}
