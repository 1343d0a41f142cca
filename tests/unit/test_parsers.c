/* The text parsers under the probes: one-number files, cpu.max, THP, mountinfo,
 * /proc/self/cgroup, redis --version, /proc/net/tcp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/mountinfo.h"
#include "probes/redisbin.h"
#include "probes/value.h"
#include "tap.h"

int rl_parse_cpu_max(const char *text, double *cores);
int rl_parse_thp(const char *text, char *out, size_t len);
int rl_proc_net_listening(const char *table, unsigned port);

static void values(void)
{
    uint64_t v = 0;
    EQ_U64(rl_parse_u64_text("65530\n", &v), RL_VAL_OK);
    EQ_U64(v, 65530);
    EQ_U64(rl_parse_u64_text("65530", &v), RL_VAL_OK); /* no newline */
    EQ_U64(rl_parse_u64_text("  42  \n", &v), RL_VAL_OK);
    EQ_U64(v, 42);
    EQ_U64(rl_parse_u64_text("max\n", &v), RL_VAL_MAX);
    EQ_U64(rl_parse_u64_text("", &v), RL_VAL_EMPTY);
    EQ_U64(rl_parse_u64_text("\n", &v), RL_VAL_EMPTY);
    EQ_U64(rl_parse_u64_text("abc", &v), RL_VAL_GARBAGE);
    EQ_U64(rl_parse_u64_text("12abc", &v), RL_VAL_GARBAGE);
    EQ_U64(rl_parse_u64_text("12 13", &v), RL_VAL_GARBAGE);
    EQ_U64(rl_parse_u64_text("maximum", &v), RL_VAL_GARBAGE);
    EQ_U64(rl_parse_u64_text("-1", &v), RL_VAL_NEGATIVE);
    EQ_U64(rl_parse_u64_text("18446744073709551615", &v), RL_VAL_OK);
    EQ_U64(v, UINT64_MAX);
    EQ_U64(rl_parse_u64_text("18446744073709551616", &v), RL_VAL_OVERFLOW);
    EQ_U64(rl_parse_u64_text("99999999999999999999999", &v), RL_VAL_OVERFLOW);
    int64_t i = 0;
    EQ_U64(rl_parse_i64_text("-1\n", &i), RL_VAL_OK);
    OK(i == -1, "i64 -1");
    EQ_U64(rl_parse_i64_text("-9223372036854775808", &i), RL_VAL_OK);
    OK(i == INT64_MIN, "i64 min");
    EQ_U64(rl_parse_i64_text("9223372036854775808", &i), RL_VAL_OVERFLOW);
    EQ_U64(rl_parse_i64_text("--1", &i), RL_VAL_GARBAGE);
    EQ_U64(rl_parse_i64_text("", &i), RL_VAL_EMPTY);
}

static void cpu_max(void)
{
    double c = -1;
    OK(rl_parse_cpu_max("max 100000\n", &c) == 1, "max 100000 is no limit");
    OK(rl_parse_cpu_max("max", &c) == 1, "max alone is no limit");
    OK(rl_parse_cpu_max("150000 100000\n", &c) == 0 && c == 1.5, "150000 100000 = 1.5, got %g", c);
    OK(rl_parse_cpu_max("50000", &c) == 0 && c == 0.5, "one field uses period 100000, got %g", c);
    OK(rl_parse_cpu_max("50000 0", &c) < 0, "period 0 rejected");
    OK(rl_parse_cpu_max("", &c) < 0, "empty rejected");
    OK(rl_parse_cpu_max("abc 100000", &c) < 0, "garbage rejected");
    OK(rl_parse_cpu_max("-5 100000", &c) < 0, "negative rejected");
    OK(rl_parse_cpu_max("100 200 300", &c) < 0, "three fields rejected");
    OK(rl_parse_cpu_max("0 100000", &c) < 0, "zero quota rejected");
}

static void thp(void)
{
    char m[32];
    OK(rl_parse_thp("always [madvise] never\n", m, sizeof m) == 0 && strcmp(m, "madvise") == 0, "madvise");
    OK(rl_parse_thp("[always] madvise never", m, sizeof m) == 0 && strcmp(m, "always") == 0, "always");
    OK(rl_parse_thp("always madvise never", m, sizeof m) < 0, "no brackets");
    OK(rl_parse_thp("[]", m, sizeof m) < 0, "empty brackets");
    OK(rl_parse_thp("[al$ways]", m, sizeof m) < 0, "junk inside brackets");
}

