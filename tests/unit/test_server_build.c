/* cli/build: SHA-256, record files, source trees and discovery, cache
 * keys, lookup and lock, progress counting and failure hints, running helpers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/build/cache.h"
#include "cli/sys/kvfile.h"
#include "cli/build/progress.h"
#include "cli/build/sha256.h"
#include "cli/build/source.h"
#include "cli/sys/spawn.h"
#include "cli/build/tree.h"
#include "tap.h"

static char tmp[256];

static void put(const char *rel, const char *text, mode_t mode)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    for (char *s = strchr(p + strlen(tmp) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    chmod(p, mode);
}

static void sha(void)
{
    struct rl_sha256 s;
    char hex[65];
    rl_sha256_init(&s);
    rl_sha256_hex(&s, hex);
    EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rl_sha256_init(&s);
    rl_sha256_update(&s, "abc", 3);
    rl_sha256_hex(&s, hex);
    EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    rl_sha256_init(&s);
    rl_sha256_update(&s, two, strlen(two));
    rl_sha256_hex(&s, hex);
    EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a' in uneven pieces exercises the partial-block path */
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    rl_sha256_init(&s);
    for (size_t off = 0, step = 1; off < 1000000; off += step, step = step % 97 + 1)
        rl_sha256_update(&s, a + off, off + step > 1000000 ? 1000000 - off : step);
    rl_sha256_hex(&s, hex);
    EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
    put("abc.txt", "abc", 0644);
    char p[512];
    snprintf(p, sizeof p, "%s/abc.txt", tmp);
    OK(rl_sha256_file(p, hex) == 0, "hash a file");
    EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    OK(rl_sha256_file("/nonexistent/x", hex) < 0 && errno == ENOENT, "missing file fails with ENOENT");
}

static void kv(void)
{
    struct rl_kv *k = rl_kv_new();
    rl_kv_set(k, "path", "/a b/\"quoted\"\\x\nnext");
    rl_kv_setf(k, "pid", "%d", 1234);
    rl_kv_set(k, "empty", "");
    rl_kv_set(k, "pid", "99"); /* replaces */
    char p[512];
    snprintf(p, sizeof p, "%s/rec.yaml", tmp);
    OK(rl_kv_write(k, p, "a test record") == 0, "write: %s", k->errstr);
    struct stat st;
    OK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600, "record is 0600");
    rl_kv_free(k);
    k = rl_kv_new();
    OK(rl_kv_load(k, p) == 0, "load: %s", k->errstr);
    EQ_STR(rl_kv_get(k, "path"), "/a b/\"quoted\"\\x\nnext");
    EQ_U64(rl_kv_get_ll(k, "pid", -1), 99);
    EQ_STR(rl_kv_get(k, "empty"), "");
    OK(rl_kv_get(k, "absent") == NULL, "absent key");
    EQ_U64(rl_kv_get_ll(k, "path", 7), 7);
    char *text = tap_slurp(p);
    OK(text && strstr(text, "pid: 99\n") && strstr(text, "# a test record"), "integers bare, comment first: %s", text);
    free(text);
    rl_kv_free(k);
    k = rl_kv_new();
    OK(rl_kv_parse(k, "a: 1\nnot a pair\n") < 0 && strstr(k->errstr, "line 2"), "bad line named: %s", k->errstr);
    rl_kv_free(k);
    k = rl_kv_new();
    OK(rl_kv_parse(k, "a: \"open\n") < 0 && strstr(k->errstr, "unterminated"), "unterminated quote");
    rl_kv_free(k);
    k = rl_kv_new();
    OK(rl_kv_load(k, "/nonexistent/rec") < 0 && k->err == ENOENT, "missing record is ENOENT");
    rl_kv_free(k);
    rl_kv_free(NULL);
}

