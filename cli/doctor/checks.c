#include "cli/doctor/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/util/size.h"

const char *rl_status_name(enum rl_status s)
{
    static const char *names[] = {"ok", "warn", "fail", "skip"};
    return names[s];
}

static void set(struct rl_check_result *r, enum rl_status st, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set(struct rl_check_result *r, enum rl_status st, const char *advice, const char *fmt, ...)
{
    r->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->summary, sizeof r->summary, fmt, ap);
    va_end(ap);
    snprintf(r->advice, sizeof r->advice, "%s", advice ? advice : "");
}

static void evidence(struct rl_check_result *r, const char *src)
{
    if (!src || !*src)
        return;
    size_t n = strlen(r->evidence);
    snprintf(r->evidence + n, sizeof r->evidence - n, "%s%s", n ? "; " : "", src);
}

static const char *human(uint64_t v, char *buf) { return rl_fmt_size(v, buf, 32); }

static bool have_jemalloc(const struct rl_facts *f)
{
    for (int i = 0; i < f->nbins; i++)
        if (strncmp(f->bins[i].allocator, "jemalloc", 8) == 0)
            return true;
    return false;
}

static void c_max_map_count(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->max_map_count;
    evidence(r, x->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_WARN, "check that /proc/sys/vm/max_map_count is readable; the kernel default is 65530",
                   "vm.max_map_count unknown");
    if (x->v < RL_MAPS_FAIL)
        return set(r, RL_ST_FAIL, "raise it on the host: sysctl -w vm.max_map_count=65530, or use the replit profile (libc malloc)",
                   "vm.max_map_count %llu < %llu: Redis will fail to map memory under load",
                   (unsigned long long)x->v, RL_MAPS_FAIL);
    if (x->v < RL_MAPS_DEFAULT)
        return set(r, RL_ST_WARN, "a libc build (profile replit) maps far fewer regions; or sysctl -w vm.max_map_count=65530 on the host",
                   "vm.max_map_count %llu below the kernel default %llu", (unsigned long long)x->v, RL_MAPS_DEFAULT);
    set(r, RL_ST_OK, NULL, "vm.max_map_count %llu (Redis 7.0 mapped 39 regions with libc, 45 with jemalloc, filling 3x maxmemory here)", (unsigned long long)x->v);
}

static void c_overcommit(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->overcommit_memory;
    evidence(r, x->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_WARN, "use a libc build (profile replit), or make /proc/sys/vm/overcommit_memory readable",
                   "vm.overcommit_memory unreadable: jemalloc then acts as if overcommit were off and fragments its mappings");
    if (x->v == 2)
        return set(r, have_jemalloc(f) ? RL_ST_FAIL : RL_ST_WARN,
                   "use a libc build (profile replit); or sysctl -w vm.overcommit_memory=1 on the host",
                   "vm.overcommit_memory=2 (strict): jemalloc cannot overcommit and may exhaust max_map_count; fork for saving fails early");
    if (x->v == 0)
        return set(r, RL_ST_WARN, "sysctl -w vm.overcommit_memory=1 on the host (Redis's own advice), or keep persistence off",
                   "vm.overcommit_memory=0 (heuristic): background save (fork) may fail under memory pressure");
    set(r, RL_ST_OK, NULL, "vm.overcommit_memory=1");
}

static void c_thp(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fstr *x = &f->thp_enabled;
    evidence(r, x->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_SKIP, NULL, "transparent hugepages mode unknown, skipped");
    if (strcmp(x->v, "always") == 0)
        return set(r, RL_ST_WARN, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled on the host (Redis disables THP for itself since 6.2 when it can)",
                   "THP is 'always': latency spikes and extra RSS after fork");
    set(r, RL_ST_OK, NULL, "THP %s", x->v);
}

static void c_somaxconn(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->somaxconn;
    evidence(r, x->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_SKIP, NULL, "net.core.somaxconn unknown, skipped");
    if (x->v < RL_TCP_BACKLOG) {
        char adv[160];
        snprintf(adv, sizeof adv, "set tcp-backlog %llu in redis.conf, or sysctl -w net.core.somaxconn=511",
                 (unsigned long long)x->v);
        return set(r, RL_ST_WARN, adv, "net.core.somaxconn %llu < tcp-backlog %llu: Redis warns and the backlog is cut",
                   (unsigned long long)x->v, RL_TCP_BACKLOG);
    }
    set(r, RL_ST_OK, NULL, "net.core.somaxconn %llu >= tcp-backlog %llu", (unsigned long long)x->v, RL_TCP_BACKLOG);
}

