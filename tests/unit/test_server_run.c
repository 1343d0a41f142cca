/* cli/instance: redis.conf instance part and readers, instance records and
 * liveness, ports, death diagnosis, INFO parsing, stop escalation. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/instance/client.h"
#include "cli/instance/conf.h"
#include "cli/instance/diagnose.h"
#include "cli/sys/files.h"
#include "cli/instance/instance.h"
#include "cli/instance/port.h"
#include "cli/instance/stop.h"
#include "cli/build/tree.h"
#include "tap.h"

static char tmp[256];

static void confs(void)
{
    char err[512];
    OK(rl_conf_check_set("maxclients=100", err, sizeof err) == 0, "plain --set");
    OK(rl_conf_check_set("save=", err, sizeof err) == 0, "empty value");
    OK(rl_conf_check_set("port=1", err, sizeof err) < 0 && strstr(err, "--port"), "port reserved: %s", err);
    OK(rl_conf_check_set("bind=0.0.0.0", err, sizeof err) < 0 && strstr(err, "--bind"), "bind reserved");
    OK(rl_conf_check_set("unixsocketperm=777", err, sizeof err) < 0 && strstr(err, "--socket"), "socket reserved");
    OK(rl_conf_check_set("dir=/tmp", err, sizeof err) < 0, "dir reserved");
    OK(rl_conf_check_set("hz=10\nport 1", err, sizeof err) < 0 && strstr(err, "line break"), "no injection");
    OK(rl_conf_check_set("=x", err, sizeof err) < 0, "no key");
    OK(rl_conf_check_set("a b=x", err, sizeof err) < 0, "bad key");

    char path[200];
    memset(path, 'a', sizeof path);
    path[0] = '/';
    path[100] = '\0';
    OK(rl_conf_check_socket(path, err, sizeof err) == 0, "100 bytes is fine");
    path[100] = 'a';
    path[101] = '\0';
    OK(rl_conf_check_socket(path, err, sizeof err) < 0 && strstr(err, "101 bytes"), "101 refused: %s", err);

    OK(rl_conf_check_bind("127.0.0.1", err, sizeof err) == 0, "v4");
    OK(rl_conf_check_bind("127.0.0.1 ::1", err, sizeof err) == 0, "two");
    OK(rl_conf_check_bind("127.0.0.1,-::1", err, sizeof err) == 0, "optional v6");
    OK(rl_conf_check_bind("localhost", err, sizeof err) < 0 && strstr(err, "localhost"), "host names refused");
    OK(rl_conf_check_bind("", err, sizeof err) < 0, "empty");

    struct rl_instance in;
    rl_instance_init(&in, "/st/a \"b\"", "x");
    in.port = 7000;
    snprintf(in.bind, sizeof in.bind, "127.0.0.1,::1");
    snprintf(in.socket, sizeof in.socket, "/tmp/x.sock");
    char *part = rl_conf_instance_part(&in, "maxmemory 64mb\n");
    OK(part && strstr(part, "\nport 7000\n") && strstr(part, "\nbind 127.0.0.1 ::1\n"), "port, bind: %s", part ? part : "(null)");
    if (!part)
        return;
    OK(strstr(part, "dir \"/st/a \\\"b\\\"/x/data\"\n") != NULL, "quoted dir: %s", part);
    OK(strstr(part, "protected-mode yes") && strstr(part, "unixsocket \"/tmp/x.sock\"") &&
       strstr(part, "unixsocketperm 700") && strstr(part, "daemonize no"), "the rest");
    free(part);
    part = rl_conf_instance_part(&in, "protected-mode no\n");
    OK(part && !strstr(part, "protected-mode"), "a user's protected-mode is left alone");
    free(part);

    const char *conf = "# c\nmaxmemory 64mb\nsave \"\"\nrequirepass \"p w\\\"d\"\nmaxmemory 128mb\n";
    char v[64];
    OK(rl_conf_get(conf, "maxmemory", v, sizeof v) == 0, "get");
    EQ_STR(v, "128mb");
    OK(rl_conf_get(conf, "save", v, sizeof v) == 0, "save");
    EQ_STR(v, "");
    OK(rl_conf_get(conf, "requirepass", v, sizeof v) == 0, "quoted");
    EQ_STR(v, "p w\"d");
    OK(rl_conf_get(conf, "max", v, sizeof v) < 0, "prefix is not a key");
    OK(!rl_conf_persistent("save \"\"\nappendonly no\n"), "no persistence");
    OK(rl_conf_persistent("save 3600 1\n"), "save rule");
    OK(rl_conf_persistent("save \"\"\nappendonly yes\n"), "aof");
    OK(rl_conf_persistent("maxmemory 1mb\n"), "no save line means Redis's defaults");
    OK(rl_conf_persistent("save \"\"\nsave 60 1\n"), "a later save rule wins");
}

static void instances(void)
{
    char err[512];
    OK(rl_instance_name_ok("default", err, sizeof err) == 0, "default");
    OK(rl_instance_name_ok("cache-2.a_b", err, sizeof err) == 0, "punctuation inside");
    OK(rl_instance_name_ok("../x", err, sizeof err) < 0, "no paths");
    OK(rl_instance_name_ok(".hidden", err, sizeof err) < 0, "no leading dot");
    OK(rl_instance_name_ok("", err, sizeof err) < 0, "empty");
    OK(rl_instance_name_ok("abcdefghijabcdefghijabcdefghijabc", err, sizeof err) < 0, "33 chars");

    struct rl_instance in, back;
    char root[300];
    snprintf(root, sizeof root, "%s/state", tmp);
    OK(rl_instance_init(&in, root, "one") == 0, "init");
    EQ_STR(in.conf + strlen(root), "/one/redis.conf");
    mkdir(root, 0700);
    mkdir(in.dir, 0700);
    in.pid = getpid();
    rl_proc_starttime(getpid(), &in.starttime);
    in.port = 6390;
    in.maxmemory = 64ULL << 20;
    in.persistent = true;
    in.detached = true;
    snprintf(in.profile, sizeof in.profile, "replit");
    snprintf(in.socket, sizeof in.socket, "/tmp/a b.sock");
    snprintf(in.state, sizeof in.state, "running");
    OK(rl_instance_save(&in, err, sizeof err) == 0, "save: %s", err);
    rl_instance_init(&back, root, "one");
    OK(rl_instance_load(&back, err, sizeof err) == 0, "load: %s", err);
    EQ_U64(back.pid, getpid());
    EQ_U64(back.starttime, in.starttime);
    EQ_U64(back.port, 6390);
    EQ_U64(back.maxmemory, 64ULL << 20);
    OK(back.persistent && back.detached, "flags");
    EQ_STR(back.socket, "/tmp/a b.sock");
    EQ_STR(back.profile, "replit");
    OK(rl_instance_alive(&back), "this process is alive");
    back.starttime += 1;
    OK(!rl_instance_alive(&back), "a reused pid (other start time) is not ours");
    rl_instance_init(&back, root, "two");
    OK(rl_instance_load(&back, err, sizeof err) < 0 && errno == ENOENT, "no record: ENOENT");
    char names[8][RL_NAME_MAX + 1];
    EQ_U64(rl_instance_list(root, names, 8), 1);
    EQ_STR(names[0], "one");

    pid_t z = fork();
    if (z == 0)
        _exit(0);
    usleep(100000);
    OK(!rl_pid_alive(z, 0), "a zombie is not alive");
    waitpid(z, NULL, 0);
    OK(!rl_pid_alive(z, 0), "a reaped pid is not alive");

    char url[300];
    in.port = 6390;
    snprintf(in.bind, sizeof in.bind, "0.0.0.0");
    in.socket[0] = '\0';
    rl_instance_url(&in, url, sizeof url);
    EQ_STR(url, "redis://127.0.0.1:6390");
    snprintf(in.bind, sizeof in.bind, "-::1 127.0.0.1");
    rl_instance_url(&in, url, sizeof url);
    EQ_STR(url, "redis://[::1]:6390");
    in.port = 0;
    snprintf(in.socket, sizeof in.socket, "/tmp/r.sock");
    rl_instance_url(&in, url, sizeof url);
    EQ_STR(url, "unix:///tmp/r.sock");
}

static void ports(void)
{
    const char *table =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0\n"
        "   1: 0100007F:18EC 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0\n";
    EQ_U64(rl_port_listen_inode(table, 6379), 4242);
    EQ_U64(rl_port_listen_inode(table, 6380), 0); /* established, not listening */
    EQ_U64(rl_port_listen_inode(table, 1), 0);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    OK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "bind a loopback port");
    listen(fd, 1);
    getsockname(fd, (struct sockaddr *)&a, &len);
    int port = ntohs(a.sin_port);
    char owner[128], err[256];
    OK(rl_port_check("127.0.0.1", port, owner, sizeof owner, err, sizeof err) == 1, "busy port: %s", err);
    char me[32];
    snprintf(me, sizeof me, "(pid %d)", (int)getpid());
    OK(strstr(owner, me) != NULL, "owner names this process: %s", owner);
    close(fd);
    OK(rl_port_check("127.0.0.1", port, owner, sizeof owner, err, sizeof err) == 0, "free after close");
    OK(rl_port_check("192.0.2.1", port, owner, sizeof owner, err, sizeof err) < 0 && strstr(err, "not an address"),
       "foreign address: %s", err);
    OK(rl_port_pick() > 0, "pick");
}

