#include "cli/build/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/build/sha256.h"
#include "cli/sys/spawn.h"
#include "cli/build/tree.h"
#include "cli/util/paths.h"

static const char *tar_suffixes[] = {".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2",
                                     ".tar.zst", ".tar"};

static bool is_tarball_name(const char *name)
{
    size_t n = strlen(name);
    if (strstr(name, ".debian.tar")) /* Debian's packaging, not the source */
        return false;
    for (size_t i = 0; i < sizeof tar_suffixes / sizeof tar_suffixes[0]; i++) {
        size_t s = strlen(tar_suffixes[i]);
        if (n > s && strcmp(name + n - s, tar_suffixes[i]) == 0)
            return true;
    }
    return false;
}

int rl_version_from_name(const char *name, char *out, size_t len)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (const char *p = base; *p; p++) {
        if ((*p != '-' && *p != '_') || p[1] < '0' || p[1] > '9')
            continue;
        const char *v = p + 1, *e = v;
        int dots = 0;
        while ((*e >= '0' && *e <= '9') || (*e == '.' && e[1] >= '0' && e[1] <= '9'))
            dots += *e++ == '.';
        if (dots == 0)
            continue;
        /* a pre-release tag stays part of the version: redis-8.0-rc1 */
        if (strncmp(e, "-rc", 3) == 0 && e[3] >= '0' && e[3] <= '9')
            for (e += 3; *e >= '0' && *e <= '9'; e++)
                ;
        snprintf(out, len, "%.*s", (int)(e - v), v);
        return 0;
    }
    return -1;
}

int rl_version_cmp(const char *a, const char *b)
{
    for (int i = 0; i < 4; i++) {
        char *ea, *eb;
        long x = *a >= '0' && *a <= '9' ? strtol(a, &ea, 10) : -1;
        long y = *b >= '0' && *b <= '9' ? strtol(b, &eb, 10) : -1;
        if (x != y)
            return x < y ? -1 : 1;
        if (x < 0)
            return 0;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
    }
    return 0;
}

static int define_value(const char *text, const char *name, char *out, size_t len)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(text, "#define "); p; p = strstr(p + 1, "#define ")) {
        const char *q = p + 8;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, name, nl) != 0 || (q[nl] != ' ' && q[nl] != '\t'))
            continue;
        const char *open = strchr(q + nl, '"');
        const char *eol = strchr(q, '\n');
        const char *close = open ? strchr(open + 1, '"') : NULL;
        if (!open || !close || (eol && close > eol))
            continue;
        snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
        return 0;
    }
    return -1;
}

int rl_parse_version_h(const char *text, char *version, size_t vlen, char *server, size_t slen)
{
    /* Valkey keeps a REDIS_VERSION for compatibility (7.2.4): its own name wins. */
    if (define_value(text, "VALKEY_VERSION", version, vlen) == 0) {
        snprintf(server, slen, "valkey-server");
        return 0;
    }
    if (define_value(text, "REDIS_VERSION", version, vlen) == 0) {
        snprintf(server, slen, "redis-server");
        return 0;
    }
    return -1;
}

int rl_tree_version(const char *tree, char *version, size_t vlen, char *server, size_t slen)
{
    char p[PATH_MAX], text[8192];
    snprintf(p, sizeof p, "%s/src/version.h", tree);
    FILE *f = fopen(p, "re");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return rl_parse_version_h(text, version, vlen, server, slen);
}

static bool is_tree(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "%s/src/version.h", dir);
    if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
        return false;
    snprintf(p, sizeof p, "%s/Makefile", dir);
    return stat(p, &st) == 0;
}

int rl_source_from_path(const char *path, const char *origin, struct rl_source *s, char *err,
                        size_t errlen)
{
    memset(s, 0, sizeof *s);
    snprintf(s->origin, sizeof s->origin, "%s", origin);
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(err, errlen, "%s %s: %s; give a Redis source directory or tarball", origin, path,
                 strerror(errno));
        return -1;
    }
    if (!realpath(path, s->path)) {
        snprintf(err, errlen, "%s %s: cannot resolve the path: %s", origin, path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!is_tree(s->path)) {
            snprintf(err, errlen, "%s %s is not a Redis or Valkey source tree (no Makefile and "
                     "src/version.h at its top); give the directory that holds them, or a tarball",
                     origin, path);
            return -1;
        }
        char server[32];
        if (rl_tree_version(s->path, s->version, sizeof s->version, server, sizeof server) < 0)
            s->version[0] = '\0';
        s->kind = RL_SRC_DIR;
        return 0;
    }
    if (S_ISREG(st.st_mode) && is_tarball_name(s->path)) {
        if (rl_version_from_name(s->path, s->version, sizeof s->version) < 0)
            s->version[0] = '\0';
        s->kind = RL_SRC_TARBALL;
        return 0;
    }
    snprintf(err, errlen, "%s %s is neither a directory nor a tarball (.tar.gz, .tar.xz, .tar.bz2, "
             ".tar); give a Redis source directory or release tarball", origin, path);
    return -1;
}

