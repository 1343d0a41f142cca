#include "cli/instance/diagnose.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/sys/files.h"
#include "cli/sys/spawn.h"
#include "cli/util/size.h"
#include "probes/mountinfo.h"

int rl_oom_field(const char *text, const char *key, uint64_t *out)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            *out = strtoull(p + kl + 1, NULL, 10);
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}


/* The memory cgroup directory of pid: the v1 memory hierarchy, else the v2 mount. */
static int cgroup_dir(pid_t pid, char *dir, size_t len, char *mnt, size_t mntlen, int *version)
{
    char path[64];
    snprintf(path, sizeof path, pid ? "/proc/%d/cgroup" : "/proc/self/cgroup", (int)pid);
    char *cg = rl_file_read(path, 65536), *mi = rl_file_read("/proc/self/mountinfo", 1 << 20);
    int rc = -1;
    char v1path[512] = "", v2path[512] = "";
    bool have_v1 = false, have_v2 = false;
    for (char *save = NULL, *line = cg ? strtok_r(cg, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        struct rl_cgline c;
        if (rl_cgroup_parse_line(line, &c) < 0)
            continue;
        if (rl_list_has(c.controllers, "memory")) {
            snprintf(v1path, sizeof v1path, "%s", c.path);
            have_v1 = true;
        } else if (strcmp(c.hierarchy, "0") == 0) {
            snprintf(v2path, sizeof v2path, "%s", c.path);
            have_v2 = true;
        }
    }
    for (char *save = NULL, *line = mi ? strtok_r(mi, "\n", &save) : NULL; line && rc < 0;
         line = strtok_r(NULL, "\n", &save)) {
        struct rl_mount m;
        if (rl_mountinfo_parse_line(line, &m) < 0)
            continue;
        const char *p = NULL;
        if (have_v1 && strcmp(m.fstype, "cgroup") == 0 && rl_list_has(m.superopts, "memory")) {
            p = v1path;
            *version = 1;
        } else if (!have_v1 && have_v2 && strcmp(m.fstype, "cgroup2") == 0) {
            p = v2path;
            *version = 2;
        }
        if (!p)
            continue;
        size_t rl = strlen(m.root);
        if (strcmp(m.root, "/") != 0 && strncmp(p, m.root, rl) == 0)
            p += rl;
        snprintf(dir, len, "%s%s", m.mountpoint, strcmp(p, "/") == 0 ? "" : p);
        snprintf(mnt, mntlen, "%s", m.mountpoint);
        rc = 0;
    }
    free(cg);
    free(mi);
    return rc;
}

int rl_oom_snapshot(pid_t pid, struct rl_oom_snapshot *s)
{
    memset(s, 0, sizeof *s);
    char dir[512], mnt[512];
    int version;
    if (cgroup_dir(pid, dir, sizeof dir, mnt, sizeof mnt, &version) < 0)
        return 0;
    size_t mlen = strlen(mnt);
    for (;;) {
        char file[600];
        snprintf(file, sizeof file, "%s/%s", dir, version == 2 ? "memory.events" : "memory.oom_control");
        char *text = rl_file_read(file, 4096);
        uint64_t k;
        if (text && rl_oom_field(text, "oom_kill", &k) == 0 && s->n < RL_OOM_LEVELS) {
            snprintf(s->dir[s->n], sizeof s->dir[0], "%s", dir);
            s->kills[s->n++] = k;
        }
        free(text);
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= mlen || !slash)
            break;
        *slash = '\0';
    }
    return s->n;
}

uint64_t rl_oom_delta(const struct rl_oom_snapshot *before, const struct rl_oom_snapshot *after,
                      char *where, size_t len)
{
    uint64_t best = 0;
    where[0] = '\0';
    /* Levels are leaf first: the first level that moved is the tightest cgroup. */
    for (int i = 0; i < after->n; i++)
        for (int j = 0; j < before->n; j++)
            if (strcmp(after->dir[i], before->dir[j]) == 0 && after->kills[i] > before->kills[j]) {
                if (!where[0]) {
                    best = after->kills[i] - before->kills[j];
                    snprintf(where, len, "%s", after->dir[i]);
                }
            }
    return best;
}

static void add(char *out, size_t len, const char *text)
{
    size_t n = strlen(out);
    snprintf(out + n, len - n, "%s%s", n ? "\n" : "", text);
}

