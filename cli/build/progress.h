/* What a Redis build prints, read back: counting compiled files for the progress line,
 * estimating how many there will be, and turning a failed build's log into the likely
 * fix. Pure functions, fed text, so tests can use captured make output. */
#ifndef RL_BUILD_PROGRESS_H
#define RL_BUILD_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>

/* True for a line that compiles one file: Redis's quiet "    CC adlist.o" (colour codes
 * allowed) or a full compiler command with -c (deps: lua, hiredis, jemalloc). */
bool rl_is_compile_line(const char *line);
/* How many C/C++ files a build of this tree compiles, roughly: src/ and the bundled deps
 * it uses (jemalloc only when with_jemalloc). */
int rl_estimate_files(const char *tree, bool with_jemalloc);
/* The likely fix for a failed build from its log text; NULL when nothing is recognised. */
const char *rl_build_hint(const char *log_text);

/* The TTY progress line. */
struct rl_progress {
    bool tty;          /* draw on stderr */
    int compiled, total;
    double start;      /* CLOCK_MONOTONIC seconds */
    const char *phase; /* "compiling", "installing" */
    bool drawn;
};
void rl_progress_draw(struct rl_progress *p);
/* Clears the line when something was drawn. */
void rl_progress_clear(struct rl_progress *p);

#endif
