/* cli/instance and cli/build hardening as pure functions and small files: password checks and storage,
 * damaged instance records, recovery by pid file refusing strangers, cache entries whose
 * binary no longer matches the record, --set include. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/build/cache_check.h"
#include "cli/instance/conf.h"
#include "cli/instance/instance.h"
#include "cli/sys/kvfile.h"
#include "cli/instance/password.h"
#include "cli/instance/recover.h"
#include "cli/build/tree.h"
#include "tap.h"

static char tmp[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void passwords(void)
{
    char err[512], pw[RL_PASSWORD_MAX + 1], path[400];
    OK(rl_password_check("s3 cr\"e\\t #x", "--password", err, sizeof err) == 0, "spaces, quotes, backslash, #");
    OK(rl_password_check("", "--password", err, sizeof err) < 0 && strstr(err, "empty"), "empty refused");
    OK(rl_password_check("qzq\nkxk", "--password", err, sizeof err) < 0 && strstr(err, "line break (byte 4 of 7)"),
       "newline refused: %s", err);
    OK(!strstr(err, "qzq") && !strstr(err, "kxk"), "the message never quotes the password: %s", err);
    OK(rl_password_check("a\rb", "--password", err, sizeof err) < 0 && strstr(err, "line break"), "CR refused");
    OK(rl_password_check("a\tb", "--password", err, sizeof err) < 0 && strstr(err, "control character"), "tab refused");
    OK(rl_password_check("a\x7f", "--password", err, sizeof err) < 0, "DEL refused");
    char big[RL_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    OK(rl_password_check(big, "--password", err, sizeof err) < 0 && strstr(err, "at most 255"), "256 bytes refused");
    big[RL_PASSWORD_MAX] = '\0';
    OK(rl_password_check(big, "--password", err, sizeof err) == 0, "255 bytes accepted");

    snprintf(path, sizeof path, "%s/pw", tmp);
    write_file(path, "hunter2\r\n");
    chmod(path, 0600);
    OK(rl_password_read_file(path, pw, sizeof pw, err, sizeof err) == 0, "file read: %s", err);
    EQ_STR(pw, "hunter2");
    write_file(path, "hunter2");
    OK(rl_password_read_file(path, pw, sizeof pw, err, sizeof err) == 0 && strcmp(pw, "hunter2") == 0, "no newline");
    write_file(path, "one\ntwo\n");
    OK(rl_password_read_file(path, pw, sizeof pw, err, sizeof err) < 0 && strstr(err, "line break"), "two lines: %s", err);
    write_file(path, "\n");
    OK(rl_password_read_file(path, pw, sizeof pw, err, sizeof err) < 0 && strstr(err, "empty"), "only a newline");
    FILE *f = fopen(path, "w");
    if (f) {
        fwrite("ab\0cd\n", 1, 6, f);
        fclose(f);
    }
    OK(rl_password_read_file(path, pw, sizeof pw, err, sizeof err) < 0 && strstr(err, "NUL"), "NUL byte: %s", err);
    OK(rl_password_read_file("/nonexistent/pw", pw, sizeof pw, err, sizeof err) < 0 && strstr(err, "cannot read"),
       "missing file");

    /* store and load back, 0600, removed again when empty */
    struct rl_instance in;
    char root[300];
    snprintf(root, sizeof root, "%s/state", tmp);
    mkdir(root, 0700);
    rl_instance_init(&in, root, "pw");
    mkdir(in.dir, 0700);
    OK(rl_password_store(&in, "s3 cr\"et", err, sizeof err) == 0, "store: %s", err);
    struct stat st;
    OK(stat(in.secret, &st) == 0 && (st.st_mode & 0777) == 0600, "stored 0600");
    rl_password_load(&in, pw, sizeof pw);
    EQ_STR(pw, "s3 cr\"et");
    OK(rl_password_store(&in, "", err, sizeof err) == 0 && access(in.secret, F_OK) != 0, "empty removes the file");
    write_file(in.conf, "port 1\nrequirepass \"from \\\"conf\"\n");
    rl_password_load(&in, pw, sizeof pw);
    EQ_STR(pw, "from \"conf");
    write_file(in.conf, "port 1\n");
    rl_password_load(&in, pw, sizeof pw);
    EQ_STR(pw, "");
}

static void records(void)
{
    char err[512], root[300];
    snprintf(root, sizeof root, "%s/state", tmp);
    struct rl_instance in, back;
    rl_instance_init(&in, root, "rec");
    mkdir(in.dir, 0700);
    in.pid = 4242;
    in.port = 6390;
    snprintf(in.state, sizeof in.state, "running");
    OK(rl_instance_save(&in, err, sizeof err) == 0, "save: %s", err);
    rl_instance_init(&back, root, "rec");
    OK(rl_instance_load(&back, err, sizeof err) == 0, "a saved record loads: %s", err);

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"\x01\x02garbage without a colon\n", "expected \"key: value\""},
        {"", "no \"name:\" line"},
        {"name: \"rec\"\nstate: \"running\"\nport: 6390\n", "no \"pid:\" line"},
        {"name: \"rec\"\nstate: \"running\"\npid: banana\nport: 6390\n", "pid \"banana\""},
        {"name: \"rec\"\nstate: \"running\"\npid: -5\nport: 6390\n", "pid \"-5\""},
        {"name: \"rec\"\nstate: \"exploded\"\npid: 1\nport: 6390\n", "state \"exploded\""},
        {"name: \"rec\"\nstate: \"running\"\npid: 1\nport: 70000\n", "port \"70000\""},
        {"name: \"other\"\nstate: \"running\"\npid: 1\nport: 6390\n", "names instance \"other\""},
        {"name: \"rec\"\nstate: \"running\"\npid: 1\nport: 1\nstarttime: x\n", "starttime \"x\""},
        {"name: \"rec\nstate: \"running\"\n", "unterminated"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(in.record, bad[i].text);
        rl_instance_init(&back, root, "rec");
        errno = 0;
        int rc = rl_instance_load(&back, err, sizeof err);
        OK(rc < 0 && errno == EINVAL && strstr(err, "is damaged") && strstr(err, bad[i].why),
           "damaged record %zu: %s", i, err);
        EQ_U64(back.pid, 0); /* nothing from a damaged record is taken */
    }
    rl_instance_init(&back, root, "none");
    OK(rl_instance_load(&back, err, sizeof err) < 0 && errno == ENOENT, "no record is ENOENT, not damaged");
}