static void trees(void)
{
    put("t/Makefile", "all:\n", 0644);
    put("t/src/version.h", "#define REDIS_VERSION \"7.2.4\"\n#define REDIS_VERSION_NUM 0x00070204\n", 0644);
    put("t/src/server.c", "int main(void){return 0;}\n", 0644);
    put("t/deps/jemalloc/configure", "#!/bin/sh\n", 0755);
    char t[512], h1[65], h2[65], err[512];
    snprintf(t, sizeof t, "%s/t", tmp);
    OK(rl_tree_hash(t, h1, err, sizeof err) == 0, "hash tree: %s", err);
    /* build products and VCS data are not part of the identity */
    put("t/src/server.o", "obj", 0644);
    put("t/src/redis-server", "bin", 0755);
    put("t/src/.make-settings", "MALLOC=libc", 0644);
    put("t/.git/HEAD", "ref", 0644);
    OK(rl_tree_hash(t, h2, err, sizeof err) == 0 && strcmp(h1, h2) == 0, "products ignored");
    put("t/src/server.c", "int main(void){return 1;}\n", 0644);
    OK(rl_tree_hash(t, h2, err, sizeof err) == 0 && strcmp(h1, h2) != 0, "content counts");
    put("t/src/server.c", "int main(void){return 0;}\n", 0644);
    char p[512];
    snprintf(p, sizeof p, "%s/t/deps/jemalloc/configure", tmp);
    chmod(p, 0644);
    OK(rl_tree_hash(t, h2, err, sizeof err) == 0 && strcmp(h1, h2) != 0, "executable bit counts");
    chmod(p, 0755);
    OK(rl_tree_hash(t, h2, err, sizeof err) == 0 && strcmp(h1, h2) == 0, "same again");

    char c[512];
    snprintf(c, sizeof c, "%s/copy", tmp);
    OK(rl_tree_copy(t, c, err, sizeof err) == 0, "copy: %s", err);
    snprintf(p, sizeof p, "%s/src/server.o", c);
    OK(access(p, F_OK) < 0, "objects not copied");
    snprintf(p, sizeof p, "%s/.git", c);
    OK(access(p, F_OK) < 0, ".git not copied");
    snprintf(p, sizeof p, "%s/deps/jemalloc/configure", c);
    OK(access(p, X_OK) == 0, "modes kept");
    OK(rl_tree_hash(c, h2, err, sizeof err) == 0 && strcmp(h1, h2) == 0, "copy has the same identity");
    OK(rl_tree_remove(c) == 0 && access(c, F_OK) < 0, "remove");
    OK(rl_tree_skip("src/redis-cli", "redis-cli", false), "built binary skipped");
    OK(!rl_tree_skip("utils/redis-copy.rb", "redis-copy.rb", false), "other files kept");
    OK(!rl_tree_skip("src/redis-trib.rb", "redis-trib.rb", false), "scripts in src kept");
}

