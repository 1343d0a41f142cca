/* The per-instance lock and the identity checks that need no Redis, with real processes:
 * a second process is refused and told the holder's pid and role; a holder killed by
 * SIGKILL leaves no stale lock; a long-lived child started by the holder (as a detached
 * redis-server is) never keeps the lock; a link planted at the lock's name is refused; a
 * process that is not a redis-server, or is gone, or started at another time, is never
 * taken for an instance's server; a socket file nobody listens on counts as unused. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/instance/identity.h"
#include "cli/instance/instance.h"
#include "cli/instance/instance_lock.h"
#include "cli/build/tree.h"
#include "tap.h"

static char tmp[256];

/* In a child: tries the lock of "one". Returns 0 when it got it, 1 when it was refused
 * and told the holder want_holder with role want_role, 99 otherwise. */
static int try_in_child(const char *root, pid_t want_holder, const char *want_role)
{
    pid_t c = fork();
    if (c == 0) {
        struct rl_instance_lock l;
        struct rl_lock_holder h;
        char err[512];
        int got = rl_instance_lock(&l, root, "one", "down", false, &h, err, sizeof err);
        if (got == 0)
            _exit(0);
        _exit(got == 1 && h.pid == want_holder && strcmp(h.role, want_role) == 0 ? 1 : 99);
    }
    int st = 0;
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void locking(void)
{
    char root[300], err[512], path[400];
    struct rl_instance_lock l;
    struct rl_lock_holder h;
    snprintf(root, sizeof root, "%s/state", tmp);
    OK(rl_instance_lock(&l, root, "one", "up", false, &h, err, sizeof err) < 0 && errno == ENOENT,
       "no state root and create_root false: ENOENT (%s)", err);
    OK(rl_instance_lock(&l, root, "one", "up", true, &h, err, sizeof err) == 0, "taken: %s", err);
    struct stat st;
    OK(stat(root, &st) == 0 && (st.st_mode & 0777) == 0700, "state root made 0700");
    snprintf(path, sizeof path, "%s/.one.lock", root);
    OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "lock file beside the instance dir, 0600");
    char *text = tap_slurp(path), want[64];
    snprintf(want, sizeof want, "%d up\n", (int)getpid());
    EQ_STR(text ? text : "", want);
    free(text);
    EQ_U64(try_in_child(root, getpid(), "up"), 1);
    struct rl_instance_lock two;
    OK(rl_instance_lock(&two, root, "two", "up", false, &h, err, sizeof err) == 0, "another name is another lock");
    rl_instance_unlock(&two);
    rl_instance_unlock(&l);
    EQ_U64(try_in_child(root, 0, ""), 0);

    /* A long-lived program started by the holder, like a detached redis-server. */
    struct rl_instance_lock mine;
    OK(rl_instance_lock(&mine, root, "one", "up", false, &h, err, sizeof err) == 0, "taken again: %s", err);
    int execd[2];
    OK(pipe2(execd, O_CLOEXEC) == 0, "pipe");
    pid_t sleeper = fork();
    if (sleeper == 0) {
        execl("/bin/sleep", "sleep", "30", (char *)NULL);
        _exit(127);
    }
    /* Until exec the child shares the lock's descriptor; rl_launch, too, returns only
     * after exec (its error pipe closes then). */
    close(execd[1]);
    char ignored;
    OK(read(execd[0], &ignored, 1) == 0, "the child has exec'd");
    close(execd[0]);
    rl_instance_unlock(&mine);
    text = tap_slurp(path);
    EQ_STR(text ? text : "(unreadable)", "");
    free(text);
    EQ_U64(try_in_child(root, 0, ""), 0); /* the exec'd child holds no copy of the lock */
    kill(sleeper, SIGKILL);
    waitpid(sleeper, NULL, 0);

    /* A holder that dies without unlocking leaves nothing held. */
    int ready[2];
    OK(pipe(ready) == 0, "pipe");
    pid_t holder = fork();
    if (holder == 0) {
        struct rl_instance_lock hl;
        struct rl_lock_holder hh;
        char e2[512];
        char c = rl_instance_lock(&hl, root, "one", "up", false, &hh, e2, sizeof e2) == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char c = 0;
    OK(read(ready[0], &c, 1) == 1 && c == 'y', "the child took the lock");
    EQ_U64(try_in_child(root, holder, "up"), 1);
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    close(ready[0]);
    close(ready[1]);
    EQ_U64(try_in_child(root, 0, ""), 0);

    /* A link at the lock's name is never followed (it would truncate its target). */
    char target[400];
    snprintf(target, sizeof target, "%s/precious", tmp);
    FILE *f = fopen(target, "w");
    if (f) {
        fputs("keep\n", f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/.three.lock", root);
    OK(symlink(target, path) == 0, "planted a link");
    OK(rl_instance_lock(&l, root, "three", "up", false, &h, err, sizeof err) < 0 && strstr(err, path),
       "a link is refused: %s", err);
    text = tap_slurp(target);
    EQ_STR(text ? text : "", "keep\n");
    free(text);
}

static void identity(void)
{
    char root[300], why[1024];
    snprintf(root, sizeof root, "%s/state", tmp);
    struct rl_instance in;
    OK(rl_instance_init(&in, root, "one") == 0, "init");
    mkdir(in.dir, 0700);
    mkdir(in.data, 0700);
    /* This test runs in the instance's data directory, yet is no redis-server. */
    char old_cwd[PATH_MAX];
    OK(getcwd(old_cwd, sizeof old_cwd) && chdir(in.data) == 0, "chdir into the data dir");
    unsigned long long start = 0;
    rl_proc_starttime(getpid(), &start);
    OK(rl_identity_check_pid(&in, getpid(), start, "in the record", why, sizeof why) < 0 &&
       strstr(why, "not a redis-server") && strstr(why, "in the record"), "not a redis-server: %s", why);
    OK(rl_identity_check_pid(&in, getpid(), start + 1, "in the record", why, sizeof why) < 0 &&
       strstr(why, "not the process that was recorded"), "another start time: %s", why);
    if (chdir(old_cwd) < 0)
        OK(0, "chdir back");
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    OK(rl_identity_check_pid(&in, child, 0, "in the record", why, sizeof why) < 0 && strstr(why, "is not running"),
       "a gone pid: %s", why);

    /* rl_identity_find: the record's pid and redis.pid both strangers. */
    in.pid = getpid();
    in.starttime = start;
    FILE *f = fopen(in.pidfile, "w");
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    OK(rl_identity_find(&in, why, sizeof why) == RL_FOUND_NONE && in.pid == getpid(), "none found: %s", why);
    OK(strstr(why, "in the record") && strstr(why, "from ") && strstr(why, "redis.pid"), "both reasons: %s", why);

    char sock[400];
    snprintf(sock, sizeof sock, "%s/s.sock", tmp);
    OK(!rl_identity_socket_in_use(sock), "no socket file: unused");
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    OK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0, "listening");
    OK(rl_identity_socket_in_use(sock), "a listened socket is in use");
    close(fd);
    OK(!rl_identity_socket_in_use(sock), "a socket file nobody listens on is unused");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s/rl-lock-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    locking();
    identity();
    rl_tree_remove(tmp);
    return tap_done();
}
