/* cgroup v1, v2 and hybrid: where this process's cgroups are, and its effective limits —
 * the minimum over its cgroup and every ancestor up to the mount root, since any level
 * can be the one that OOM-kills. Parsing is in mountinfo.c; this file does the walk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/facts.h"
#include "probes/mountinfo.h"
#include "probes/value.h"

#define MAX_MOUNTS 512
#define MAX_CGLINES 64
#define MAX_DEPTH 64

struct mounts {
    struct rl_mount m[MAX_MOUNTS];
    int n;
    bool damaged; /* empty, or malformed lines and no cgroup mount: the version is unknown */
    char *buf;
};

struct cglines {
    struct rl_cgline c[MAX_CGLINES];
    int n;
    char *buf;
};

/* Where one controller lives for this process. */
struct loc {
    int version;                 /* 1 or 2; 0 when not found */
    char mountpoint[PATH_MAX];
    char dir[PATH_MAX];          /* the process's cgroup directory (absolute, probed system) */
};

static void load_mounts(struct rl_facts *f, const struct rl_root *r, struct mounts *ms)
{
    size_t len;
    ms->n = 0;
    enum rl_read_status st = rl_root_read(r, "/proc/self/mountinfo", 16 << 20, &ms->buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "/proc/self/mountinfo %s; cgroup limits unknown", rl_read_reason(st));
        return;
    }
    int bad = 0;
    ms->damaged = false;
    for (char *save = NULL, *line = strtok_r(ms->buf, "\n", &save); line && ms->n < MAX_MOUNTS;
         line = strtok_r(NULL, "\n", &save)) {
        struct rl_mount m;
        if (rl_mountinfo_parse_line(line, &m) < 0) {
            bad++;
            continue;
        }
        if (strcmp(m.fstype, "cgroup") == 0 || strcmp(m.fstype, "cgroup2") == 0)
            ms->m[ms->n++] = m;
    }
    if (bad)
        rl_facts_warn(f, "/proc/self/mountinfo has %d malformed line%s; skipped them", bad,
                      bad == 1 ? "" : "s");
    if (len == 0)
        rl_facts_warn(f, "/proc/self/mountinfo is empty; no cgroup found");
    ms->damaged = len == 0 || (bad > 0 && ms->n == 0);
}

static void load_cglines(struct rl_facts *f, const struct rl_root *r, const char *path,
                         struct cglines *cs)
{
    size_t len;
    cs->n = 0;
    enum rl_read_status st = rl_root_read(r, path, 1 << 20, &cs->buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "%s %s; cgroup limits unknown", path, rl_read_reason(st));
        return;
    }
    int bad = 0;
    for (char *save = NULL, *line = strtok_r(cs->buf, "\n", &save); line && cs->n < MAX_CGLINES;
         line = strtok_r(NULL, "\n", &save)) {
        if (rl_cgroup_parse_line(line, &cs->c[cs->n]) == 0)
            cs->n++;
        else
            bad++;
    }
    if (bad)
        rl_facts_warn(f, "%s has %d malformed line%s; skipped them", path, bad,
                      bad == 1 ? "" : "s");
    if (len == 0)
        rl_facts_warn(f, "%s is empty; this process's cgroups are unknown", path);
}