static void sources(void)
{
    char v[32], server[32];
    OK(rl_version_from_name("redis_7.0.15.orig.tar.gz", v, sizeof v) == 0, "debian orig");
    EQ_STR(v, "7.0.15");
    OK(rl_version_from_name("/x/y/valkey-8.0.1.tar.gz", v, sizeof v) == 0, "valkey");
    EQ_STR(v, "8.0.1");
    OK(rl_version_from_name("redis-8.0-rc1.tar.gz", v, sizeof v) == 0, "rc");
    EQ_STR(v, "8.0-rc1");
    OK(rl_version_from_name("redis.tar.gz", v, sizeof v) < 0, "no version");
    OK(rl_version_cmp("7.0.15", "7.2.4") < 0, "7.0.15 < 7.2.4");
    OK(rl_version_cmp("7.10.0", "7.9.9") > 0, "numeric, not lexical");
    OK(rl_version_cmp("8.0.0", "8.0.0") == 0, "equal");
    OK(rl_version_cmp("", "6.2.0") < 0, "unknown sorts first");

    OK(rl_parse_version_h("#define REDIS_VERSION \"6.2.14\"\n", v, sizeof v, server, sizeof server) == 0, "redis");
    EQ_STR(v, "6.2.14");
    EQ_STR(server, "redis-server");
    OK(rl_parse_version_h("#define VALKEY_VERSION \"8.0.1\"\n#define REDIS_VERSION \"7.2.4\"\n", v, sizeof v,
                          server, sizeof server) == 0, "valkey tree");
    EQ_STR(v, "8.0.1");
    EQ_STR(server, "valkey-server");
    OK(rl_parse_version_h("nothing here", v, sizeof v, server, sizeof server) < 0, "no define");

    /* the cache's src/: highest version wins, Debian's packaging tarball never counts */
    put("cache/src/redis_7.0.15.orig.tar.gz", "x", 0644);
    put("cache/src/redis_7.0.15-1~deb12u10.debian.tar.xz", "x", 0644);
    put("cache/src/redis-6.2.14.tar.gz", "x", 0644);
    put("cache/src/notes.txt", "x", 0644);
    char src[512], err[2048];
    snprintf(src, sizeof src, "%s/cache/src", tmp);
    struct rl_source s;
    OK(rl_source_scan(src, &s) == 0, "scan");
    OK(strstr(s.path, "redis_7.0.15.orig.tar.gz") != NULL, "picked %s", s.path);
    EQ_U64(s.kind, RL_SRC_TARBALL);
    put("cache/src/redis-9.0.0.tar.gz", "x", 0644);
    OK(rl_source_scan(src, &s) == 0 && strstr(s.path, "9.0.0"), "newest version wins");

    char t[512];
    snprintf(t, sizeof t, "%s/t", tmp);
    OK(rl_source_from_path(t, "--source", &s, err, sizeof err) == 0 && s.kind == RL_SRC_DIR, "tree: %s", err);
    EQ_STR(s.version, "7.2.4");
    OK(rl_source_from_path(tmp, "--source", &s, err, sizeof err) < 0 && strstr(err, "not a Redis"), "not a tree: %s", err);
    OK(rl_source_from_path("/nonexistent", "--source", &s, err, sizeof err) < 0 && strstr(err, "/nonexistent"), "missing");
    snprintf(t, sizeof t, "%s/cache/src/notes.txt", tmp);
    OK(rl_source_from_path(t, "--source", &s, err, sizeof err) < 0 && strstr(err, "tarball"), "not a tarball: %s", err);

    /* discovery order: --source beats REDIS_LIGHT_SOURCE beats the cache */
    char cache[512];
    snprintf(cache, sizeof cache, "%s/cache", tmp);
    snprintf(t, sizeof t, "%s/t", tmp);
    enum rl_fault code;
    struct rl_discover d = {.cache_dir = cache, .fetch = false};
    OK(rl_source_discover(&d, &s, err, sizeof err, &code) == 0 && strcmp(s.origin, "cache") == 0, "cache: %s", s.origin);
    setenv("REDIS_LIGHT_SOURCE", t, 1);
    OK(rl_source_discover(&d, &s, err, sizeof err, &code) == 0 && strcmp(s.origin, "REDIS_LIGHT_SOURCE") == 0, "env");
    d.source = src; /* a directory that is no tree: --source errors are usage errors */
    OK(rl_source_discover(&d, &s, err, sizeof err, &code) < 0 && code == RL_FAULT_INPUT, "bad --source is invalid input");
    unsetenv("REDIS_LIGHT_SOURCE");
    /* nothing anywhere, and neither apt-get nor git on PATH: every option is listed */
    const char *path_env = getenv("PATH");
    char empty[512], *oldpath = strdup(path_env ? path_env : "/usr/bin:/bin");
    snprintf(empty, sizeof empty, "%s/nocache", tmp);
    setenv("PATH", "/nonexistent", 1);
    struct rl_discover none = {.cache_dir = empty, .fetch = true};
    int rc = rl_source_discover(&none, &s, err, sizeof err, &code);
    setenv("PATH", oldpath, 1);
    free(oldpath);
    OK(rc < 0 && code == RL_FAULT_RUNTIME, "no source is a runtime failure");
    OK(strstr(err, "--source") && strstr(err, "REDIS_LIGHT_SOURCE") && strstr(err, "apt-get source") &&
       strstr(err, "git clone") && strstr(err, "nocache/src"), "all options listed: %s", err);
}

