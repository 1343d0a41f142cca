/* redis-light tune: measure the memory budget's factors on this machine, under its real
 * limits, for the user's value sizes and client count, and write them where the plan
 * looks first ($XDG_CONFIG_HOME/redis-light/calibration.tsv). The measuring is
 * cli/tune/'s; this file parses the options, refuses a run that would not fit in the
 * memory left, and chooses the exit code. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/plan/plan.h"
#include "cli/sys/signals.h"
#include "cli/tune/calibration.h"
#include "cli/tune/report.h"
#include "cli/tune/room.h"
#include "cli/tune/tune.h"
#include "cli/util/json.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "cli/util/size.h"

const struct rl_opt rl_tune_opts[] = {
    {"value-size", 'd', "N[,N|A-B...]", "value sizes in bytes, one row each (default 1024); A-B: sizes uniform in [A,B]", false},
    {"clients", 'c', "N", "idle connections the per-client cost is measured over (default 50, at most 4096)", false},
    {"runs", 0, "N", "runs per value size; a row keeps their median and max (default 3, at most 20)", false},
    {"maxmemory", 0, "SIZE", "the test server's maxmemory (default 64mb, or what fits here, at least 16mb)", false},
    {"profile", 0, "NAME|PATH", "calibrate the build this profile plans instead of the one chosen here", false},
    {"dry-run", 'n', NULL, "print what would be measured and where it would be written; change nothing", false},
    {NULL, 0, NULL, NULL, false},
};

const char rl_tune_help[] =
    "For each --value-size, --runs times, on a throwaway redis-server of the build the plan\n"
    "picks here (allkeys-lru, --maxmemory, a private temporary directory, a free loopback\n"
    "port, oom_score_adj 1000) it measures what scripts/measure-overhead measured for the\n"
    "shipped table: base RSS (VmRSS 0.5 s after the first PONG), the RSS of one client\n"
    "(over --clients idle connections that sent a PING), the overhead factor ((VmHWM - base\n"
    "RSS) / maxmemory after SETs of 3x maxmemory through eviction, written by bench's load\n"
    "engine) and used_memory_rss / used_memory. The rows (median and max over the runs) go\n"
    "to $XDG_CONFIG_HOME/redis-light/calibration.tsv (default ~/.config), which the plan\n"
    "then prefers to the shipped table for this allocator: `up --dry-run` shows the new\n"
    "budget and names the file. Rows of other sizes and allocators already there are kept.\n"
    "\n"
    "It refuses (exit 3) when the test server would not fit in the memory left (the cgroup's\n"
    "limit minus its usage, or MemAvailable): it needs about base RSS + 1.3 x maxmemory +\n"
    "clients, and tune itself 4 MiB. Without --maxmemory it picks 64mb, or less when that does not fit (at least\n"
    "16mb). Ctrl-C stops the server and writes nothing (exit 3). Exit 0 when the file was\n"
    "written, 2 for bad options, 3 when a run failed or was refused.";

struct tune_opts {
    struct rl_tune_size sizes[RL_TUNE_MAX_SIZES];
    int nsizes;
    long long clients, runs;
    uint64_t maxmemory;       /* 0: not given */
    const char *maxmemory_source;
    char dir[PATH_MAX], path[PATH_MAX + 32];
};

static int parse(const struct rl_args *a, struct tune_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->clients = 50;
    o->runs = 3;
    const char *sizes = rl_args_get(a, "value-size");
    o->nsizes = rl_tune_sizes_parse(sizes ? sizes : "1024", o->sizes, RL_TUNE_MAX_SIZES, err, errlen);
    if (o->nsizes < 0 || rl_args_int(a, "clients", 1, 4096, &o->clients, err, errlen) < 0 ||
        rl_args_int(a, "runs", 1, RL_TUNE_MAX_RUNS, &o->runs, err, errlen) < 0)
        return -1;
    const char *mm = rl_args_get(a, "maxmemory");
    if (mm) {
        char why[128];
        if (rl_parse_size(mm, &o->maxmemory, why, sizeof why) < 0) {
            snprintf(err, errlen, "--maxmemory %s: %s", mm, why);
            return -1;
        }
        if (o->maxmemory < RL_TUNE_MIN_MAXMEMORY || o->maxmemory > (UINT64_C(64) << 30)) {
            snprintf(err, errlen, "--maxmemory %s: give 4mb to 64gb (the throwaway server's limit; below 4mb its "
                     "idle RSS drowns what is measured)", mm);
            return -1;
        }
        o->maxmemory_source = "--maxmemory";
    }
    return 0;
}