static void c_memory_limit(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->memory_limit_bytes;
    char a[32], b[32];
    evidence(r, x->src);
    evidence(r, f->memory_usage_bytes.src);
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_WARN, "pass --maxmemory explicitly to up; see the warnings for the unreadable file",
                   "cgroup memory limit unknown");
    if (x->state == RL_FACT_NONE) {
        if (f->mem_total_bytes.state == RL_FACT_VALUE)
            return set(r, RL_ST_OK, "still set maxmemory: without it Redis grows until the kernel OOM-kills something",
                       "no cgroup memory limit; machine has %s", human(f->mem_total_bytes.v, a));
        return set(r, RL_ST_OK, NULL, "no cgroup memory limit");
    }
    if (x->v < RL_MIN_LIMIT)
        return set(r, RL_ST_FAIL, "give the container at least 64 MiB",
                   "memory limit %s < %s: too small for Redis plus data", human(x->v, a), human(RL_MIN_LIMIT, b));
    if (f->memory_usage_bytes.state == RL_FACT_VALUE && f->memory_usage_bytes.v > x->v / 10 * 9)
        return set(r, RL_ST_WARN, "free memory in this cgroup first, or size maxmemory against what is left",
                   "memory limit %s, already %s used (>90%%)", human(x->v, a), human(f->memory_usage_bytes.v, b));
    set(r, RL_ST_OK, "keep maxmemory well below the limit (profiles leave headroom for fragmentation and buffers)",
        "memory limit %s (%s used)", human(x->v, a),
        f->memory_usage_bytes.state == RL_FACT_VALUE ? human(f->memory_usage_bytes.v, b) : "usage unknown");
}

static void c_memory_high(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->memory_high_bytes;
    char a[32];
    evidence(r, x->src);
    if (f->cgroup_version.state == RL_FACT_VALUE && f->cgroup_version.v == 1)
        return set(r, RL_ST_SKIP, NULL, "cgroup v1 has no memory.high, skipped");
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_WARN, "see the warnings for the unreadable file", "memory.high unknown");
    if (x->state == RL_FACT_NONE)
        return set(r, RL_ST_OK, NULL, "no memory.high throttle");
    if (f->memory_limit_bytes.state != RL_FACT_VALUE || x->v < f->memory_limit_bytes.v)
        return set(r, RL_ST_WARN, "size maxmemory below memory.high; the profiles use the lower of memory.high and memory.max",
                   "memory.high %s: above it the kernel throttles and reclaims, Redis latency jumps", human(x->v, a));
    set(r, RL_ST_OK, NULL, "memory.high %s at or above the limit", human(x->v, a));
}

static void c_swap(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->swap_limit_bytes;
    char a[32];
    evidence(r, f->swap_total_bytes.src);
    evidence(r, x->src);
    /* A cgroup's swap allowance is only a ceiling: without swap devices (Docker's default
     * memsw of twice --memory on a swapless host) there is nothing Redis could swap to. */
    if (f->swap_total_bytes.state == RL_FACT_VALUE && f->swap_total_bytes.v == 0)
        return set(r, RL_ST_SKIP, NULL, "no swap configured (SwapTotal 0), nothing to limit");
    if (f->memory_limit_bytes.state != RL_FACT_VALUE)
        return set(r, RL_ST_SKIP, NULL, "no memory limit, so no swap limit to judge, skipped");
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_WARN, "see the warnings for the unreadable file", "swap limit unknown");
    if (x->state == RL_FACT_VALUE && x->v == 0)
        return set(r, RL_ST_OK, NULL, "no swap inside the limit: past it the cgroup OOM-kills, so maxmemory must stay below");
    set(r, RL_ST_WARN, "keep maxmemory below the memory limit so Redis never swaps; swapped Redis pages make every command slow",
        "swap allowed %s beyond the memory limit", x->state == RL_FACT_VALUE ? human(x->v, a) : "without limit");
}

