/* The command side of bench --eviction: its options, the refusal to evict on a server
 * redis-light did not start (unless --allow-eviction), the runs on the target or on
 * --launch servers (planned like `up`), and the table, JSON and SVG. Part of the bench
 * command (cli/bench.c), so it chooses exit codes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bench/eviction/evict_launch.h"
#include "cli/bench/eviction/evict_report.h"
#include "cli/bench/eviction/plot.h"
#include "cli/bench/target.h"
#include "cli/commands.h"
#include "cli/util/out.h"
#include "cli/util/size.h"

const char *const rl_eviction_only_opts[] = {"policies", "fill-factor", "plot", "launch", "allow-eviction",
                                             "maxmemory", "profile", NULL};

#define MAX_RUNS (RL_EVICT_MAX_POLICIES * RL_EVICT_MAX_LAUNCH)

static int parse(const struct rl_args *a, const struct rl_keydist *keys, struct rl_evict_cfg *ec, char *polbuf,
                 size_t pollen, char *err, size_t errlen)
{
    memset(ec, 0, sizeof *ec);
    ec->fill_factor = 3;
    ec->duration_s = 10;
    ec->warmup_s = 2;
    ec->zipf_s = RL_ZIPF_DEFAULT_S;
    static const char *const refused[] = {"ratio", "tests", "requests", "rps", "csv", NULL};
    for (int i = 0; refused[i]; i++)
        if (rl_args_has(a, refused[i])) {
            snprintf(err, errlen, "--%s does not apply to --eviction (it runs a fill phase and a cache-aside "
                     "phase of its own; size it with --fill-factor, --duration and -d)", refused[i]);
            return -1;
        }
    if (rl_args_double(a, "fill-factor", 0.1, 100, &ec->fill_factor, err, errlen) < 0 ||
        rl_args_double(a, "duration", 0.5, 86400, &ec->duration_s, err, errlen) < 0 ||
        rl_args_double(a, "warmup", 0, 3600, &ec->warmup_s, err, errlen) < 0)
        return -1;
    if (rl_args_has(a, "distribution")) {
        if (keys->kind != RL_DIST_ZIPF) {
            snprintf(err, errlen, "--eviction's cache phase draws keys by popularity: use --distribution zipf or "
                     "zipf:S, not %s", rl_args_get(a, "distribution"));
            return -1;
        }
        ec->zipf_s = keys->zipf_s;
    }
    const char *mm = rl_args_get(a, "maxmemory");
    if (mm) {
        char why[128];
        if (rl_parse_size(mm, &ec->maxmemory_set, why, sizeof why) < 0) {
            snprintf(err, errlen, "--maxmemory %s: %s", mm, why);
            return -1;
        }
        if (ec->maxmemory_set < (1u << 20)) {
            snprintf(err, errlen, "--maxmemory %s: give at least 1mb (the limit the fill runs into; 0 would "
                     "mean no limit, and nothing is evicted without one)", mm);
            return -1;
        }
    }
    const char *pol = rl_args_get(a, "policies");
    snprintf(polbuf, pollen, "%s", pol ? pol : "");
    for (char *save = NULL, *p = strtok_r(polbuf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (!rl_evict_policy_valid(p)) {
            snprintf(err, errlen, "--policies: unknown policy \"%s\" (noeviction, allkeys-lru, allkeys-lfu, "
                     "allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl)", p);
            return -1;
        }
        if (ec->npolicies == RL_EVICT_MAX_POLICIES) {
            snprintf(err, errlen, "--policies lists more than %d policies", RL_EVICT_MAX_POLICIES);
            return -1;
        }
        ec->policies[ec->npolicies++] = p;
    }
    const char *launch = rl_args_get(a, "launch");
    if (launch) {
        if (rl_args_has(a, "host") || rl_args_has(a, "port") || rl_args_has(a, "socket")) {
            snprintf(err, errlen, "--launch measures servers redis-light starts itself; drop -h/-p/-s");
            return -1;
        }
        int n = 0;
        for (const char *p = launch; *p; p++)
            n += *p == ',';
        if (n + 1 > RL_EVICT_MAX_LAUNCH || !launch[0] || strstr(launch, ",,") || launch[strlen(launch) - 1] == ',') {
            snprintf(err, errlen, "--launch takes 1 to %d comma-separated items (libc, jemalloc or profile names), "
                     "got \"%s\"", RL_EVICT_MAX_LAUNCH, launch);
            return -1;
        }
    } else if (rl_args_has(a, "profile")) {
        snprintf(err, errlen, "--profile chooses what --launch builds; without --launch bench measures a running server");
        return -1;
    }
    return 0;
}

/* A server redis-light did not start may hold the user's keys: eviction may drop them. */
static int check_target(struct rl_engine_cfg *cfg, const struct rl_args *a, struct rl_server_info *si, pid_t *local,
                        char *err, size_t errlen)
{
    redisContext *c = rl_control_connect(&cfg->target, err, errlen);
    if (!c || rl_control_info(c, &cfg->target, si, err, errlen) < 0) {
        redisFree(c);
        return RL_EXIT_RUNTIME;
    }
    redisFree(c);
    char w[PATH_MAX + 32];
    rl_target_where(&cfg->target, w, sizeof w);
    if (si->cluster) {
        snprintf(err, errlen, "%s is a Redis Cluster; cluster mode is not supported yet", w);
        return RL_EXIT_RUNTIME;
    }
    if (si->read_only_replica) {
        /* every SET would come back READONLY: no fill, no eviction, nothing to measure */
        snprintf(err, errlen, "%s is a read-only replica (role:slave, replica-read-only yes%s%s): it refuses the "
                 "writes --eviction makes; point bench at the master with -h/-p", w, si->master[0] ? ", master " : "",
                 si->master);
        return RL_EXIT_RUNTIME;
    }
    if (!rl_evict_server_owned(si->pid, &cfg->target) && !rl_args_has(a, "allow-eviction")) {
        snprintf(err, errlen, "%s is not a server redis-light started: --eviction fills it past maxmemory, and "
                 "its policy can then evict your own keys. Add --allow-eviction to run anyway (maxmemory and the "
                 "policy are restored afterwards; only keys under %s are written), or measure a throwaway server "
                 "with --launch libc", w, cfg->key_prefix);
        return RL_EXIT_USAGE;
    }
    *local = rl_evict_local_pid(&cfg->target, si->pid);
    return 0;
}