static void cache(void)
{
    const char *v1[] = {"MALLOC=libc", "USE_SYSTEMD=no", "BUILD_TLS=no"};
    const char *v2[] = {"MALLOC=jemalloc", "USE_SYSTEMD=no", "BUILD_TLS=no"};
    char k1[17], k2[17], k3[17], k4[17];
    rl_build_key("abc", v1, 3, "gcc 12", "x86_64", k1);
    rl_build_key("abc", v1, 3, "gcc 12", "x86_64", k2);
    EQ_STR(k1, k2);
    EQ_U64(strlen(k1), 16);
    rl_build_key("abc", v2, 3, "gcc 12", "x86_64", k2);
    rl_build_key("abd", v1, 3, "gcc 12", "x86_64", k3);
    rl_build_key("abc", v1, 3, "gcc 13", "aarch64", k4);
    OK(strcmp(k1, k2) != 0 && strcmp(k1, k3) != 0 && strcmp(k1, k4) != 0, "vars, source, compiler and arch all count");
    char joined[128];
    rl_join_vars(v1, 3, joined, sizeof joined);
    EQ_STR(joined, "MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no");

    char c[512], err[512], entry[600], p[700];
    snprintf(c, sizeof c, "%s/bc", tmp);
    OK(rl_cache_init(c, err, sizeof err) == 0, "init: %s", err);
    snprintf(p, sizeof p, "%s/CACHEDIR.TAG", c);
    char *tag = tap_slurp(p);
    OK(tag && strncmp(tag, "Signature: 8a477f597d28d172789f06886806bc55", 43) == 0, "CACHEDIR.TAG");
    free(tag);
    struct rl_build_info info;
    OK(rl_cache_lookup(c, k1, &info) < 0, "empty cache misses");
    /* an entry without its binary (a half-finished copy) never counts */
    snprintf(entry, sizeof entry, "%s/builds/7.2.4-%s", c, k1);
    mkdir(entry, 0755);
    struct rl_kv *kv = rl_kv_new();
    rl_kv_set(kv, "version", "7.2.4");
    rl_kv_set(kv, "server", "redis-server");
    rl_kv_set(kv, "key", k1);
    rl_kv_set(kv, "make_vars", joined);
    rl_kv_set(kv, "arch", "x86_64");
    rl_kv_set(kv, "malloc", "libc");
    rl_kv_set(kv, "built_at", "2024-01-01T00:00:00Z");
    snprintf(p, sizeof p, "%s/%s", entry, RL_BUILD_RECORD);
    rl_kv_write(kv, p, NULL);
    rl_kv_free(kv);
    OK(rl_cache_lookup(c, k1, &info) < 0, "no binary, no hit");
    snprintf(p, sizeof p, "%s/bin", entry);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/bin/redis-server", entry);
    FILE *f = fopen(p, "w");
    fputs("#!/bin/sh\n", f);
    fclose(f);
    chmod(p, 0755);
    OK(rl_cache_lookup(c, k1, &info) == 0, "complete entry hits");
    EQ_STR(info.version, "7.2.4");
    EQ_STR(info.allocator, "libc");
    OK(info.cached && strstr(info.cli, "/bin/redis-cli"), "cli beside the server");
    OK(rl_cache_lookup(c, k2, &info) < 0, "other key misses");
    OK(rl_cache_find_compatible(c, joined, "x86_64", &info) == 0 && strcmp(info.key, k1) == 0, "compatible");
    OK(rl_cache_find_compatible(c, joined, "aarch64", &info) < 0, "other arch is not compatible");
    OK(rl_cache_find_compatible(c, "MALLOC=jemalloc", "x86_64", &info) < 0, "other vars are not compatible");

    /* the lock: a second holder waits until the first lets go */
    int lk = rl_cache_lock(c, k1, NULL, err, sizeof err);
    OK(lk >= 0, "lock: %s", err);
    pid_t child = fork();
    if (child == 0) {
        close(lk); /* a forked copy of the locked descriptor would hold the lock too */
        alarm(10);
        int l2 = rl_cache_lock(c, k1, NULL, err, sizeof err);
        _exit(l2 >= 0 ? 0 : 1);
    }
    usleep(300000);
    int st;
    OK(waitpid(child, &st, WNOHANG) == 0, "second locker waits while the first holds the lock");
    close(lk);
    OK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0, "and gets it after");
}

