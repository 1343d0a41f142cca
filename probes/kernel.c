/* Kernel facts: sysctls, THP, page size, release, architecture, CPUs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probes/facts.h"
#include "probes/value.h"

/* "always [madvise] never" -> "madvise". Returns 0 or -1 when no bracketed word. */
int rl_parse_thp(const char *text, char *out, size_t len)
{
    const char *l = strchr(text, '[');
    const char *r = l ? strchr(l, ']') : NULL;
    if (!l || !r || r == l + 1 || (size_t)(r - l - 1) >= len)
        return -1;
    for (const char *p = l + 1; p < r; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '+' || *p == '_'))
            return -1;
    memcpy(out, l + 1, (size_t)(r - l - 1));
    out[r - l - 1] = '\0';
    return 0;
}

/* KernelPageSize from smaps ("KernelPageSize:        4 kB"): the first one wins. */
static void page_size_from_smaps(struct rl_facts *f, const struct rl_root *r)
{
    char *buf;
    size_t len;
    enum rl_read_status st = rl_root_read(r, "/proc/self/smaps", 64 << 20, &buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "/proc/self/smaps %s; page size unknown", rl_read_reason(st));
        return;
    }
    const char *p = strstr(buf, "KernelPageSize:");
    uint64_t kb = 0;
    const char *rest;
    if (p && rl_parse_u64_token(p + 15, &kb, &rest) == RL_VAL_OK && kb > 0 && kb <= (1u << 30)) {
        rl_fact_u64(&f->page_size, kb * 1024, "/proc/self/smaps KernelPageSize %llu kB",
                    (unsigned long long)kb);
    } else {
        rl_facts_warn(f, "/proc/self/smaps has no valid KernelPageSize line; page size unknown");
    }
    free(buf);
}

static void read_str(struct rl_facts *f, const struct rl_root *r, const char *path,
                     struct rl_fstr *x)
{
    char *buf;
    size_t len;
    enum rl_read_status st = rl_root_read(r, path, 4096, &buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "%s %s", path, rl_read_reason(st));
        return;
    }
    buf[strcspn(buf, "\n")] = '\0';
    if (!buf[0])
        rl_facts_warn(f, "%s is empty", path);
    else
        rl_fact_str(x, buf, "%s", path);
    free(buf);
}

void rl_probe_kernel(struct rl_facts *f, const struct rl_root *r)
{
    rl_fact_read_u64(f, r, "/proc/sys/vm/max_map_count", &f->max_map_count, false);
    rl_fact_read_u64(f, r, "/proc/sys/vm/overcommit_memory", &f->overcommit_memory, false);
    if (f->overcommit_memory.state == RL_FACT_VALUE && f->overcommit_memory.v > 2) {
        rl_facts_warn(f, "/proc/sys/vm/overcommit_memory holds %llu, not 0, 1 or 2; ignoring it",
                      (unsigned long long)f->overcommit_memory.v);
        f->overcommit_memory.state = RL_FACT_UNKNOWN;
    }
    rl_fact_read_u64(f, r, "/proc/sys/net/core/somaxconn", &f->somaxconn, false);

    const char *thp = "/sys/kernel/mm/transparent_hugepage/enabled";
    char *buf;
    size_t len;
    enum rl_read_status st = rl_root_read(r, thp, 4096, &buf, &len);
    if (st == RL_READ_OK) {
        char mode[32];
        if (rl_parse_thp(buf, mode, sizeof mode) == 0)
            rl_fact_str(&f->thp_enabled, mode, "%s = %s", thp, mode);
        else
            rl_facts_warn(f, "%s has no [selected] mode; ignoring it", thp);
        free(buf);
    } else if (st != RL_READ_MISSING) {
        rl_facts_warn(f, "%s %s", thp, rl_read_reason(st));
    } else {
        /* A kernel without THP: nothing to warn about, and nothing to disable. */
        rl_fact_str(&f->thp_enabled, "unsupported", "%s does not exist", thp);
    }

    if (r->host) {
        long ps = sysconf(_SC_PAGESIZE);
        if (ps > 0)
            rl_fact_u64(&f->page_size, (uint64_t)ps, "sysconf(_SC_PAGESIZE) = %ld", ps);
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n > 0)
            rl_fact_u64(&f->cpus_online, (uint64_t)n, "sysconf(_SC_NPROCESSORS_ONLN) = %ld", n);
        struct utsname u;
        if (uname(&u) == 0) {
            rl_fact_str(&f->kernel_release, u.release, "uname -r");
            rl_fact_str(&f->arch, u.machine, "uname -m");
        }
    } else {
        page_size_from_smaps(f, r);
        read_str(f, r, "/proc/sys/kernel/osrelease", &f->kernel_release);
        /* A captured tree records the machine type where uname -m would print it. */
        if (rl_root_exists(r, "/proc/sys/kernel/arch"))
            read_str(f, r, "/proc/sys/kernel/arch", &f->arch);
        char *online;
        const char *cpu_online = "/sys/devices/system/cpu/online";
        st = rl_root_read(r, cpu_online, 4096, &online, &len);
        if (st != RL_READ_OK && st != RL_READ_MISSING)
            rl_facts_warn(f, "%s %s; CPU count unknown", cpu_online, rl_read_reason(st));
        if (st == RL_READ_OK) {
            /* "0-3,5" -> 5 CPUs */
            uint64_t count = 0;
            int ok = 1;
            for (char *save = NULL, *tok = strtok_r(online, ",\n", &save); tok && ok;
                 tok = strtok_r(NULL, ",\n", &save)) {
                char *end;
                errno = 0;
                unsigned long a = strtoul(tok, &end, 10), b = a;
                if (end == tok || !isdigit((unsigned char)tok[0]) || errno || a > 65535)
                    ok = 0;
                else if (*end == '-') {
                    char *e2;
                    b = strtoul(end + 1, &e2, 10);
                    ok = isdigit((unsigned char)end[1]) && !errno && e2 != end + 1 && *e2 == '\0' && b >= a && b <= 65535;
                } else {
                    ok = *end == '\0';
                }
                if (ok)
                    count += b - a + 1;
            }
            if (ok && count)
                rl_fact_u64(&f->cpus_online, count, "/sys/devices/system/cpu/online");
            else
                rl_facts_warn(f, "/sys/devices/system/cpu/online is not a CPU list like 0-3; ignoring it");
            free(online);
        }
    }
}
