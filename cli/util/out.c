#include "cli/util/out.h"

#include <stdarg.h>
#include <stdio.h>

struct rl_out rl_out;

__attribute__((format(printf, 3, 0)))
static void vmsg(const char *prefix, const char *color, const char *fmt, va_list ap)
{
    fprintf(stderr, "redis-light: %s%s%s", rl_c(color, true), prefix, rl_c(RL_RESET, true));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void rl_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("error: ", RL_RED, fmt, ap);
    va_end(ap);
}

void rl_warn(const char *fmt, ...)
{
    if (rl_out.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning: ", RL_YELLOW, fmt, ap);
    va_end(ap);
}

void rl_info(const char *fmt, ...)
{
    if (rl_out.quiet || rl_out.json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void rl_debug(const char *fmt, ...)
{
    if (rl_out.verbose < 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg("debug: ", RL_DIM, fmt, ap);
    va_end(ap);
}

const char *rl_c(const char *code, bool to_stderr)
{
    static char buf[2][16];
    if (!(to_stderr ? rl_out.ecolor : rl_out.color))
        return "";
    char *b = buf[to_stderr];
    snprintf(b, sizeof buf[0], "\033[%sm", code);
    return b;
}