static bool v2_has_controller(const struct rl_root *r, const char *mountpoint, const char *ctrl,
                              bool pure_v2)
{
    char path[PATH_MAX], *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/cgroup.controllers", mountpoint);
    if (rl_root_read(r, path, 4096, &buf, &len) != RL_READ_OK)
        return pure_v2; /* without the file, trust a pure v2 system, not a hybrid one */
    bool has = false;
    for (char *save = NULL, *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
        if (strcmp(t, ctrl) == 0)
            has = true;
    free(buf);
    return has;
}

/* Maps the process's cgroup path onto the mount: a mount whose root is /docker/<id>
 * (cgroupns=host) shows that prefix in /proc/self/cgroup too; strip it. */
static void place(struct rl_facts *f, const struct rl_mount *m, const char *path, struct loc *l)
{
    const char *rel = path;
    size_t rl = strlen(m->root);
    if (strcmp(m->root, "/") != 0) {
        if (strncmp(path, m->root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0')) {
            rel = path + rl;
        } else {
            rl_facts_warn(f, "cgroup path %s is not under the mount root %s of %s; using the mount point",
                          path, m->root, m->mountpoint);
            rel = "/";
        }
    }
    if (strncmp(rel, "/..", 3) == 0) {
        rl_facts_warn(f, "cgroup path %s lies outside this cgroup namespace; using the mount point %s",
                      path, m->mountpoint);
        rel = "/";
    }
    snprintf(l->mountpoint, sizeof l->mountpoint, "%s", m->mountpoint);
    if (strcmp(rel, "/") == 0 || rel[0] == '\0')
        snprintf(l->dir, sizeof l->dir, "%s", m->mountpoint);
    else
        snprintf(l->dir, sizeof l->dir, "%s%s", strcmp(m->mountpoint, "/") == 0 ? "" : m->mountpoint, rel);
}

static bool root_contains(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* One hierarchy can be mounted several times (a monitoring agent's bind mount of a
 * subtree beside the full one). Use a mount whose root contains the process's path, the
 * one with the shortest root (it shows the most ancestors); else the first, with a
 * warning from place(). */
static const struct rl_mount *pick_mount(const struct rl_mount *const cand[], int n, const char *path)
{
    const struct rl_mount *best = NULL;
    for (int i = 0; i < n; i++)
        if (root_contains(cand[i]->root, path) && (!best || strlen(cand[i]->root) < strlen(best->root)))
            best = cand[i];
    return best ? best : n > 0 ? cand[0] : NULL;
}

static bool locate(struct rl_facts *f, const struct rl_root *r, const struct mounts *ms,
                   const struct cglines *cs, const char *ctrl, bool pure_v2, struct loc *l)
{
    const struct rl_mount *cand[MAX_MOUNTS];
    memset(l, 0, sizeof *l);
    for (int version = 1; version <= 2; version++) {
        const struct rl_cgline *line = NULL;
        for (int j = 0; j < cs->n && !line; j++) {
            const struct rl_cgline *c = &cs->c[j];
            bool unified = strcmp(c->hierarchy, "0") == 0 && c->controllers[0] == '\0';
            if (version == 2 ? unified
                             : strcmp(c->hierarchy, "0") != 0 && rl_list_has(c->controllers, ctrl))
                line = c;
        }
        if (!line)
            continue;
        int n = 0;
        for (int i = 0; i < ms->n; i++) {
            const struct rl_mount *m = &ms->m[i];
            if (version == 1 ? strcmp(m->fstype, "cgroup") == 0 && rl_list_has(m->superopts, ctrl)
                             : strcmp(m->fstype, "cgroup2") == 0 &&
                                   v2_has_controller(r, m->mountpoint, ctrl, pure_v2))
                cand[n++] = m;
        }
        const struct rl_mount *m = pick_mount(cand, n, line->path);
        if (m) {
            place(f, m, line->path, l);
            l->version = version;
            return true;
        }
    }
    return false;
}

/* The kernel's v1 "unlimited" is LONG_MAX rounded down to a page multiple, so it depends
 * on the page size (…771712 on 4K, …710272 on 64K). Anything that close to 2^63 is it. */
static bool v1_unlimited(uint64_t v) { return v >= (uint64_t)INT64_MAX - (1ULL << 24); }

/* Directory levels from the leaf up to the mount point, leaf first. */
static int levels(const struct loc *l, char out[][PATH_MAX], int max)
{
    int n = 0;
    char cur[PATH_MAX];
    snprintf(cur, sizeof cur, "%s", l->dir);
    while (n < max) {
        snprintf(out[n++], PATH_MAX, "%s", cur);
        if (strcmp(cur, l->mountpoint) == 0 || strlen(cur) <= strlen(l->mountpoint))
            break;
        char *slash = strrchr(cur, '/');
        if (!slash || slash == cur)
            break;
        *slash = '\0';
    }
    return n;
}

/* memory.use_hierarchy of one v1 directory: 1 or 0; -1 when missing (treated as 1, the
 * only mode since Linux 5.11) or damaged (warned, also treated as 1: the limit that
 * might apply is the safer assumption). */
static int v1_use_hierarchy(struct rl_facts *f, const struct rl_root *r, const char *dir)
{
    char path[PATH_MAX], *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/memory.use_hierarchy", dir);
    enum rl_read_status st = rl_root_read(r, path, 4096, &buf, &len);
    if (st == RL_READ_MISSING)
        return -1;
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "%s %s; assuming hierarchical accounting", path, rl_read_reason(st));
        return -1;
    }
    uint64_t v = 0;
    enum rl_val pv = rl_parse_u64_text(buf, &v);
    free(buf);
    if (pv != RL_VAL_OK || v > 1) {
        rl_facts_warn(f, "%s %s; assuming hierarchical accounting", path,
                      pv == RL_VAL_OK ? "is neither 0 nor 1" : rl_val_reason(pv));
        return -1;
    }
    return (int)v;
}

/* Minimum of a one-number file over the levels. "max" (v2) and v1's unlimited value are
 * no limit at that level; a missing file is skipped (v2's root has none); garbage makes
 * the result unknown, because the true minimum can no longer be known. */
static void walk_min(struct rl_facts *f, const struct rl_root *r, const struct loc *l,
                     const char *name, struct rl_fu64 *out, bool missing_everywhere_is_none)
{
    static char lv[MAX_DEPTH][PATH_MAX];
    int n = levels(l, lv, MAX_DEPTH);
    bool any = false, limited = false, bad = false;
    uint64_t best = UINT64_MAX;
    char best_path[PATH_MAX] = "";
    bool v1_memory = l->version == 1 && strncmp(name, "memory.", 7) == 0;
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], *buf;
        size_t len;
        /* v1: a child is charged to its parent only when the parent has use_hierarchy=1
         * (mem_cgroup_css_alloc), so a level with 0 ends the walk upwards. */
        if (v1_memory && i > 0 && v1_use_hierarchy(f, r, lv[i]) == 0)
            break;
        if (snprintf(path, sizeof path, "%s/%s", lv[i], name) >= (int)sizeof path)
            continue;
        enum rl_read_status st = rl_root_read(r, path, 4096, &buf, &len);
        if (st == RL_READ_MISSING)
            continue;
        any = true;
        if (st != RL_READ_OK) {
            rl_facts_warn(f, "%s %s", path, rl_read_reason(st));
            bad = true;
            continue;
        }
        uint64_t v = 0;
        enum rl_val pv = rl_parse_u64_text(buf, &v);
        free(buf);
        if (pv == RL_VAL_MAX || (pv == RL_VAL_OK && l->version == 1 && v1_unlimited(v)))
            continue;
        if (pv != RL_VAL_OK) {
            rl_facts_warn(f, "%s %s; ignoring it", path, rl_val_reason(pv));
            bad = true;
            continue;
        }
        limited = true;
        if (v < best) {
            best = v;
            snprintf(best_path, sizeof best_path, "%s", path);
        }
    }
    if (bad) {
        out->state = RL_FACT_UNKNOWN;
        snprintf(out->src, sizeof out->src, "%s unreadable at some level of %s", name, l->dir);
    } else if (limited) {
        rl_fact_u64(out, best, "%s = %llu (lowest of %d level%s up to %s)", best_path,
                    (unsigned long long)best, n, n == 1 ? "" : "s", l->mountpoint);
    } else if (any || missing_everywhere_is_none) {
        rl_fact_none(out, "no %s limit in %s or its ancestors", name, l->dir);
    } else {
        out->state = RL_FACT_UNKNOWN;
        snprintf(out->src, sizeof out->src, "%s missing in %s", name, l->dir);
        rl_facts_warn(f, "%s/%s does not exist", l->dir, name);
    }
}