/* Picks or checks the test maxmemory against the memory left. Returns 0, or -1 with the
 * refusal in err. */
static int fit(struct tune_opts *o, const struct rl_tune_room *room, char *err, size_t errlen)
{
    uint64_t fits = rl_tune_room_fits(room, (unsigned)o->clients);
    uint64_t want = o->maxmemory ? o->maxmemory : RL_TUNE_MAX_DEFAULT;
    uint64_t need = rl_tune_room_need(room, want, (unsigned)o->clients);
    if (!room->known || need <= room->free_bytes) {
        if (!o->maxmemory) {
            o->maxmemory = want;
            o->maxmemory_source = "default";
        }
        return 0;
    }
    if (!o->maxmemory && fits >= RL_TUNE_MIN_DEFAULT) {
        o->maxmemory = fits;
        o->maxmemory_source = "fitted";
        char f[32];
        rl_warn("the default --maxmemory 64mb does not fit: %s; measuring at %s instead", room->free_source,
                rl_fmt_size_conf(fits, f, sizeof f));
        return 0;
    }
    char at[32], needs[32], base[32], hint[128];
    rl_fmt_size_conf(want, at, sizeof at);
    rl_fmt_size(need, needs, sizeof needs);
    rl_fmt_size(room->base_rss, base, sizeof base);
    if (fits >= RL_TUNE_MIN_MAXMEMORY) {
        char f[32];
        snprintf(hint, sizeof hint, "pass --maxmemory %s", rl_fmt_size_conf(fits, f, sizeof f));
    } else {
        snprintf(hint, sizeof hint, "free some memory, or run tune where the limit is larger");
    }
    snprintf(err, errlen, "%s, tune needs ~%s at --maxmemory %s (its test server: base RSS %s + %.1f x maxmemory + "
             "%lld clients; tune's own load engine %llu MiB), so it could be OOM-killed itself; %s", room->free_source,
             needs, at, base, RL_TUNE_PEAK_FACTOR, o->clients, (unsigned long long)(RL_TUNE_SELF_BYTES >> 20), hint);
    return -1;
}

static void json_head(struct rl_json *w, const struct rl_plan *p, const struct tune_opts *o,
                      const struct rl_tune_room *room, bool dry)
{
    rl_json_key(w, "dry_run");
    rl_json_bool(w, dry);
    rl_json_key(w, "file");
    rl_json_str(w, o->path);
    rl_json_key(w, "allocator");
    rl_json_str(w, p->build.allocator);
    rl_json_key(w, "server");
    rl_json_str(w, p->build.state == RL_BUILD_CACHED || !dry ? p->build.info.server : NULL);
    rl_json_key(w, "version");
    rl_json_str(w, p->build.version[0] ? p->build.version : NULL);
    rl_json_key(w, "maxmemory_bytes");
    rl_json_u64(w, o->maxmemory);
    rl_json_key(w, "maxmemory_source");
    rl_json_str(w, o->maxmemory_source);
    rl_json_key(w, "clients");
    rl_json_u64(w, (uint64_t)o->clients);
    rl_json_key(w, "runs");
    rl_json_u64(w, (uint64_t)o->runs);
    rl_json_key(w, "room");
    rl_json_obj(w);
    rl_json_key(w, "free_bytes");
    if (room->known)
        rl_json_u64(w, room->free_bytes);
    else
        rl_json_null(w);
    rl_json_key(w, "source");
    rl_json_str(w, room->known ? room->free_source : NULL);
    rl_json_key(w, "need_bytes");
    rl_json_u64(w, rl_tune_room_need(room, o->maxmemory, (unsigned)o->clients));
    rl_json_end_obj(w);
}