/* Error replies other than OOM (OOM is what noeviction is measured by): READONLY, NOPERM
 * and the like mean the figures do not describe eviction. Returns how many, and an example
 * reply in *example. */
static uint64_t other_errors(const struct rl_evict_run *runs, int nruns, const char **example)
{
    uint64_t n = 0;
    *example = "";
    for (int i = 0; i < nruns; i++) {
        const struct rl_run_result *phase[2] = {&runs[i].fill, &runs[i].cache};
        for (int p = 0; p < 2; p++) {
            const struct rl_counters *c = &phase[p]->stats.c;
            n += c->errors[RL_ERR_AUTH] + c->errors[RL_ERR_OTHER] + (c->warmup_errors - c->warmup_oom);
            for (int k = RL_ERR_AUTH; k < RL_ERR_COUNT && !(*example)[0]; k++)
                *example = phase[p]->first_error[k];
        }
    }
    return n;
}

int rl_bench_eviction(const struct rl_ctx *ctx, struct rl_engine_cfg *cfg, const char *target_source,
                      const struct rl_keydist *keys, volatile sig_atomic_t *interrupted)
{
    const struct rl_args *a = ctx->args;
    struct rl_evict_cfg ec;
    static char err[16384];
    char polbuf[256];
    err[0] = '\0';
    if (parse(a, keys, &ec, polbuf, sizeof polbuf, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    if (!rl_args_has(a, "datasize"))
        cfg->value_size = 1024; /* 3-byte values would measure key overhead, not a cache */
    if (cfg->value_size == 0)
        return rl_usage_error("--eviction needs values of at least 1 byte (-d)");
    if (!cfg->key_prefix[0])
        return rl_usage_error("--eviction deletes its own keys between runs, so it needs a non-empty --key-prefix");
    /* bench checked the send buffers with its own default value size */
    uint64_t per_cmd = cfg->value_size + strlen(cfg->key_prefix) + RL_KEY_DIGITS + 64;
    if ((uint64_t)cfg->clients * cfg->pipeline * per_cmd > (UINT64_C(1) << 30))
        return rl_usage_error("-c %u x -P %u x -d %zu needs more than 1 GiB of send buffers; lower one of them",
                              cfg->clients, cfg->pipeline, cfg->value_size);
    ec.live = isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json;
    const char *launch = rl_args_get(a, "launch");
    if (launch && !ctx->root.host)
        return rl_usage_error("--launch starts servers on this machine, planned for it; it cannot be combined "
                              "with --sysroot");

    signal(SIGPIPE, SIG_IGN);
    struct rl_server_info si;
    memset(&si, 0, sizeof si);
    pid_t local = 0;
    if (!launch) {
        int rc = check_target(cfg, a, &si, &local, err, sizeof err);
        if (rc == RL_EXIT_USAGE)
            return rl_usage_error("%s", err);
        if (rc) {
            rl_err("%s", err);
            return rc;
        }
    }
    static char current[48];
    if (ec.npolicies == 0) {
        snprintf(current, sizeof current, "%s", launch || !si.maxmemory_policy[0] ? "allkeys-lru" : si.maxmemory_policy);
        ec.policies[ec.npolicies++] = current;
    }
    static struct rl_evict_run runs[MAX_RUNS];
    int nruns = 0;
    struct rl_evict_report rep = {.cfg = cfg, .ec = &ec, .server = launch ? NULL : &si,
                                  .target_source = target_source, .runs = runs};
    if (!rl_out.quiet && !rl_out.json)
        rl_evict_header(stdout, &rep);
    fflush(stdout);

    cfg->interrupted = interrupted; /* the signal module's flag: SIGINT, SIGTERM, SIGHUP */
    int rc;
    if (launch) {
        enum rl_fault fault;
        rc = rl_evict_launch(cfg, &ec, &ctx->root, launch, rl_args_get(a, "profile"), runs, &nruns, &fault, err,
                             sizeof err) < 0 ? rl_exit_for(fault) : 0;
    } else {
        rc = rl_evict_on_server(cfg, &ec, local, "target", si.mem_allocator, si.redis_version, runs, &nruns, err,
                                sizeof err) < 0 ? RL_EXIT_RUNTIME : 0;
    }
    if (*interrupted && !err[0])
        snprintf(err, sizeof err, "interrupted");
    bool stopped = rc || *interrupted;
    const char *example = "";
    uint64_t errors = stopped ? 0 : other_errors(runs, nruns, &example);
    static char problems[512];
    if (errors)
        snprintf(problems, sizeof problems, "the server answered %llu request%s with an error other than OOM "
                 "(e.g. \"%s\")%s; the hit ratios and eviction figures do not measure eviction",
                 (unsigned long long)errors, errors == 1 ? "" : "s", example,
                 strncmp(example, "READONLY", 8) == 0 ? ": it is a read-only replica, point bench at its master" : "");
    rep.nruns = nruns;
    rep.error = stopped ? err : NULL;
    rep.problem = errors ? problems : NULL;
    if (rl_out.json)
        rl_evict_json(stdout, &rep);
    else
        rl_evict_table(stdout, &rep);
    fflush(stdout);
    const char *plot = rl_args_get(a, "plot");
    char perr[4200];
    bool plot_failed = false;
    if (plot && nruns && rl_plot_svg(plot, runs, nruns, perr, sizeof perr) < 0) {
        rl_err("%s", perr);
        plot_failed = true;
    } else if (plot && nruns && !rl_out.quiet && !rl_out.json) {
        rl_info("chart written to %s", plot);
    }
    for (int i = 0; i < nruns; i++)
        rl_evict_run_free(&runs[i]);
    if (stopped) {
        rl_err("bench --eviction stopped early: %s", err);
        return rc == RL_EXIT_USAGE ? rc : RL_EXIT_RUNTIME;
    }
    if (plot_failed)
        return RL_EXIT_RUNTIME;
    if (errors) {
        rl_err("%s", problems);
        return RL_EXIT_PROBLEMS;
    }
    return RL_EXIT_OK;
}