/* memory.stat's hierarchical_memory_limit covers ancestors above the mount root too (in
 * a v1 container the parents are not visible). */
static void v1_hierarchical(struct rl_facts *f, const struct rl_root *r, const struct loc *l,
                            const char *key, struct rl_fu64 *x)
{
    char path[PATH_MAX], *buf;
    size_t len;
    enum rl_val pv;
    if (v1_use_hierarchy(f, r, l->dir) != 1)
        return;
    snprintf(path, sizeof path, "%s/memory.stat", l->dir);
    enum rl_read_status st = rl_root_read(r, path, 1 << 20, &buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "%s %s", path, rl_read_reason(st));
        return;
    }
    size_t kl = strlen(key);
    bool seen = false;
    for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, key, kl) != 0 || line[kl] != ' ')
            continue;
        seen = true;
        uint64_t v;
        pv = rl_parse_u64_text(line + kl + 1, &v);
        if (pv != RL_VAL_OK) {
            rl_facts_warn(f, "%s: %s %s; ignoring it", path, key, rl_val_reason(pv));
        } else if (!v1_unlimited(v) && (x->state != RL_FACT_VALUE || v < x->v) &&
                   x->state != RL_FACT_UNKNOWN) {
            rl_fact_u64(x, v, "%s %s = %llu (use_hierarchy=1)", path, key, (unsigned long long)v);
        }
        break;
    }
    free(buf);
    if (!seen && strcmp(key, "hierarchical_memory_limit") == 0)
        rl_facts_warn(f, "%s has no %s line; limits above the mount root are unknown", path, key);
}