static void c_cpu_quota(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fdbl *x = &f->cpu_quota_cores;
    evidence(r, x->src);
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_WARN, "see the warnings for the unreadable file", "CPU quota unknown");
    if (x->state == RL_FACT_NONE)
        return set(r, RL_ST_OK, NULL, "no CPU quota (%llu CPUs online)",
                   (unsigned long long)(f->cpus_online.state == RL_FACT_VALUE ? f->cpus_online.v : 0));
    if (x->v < 1.0)
        return set(r, RL_ST_WARN, "keep io-threads 1; ask for at least 1 CPU: Redis's main thread stalls each time the quota runs out",
                   "CPU quota %.2f CPUs < 1: throttling shows as p99 latency spikes", x->v);
    if (x->v >= 4.0)
        return set(r, RL_ST_OK, NULL, "CPU quota %.2f CPUs: io-threads up to %d may help with many clients", x->v, (int)x->v - 1);
    set(r, RL_ST_OK, NULL, "CPU quota %.2f CPUs: keep io-threads 1", x->v);
}

static void c_pids(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->pids_max;
    evidence(r, x->src);
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_SKIP, NULL, "pids.max unknown, skipped");
    if (x->state == RL_FACT_NONE)
        return set(r, RL_ST_OK, NULL, "no pids limit");
    if (x->v < RL_PIDS_FAIL)
        return set(r, RL_ST_FAIL, "raise the container's pids limit to at least 64",
                   "pids.max %llu < %llu: Redis needs ~5 threads plus a child to save", (unsigned long long)x->v, RL_PIDS_FAIL);
    if (x->v < RL_PIDS_WARN)
        return set(r, RL_ST_WARN, "raise the pids limit to 64 or more; every process in the container counts",
                   "pids.max %llu < %llu", (unsigned long long)x->v, RL_PIDS_WARN);
    set(r, RL_ST_OK, NULL, "pids.max %llu", (unsigned long long)x->v);
}

static void c_nofile(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->rlimit_nofile;
    evidence(r, x->src);
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_SKIP, NULL, "open-files limit unknown, skipped");
    if (x->state == RL_FACT_NONE)
        return set(r, RL_ST_OK, NULL, "open files unlimited");
    if (x->v >= RL_MAXCLIENTS + 32)
        return set(r, RL_ST_OK, NULL, "open files %llu >= maxclients %llu + 32",
                   (unsigned long long)x->v, RL_MAXCLIENTS);
    if (x->v < 64)
        return set(r, RL_ST_FAIL, "ulimit -n 10032 (or the container's nofile limit)",
                   "open files %llu: Redis needs 32 for itself plus one per client", (unsigned long long)x->v);
    char adv[128];
    snprintf(adv, sizeof adv, "ulimit -n %llu, or set maxclients %llu", RL_MAXCLIENTS + 32,
             (unsigned long long)(x->v - 32));
    set(r, RL_ST_WARN, adv, "open files %llu < maxclients %llu + 32: Redis lowers maxclients to %llu",
        (unsigned long long)x->v, RL_MAXCLIENTS, (unsigned long long)(x->v - 32));
}

static void c_address_space(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->rlimit_as;
    char a[32];
    evidence(r, x->src);
    if (x->state == RL_FACT_UNKNOWN)
        return set(r, RL_ST_SKIP, NULL, "address-space limit unknown, skipped");
    if (x->state == RL_FACT_NONE)
        return set(r, RL_ST_OK, NULL, "no address-space limit (ulimit -v unlimited)");
    if (x->v < RL_AS_FAIL)
        return set(r, RL_ST_FAIL, "ulimit -v unlimited, or at least 1 GiB",
                   "address space limited to %s: Redis cannot map its heap", human(x->v, a));
    if (have_jemalloc(f) && x->v < RL_AS_JEMALLOC_WARN)
        return set(r, RL_ST_WARN, "use a libc build (profile replit), or ulimit -v unlimited",
                   "address space %s < 4 GiB with a jemalloc binary: jemalloc retains virtual memory beyond RSS", human(x->v, a));
    set(r, RL_ST_OK, NULL, "address space limited to %s", human(x->v, a));
}

