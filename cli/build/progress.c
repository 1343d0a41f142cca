#include "cli/build/progress.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Copies line into out without ANSI escape sequences and leading blanks. */
static void plain(const char *line, char *out, size_t len)
{
    size_t o = 0;
    while (*line == ' ' || *line == '\t')
        line++;
    for (const char *p = line; *p && o + 1 < len; p++) {
        if (*p == '\033') {
            if (p[1] == '[')
                for (p += 2; *p && !(*p >= '@' && *p <= '~'); p++)
                    ;
            if (!*p)
                break;
            continue;
        }
        out[o++] = *p;
    }
    out[o] = '\0';
}

bool rl_is_compile_line(const char *line)
{
    char t[512];
    plain(line, t, sizeof t);
    size_t i = 0;
    while (t[i] == ' ' || t[i] == '\t')
        i++;
    if (strncmp(t + i, "CC ", 3) == 0 || strncmp(t + i, "CXX ", 4) == 0)
        return strstr(t + i, "Makefile.dep") == NULL; /* dependency lists are not compiles */
    /* the first word names a compiler: cc, gcc, gcc-12, clang, c++, g++, x86_64-linux-gnu-gcc */
    size_t w = strcspn(t + i, " \t");
    char word[128];
    snprintf(word, sizeof word, "%.*s", (int)w, t + i);
    const char *base = strrchr(word, '/');
    base = base ? base + 1 : word;
    bool compiler = strcmp(base, "cc") == 0 || strstr(base, "gcc") || strstr(base, "clang") ||
                    strstr(base, "g++") || strcmp(base, "c++") == 0;
    return compiler && (strstr(t + i, " -c ") || strstr(t + i, "\t-c "));
}

static int count_c(const char *tree, const char *sub)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", tree, sub);
    DIR *d = opendir(p);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if ((l > 2 && strcmp(e->d_name + l - 2, ".c") == 0) || (l > 4 && strcmp(e->d_name + l - 4, ".cpp") == 0))
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

int rl_estimate_files(const char *tree, bool with_jemalloc)
{
    static const char *dirs[] = {"src", "deps/hiredis", "deps/linenoise", "deps/lua/src",
                                 "deps/hdr_histogram", "deps/fpconv", "deps/fast_float"};
    int n = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        n += count_c(tree, dirs[i]);
    if (with_jemalloc)
        n += count_c(tree, "deps/jemalloc/src");
    return n;
}

const char *rl_build_hint(const char *log)
{
    static const struct { const char *needle, *hint; } table[] = {
        {"No space left on device",
         "the disk holding the build cache is full: free space, or point XDG_CACHE_HOME at a larger disk"},
        {"g++: not found", "this Redis (8.x) compiles C++ parts: install g++ (apt-get install g++)"},
        {"g++: command not found", "this Redis (8.x) compiles C++ parts: install g++ (apt-get install g++)"},
        {"c++: not found", "this Redis (8.x) compiles C++ parts: install g++ (apt-get install g++)"},
        {"c++: command not found", "this Redis (8.x) compiles C++ parts: install g++ (apt-get install g++)"},
        {"pkg-config: not found", "install pkg-config (apt-get install pkg-config)"},
        {"pkg-config: command not found", "install pkg-config (apt-get install pkg-config)"},
        {"cc: not found", "no C compiler: install one (apt-get install build-essential)"},
        {"cc: command not found", "no C compiler: install one (apt-get install build-essential)"},
        {"Killed signal terminated program",
         "the compiler was killed, most likely by the OOM killer: build with fewer jobs "
         "(REDIS_LIGHT_JOBS=1) or with more memory"},
        {"internal compiler error: Killed",
         "the compiler was killed, most likely by the OOM killer: build with fewer jobs "
         "(REDIS_LIGHT_JOBS=1) or with more memory"},
        {"openssl/ssl.h", "BUILD_TLS=yes needs OpenSSL headers: install libssl-dev, or use a profile with BUILD_TLS=no"},
        {"systemd/sd-daemon.h", "USE_SYSTEMD=yes needs libsystemd-dev, or use a profile with USE_SYSTEMD=no"},
        {"jemalloc/jemalloc.h: No such file",
         "this source has no bundled jemalloc (deps/jemalloc): use an upstream release tarball, or a "
         "profile with MALLOC=libc"},
        {"autoconf: not found", "jemalloc's configure needs autoconf here: install autoconf"},
        {"make: *** No rule to make target",
         "the source tree is incomplete or not a Redis tree: pass a full release tarball with --source"},
        {"unrecognized command-line option", "the compiler is too old for this Redis: install a newer gcc or clang"},
        {"unrecognized command line option", "the compiler is too old for this Redis: install a newer gcc or clang"},
    };
    for (size_t i = 0; log && i < sizeof table / sizeof table[0]; i++)
        if (strstr(log, table[i].needle))
            return table[i].hint;
    return NULL;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rl_progress_draw(struct rl_progress *p)
{
    if (!p->tty)
        return;
    if (p->compiled > p->total) /* the estimate was low: never show more done than total */
        p->total = p->compiled;
    fprintf(stderr, "\r\033[K  %s: %d/~%d files, %.0f s", p->phase ? p->phase : "compiling", p->compiled,
            p->total, mono() - p->start);
    fflush(stderr);
    p->drawn = true;
}

void rl_progress_clear(struct rl_progress *p)
{
    if (p->tty && p->drawn) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        p->drawn = false;
    }
}