/* cpu.max: "max 100000", "150000 100000", or one field ("max", "50000": period 100000). */
int rl_parse_cpu_max(const char *text, double *cores)
{
    uint64_t quota = 0, period = 100000;
    const char *rest;
    enum rl_val q = rl_parse_u64_token(text, &quota, &rest);
    if (q != RL_VAL_OK && q != RL_VAL_MAX)
        return -1;
    const char *p = rest;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '\n') {
        enum rl_val pv = rl_parse_u64_token(p, &period, &rest);
        if (pv != RL_VAL_OK || period == 0)
            return -1;
        while (*rest == ' ' || *rest == '\t' || *rest == '\n')
            rest++;
        if (*rest)
            return -1;
    }
    if (q == RL_VAL_MAX)
        return 1; /* no limit */
    if (quota == 0)
        return -1;
    *cores = (double)quota / (double)period;
    return 0;
}

static void cpu_walk(struct rl_facts *f, const struct rl_root *r, const struct loc *l)
{
    static char lv[MAX_DEPTH][PATH_MAX];
    int n = levels(l, lv, MAX_DEPTH);
    double best = 0;
    bool limited = false, bad = false;
    char best_path[PATH_MAX] = "";
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], *buf;
        size_t len;
        double cores = 0;
        int rc;
        if (l->version == 2) {
            snprintf(path, sizeof path, "%s/cpu.max", lv[i]);
            enum rl_read_status st = rl_root_read(r, path, 4096, &buf, &len);
            if (st == RL_READ_MISSING)
                continue;
            if (st != RL_READ_OK) {
                rl_facts_warn(f, "%s %s", path, rl_read_reason(st));
                bad = true;
                continue;
            }
            rc = rl_parse_cpu_max(buf, &cores);
            free(buf);
            if (rc < 0) {
                rl_facts_warn(f, "%s is not \"QUOTA|max [PERIOD]\" with a non-zero period; ignoring it", path);
                bad = true;
                continue;
            }
        } else {
            char ppath[PATH_MAX], *pbuf;
            snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", lv[i]);
            snprintf(ppath, sizeof ppath, "%s/cpu.cfs_period_us", lv[i]);
            enum rl_read_status st = rl_root_read(r, path, 4096, &buf, &len);
            if (st == RL_READ_MISSING)
                continue;
            if (st != RL_READ_OK) {
                rl_facts_warn(f, "%s %s", path, rl_read_reason(st));
                bad = true;
                continue;
            }
            int64_t quota;
            enum rl_val qv = rl_parse_i64_text(buf, &quota);
            free(buf);
            if (qv != RL_VAL_OK || quota < -1 || quota == 0) {
                rl_facts_warn(f, "%s %s; ignoring it", path,
                              qv == RL_VAL_OK ? "is not -1 or a positive quota" : rl_val_reason(qv));
                bad = true;
                continue;
            }
            if (quota == -1)
                continue;
            uint64_t period = 0;
            st = rl_root_read(r, ppath, 4096, &pbuf, &len);
            enum rl_val pv = st == RL_READ_OK ? rl_parse_u64_text(pbuf, &period) : RL_VAL_EMPTY;
            if (st == RL_READ_OK)
                free(pbuf);
            if (pv != RL_VAL_OK || period == 0) {
                rl_facts_warn(f, "%s %s; cannot compute the CPU quota", ppath,
                              st != RL_READ_OK ? rl_read_reason(st)
                                               : pv == RL_VAL_OK ? "is 0" : rl_val_reason(pv));
                bad = true;
                continue;
            }
            cores = (double)quota / (double)period;
            rc = 0;
        }
        if (rc == 1)
            continue;
        if (!limited || cores < best) {
            best = cores;
            snprintf(best_path, sizeof best_path, "%s", path);
        }
        limited = true;
    }
    if (bad) {
        f->cpu_quota_cores.state = RL_FACT_UNKNOWN;
        snprintf(f->cpu_quota_cores.src, sizeof f->cpu_quota_cores.src, "CPU quota unreadable in %s", l->dir);
    } else if (limited) {
        rl_fact_dbl(&f->cpu_quota_cores, best, "%s gives %.2f CPUs (lowest of %d level%s)", best_path,
                    best, n, n == 1 ? "" : "s");
    } else {
        f->cpu_quota_cores.state = RL_FACT_NONE;
        snprintf(f->cpu_quota_cores.src, sizeof f->cpu_quota_cores.src, "no CPU quota in %s or its ancestors", l->dir);
    }
}