static void c_page_size(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->page_size;
    evidence(r, x->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_WARN, "see the warnings for the unreadable file", "page size unknown");
    if (x->v > 4096 && have_jemalloc(f))
        return set(r, RL_ST_FAIL, "use a libc build (profile bigpage) or jemalloc built with --with-lg-page=16 "
                   "(--version cannot tell which page size a binary was built for)",
                   "page size %llu KiB with a jemalloc binary: one built for 4 KiB pages (the x86_64 default) "
                   "dies with \"Unsupported system page size\"",
                   (unsigned long long)(x->v / 1024));
    if (x->v > 4096)
        return set(r, RL_ST_OK, "build with the bigpage profile", "page size %llu KiB, no jemalloc binary present",
                   (unsigned long long)(x->v / 1024));
    set(r, RL_ST_OK, NULL, "page size %llu KiB", (unsigned long long)(x->v / 1024));
}

static void c_allocator(const struct rl_facts *f, struct rl_check_result *r)
{
    if (f->nbins == 0)
        return set(r, RL_ST_SKIP, NULL, "no redis-server or valkey-server found on PATH or in the cache; redis-light build makes one");
    char list[220] = "";
    bool unknown = false;
    for (int i = 0; i < f->nbins; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s %s malloc=%s", i ? ", " : "", f->bins[i].path,
                 f->bins[i].version[0] ? f->bins[i].version : "?",
                 f->bins[i].allocator[0] ? f->bins[i].allocator : "?");
        unknown |= !f->bins[i].allocator[0];
        evidence(r, f->bins[i].path);
    }
    bool risky = (f->overcommit_memory.state != RL_FACT_VALUE || f->overcommit_memory.v == 2 ||
                  (f->max_map_count.state == RL_FACT_VALUE && f->max_map_count.v < RL_MAPS_DEFAULT) ||
                  (f->page_size.state == RL_FACT_VALUE && f->page_size.v > 4096));
    if (have_jemalloc(f) && risky)
        return set(r, RL_ST_WARN, "redis-light up builds a libc Redis for this container (see the profile below)",
                   "%s; jemalloc is at risk here (see overcommit, max_map_count, page size)", list);
    if (unknown)
        return set(r, RL_ST_WARN, "run BINARY --version by hand to see why it printed no version line", "%s", list);
    set(r, RL_ST_OK, NULL, "%s", list);
}

static void c_disk(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->state_dir_free_bytes, *w = &f->state_dir_writable;
    char a[32];
    evidence(r, x->src);
    evidence(r, w->src);
    /* Free space is no use where up cannot create its directory: it would fail there first. */
    if (w->state == RL_FACT_VALUE && !w->v)
        return set(r, RL_ST_FAIL, "set XDG_STATE_HOME to a writable directory (up keeps redis.conf, the log and the data there)",
                   "state directory %s is not writable: %s", f->state_dir.v, w->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_SKIP, NULL, "free disk of the state directory unknown, skipped");
    if (x->v < RL_DISK_FAIL)
        return set(r, RL_ST_FAIL, "free disk space, or point XDG_STATE_HOME/XDG_CACHE_HOME elsewhere",
                   "%s free in %s: not enough for Redis's data and log", human(x->v, a), f->state_dir.v);
    if (x->v < RL_DISK_WARN)
        return set(r, RL_ST_WARN, "free disk space before building Redis from source",
                   "%s free in %s (< 512 MiB: a source build may not fit)", human(x->v, a), f->state_dir.v);
    set(r, RL_ST_OK, NULL, "%s free in %s", human(x->v, a), f->state_dir.v);
}

static void c_port(const struct rl_facts *f, struct rl_check_result *r)
{
    const struct rl_fu64 *x = &f->port_6379_in_use;
    evidence(r, x->src);
    if (x->state != RL_FACT_VALUE)
        return set(r, RL_ST_SKIP, NULL, "listening sockets unknown, skipped");
    if (x->v)
        return set(r, RL_ST_WARN, "redis-light up --port auto (or --port N) picks another port",
                   "port 6379 already has a listener");
    set(r, RL_ST_OK, NULL, "port 6379 is free");
}

const struct rl_check rl_checks[] = {
    {"max_map_count", c_max_map_count},
    {"overcommit", c_overcommit},
    {"thp", c_thp},
    {"somaxconn", c_somaxconn},
    {"memory_limit", c_memory_limit},
    {"memory_high", c_memory_high},
    {"swap", c_swap},
    {"cpu_quota", c_cpu_quota},
    {"pids", c_pids},
    {"nofile", c_nofile},
    {"address_space", c_address_space},
    {"page_size", c_page_size},
    {"allocator", c_allocator},
    {"disk", c_disk},
    {"port", c_port},
    {NULL, NULL},
};