static int dry_run(const struct rl_plan *p, const struct tune_opts *o, const struct rl_tune_room *room)
{
    char mm[32], need[32];
    rl_fmt_size_conf(o->maxmemory, mm, sizeof mm);
    rl_fmt_size(rl_tune_room_need(room, o->maxmemory, (unsigned)o->clients), need, sizeof need);
    if (rl_out.json) {
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_json_obj(&w);
        json_head(&w, p, o, room, true);
        rl_json_key(&w, "value_sizes");
        rl_json_arr(&w);
        for (int i = 0; i < o->nsizes; i++)
            rl_json_str(&w, o->sizes[i].label);
        rl_json_end_arr(&w);
        rl_json_end_obj(&w);
        rl_json_done(&w);
        return RL_EXIT_OK;
    }
    printf("tune would measure the %s build (%s)\n", p->build.allocator,
           p->build.state == RL_BUILD_CACHED ? p->build.info.server : p->build.action);
    for (int i = 0; i < o->nsizes; i++)
        printf("  %s B values%s: %lld run%s, each on a throwaway allkeys-lru server with maxmemory %s (%s), "
               "%lld idle clients, a fill of 3x maxmemory\n", o->sizes[i].label,
               o->sizes[i].min == o->sizes[i].max ? "" : " (uniform)", o->runs, o->runs == 1 ? "" : "s", mm,
               o->maxmemory_source, o->clients);
    printf("memory: needs ~%s; %s\n", need, room->known ? room->free_source : "no bound on free memory is known");
    printf("it would write %s (rows of %s for these sizes replaced, others kept)\n", o->path, p->build.allocator);
    return RL_EXIT_OK;
}

/* Measures every size and writes the file. Returns the exit code. */
static int measure_and_write(struct rl_plan *p, const struct rl_plan_opts *po, const struct tune_opts *o,
                             const struct rl_tune_room *room, const struct rl_args *a)
{
    static struct rl_tune t;
    const struct rl_build_info *b = &p->build.info;
    if (strncmp(b->allocator, p->build.allocator, strlen(p->build.allocator)) != 0) {
        rl_err("the planned %s build %s reports malloc=%s; rebuild it (redis-light build --rebuild)",
               p->build.allocator, b->server, b->allocator);
        return RL_EXIT_RUNTIME;
    }
    struct rl_tune_cfg cfg = {.server = b->server, .allocator = p->build.allocator, .maxmemory = o->maxmemory,
                              .clients = (unsigned)o->clients, .runs = (int)o->runs,
                              .interrupted = &rl_signal_seen, .progress = rl_out.quiet ? NULL : stderr};
    rl_tune_init(&t, &cfg);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < o->nsizes; i++)
        if (rl_tune_measure(&t, &o->sizes[i]) < 0) {
            if (t.interrupted)
                rl_err("%s; the throwaway server is stopped and nothing was written", t.errstr);
            else
                rl_err("%s; nothing was written", t.errstr);
            return rl_exit_for(t.err);
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    char server[160], options[400], mm[32], dropped[1024], err[1024];
    snprintf(server, sizeof server, "%s %s malloc=%s, %s", p->build.server[0] ? p->build.server : "redis", b->version,
             b->allocator, b->server);
    int n = snprintf(options, sizeof options, "--value-size %s --clients %lld --runs %lld --maxmemory %s",
                     rl_args_get(a, "value-size") ? rl_args_get(a, "value-size") : "1024", o->clients, o->runs,
                     rl_fmt_size_conf(o->maxmemory, mm, sizeof mm));
    if (po->profile && n > 0 && (size_t)n < sizeof options)
        snprintf(options + n, sizeof options - (size_t)n, " --profile %s", po->profile);
    struct rl_calibration_note note = {.server = server, .options = options, .limit = p->budget.limit_source,
                                       .elapsed_s = (double)(t1.tv_sec - t0.tv_sec)};
    struct rl_overhead_row rows[RL_TUNE_MAX_SIZES];
    for (int i = 0; i < t.nresults; i++)
        rows[i] = t.results[i].row;
    char path[PATH_MAX + 32];
    int kept = 0;
    if (rl_calibration_write(o->dir, rows, t.nresults, &note, path, sizeof path, &kept, dropped, sizeof dropped,
                             err, sizeof err) < 0) {
        rl_err("%s", err);
        return RL_EXIT_RUNTIME;
    }
    if (dropped[0])
        rl_warn("the previous calibration could not be read (%s); its rows were replaced", dropped);
    /* The plan as `up` would make it now, from the new file. */
    static struct rl_plan after;
    uint64_t before_mm = p->budget.maxmemory_bytes;
    bool replanned = rl_plan_make(&after, &p->root, po) == 0;
    if (!replanned)
        rl_warn("the plan could not be made again with the new calibration: %s", after.errstr);
    if (rl_out.json) {
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_json_obj(&w);
        json_head(&w, p, o, room, false);
        rl_json_key(&w, "rows");
        rl_tune_json_rows(&w, &t);
        rl_json_key(&w, "kept_rows");
        rl_json_u64(&w, (uint64_t)kept);
        rl_json_key(&w, "budget");
        rl_json_obj(&w);
        rl_json_key(&w, "maxmemory_before");
        rl_json_u64(&w, before_mm);
        rl_json_key(&w, "maxmemory_after");
        if (replanned)
            rl_json_u64(&w, after.budget.maxmemory_bytes);
        else
            rl_json_null(&w);
        rl_json_key(&w, "overhead_source");
        rl_json_str(&w, replanned ? after.budget.overhead_source : NULL);
        rl_json_end_obj(&w);
        rl_json_end_obj(&w);
        rl_json_done(&w);
    } else {
        rl_tune_print_rows(stdout, &t);
        printf("\nwrote %s (%d row%s of %s%s)\n", path, t.nresults, t.nresults == 1 ? "" : "s", p->build.allocator,
               kept ? ", earlier rows of other sizes or allocators kept" : "");
        if (replanned) {
            char x[32], y[32];
            printf("the plan here: maxmemory %s (was %s), overhead factor %.3f from %s\n",
                   after.budget.maxmemory_bytes ? rl_fmt_size(after.budget.maxmemory_bytes, x, sizeof x) : "none",
                   before_mm ? rl_fmt_size(before_mm, y, sizeof y) : "none", after.budget.overhead_factor,
                   after.budget.overhead_source[0] ? after.budget.overhead_source : "the profile's rule");
        }
    }
    rl_plan_free(&after);
    return RL_EXIT_OK;
}