void rl_diagnose(const struct rl_facts *f, const struct rl_death *d, char *out, size_t len)
{
    char line[3 * 4096 + 512], a[32], b[96], sig[32];
    const char *log = d->log_tail ? d->log_tail : "";
    out[0] = '\0';
    bool signaled = WIFSIGNALED(d->status);
    int signo = signaled ? WTERMSIG(d->status) : 0;

    if (signo == SIGKILL && d->oom_kills > 0) {
        if (f->memory_limit_bytes.state == RL_FACT_VALUE)
            snprintf(line, sizeof line, "The kernel's OOM killer ended Redis: the memory cgroup %s counted %llu "
                     "OOM kill(s) (its limit: %s). Lower maxmemory (--maxmemory) so Redis, its fork for saving "
                     "and its fragmentation fit, or raise the container's memory limit.",
                     d->oom_where, (unsigned long long)d->oom_kills,
                     rl_fmt_size(f->memory_limit_bytes.v, a, sizeof a));
        else
            snprintf(line, sizeof line, "The kernel's OOM killer ended Redis (memory cgroup %s counted %llu OOM "
                     "kill(s)). Lower maxmemory (--maxmemory) or give the machine more memory.",
                     d->oom_where, (unsigned long long)d->oom_kills);
        add(out, len, line);
    } else if (signo == SIGKILL) {
        add(out, len, "Redis was killed with SIGKILL and no cgroup counted an OOM kill: another process (or a "
                      "supervisor) killed it, or the host's OOM killer did — check `dmesg | grep -i oom` "
                      "where you can.");
    }
    if (strstr(log, "Unsupported system page size") || strstr(log, "<jemalloc>: Unsupported")) {
        snprintf(line, sizeof line, "jemalloc was built for another page size than this kernel's (%s bytes). "
                 "Use a profile that sets jemalloc_lg_page for it (bigpage) or libc malloc (replit), and "
                 "rebuild.", f->page_size.state == RL_FACT_VALUE ? (snprintf(a, sizeof a, "%llu",
                 (unsigned long long)f->page_size.v), a) : "unknown");
        add(out, len, line);
    }
    bool alloc_fail = strstr(log, "Out Of Memory allocating") || strstr(log, "Can't allocate") ||
                      strstr(log, "Cannot allocate memory") || strstr(log, "failed to allocate");
    if (alloc_fail && f->rlimit_as.state == RL_FACT_VALUE) {
        snprintf(line, sizeof line, "An allocation failed under an address-space limit (RLIMIT_AS = %s, "
                 "ulimit -v). jemalloc reserves much more virtual memory than it uses: use a libc profile "
                 "(replit), or raise the limit.", rl_fmt_size(f->rlimit_as.v, a, sizeof a));
        add(out, len, line);
    } else if (alloc_fail && f->overcommit_memory.state == RL_FACT_VALUE && f->overcommit_memory.v == 2) {
        add(out, len, "An allocation failed with vm.overcommit_memory = 2 (strict accounting): lower "
                      "maxmemory, or ask for vm.overcommit_memory = 1 as Redis recommends.");
    } else if (alloc_fail && f->max_map_count.state == RL_FACT_VALUE && f->max_map_count.v < 65530) {
        snprintf(line, sizeof line, "An allocation failed and vm.max_map_count is only %llu: jemalloc may "
                 "have run out of mappings; use a libc profile (replit).", (unsigned long long)f->max_map_count.v);
        add(out, len, line);
    } else if (alloc_fail) {
        add(out, len, "An allocation failed: Redis needed more memory than it could get. Lower maxmemory "
                      "(--maxmemory).");
    }
    if (strstr(log, "Address already in use"))
        add(out, len, "Its port or socket is taken by another process: pick another with --port N "
                      "(or --port auto), or stop the other server.");
    if (strstr(log, "FATAL CONFIG FILE ERROR") || strstr(log, "Bad directive or wrong number of arguments"))
        add(out, len, "Redis rejected a line of its redis.conf (shown above): fix the --set or profile value "
                      "it names; `redis-light profiles validate` checks a profile file.");
    if (strstr(log, "Bad file format reading the append only file") && d->data_dir && d->server) {
        /* Redis names the manifest's directory in its own advice; give the exact command. */
        char bin[512];
        snprintf(bin, sizeof bin, "%s", d->server);
        char *slash = strrchr(bin, '/');
        snprintf(line, sizeof line, "Its append-only file is damaged in the middle, not just cut short, so Redis "
                 "refuses to load it rather than drop data. Back up %s, then repair it with `%.*s/redis-check-aof "
                 "--fix %s/appendonlydir/appendonly.aof.manifest` (it asks before truncating; what follows the "
                 "damage is lost) and run up again.", d->data_dir, slash ? (int)(slash - bin) : 1, slash ? bin : ".",
                 d->data_dir);
        add(out, len, line);
    } else if (strstr(log, "Bad file format reading the append only file") || strstr(log, "Short read or OOM loading DB") ||
        strstr(log, "Fatal error loading the DB"))
        add(out, len, "Redis could not load its data files: move the files in the instance's data directory "
                      "aside (they are kept by down) or repair them with redis-check-rdb / redis-check-aof.");
    if (strstr(log, "Permission denied") || strstr(log, "Can't open the log file"))
        add(out, len, "Redis could not open a file it needs (permission denied): check the owner and "
                      "mode of the state directory, or set XDG_STATE_HOME elsewhere.");
    if (signaled && signo != SIGKILL && signo != SIGTERM && signo != SIGINT) {
        snprintf(line, sizeof line, "Redis crashed with %s; its crash report is in the log. Report it with "
                 "the log and `redis-light doctor --json`.", rl_signal_name(signo, sig, sizeof sig));
        add(out, len, line);
    }
    if (!out[0]) {
        snprintf(line, sizeof line, "Redis %s %s; nothing in the log or the facts explains it. Read the whole "
                 "log and run `redis-light doctor`.", rl_status_text(d->status, b, sizeof b),
                 d->after_ready ? "after it was ready" : "before it was ready");
        add(out, len, line);
    }
}