static void diagnosis(void)
{
    uint64_t v;
    OK(rl_oom_field("low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n", "oom_kill", &v) == 0 && v == 1, "v2 events");
    OK(rl_oom_field("oom_kill_disable 0\nunder_oom 0\noom_kill 5\n", "oom_kill", &v) == 0 && v == 5, "v1 oom_control");
    OK(rl_oom_field("oom 1\n", "oom_kill", &v) < 0, "absent");
    struct rl_oom_snapshot b = {.n = 2}, a = {.n = 2};
    snprintf(b.dir[0], sizeof b.dir[0], "/cg/leaf");
    snprintf(b.dir[1], sizeof b.dir[1], "/cg");
    a = b;
    b.kills[0] = 0, b.kills[1] = 4;
    a.kills[0] = 1, a.kills[1] = 5;
    char where[512];
    EQ_U64(rl_oom_delta(&b, &a, where, sizeof where), 1);
    EQ_STR(where, "/cg/leaf");
    a.kills[0] = 0;
    EQ_U64(rl_oom_delta(&b, &a, where, sizeof where), 1);
    EQ_STR(where, "/cg");
    a.kills[1] = 4;
    EQ_U64(rl_oom_delta(&b, &a, where, sizeof where), 0);
    struct rl_oom_snapshot self;
    rl_oom_snapshot(0, &self); /* may be 0 levels without a memory cgroup; must not crash */
    OK(self.n >= 0 && self.n <= RL_OOM_LEVELS, "snapshot of this process");

    static struct rl_facts f;
    memset(&f, 0, sizeof f);
    f.memory_limit_bytes.state = RL_FACT_VALUE;
    f.memory_limit_bytes.v = 128ULL << 20;
    char out[2048];
    struct rl_death d = {.status = SIGKILL, .after_ready = true, .oom_kills = 1, .oom_where = "/sys/fs/cgroup/x"};
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "OOM killer") && strstr(out, "128 MiB") && strstr(out, "/sys/fs/cgroup/x"), "oom: %s", out);
    d.oom_kills = 0;
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "no cgroup counted an OOM kill"), "plain SIGKILL: %s", out);
    f.page_size.state = RL_FACT_VALUE;
    f.page_size.v = 65536;
    d = (struct rl_death){.status = 1 << 8, .log_tail = "<jemalloc>: Unsupported system page size\n"};
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "page size") && strstr(out, "65536") && strstr(out, "bigpage"), "page size: %s", out);
    f.rlimit_as.state = RL_FACT_VALUE;
    f.rlimit_as.v = 256ULL << 20;
    d = (struct rl_death){.status = 1 << 8, .log_tail = "# Out Of Memory allocating 16384 bytes!\n"};
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "RLIMIT_AS") && strstr(out, "256 MiB"), "address space: %s", out);
    d = (struct rl_death){.status = 1 << 8, .log_tail = "# Warning: Could not create server TCP listening socket "
                                                       "127.0.0.1:6379: bind: Address already in use\n"};
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "--port"), "port: %s", out);
    d = (struct rl_death){.status = SIGSEGV};
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "SIGSEGV") && strstr(out, "crash report"), "crash: %s", out);
    d = (struct rl_death){.status = 7 << 8};
    rl_diagnose(&f, &d, out, sizeof out);
    OK(strstr(out, "exited with code 7") && strstr(out, "before it was ready"), "unexplained: %s", out);
}