static void recovery(void)
{
    char why[512], root[300];
    snprintf(root, sizeof root, "%s/state", tmp);
    struct rl_instance in;
    rl_instance_init(&in, root, "rcv");
    mkdir(in.dir, 0700);
    mkdir(in.data, 0700);
    write_file(in.conf, "port 7777\nbind \"127.0.0.1\"\nunixsocket \"/tmp/x.sock\"\nsave \"\"\n");
    OK(rl_recover_instance(&in, why, sizeof why) < 0 && strstr(why, "missing or empty"), "no pid file: %s", why);
    EQ_U64(in.port, 7777);
    EQ_STR(in.socket, "/tmp/x.sock");
    OK(!in.persistent, "save \"\" read back");
    write_file(in.pidfile, "12ab\n");
    OK(rl_recover_instance(&in, why, sizeof why) < 0 && strstr(why, "does not hold a process id"), "junk pid");
    /* A live process that is not Redis (this test) must never be taken for it. */
    char self[32];
    snprintf(self, sizeof self, "%d\n", (int)getpid());
    write_file(in.pidfile, self);
    OK(rl_recover_instance(&in, why, sizeof why) < 0 && strstr(why, "not a redis-server") && in.pid == 0,
       "a stranger's pid refused: %s", why);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    snprintf(self, sizeof self, "%d\n", (int)child);
    write_file(in.pidfile, self);
    OK(rl_recover_instance(&in, why, sizeof why) < 0 && strstr(why, "is not running"), "a gone pid: %s", why);
}

static void cache_entries(void)
{
    char why[512], bin[400], cache[300];
    snprintf(cache, sizeof cache, "%s/cache", tmp);
    mkdir(cache, 0755);
    snprintf(bin, sizeof bin, "%s/redis-server", tmp);
    /* A copy of a real ELF executable plays the cached binary. */
    char *self = tap_slurp("/proc/self/exe");
    struct stat st;
    OK(self && stat("/proc/self/exe", &st) == 0, "read this executable");
    if (!self)
        return;
    FILE *f = fopen(bin, "wb");
    if (f) {
        fwrite(self, 1, (size_t)st.st_size, f);
        fclose(f);
    }
    chmod(bin, 0755);
    long long size;
    char sha[65];
    OK(rl_cache_binary_facts(bin, &size, sha) == 0 && size == st.st_size && strlen(sha) == 64, "facts");
    struct rl_kv *rec = rl_kv_new();
    rl_kv_setf(rec, "server_size", "%lld", size);
    rl_kv_set(rec, "server_sha256", sha);
    OK(rl_cache_check_binary(cache, rec, bin, why, sizeof why) == 0, "intact: %s", why);
    OK(rl_cache_check_binary(cache, rec, bin, why, sizeof why) == 0, "intact again (memo)");
    OK(truncate(bin, size / 2) == 0, "truncate");
    OK(rl_cache_check_binary(cache, rec, bin, why, sizeof why) < 0 && strstr(why, "its build record says"),
       "size caught: %s", why);
    /* A record from before size/digest: the ELF headers tell a cut-short file. */
    struct rl_kv *old = rl_kv_new();
    OK(rl_cache_check_binary(cache, old, bin, why, sizeof why) < 0 && strstr(why, "ELF headers describe"),
       "legacy record, truncated: %s", why);
    f = fopen(bin, "wb");
    if (f) {
        fwrite(self, 1, (size_t)st.st_size, f);
        fclose(f);
    }
    f = fopen(bin, "r+b");
    if (f) {
        fseek(f, 4096, SEEK_SET);
        fputs("XXXX", f);
        fclose(f);
    }
    OK(rl_cache_check_binary(cache, rec, bin, why, sizeof why) < 0 && strstr(why, "SHA-256"), "digest caught: %s", why);
    unlink(bin);
    OK(rl_cache_check_binary(cache, rec, bin, why, sizeof why) < 0 && strstr(why, "No such file"), "missing: %s", why);
    rl_kv_free(rec);
    rl_kv_free(old);
    free(self);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/rl-safety-XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    char err[512];
    OK(rl_conf_check_set("include=/etc/passwd", err, sizeof err) < 0 && strstr(err, "--set include is refused"),
       "--set include: %s", err);
    passwords();
    records();
    recovery();
    cache_entries();
    rl_tree_remove(tmp);
    return tap_done();
}
