#include "cli/build/builder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/build/cache_check.h"
#include "cli/sys/files.h"
#include "cli/sys/kvfile.h"
#include "cli/build/memo.h"
#include "cli/build/progress.h"
#include "cli/sys/spawn.h"
#include "cli/build/tree.h"
#include "cli/util/out.h"
#include "probes/redisbin.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rl_build_jobs(const struct rl_facts *f)
{
    const char *env = getenv("REDIS_LIGHT_JOBS");
    if (env && *env) {
        long j = strtol(env, NULL, 10);
        if (j >= 1 && j <= 1024)
            return (int)j;
    }
    long jobs = f->cpus_online.state == RL_FACT_VALUE ? (long)f->cpus_online.v : 1;
    if (f->cpu_quota_cores.state == RL_FACT_VALUE) {
        long q = (long)ceil(f->cpu_quota_cores.v - 0.25); /* 1.5 cores: 2 jobs, 1.2: 1 */
        if (q < jobs)
            jobs = q;
    }
    if (f->memory_limit_bytes.state == RL_FACT_VALUE) {
        uint64_t m = f->memory_limit_bytes.v / (384ULL << 20);
        if (m < (uint64_t)jobs)
            jobs = (long)m;
    }
    if (jobs > 1024)
        jobs = 1024;
    return jobs < 1 ? 1 : (int)jobs;
}

/* The compiler and the flags make takes from the environment decide the binary too. */
static void toolchain(const char *cache_dir, char *out, size_t len)
{
    char cc[300];
    rl_compiler_id(cache_dir, cc, sizeof cc);
    size_t used = (size_t)snprintf(out, len, "%s", cc);
    static const char *vars[] = {"CFLAGS", "LDFLAGS", "CPPFLAGS", "OPTIMIZATION"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && used < len; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            used += (size_t)snprintf(out + used, len - used, " %s=%s", vars[i], v);
    }
}

int rl_build_request_key(struct rl_build_req *req, char key[17], char *err, size_t errlen)
{
    /* A tarball's digest is remembered while the file is unchanged: hashing 3 MB on
     * every `up` would cost more than starting Redis. */
    if (!req->source->id[0] && req->source->kind == RL_SRC_TARBALL &&
        rl_memo_get(req->cache_dir, "sha256", req->source->path, req->source->id, sizeof req->source->id) == 0 &&
        strlen(req->source->id) != 64)
        req->source->id[0] = '\0';
    if (!req->source->id[0]) {
        if (rl_source_identify(req->source, err, errlen) < 0)
            return -1;
        if (req->source->kind == RL_SRC_TARBALL)
            rl_memo_put(req->cache_dir, "sha256", req->source->path, req->source->id);
    }
    char tc[600], arch[64];
    toolchain(req->cache_dir, tc, sizeof tc);
    rl_machine_arch(arch, sizeof arch);
    rl_build_key(req->source->id, req->vars, req->nvars, tc, arch, key);
    return 0;
}

/* Leftovers of builds that were killed: only ever removed under the key's lock. */
static void remove_stale(const char *builds, const char *key)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, ".tmp-%s-", key);
    DIR *d = opendir(builds);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", builds, e->d_name);
        rl_info("removing an unfinished build left by an interrupted run: %s", p);
        rl_tree_remove(p);
    }
    if (d)
        closedir(d);
}

struct run_ctx {
    struct rl_progress prog;
};

static void on_line(void *ud, const char *line)
{
    struct run_ctx *c = ud;
    if (rl_is_compile_line(line))
        c->prog.compiled++;
    rl_debug("make: %s", line);
}

static void on_tick(void *ud)
{
    rl_progress_draw(&((struct run_ctx *)ud)->prog);
}