static void memory(struct rl_facts *f, const struct rl_root *r, const struct loc *l)
{
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s", l->dir + strlen(l->mountpoint));
    rl_fact_str(&f->cgroup_memory_path, rel[0] ? rel : "/", "memory cgroup directory %s", l->dir);
    char leaf[PATH_MAX];
    if (l->version == 2) {
        walk_min(f, r, l, "memory.max", &f->memory_limit_bytes, true);
        walk_min(f, r, l, "memory.high", &f->memory_high_bytes, true);
        walk_min(f, r, l, "memory.swap.max", &f->swap_limit_bytes, true);
        snprintf(leaf, sizeof leaf, "%s/memory.current", l->dir);
        if (strcmp(l->dir, l->mountpoint) == 0 && !rl_root_exists(r, leaf)) {
            /* The v2 root cgroup has no memory.current (nor memory.max): nothing to warn. */
            rl_fact_none(&f->memory_usage_bytes, "the root cgroup has no memory.current");
            return;
        }
    } else {
        walk_min(f, r, l, "memory.limit_in_bytes", &f->memory_limit_bytes, false);
        v1_hierarchical(f, r, l, "hierarchical_memory_limit", &f->memory_limit_bytes);
        /* v1 has no memory.high; soft_limit_in_bytes is reclaim-only, not a throttle. */
        rl_fact_none(&f->memory_high_bytes, "cgroup v1 has no memory.high");
        struct rl_fu64 memsw = {0};
        walk_min(f, r, l, "memory.memsw.limit_in_bytes", &memsw, true);
        v1_hierarchical(f, r, l, "hierarchical_memsw_limit", &memsw);
        if (memsw.state == RL_FACT_VALUE && f->memory_limit_bytes.state == RL_FACT_VALUE) {
            uint64_t sw = memsw.v > f->memory_limit_bytes.v ? memsw.v - f->memory_limit_bytes.v : 0;
            rl_fact_u64(&f->swap_limit_bytes, sw, "memsw limit %llu - memory limit %llu",
                        (unsigned long long)memsw.v, (unsigned long long)f->memory_limit_bytes.v);
        } else if (memsw.state == RL_FACT_UNKNOWN) {
            f->swap_limit_bytes.state = RL_FACT_UNKNOWN;
            snprintf(f->swap_limit_bytes.src, sizeof f->swap_limit_bytes.src, "%s", memsw.src);
        } else {
            rl_fact_none(&f->swap_limit_bytes, "%s", memsw.state == RL_FACT_NONE && memsw.src[0]
                                                        ? memsw.src : "no memsw limit");
        }
        snprintf(leaf, sizeof leaf, "%s/memory.usage_in_bytes", l->dir);
    }
    rl_fact_read_u64(f, r, leaf, &f->memory_usage_bytes, false);
}