int rl_source_identify(struct rl_source *s, char *err, size_t errlen)
{
    if (s->kind == RL_SRC_TARBALL) {
        if (rl_sha256_file(s->path, s->id) < 0) {
            snprintf(err, errlen, "cannot read %s: %s", s->path, strerror(errno));
            return -1;
        }
        return 0;
    }
    return rl_tree_hash(s->path, s->id, err, errlen);
}

int rl_source_scan(const char *srcdir, struct rl_source *best)
{
    DIR *d = opendir(srcdir);
    if (!d)
        return -1;
    bool found = false;
    time_t best_mtime = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[PATH_MAX];
        struct stat st;
        if (snprintf(p, sizeof p, "%s/%s", srcdir, e->d_name) >= (int)sizeof p || stat(p, &st) < 0)
            continue;
        struct rl_source c;
        char err[256];
        if (!(S_ISDIR(st.st_mode) ? is_tree(p) : S_ISREG(st.st_mode) && is_tarball_name(e->d_name)))
            continue;
        if (rl_source_from_path(p, "cache", &c, err, sizeof err) < 0)
            continue;
        int cmp = found ? rl_version_cmp(c.version, best->version) : 1;
        if (cmp > 0 || (cmp == 0 && st.st_mtime > best_mtime)) {
            *best = c;
            best_mtime = st.st_mtime;
            found = true;
        }
    }
    closedir(d);
    return found ? 0 : -1;
}

/* The last non-empty line of a log, for "apt-get said: …". */
static void last_line(const char *path, char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = fopen(path, "re");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(out, len, "%s", line);
    }
    if (f)
        fclose(f);
}

static int fetch(const char *const *argv, const char *cwd, const char *logpath, double timeout,
                 volatile sig_atomic_t *interrupt, char *why, size_t whylen)
{
    int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    static const char *env[] = {"GIT_TERMINAL_PROMPT=0", NULL};
    struct rl_spawn sp = {.argv = argv, .cwd = cwd, .log_fd = log, .env = env,
                          .pdeathsig = SIGTERM, .timeout_s = timeout, .interrupt = interrupt};
    int status = 0;
    bool tmo = false;
    int rc = rl_spawn_run(&sp, &status, &tmo, why, whylen);
    if (log >= 0)
        close(log);
    if (rc < 0)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char st[96], ll[300];
    last_line(logpath, ll, sizeof ll);
    snprintf(why, whylen, "%s (%s; log %s)", ll[0] ? ll : "failed",
             tmo ? "timed out" : rl_status_text(status, st, sizeof st), logpath);
    return -1;
}

int rl_source_discover(const struct rl_discover *d, struct rl_source *s, char *err, size_t errlen,
                       enum rl_fault *fault)
{
    *fault = RL_FAULT_INPUT;
    if (d->source)
        return rl_source_from_path(d->source, "--source", s, err, errlen);
    const char *env = getenv("REDIS_LIGHT_SOURCE");
    if (env && *env)
        return rl_source_from_path(env, "REDIS_LIGHT_SOURCE", s, err, errlen);
    *fault = RL_FAULT_RUNTIME;

    char srcdir[PATH_MAX];
    snprintf(srcdir, sizeof srcdir, "%s/src", d->cache_dir);
    if (rl_source_scan(srcdir, s) == 0)
        return 0;

