#include "cli/util/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int xdg(char *out, size_t len, const char *var, const char *fallback)
{
    const char *v = getenv(var);
    int n;
    if (v && v[0] == '/') { /* the spec: relative values are invalid and ignored */
        n = snprintf(out, len, "%s/redis-light", v);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return -1;
        n = snprintf(out, len, "%s/%s/redis-light", home, fallback);
    }
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int rl_cache_dir(char *out, size_t len) { return xdg(out, len, "XDG_CACHE_HOME", ".cache"); }
int rl_state_dir(char *out, size_t len) { return xdg(out, len, "XDG_STATE_HOME", ".local/state"); }
int rl_config_dir(char *out, size_t len) { return xdg(out, len, "XDG_CONFIG_HOME", ".config"); }

int rl_mkdir_p(const char *path, unsigned mode)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, mode) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, mode) < 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(tmp, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}