void rl_probe_cgroup(struct rl_facts *f, const struct rl_root *r)
{
    rl_probe_cgroup_of(f, r, "/proc/self/cgroup");
}

void rl_probe_cgroup_pid(struct rl_facts *f, const struct rl_root *r, int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
    rl_probe_cgroup_of(f, r, path);
}

void rl_probe_cgroup_of(struct rl_facts *f, const struct rl_root *r, const char *cgroup_file)
{
    static struct mounts ms;
    static struct cglines cs;
    load_mounts(f, r, &ms);
    load_cglines(f, r, cgroup_file, &cs);

    bool v1 = false, v2 = false;
    for (int i = 0; i < ms.n; i++) {
        if (strcmp(ms.m[i].fstype, "cgroup2") == 0)
            v2 = true;
        else if (!strstr(ms.m[i].superopts, "name=")) /* name=systemd holds no controller */
            v1 = true;
    }
    if (!ms.buf || !cs.buf || ms.damaged) {
        f->cgroup_version.state = RL_FACT_UNKNOWN;
        snprintf(f->cgroup_version.src, sizeof f->cgroup_version.src,
                 "/proc/self/mountinfo or the cgroup file is unreadable or damaged");
    } else {
        rl_fact_u64(&f->cgroup_version, v1 ? 1 : v2 ? 2 : 0, "/proc/self/mountinfo: %s",
                    v1 && v2 ? "cgroup v1 controllers with cgroup2 beside them (hybrid)"
                    : v1     ? "cgroup v1 controller mounts"
                    : v2     ? "a cgroup2 mount"
                             : "no cgroup mounts");
        f->cgroup_hybrid = v1 && v2;
    }

    struct loc l;
    bool pure_v2 = v2 && !v1;
    if (locate(f, r, &ms, &cs, "memory", pure_v2, &l)) {
        memory(f, r, &l);
    } else if (ms.buf && cs.buf) {
        rl_fact_none(&f->memory_limit_bytes, "no memory cgroup controller is mounted");
        rl_fact_none(&f->memory_high_bytes, "no memory cgroup controller is mounted");
        rl_fact_none(&f->swap_limit_bytes, "no memory cgroup controller is mounted");
    }
    if (locate(f, r, &ms, &cs, "cpu", pure_v2, &l))
        cpu_walk(f, r, &l);
    else if (ms.buf && cs.buf) {
        f->cpu_quota_cores.state = RL_FACT_NONE;
        snprintf(f->cpu_quota_cores.src, sizeof f->cpu_quota_cores.src, "no cpu cgroup controller is mounted");
    }
    if (locate(f, r, &ms, &cs, "pids", pure_v2, &l))
        walk_min(f, r, &l, "pids.max", &f->pids_max, true);
    else if (ms.buf && cs.buf)
        rl_fact_none(&f->pids_max, "no pids cgroup controller is mounted");

    free(ms.buf);
    free(cs.buf);
    ms.buf = cs.buf = NULL;
}
