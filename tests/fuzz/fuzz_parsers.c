/* libFuzzer target: every one-value parser (cgroup/sysctl numbers, cpu.max, THP mode,
 * sizes and percentages, redis --version, /proc/net/tcp, INFO fields the eviction sampler
 * and status read, memory.events/oom_control counters). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench/eviction/sampler.h"
#include "cli/instance/client.h"
#include "cli/instance/diagnose.h"
#include "cli/instance/port.h"
#include "cli/util/size.h"
#include "probes/redisbin.h"
#include "probes/value.h"

int rl_parse_cpu_max(const char *text, double *cores);
int rl_parse_thp(const char *text, char *out, size_t len);
int rl_proc_net_listening(const char *table, unsigned port);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    uint64_t u;
    int64_t i;
    const char *rest;
    double d;
    char buf[64], v[32], a[48], err[256];
    (void)rl_parse_u64_text(s, &u);
    (void)rl_parse_i64_text(s, &i);
    if (rl_parse_u64_token(s, &u, &rest) == RL_VAL_OK && (rest < s || rest > s + size))
        abort(); /* rest must stay inside the input */
    if (rl_parse_cpu_max(s, &d) == 0 && !(d > 0))
        abort(); /* a parsed quota is positive */
    (void)rl_parse_thp(s, buf, sizeof buf);
    if (rl_parse_size(s, &u, err, sizeof err) < 0 && !err[0])
        abort(); /* every rejection says why */
    if (rl_parse_percent(s, &d, err, sizeof err) == 0 && (d < 0 || d > 100))
        abort();
    (void)rl_parse_server_version(s, v, sizeof v, a, sizeof a);
    (void)rl_proc_net_listening(s, 6379);
    (void)rl_port_listen_inode(s, 6379);
    (void)rl_info_u64(s, "used_memory", 0);
    (void)rl_info_dbl(s, "mem_fragmentation_ratio", 0);
    (void)rl_info_errorstat(s, "OOM");
    (void)rl_info_field(s, "mem_allocator", buf, sizeof buf);
    (void)rl_oom_field(s, "oom_kill", &u);
    free(s);
    return 0;
}