static int run_make(struct rl_build_req *req, const char *tree, const char *target, const char *prefix,
                    int log_fd, struct run_ctx *rc, int *status, char *err, size_t errlen)
{
    const char *argv[64];
    char jobs[16], pfx[PATH_MAX + 8];
    size_t n = 0;
    argv[n++] = "make";
    snprintf(jobs, sizeof jobs, "-j%d", req->jobs);
    argv[n++] = jobs;
    for (size_t i = 0; i < req->nvars && n < 60; i++)
        argv[n++] = req->vars[i];
    if (prefix) {
        snprintf(pfx, sizeof pfx, "PREFIX=%s", prefix);
        argv[n++] = pfx;
    }
    if (target)
        argv[n++] = target;
    argv[n] = NULL;
    char line[1024];
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i ? " " : "", argv[i]);
    dprintf(log_fd, "\n### redis-light: %s (in %s)\n", line, tree);
    struct rl_spawn sp = {.argv = argv, .cwd = tree, .log_fd = log_fd, .on_line = on_line,
                          .on_tick = on_tick, .ud = rc, .pdeathsig = SIGTERM, .interrupt = req->interrupt};
    return rl_spawn_run(&sp, status, NULL, err, errlen);
}

/* "make exited with code 2" plus the log tail, its path and the likely fix. */
static void failure(char *err, size_t errlen, const char *what, const char *log_path)
{
    char *tail = rl_file_tail(log_path, 0, 25);
    char *all = rl_file_tail(log_path, 0, 400);
    const char *hint = rl_build_hint(all);
    snprintf(err, errlen, "%s.\nLast lines of the build log:\n%s\nFull log: %s\nLikely fix: %s", what,
             tail ? tail : "(the log is empty)", log_path,
             hint ? hint : "read the first \"error:\" line in the log; the build ran with the "
                           "make variables shown at its top");
    free(tail);
    free(all);
}

static int verify_malloc(const char *server, const char *want, char *got, size_t gotlen, char *line,
                         size_t linelen)
{
    char version[32];
    if (rl_run_version(server, line, linelen, 10000) < 0 ||
        rl_parse_server_version(line, version, sizeof version, got, gotlen) < 0)
        return -1;
    line[strcspn(line, "\r\n")] = '\0';
    return strncmp(got, want, strlen(want)) == 0 ? 0 : 1;
}

static int write_record(struct rl_build_req *req, const char *out, const char *key, const char *version,
                        const char *server, const char *malloc_got, const char *vline, double secs,
                        int compiled, char *err, size_t errlen)
{
    struct rl_kv *kv = rl_kv_new();
    if (!kv) {
        snprintf(err, errlen, "out of memory writing the build record");
        return -1;
    }
    char vars[512], tc[600], arch[64], cli[64], at[32];
    rl_join_vars(req->vars, req->nvars, vars, sizeof vars);
    toolchain(req->cache_dir, tc, sizeof tc);
    rl_machine_arch(arch, sizeof arch);
    snprintf(cli, sizeof cli, "%.*s-cli", (int)(strchr(server, '-') - server), server);
    time_t now = time(NULL);
    struct tm tm;
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    rl_kv_set(kv, "version", version);
    rl_kv_set(kv, "server", server);
    rl_kv_set(kv, "cli", cli);
    rl_kv_set(kv, "key", key);
    rl_kv_set(kv, "profile", req->profile ? req->profile : "");
    rl_kv_set(kv, "make_vars", vars);
    rl_kv_set(kv, "malloc", malloc_got);
    rl_kv_set(kv, "version_line", vline);
    rl_kv_set(kv, "source", req->source->path);
    rl_kv_set(kv, "source_origin", req->source->origin);
    rl_kv_set(kv, "source_sha256", req->source->id);
    rl_kv_set(kv, "compiler", tc);
    rl_kv_set(kv, "arch", arch);
    rl_kv_setf(kv, "jobs", "%d", req->jobs);
    rl_kv_setf(kv, "compiled_files", "%d", compiled);
    rl_kv_setf(kv, "build_seconds", "%.1f", secs);
    rl_kv_set(kv, "built_at", at);
    rl_kv_set(kv, "redis_light", RL_VERSION);
    /* What lookups check the installed binary against (cache_check.h). */
    char bin[PATH_MAX + 64], sha[65];
    long long size;
    snprintf(bin, sizeof bin, "%s/bin/%s", out, server);
    if (rl_cache_binary_facts(bin, &size, sha) < 0) {
        snprintf(err, errlen, "cannot read back the installed %s: %s", bin, strerror(errno));
        rl_kv_free(kv);
        return -1;
    }
    rl_kv_setf(kv, "server_size", "%lld", size);
    rl_kv_set(kv, "server_sha256", sha);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", out, RL_BUILD_RECORD);
    int rc = rl_kv_write(kv, path, "redis-light build record: how this binary was made");
    if (rc < 0)
        snprintf(err, errlen, "%s", kv->errstr);
    rl_kv_free(kv);
    return rc;
}