static void mountinfo(void)
{
    struct rl_mount m;
    char l1[] = "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
    OK(rl_mountinfo_parse_line(l1, &m) == 0, "plain line");
    EQ_STR(m.mountpoint, "/sys/fs/cgroup/memory");
    EQ_STR(m.fstype, "cgroup");
    EQ_STR(m.superopts, "rw,memory");
    char l2[] = "40 30 0:37 /docker/abc /sys/fs/cgroup/my\\040dir rw shared:1 master:2 propagate_from:3 - cgroup2 cgroup2 rw";
    OK(rl_mountinfo_parse_line(l2, &m) == 0, "optional fields and escapes");
    EQ_STR(m.root, "/docker/abc");
    EQ_STR(m.mountpoint, "/sys/fs/cgroup/my dir");
    EQ_STR(m.fstype, "cgroup2");
    char l3[] = "40 30 0:37 / /x rw shared:1";
    OK(rl_mountinfo_parse_line(l3, &m) < 0, "no separator is malformed");
    char l4[] = "garbage";
    OK(rl_mountinfo_parse_line(l4, &m) < 0, "garbage is malformed");
    char l5[] = "";
    OK(rl_mountinfo_parse_line(l5, &m) < 0, "empty is malformed");
    char esc[] = "a\\011b\\134c\\000d\\9";
    rl_unescape_octal(esc);
    EQ_STR(esc, "a\tb\\c\\000d\\9");
    /* a very long line */
    size_t n = 40000; /* 3000 tags of up to 10 bytes */
    char *big = malloc(n + 200);
    snprintf(big, n + 200, "%s", "1 2 3:4 / /mnt rw");
    size_t len = strlen(big);
    for (size_t k = 0; k < 3000; k++)
        len += (size_t)sprintf(big + len, " tag:%zu", k);
    snprintf(big + len, n + 200 - len, "%s", " - cgroup2 none rw");
    OK(rl_mountinfo_parse_line(big, &m) == 0, "very long line parses");
    EQ_STR(m.fstype, "cgroup2");
    free(big);

    OK(rl_list_has("rw,cpu,cpuacct", "cpu"), "cpu in cpu,cpuacct");
    OK(rl_list_has("rw,cpuacct,cpu", "cpu"), "cpu in cpuacct,cpu");
    OK(!rl_list_has("rw,cpuacct", "cpu"), "cpu not in cpuacct");
    OK(!rl_list_has("rw,cpuset", "cpu"), "cpu not in cpuset");

    struct rl_cgline c;
    char g1[] = "4:memory:/process_api/abc\n";
    OK(rl_cgroup_parse_line(g1, &c) == 0, "v1 line");
    EQ_STR(c.controllers, "memory");
    EQ_STR(c.path, "/process_api/abc");
    char g2[] = "0::/user.slice/a:b";
    OK(rl_cgroup_parse_line(g2, &c) == 0, "v2 line with a colon in the path");
    EQ_STR(c.controllers, "");
    EQ_STR(c.path, "/user.slice/a:b");
    char g3[] = "nonsense";
    OK(rl_cgroup_parse_line(g3, &c) < 0, "garbage line");
    char g4[] = "1:cpu:relative";
    OK(rl_cgroup_parse_line(g4, &c) < 0, "relative path rejected");
}

static void versions(void)
{
    char v[32], a[48];
    OK(rl_parse_server_version("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=c4aae9e35bfb2ea5\n",
                               v, sizeof v, a, sizeof a) == 0, "redis line");
    EQ_STR(v, "7.0.15");
    EQ_STR(a, "jemalloc-5.3.0");
    OK(rl_parse_server_version("Valkey server v=8.0.1 sha=0 malloc=libc bits=64 build=1", v, sizeof v, a, sizeof a) == 0, "valkey");
    EQ_STR(v, "8.0.1");
    EQ_STR(a, "libc");
    OK(rl_parse_server_version("hello", v, sizeof v, a, sizeof a) < 0, "no version");
    OK(rl_parse_server_version("x v=1.2.3", v, sizeof v, a, sizeof a) == 0 && a[0] == '\0', "no malloc= gives empty allocator");
}

static void nettcp(void)
{
    const char *t = "  sl  local_address rem_address   st\n"
                    "   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n"
                    "   1: 0100007F:1F90 00000000:0000 01 00000000:00000000 00:00000000 00000000 0 0 1\n";
    OK(rl_proc_net_listening(t, 6379) == 1, "listener on 6379");
    OK(rl_proc_net_listening(t, 8080) == 0, "8080 established, not listening");
    OK(rl_proc_net_listening("garbage", 6379) == -1, "garbage: not a socket table");
    OK(rl_proc_net_listening("", 6379) == -1, "empty: not a socket table");
}

int main(void)
{
    values();
    cpu_max();
    thp();
    mountinfo();
    versions();
    nettcp();
    return tap_done();
}