    char apt[PATH_MAX], git[PATH_MAX];
    bool have_apt = rl_which("apt-get", apt, sizeof apt) == 0;
    bool have_git = rl_which("git", git, sizeof git) == 0;
    const char *url = getenv("REDIS_LIGHT_GIT_URL");
    if (!url || !*url)
        url = "https://github.com/redis/redis.git";
    if (!d->fetch) {
        memset(s, 0, sizeof *s);
        snprintf(s->origin, sizeof s->origin, "%s", have_apt ? "apt-get source" : have_git ? "git clone" : "");
        if (have_apt || have_git)
            return 1;
    }
    char apt_why[700] = "apt-get is not installed", git_why[700] = "git is not installed";
    if ((have_apt || have_git) && d->fetch && rl_mkdir_p(srcdir, 0755) < 0) {
        snprintf(err, errlen, "cannot create %s: %s; set XDG_CACHE_HOME to a writable directory",
                 srcdir, strerror(errno));
        return -1;
    }
    if (have_apt && d->fetch) {
        char log[PATH_MAX];
        snprintf(log, sizeof log, "%s/apt-get-source.log", srcdir);
        const char *argv[] = {"apt-get", "source", "--download-only", "redis", NULL};
        int rc = fetch(argv, srcdir, log, 600, d->interrupt, apt_why, sizeof apt_why);
        if (rc == 0 && rl_source_scan(srcdir, s) == 0) {
            snprintf(s->origin, sizeof s->origin, "apt-get source");
            return 0;
        }
        if (rc == 0)
            snprintf(apt_why, sizeof apt_why, "it ran but left no source tarball in %s", srcdir);
    }
    if (have_git && d->fetch && !(d->interrupt && *d->interrupt)) {
        char tmp[PATH_MAX], dst[PATH_MAX], log[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s/.git-clone.%d", srcdir, (int)getpid());
        snprintf(dst, sizeof dst, "%s/redis-git", srcdir);
        snprintf(log, sizeof log, "%s/git-clone.log", srcdir);
        const char *argv[] = {"git", "clone", "--depth", "1", url, tmp, NULL};
        int rc = fetch(argv, srcdir, log, 600, d->interrupt, git_why, sizeof git_why);
        /* cloned under a temporary name: a half clone is never mistaken for a source */
        if (rc == 0 && rename(tmp, dst) == 0 && rl_source_from_path(dst, "git clone", s, err, errlen) == 0)
            return 0;
        rl_tree_remove(tmp);
    }
    snprintf(err, errlen,
             "no Redis source found. Tried, in order:\n"
             "  --source DIR|TARBALL: not given\n"
             "  REDIS_LIGHT_SOURCE: not set\n"
             "  the cache: no tarball or source tree in %s\n"
             "  apt-get source --download-only redis: %s\n"
             "  git clone --depth 1 %s: %s\n"
             "Fix: pass --source with a Redis or Valkey source directory or release tarball, "
             "copy a tarball (e.g. redis-7.2.4.tar.gz) into %s, or add deb-src entries to apt's "
             "sources (scripts/enable-deb-src) and run again.",
             srcdir, apt_why, url, git_why, srcdir);
    return -1;
}

/* The directory holding the Makefile: x itself, or its only subdirectory. */
static int find_top(const char *x, char *tree, size_t len)
{
    if (is_tree(x)) {
        snprintf(tree, len, "%s", x);
        return 0;
    }
    DIR *d = opendir(x);
    int subdirs = 0;
    char only[PATH_MAX] = "";
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        struct stat st;
        if (snprintf(p, sizeof p, "%s/%s", x, e->d_name) < (int)sizeof p && lstat(p, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            subdirs++;
            snprintf(only, sizeof only, "%s", p);
        }
    }
    if (d)
        closedir(d);
    if (subdirs == 1 && is_tree(only)) {
        snprintf(tree, len, "%s", only);
        return 0;
    }
    return -1;
}

int rl_source_prepare(const struct rl_source *s, const char *workdir, int log_fd,
                      volatile sig_atomic_t *interrupt, char *tree, size_t treelen, char *err,
                      size_t errlen)
{
    char x[PATH_MAX];
    snprintf(x, sizeof x, "%s/src", workdir);
    if (s->kind == RL_SRC_TARBALL) {
        if (mkdir(x, 0755) < 0) {
            snprintf(err, errlen, "cannot create %s: %s", x, strerror(errno));
            return -1;
        }
        /* GNU tar detects the compression itself; --no-same-owner keeps root from
         * recreating the release manager's uids. */
        const char *argv[] = {"tar", "-xf", s->path, "-C", x, "--no-same-owner", NULL};
        struct rl_spawn sp = {.argv = argv, .log_fd = log_fd, .pdeathsig = SIGTERM, .interrupt = interrupt};
        int status;
        if (rl_spawn_run(&sp, &status, NULL, err, errlen) < 0)
            return -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char st[96];
            /* tar's own words went to the build log, which dies with the temporary tree;
             * a full disk is the one cause worth telling apart from a bad tarball. */
            struct statvfs vfs;
            if (statvfs(workdir, &vfs) == 0 && ((unsigned long long)vfs.f_bavail * vfs.f_frsize < (1ULL << 20) ||
                                                (vfs.f_files && vfs.f_favail == 0)))
                snprintf(err, errlen, "tar -xf %s %s: the disk holding %s is full (%llu KiB and %llu "
                         "inodes free); free space, or point XDG_CACHE_HOME at a larger disk", s->path,
                         rl_status_text(status, st, sizeof st), workdir,
                         (unsigned long long)vfs.f_bavail * vfs.f_frsize / 1024, (unsigned long long)vfs.f_favail);
            else
                snprintf(err, errlen, "tar -xf %s %s; is the file a complete tarball? (a download may have "
                         "been cut short, or the tool for its compression is missing)", s->path,
                         rl_status_text(status, st, sizeof st));
            return -1;
        }
        if (find_top(x, tree, treelen) < 0) {
            snprintf(err, errlen, "%s holds no Redis source tree (no Makefile and src/version.h at its "
                     "top or in its only directory)", s->path);
            return -1;
        }
        return 0;
    }
    if (rl_tree_copy(s->path, x, err, errlen) < 0)
        return -1;
    snprintf(tree, treelen, "%s", x);
    /* A tree that was configured in place (jemalloc's generated headers) must start
     * clean; the copy already left the objects behind. */
    const char *argv[] = {"make", "distclean", NULL};
    struct rl_spawn sp = {.argv = argv, .cwd = x, .log_fd = log_fd, .pdeathsig = SIGTERM, .interrupt = interrupt};
    int status;
    if (rl_spawn_run(&sp, &status, NULL, err, errlen) < 0)
        return -1;
    return 0; /* distclean failing on a pristine tree is harmless: the build will tell */
}