int rl_cmd_tune(struct rl_ctx *ctx)
{
    static struct rl_plan plan;
    static struct tune_opts o;
    const struct rl_args *a = ctx->args;
    char err[1024];
    if (a->npos > 0)
        return rl_usage_error("tune takes no arguments (got \"%s\"); give value sizes with --value-size", a->pos[0]);
    if (parse(a, &o, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    bool dry = rl_args_has(a, "dry-run");
    if (!ctx->root.host && !dry)
        return rl_usage_error("tune measures this machine: --sysroot works only with --dry-run");
    if (rl_config_dir(o.dir, sizeof o.dir) < 0) {
        rl_err("no XDG_CONFIG_HOME and no HOME: tune has nowhere to write its calibration; set one of them");
        return RL_EXIT_RUNTIME;
    }
    snprintf(o.path, sizeof o.path, "%s/%s", o.dir, RL_CALIBRATION_FILE);
    struct rl_plan_opts po = {.profile = rl_args_get(a, "profile")};
    if (rl_plan_make(&plan, &ctx->root, &po) < 0) {
        rl_err("%s", plan.errstr);
        rl_plan_free(&plan);
        return rl_exit_for(plan.err);
    }
    const struct rl_fu64 *nofile = &plan.facts.rlimit_nofile;
    if (nofile->state == RL_FACT_VALUE && (uint64_t)o.clients + 64 > nofile->v) {
        rl_plan_free(&plan);
        return rl_usage_error("--clients %lld needs %lld open files, and ulimit -n is %llu; raise it or lower "
                              "--clients", o.clients, o.clients + 64, (unsigned long long)nofile->v);
    }
    struct rl_tune_room room;
    rl_tune_room_of(&room, &plan.facts, plan.calibration.nrows ? &plan.calibration : NULL,
                    plan.shipped.nrows ? &plan.shipped : NULL, plan.build.allocator);
    int rc;
    if (fit(&o, &room, err, sizeof err) < 0) {
        rl_err("%s", err);
        rc = RL_EXIT_RUNTIME;
    } else if (dry) {
        rc = dry_run(&plan, &o, &room);
    } else {
        rl_signals_catch();
        if (rl_plan_obtain(&plan, &po, false, isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json) < 0) {
            rl_err("%s%s", plan.errstr, rl_signal_seen ? "; nothing was measured or written" : "");
            rc = rl_exit_for(plan.err);
        } else {
            rc = measure_and_write(&plan, &po, &o, &room, a);
        }
    }
    rl_plan_free(&plan);
    return rc;
}