/* Everything after the lock: a fresh tree in tmp, make, install, verify, rename. */
static int build_locked(struct rl_build_req *req, const char *key, const char *builds, const char *tmp,
                        struct rl_build_info *info, char *err, size_t errlen)
{
    char out[PATH_MAX], log_path[PATH_MAX], tree[PATH_MAX], failed_log[PATH_MAX];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log_path, sizeof log_path, "%s/build.log", out);
    if (mkdir(out, 0755) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", out, strerror(errno));
        return -1;
    }
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", log_path, strerror(errno));
        return -1;
    }
    char vars[512];
    rl_join_vars(req->vars, req->nvars, vars, sizeof vars);
    dprintf(log_fd, "### redis-light %s: building from %s (%s)\n### make variables: %s\n", RL_VERSION,
            req->source->path, req->source->origin, vars);
    double t0 = mono();
    int rc = -1;
    if (rl_source_prepare(req->source, tmp, log_fd, req->interrupt, tree, sizeof tree, err, errlen) < 0)
        goto done;
    char version[32] = "", server[32] = "redis-server";
    if (rl_tree_version(tree, version, sizeof version, server, sizeof server) < 0) {
        snprintf(err, errlen, "%s has no readable src/version.h; it is not a Redis or Valkey source tree",
                 req->source->path);
        goto done;
    }
    char jdir[PATH_MAX];
    snprintf(jdir, sizeof jdir, "%s/deps/jemalloc", tree);
    if (strcmp(req->allocator, "jemalloc") == 0 && access(jdir, F_OK) < 0 && !strstr(vars, "USE_SYSTEM_JEMALLOC=yes")) {
        snprintf(err, errlen, "profile %s wants jemalloc, but %s has no bundled jemalloc (deps/jemalloc is "
                 "missing, as in some distribution tarballs); use an upstream release tarball with "
                 "--source, or a profile with MALLOC=libc", req->profile ? req->profile : "", req->source->path);
        goto done;
    }
    rl_info("building %s %s (%s) with make -j%d %s; log: %s", strncmp(server, "valkey", 6) == 0 ? "Valkey" : "Redis",
            version, req->profile ? req->profile : "", req->jobs, vars, log_path);
    struct run_ctx rctx = {.prog = {.tty = req->progress, .start = t0, .phase = "compiling",
                                    .total = rl_estimate_files(tree, strcmp(req->allocator, "jemalloc") == 0)}};
    int status;
    if (run_make(req, tree, NULL, NULL, log_fd, &rctx, &status, err, errlen) < 0)
        goto done;
    rl_progress_clear(&rctx.prog);
    char st[96], what[256];
    if (req->interrupt && *req->interrupt) {
        snprintf(err, errlen, "the build was interrupted; nothing was cached");
        goto done;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(failed_log, sizeof failed_log, "%s/failed-%s-%s.log", builds, version, key);
        rename(log_path, failed_log);
        snprintf(what, sizeof what, "building %s %s failed: make %s", server, version, rl_status_text(status, st, sizeof st));
        failure(err, errlen, what, failed_log);
        goto done;
    }
    rctx.prog.phase = "installing";
    if (run_make(req, tree, "install", out, log_fd, &rctx, &status, err, errlen) < 0)
        goto done;
    rl_progress_clear(&rctx.prog);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || (req->interrupt && *req->interrupt)) {
        snprintf(failed_log, sizeof failed_log, "%s/failed-%s-%s.log", builds, version, key);
        rename(log_path, failed_log);
        snprintf(what, sizeof what, "installing %s %s into %s failed: make install %s", server, version, out,
                 rl_status_text(status, st, sizeof st));
        failure(err, errlen, what, failed_log);
        goto done;
    }
    char bin[PATH_MAX], got[48] = "", vline[512];
    snprintf(bin, sizeof bin, "%s/bin/%s", out, server);
    int v = verify_malloc(bin, req->allocator, got, sizeof got, vline, sizeof vline);
    if (v != 0) {
        if (v < 0)
            snprintf(err, errlen, "the built %s does not run or prints no version line (%s --version); "
                     "see %s", server, bin, log_path);
        else
            snprintf(err, errlen, "the built %s reports malloc=%s, but profile %s asks for %s (make variables: "
                     "%s); refusing to cache it. The source may ignore MALLOC= or lack deps/jemalloc: try "
                     "an upstream release tarball with --source", server, got, req->profile ? req->profile : "",
                     req->allocator, vars);
        goto done;
    }
    double secs = mono() - t0;
    if (write_record(req, out, key, version, server, got, vline, secs, rctx.prog.compiled, err, errlen) < 0)
        goto done;
    char final[PATH_MAX], old[PATH_MAX];
    snprintf(final, sizeof final, "%s/%s%s-%s", builds, strncmp(server, "valkey", 6) == 0 ? "valkey-" : "",
             version, key);
    snprintf(old, sizeof old, "%s/old", tmp);
    if (rename(final, old) < 0 && errno != ENOENT) { /* --rebuild replaces the entry */
        snprintf(err, errlen, "cannot move the old build %s aside: %s", final, strerror(errno));
        goto done;
    }
    if (rename(out, final) < 0) {
        snprintf(err, errlen, "cannot move the finished build to %s: %s", final, strerror(errno));
        goto done;
    }
    rl_info("built %s %s (malloc=%s) in %.0f s: %s", server, version, got, secs, final);
    rc = rl_cache_read_entry(final, info);
    if (rc < 0)
        snprintf(err, errlen, "the build record in %s cannot be read back", final);
    info->cached = false;