static void progress(void)
{
    OK(rl_is_compile_line("    \033[34mCC\033[0m \033[33madlist.o\033[0m"), "quiet CC with colours");
    OK(!rl_is_compile_line("    \033[34mCC\033[0m \033[33mMakefile.dep\033[0m"), "dependency list is no compile");
    OK(rl_is_compile_line("cc -std=c99 -c -O3 -fPIC -Wall net.c"), "hiredis");
    OK(rl_is_compile_line("gcc -std=gnu11 -Wall -c -D_GNU_SOURCE -o src/arena.o src/arena.c"), "jemalloc");
    OK(rl_is_compile_line("x86_64-linux-gnu-gcc-12 -O2 -c -o lapi.o lapi.c"), "cross gcc");
    OK(!rl_is_compile_line("    \033[34;1mLINK\033[0m redis-server"), "link");
    OK(!rl_is_compile_line("cd src && make all"), "make");
    OK(!rl_is_compile_line("checking for cc... cc"), "configure");
    char t[512];
    snprintf(t, sizeof t, "%s/t", tmp);
    put("t/deps/hiredis/net.c", "", 0644);
    put("t/deps/jemalloc/src/arena.c", "", 0644);
    EQ_U64(rl_estimate_files(t, false), 2); /* src/server.c, hiredis/net.c */
    EQ_U64(rl_estimate_files(t, true), 3);
    OK(rl_build_hint("x\n/bin/sh: 1: cc: not found\n") && strstr(rl_build_hint("/bin/sh: 1: cc: not found"), "build-essential"), "cc hint");
    OK(strstr(rl_build_hint("make[1]: g++: No such file\nsh: g++: not found"), "g++"), "g++ hint");
    OK(strstr(rl_build_hint("fatal error: openssl/ssl.h: No such file or directory"), "libssl-dev"), "tls hint");
    OK(strstr(rl_build_hint("gcc: fatal error: Killed signal terminated program cc1"), "REDIS_LIGHT_JOBS"), "oom hint");
    OK(strstr(rl_build_hint("write error: No space left on device"), "full"), "disk hint");
    OK(rl_build_hint("all good") == NULL, "nothing recognised");
}

static int lines_seen;
static char last_line[256];
static void on_line(void *ud, const char *line)
{
    (void)ud;
    lines_seen++;
    snprintf(last_line, sizeof last_line, "%s", line);
}

static void spawning(void)
{
    char err[256], logp[512];
    snprintf(logp, sizeof logp, "%s/spawn.log", tmp);
    int log = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char *argv[] = {"sh", "-c", "echo one; echo two >&2; printf three; exit 3", NULL};
    struct rl_spawn sp = {.argv = argv, .log_fd = log, .on_line = on_line};
    int status;
    OK(rl_spawn_run(&sp, &status, NULL, err, sizeof err) == 0, "spawn: %s", err);
    close(log);
    OK(WIFEXITED(status) && WEXITSTATUS(status) == 3, "exit status");
    EQ_U64(lines_seen, 3);
    EQ_STR(last_line, "three");
    char *text = tap_slurp(logp);
    OK(text && strstr(text, "one") && strstr(text, "two") && strstr(text, "three"), "log got both streams");
    free(text);
    const char *bad[] = {"rl-no-such-program", NULL};
    struct rl_spawn sb = {.argv = bad, .log_fd = -1};
    OK(rl_spawn_run(&sb, &status, NULL, err, sizeof err) < 0 && strstr(err, "not found on PATH"), "exec failure: %s", err);
    const char *slow[] = {"sleep", "10", NULL};
    struct rl_spawn ss = {.argv = slow, .log_fd = -1, .timeout_s = 0.3};
    bool tmo;
    time_t t0 = time(NULL);
    OK(rl_spawn_run(&ss, &status, &tmo, err, sizeof err) == 0 && tmo && WIFSIGNALED(status), "timeout");
    OK(time(NULL) - t0 < 5, "timeout is prompt");
    volatile sig_atomic_t stop = 1;
    struct rl_spawn si = {.argv = slow, .log_fd = -1, .interrupt = &stop};
    OK(rl_spawn_run(&si, &status, &tmo, err, sizeof err) == 0 && !tmo && WIFSIGNALED(status) &&
       WTERMSIG(status) == SIGTERM, "interrupt sends SIGTERM");
    char buf[96];
    EQ_STR(rl_status_text(9, buf, sizeof buf), "was killed by signal 9 (SIGKILL)");
    EQ_STR(rl_status_text(2 << 8, buf, sizeof buf), "exited with code 2");
    char path[512];
    OK(rl_which("sh", path, sizeof path) == 0 && strstr(path, "/sh"), "which sh: %s", path);
    OK(rl_which("rl-no-such-program", path, sizeof path) < 0, "which missing");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/rl-test-server-build.XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    sha();
    kv();
    trees();
    sources();
    cache();
    progress();
    spawning();
    rl_tree_remove(tmp);
    return tap_done();
}