static void files_and_info(void)
{
    char p[300];
    snprintf(p, sizeof p, "%s/log", tmp);
    FILE *f = fopen(p, "w");
    for (int i = 1; i <= 30; i++)
        fprintf(f, "line %d\n", i);
    fclose(f);
    char *t = rl_file_tail(p, 0, 3);
    EQ_STR(t, "line 28\nline 29\nline 30");
    free(t);
    long long off = rl_file_size(p) - 16; /* the last two lines */
    t = rl_file_tail(p, off, 10);
    EQ_STR(t, "line 29\nline 30");
    free(t);
    OK(rl_file_contains(p, 0, "line 3\n") && !rl_file_contains(p, off, "line 28"), "contains after offset");
    const char *info = "# Memory\r\nused_memory:1058280\r\nmem_allocator:libc\r\nmaxmemory:67108864\r\n";
    char v[64];
    OK(rl_info_field(info, "mem_allocator", v, sizeof v) == 0, "field");
    EQ_STR(v, "libc");
    EQ_U64(rl_info_u64(info, "used_memory", 0), 1058280);
    EQ_U64(rl_info_u64(info, "used", 9), 9);
}

static void stopping(void)
{
    /* A child that ignores SIGTERM and has no Redis port: no SHUTDOWN can be sent, SIGTERM
     * is ignored, and SIGKILL ends it after the timeout. */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    usleep(50000);
    struct rl_instance in;
    rl_instance_init(&in, tmp, "x");
    in.pid = pid;
    in.port = rl_port_pick();
    struct rl_stop s = {.in = &in, .is_child = true, .shutdown_timeout = 1, .term_timeout = 0.3};
    struct rl_stop_result r;
    OK(rl_stop_instance(&s, &r) == 0, "stopped");
    OK(!r.shutdown_sent && r.sigterm && r.sigkill, "escalated to SIGKILL: %s", r.note);
    OK(r.have_status && WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL, "reaped with SIGKILL");
    OK(strstr(r.note, "no SHUTDOWN") != NULL, "note says why: %s", r.note);
    /* An ordinary child goes on SIGTERM. */
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    in.pid = pid;
    OK(rl_stop_instance(&s, &r) == 0 && r.sigterm && !r.sigkill && WTERMSIG(r.status) == SIGTERM, "SIGTERM enough");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/rl-test-server-run.XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    confs();
    instances();
    ports();
    diagnosis();
    files_and_info();
    stopping();
    rl_tree_remove(tmp);
    return tap_done();
}