done:
    close(log_fd);
    return rc;
}

int rl_build_ensure(struct rl_build_req *req, struct rl_build_info *info, char *err, size_t errlen)
{
    char key[17];
    if (rl_build_request_key(req, key, err, errlen) < 0)
        return -1;
    if (!req->rebuild && rl_cache_lookup(req->cache_dir, key, info) == 0)
        return 0;

    char tool[PATH_MAX], cc[300];
    if (rl_which("make", tool, sizeof tool) < 0) {
        snprintf(err, errlen, "make is not installed, and Redis is built with it: install it "
                 "(apt-get install build-essential)");
        return -1;
    }
    if (rl_compiler_id(req->cache_dir, cc, sizeof cc) < 0) {
        const char *env = getenv("CC");
        snprintf(err, errlen, "no C compiler found (%s is not on PATH): install one (apt-get install "
                 "build-essential) or set CC", env && *env ? env : "cc");
        return -1;
    }
    if (req->source->kind == RL_SRC_TARBALL && rl_which("tar", tool, sizeof tool) < 0) {
        snprintf(err, errlen, "tar is not installed; it is needed to unpack %s", req->source->path);
        return -1;
    }
    if (rl_cache_init(req->cache_dir, err, errlen) < 0)
        return -1;
    int lock = rl_cache_lock(req->cache_dir, key, req->interrupt, err, errlen);
    if (lock < 0)
        return -1;
    /* Someone else may have built it while we waited. */
    if (!req->rebuild && rl_cache_lookup(req->cache_dir, key, info) == 0) {
        close(lock);
        return 0;
    }
    char builds[PATH_MAX], tmp[PATH_MAX];
    snprintf(builds, sizeof builds, "%s/builds", req->cache_dir);
    remove_stale(builds, key);
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s-%d", builds, key, (int)getpid());
    int rc;
    if (mkdir(tmp, 0755) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        rc = -1;
    } else {
        rc = build_locked(req, key, builds, tmp, info, err, errlen);
        rl_tree_remove(tmp);
    }
    close(lock);
    return rc;
}
