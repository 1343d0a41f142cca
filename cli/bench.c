/* `redis-light bench`: SET/GET throughput and latency against a Redis server. Parses the
 * options into an engine configuration, checks the target over a control connection, runs
 * each test in turn on the engine (cli/bench/) and renders the results once collected. */
#include <ctype.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench/engine.h"
#include "cli/bench/report.h"
#include "cli/bench/target.h"
#include "cli/commands.h"
#include "cli/sys/signals.h"
#include "cli/util/out.h"
#include "cli/util/size.h"

const struct rl_opt rl_bench_opts[] = {
    {"host", 'h', "HOST", "server host (default: the instance `up` runs, else 127.0.0.1)", false},
    {"port", 'p', "PORT", "server port (default 6379)", false},
    {"socket", 's', "PATH", "connect through this unix socket instead of TCP", false},
    {"password", 'a', "PASS", "password to AUTH with (or set REDISCLI_AUTH)", false},
    {"user", 0, "USER", "ACL user to AUTH as (with -a)", false},
    {"dbnum", 0, "N", "SELECT this database number (default 0)", false},
    {"clients", 'c', "N", "parallel connections (default 50)", false},
    {"threads", 0, "N", "worker threads, each with its own event loop (default 1)", false},
    {"requests", 'n', "N", "answered requests per test (default 100000; k/m/g suffixes)", false},
    {"duration", 0, "SECONDS", "run each test for this long instead of -n", false},
    {"warmup", 0, "SECONDS", "load the server this long first; excluded from every figure", false},
    {"datasize", 'd', "BYTES", "SET value size (default 3; kb/mb suffixes)", false},
    {"keyspace", 'r', "N", "distinct keys, PREFIX000000000000 upwards (default 100000)", false},
    {"pipeline", 'P', "N", "requests in flight per connection (default 1)", false},
    {"tests", 't', "LIST", "tests to run in turn, from set,get (default set,get)", false},
    {"ratio", 0, "S:G", "one mixed test with SETs and GETs in this proportion (e.g. 1:10)", false},
    {"distribution", 0, "DIST", "key choice: uniform, sequential, zipf or zipf:S (default uniform)", false},
    {"key-prefix", 0, "PREFIX", "prefix of every key bench touches (default rl:)", false},
    {"rps", 0, "N", "total request rate; latency then counts from the intended send time", false},
    {"seed", 0, "N", "random seed for key choice (default: from the clock; the header shows it)", false},
    {"timeout", 0, "SECONDS", "connect and reply timeout, and how long to retry (default 3)", false},
    {"csv", 0, NULL, "CSV on stdout: redis-benchmark's columns, then ours", false},
    {"eviction", 0, NULL, "measure eviction: fill past maxmemory, then a cache-aside phase (see below)", false},
    {"policies", 0, "LIST", "--eviction: maxmemory-policies to run in turn (default: the server's)", false},
    {"fill-factor", 0, "F", "--eviction: write F times maxmemory in the fill phase (default 3)", false},
    {"maxmemory", 0, "SIZE", "--eviction: CONFIG SET maxmemory for the run (restored after)", false},
    {"allow-eviction", 0, NULL, "--eviction on a server redis-light did not start (may evict its keys)", false},
    {"launch", 0, "LIST", "--eviction on throwaway servers: libc, jemalloc or profile names", false},
    {"profile", 0, "NAME|PATH", "--launch: the profile to build (default: the one doctor picks)", false},
    {"plot", 0, "FILE.svg", "--eviction: chart of memory, evictions and ops/s over time", false},
    {NULL, 0, NULL, NULL, false},
};

#define MAX_TESTS 8
#define BUFFER_LIMIT (UINT64_C(1) << 30) /* refuse runs whose send buffers exceed 1 GiB */

struct bench_plan {
    struct rl_engine_cfg cfg;
    struct rl_keydist keys;
    const char *ratio;
    unsigned ratio_set, ratio_get;
    const char *tests[MAX_TESTS];
    int ntests;
    bool csv;
    char source[128];
};

/* A whole count with optional k/m/g (powers of 1000) or kb/mb (1024) suffix. */
static int count_opt(const struct rl_args *a, const char *name, uint64_t min, uint64_t max,
                     uint64_t *out, char *err, size_t errlen)
{
    const char *v = rl_args_get(a, name);
    if (!v)
        return 0;
    uint64_t n;
    char why[128];
    if (rl_parse_size(v, &n, why, sizeof why) < 0) {
        snprintf(err, errlen, "--%s expects a whole number (k, m, g suffixes allowed), got \"%s\"",
                 name, v);
        return -1;
    }
    if (n < min || n > max) {
        snprintf(err, errlen, "--%s must be between %" PRIu64 " and %" PRIu64 ", got %s", name, min,
                 max, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_tests(struct bench_plan *p, const char *list, char *err, size_t errlen)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    p->ntests = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        for (char *q = t; *q; q++)
            *q = (char)toupper((unsigned char)*q);
        if (strcmp(t, "SET") != 0 && strcmp(t, "GET") != 0) {
            snprintf(err, errlen, "-t: unknown test \"%s\"; bench runs set and get (or use "
                     "--ratio for a mix)", t);
            return -1;
        }
        if (p->ntests == MAX_TESTS) {
            snprintf(err, errlen, "-t lists more than %d tests", MAX_TESTS);
            return -1;
        }
        p->tests[p->ntests++] = t;
    }
    if (!p->ntests) {
        snprintf(err, errlen, "-t \"%s\" names no test; use e.g. -t set,get", list);
        return -1;
    }
    return 0;
}

static int parse_target(struct bench_plan *p, const struct rl_args *a, char *err, size_t errlen)
{
    struct rl_target *t = &p->cfg.target;
    long long port = 6379, db = 0;
    double timeout = 3;
    if (rl_args_int(a, "port", 1, 65535, &port, err, errlen) < 0 ||
        rl_args_int(a, "dbnum", 0, 1000000, &db, err, errlen) < 0 ||
        rl_args_double(a, "timeout", 0.05, 3600, &timeout, err, errlen) < 0)
        return -1;
    t->dbnum = (int)db;
    t->timeout_ms = (int)(timeout * 1000 + 0.5);
    const char *sock = rl_args_get(a, "socket"), *host = rl_args_get(a, "host");
    if ((host && !host[0]) || (sock && !sock[0])) {
        snprintf(err, errlen, "%s needs a value, got an empty string; give a host name or address (-h), or a "
                 "socket path (-s)", host && !host[0] ? "-h" : "-s");
        return -1;
    }
    if (sock) {
        if (host || rl_args_has(a, "port")) {
            snprintf(err, errlen, "-s connects through a unix socket: give either -s or -h/-p");
            return -1;
        }
        snprintf(t->socket, sizeof t->socket, "%s", sock);
        snprintf(p->source, sizeof p->source, "-s");
    } else if (host || rl_args_has(a, "port")) {
        snprintf(t->host, sizeof t->host, "%s", host ? host : "127.0.0.1");
        t->port = (int)port;
        snprintf(p->source, sizeof p->source, "-h/-p");
    } else {
        rl_target_default(t, p->source, sizeof p->source);
    }
    const char *pass = rl_args_get(a, "password");
    if (!pass)
        pass = getenv("REDISCLI_AUTH");
    const char *user = rl_args_get(a, "user");
    if (user && !pass) {
        snprintf(err, errlen, "--user %s needs a password: add -a PASSWORD (or set REDISCLI_AUTH)", user);
        return -1;
    }
    if (pass) {
        if (strlen(pass) >= sizeof t->password || (user && strlen(user) >= sizeof t->user)) {
            snprintf(err, errlen, "the password or user name is too long (limit %zu bytes)",
                     sizeof t->user - 1);
            return -1;
        }
        snprintf(t->password, sizeof t->password, "%s", pass);
        snprintf(t->user, sizeof t->user, "%s", user ? user : "");
        t->has_password = true;
    }
    return 0;
}

static int parse_plan(struct bench_plan *p, const struct rl_args *a, char *err, size_t errlen)
{
    struct rl_engine_cfg *c = &p->cfg;
    long long clients = 50, threads = 1, pipeline = 1;
    uint64_t requests = 100000, value = 3, keyspace = 100000, seed = 0;
    double duration = 0, warmup = 0, rps = 0;
    if (a->npos) {
        snprintf(err, errlen, "bench takes no arguments, got \"%s\"", a->pos[0]);
        return -1;
    }
    if (rl_args_int(a, "clients", 1, 100000, &clients, err, errlen) < 0 ||
        rl_args_int(a, "threads", 1, 256, &threads, err, errlen) < 0 ||
        rl_args_int(a, "pipeline", 1, 100000, &pipeline, err, errlen) < 0 ||
        count_opt(a, "requests", 1, UINT64_C(1) << 48, &requests, err, errlen) < 0 ||
        count_opt(a, "datasize", 0, UINT64_C(512) << 20, &value, err, errlen) < 0 ||
        count_opt(a, "keyspace", 1, RL_KEYSPACE_MAX, &keyspace, err, errlen) < 0 ||
        rl_args_double(a, "duration", 0.001, 1e7, &duration, err, errlen) < 0 ||
        rl_args_double(a, "warmup", 0, 1e6, &warmup, err, errlen) < 0 ||
        rl_args_double(a, "rps", 1, 1e9, &rps, err, errlen) < 0 ||
        count_opt(a, "seed", 0, UINT64_MAX, &seed, err, errlen) < 0)
        return -1;
    if (threads > clients) {
        snprintf(err, errlen, "--threads %lld is more than -c %lld: every thread needs at least "
                 "one client", threads, clients);
        return -1;
    }
    if (rl_args_has(a, "duration") && rl_args_has(a, "requests")) {
        snprintf(err, errlen, "give either -n (requests) or --duration (seconds), not both");
        return -1;
    }
    c->clients = (unsigned)clients;
    c->threads = (unsigned)threads;
    c->pipeline = (unsigned)pipeline;
    c->requests = requests;
    c->duration_ns = (uint64_t)(duration * 1e9);
    c->warmup_ns = (uint64_t)(warmup * 1e9);
    c->value_size = (size_t)value;
    c->rps = rps;
    c->seed = rl_args_has(a, "seed") ? seed
                                     : ((uint64_t)time(NULL) * 1000003u) ^ (uint64_t)getpid();
    c->key_prefix = rl_args_get(a, "key-prefix") ? rl_args_get(a, "key-prefix") : "rl:";
    if (strlen(c->key_prefix) > 1024) {
        snprintf(err, errlen, "--key-prefix is longer than 1024 bytes");
        return -1;
    }
    for (const char *k = c->key_prefix; *k; k++)
        if ((unsigned char)*k < 0x20 || *k == 0x7f) {
            /* the keys and the printed clean-up commands must stay one line each */
            snprintf(err, errlen, "--key-prefix contains a control character (newline, tab, …); give printable text");
            return -1;
        }
    p->keys.keyspace = keyspace;
    p->keys.kind = RL_DIST_UNIFORM;
    const char *dist = rl_args_get(a, "distribution");
    if (dist && rl_keydist_parse(dist, &p->keys, err, errlen) < 0)
        return -1;
    p->keys.keyspace = keyspace;
    p->ratio = rl_args_get(a, "ratio");
    if (p->ratio) {
        if (rl_args_has(a, "tests")) {
            snprintf(err, errlen, "--ratio runs one mixed test: give either -t or --ratio");
            return -1;
        }
        if (rl_ratio_parse(p->ratio, &p->ratio_set, &p->ratio_get, err, errlen) < 0)
            return -1;
        p->tests[0] = "SET:GET";
        p->ntests = 1;
    } else if (parse_tests(p, rl_args_get(a, "tests") ? rl_args_get(a, "tests") : "set,get",
                           err, errlen) < 0) {
        return -1;
    }
    /* Every connection holds one batch of the longest command. */
    uint64_t per_cmd = value + strlen(c->key_prefix) + RL_KEY_DIGITS + 64;
    if ((uint64_t)clients * (uint64_t)pipeline * per_cmd > BUFFER_LIMIT) {
        snprintf(err, errlen, "-c %lld x -P %lld x -d %" PRIu64 " needs more than 1 GiB of send "
                 "buffers; lower one of them", clients, pipeline, value);
        return -1;
    }
    p->csv = rl_args_has(a, "csv");
    if (p->csv && rl_out.json) {
        snprintf(err, errlen, "give either --csv or --json, not both");
        return -1;
    }
    return parse_target(p, a, err, errlen);
}

/* Each client is a socket: make sure the process may open that many. */
static int check_fds(unsigned clients, unsigned threads, char *err, size_t errlen)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)clients + 3 * (rlim_t)threads + 32;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
        rl.rlim_cur = need;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            return 0;
    }
    snprintf(err, errlen, "-c %u needs %llu file descriptors but this process may open %llu "
             "(ulimit -n, hard limit %llu); lower -c or raise the limit", clients,
             (unsigned long long)need, (unsigned long long)rl.rlim_cur,
             (unsigned long long)rl.rlim_max);
    return -1;
}

static int run_tests(struct bench_plan *p, struct rl_run_result *results, int *nresults,
                     const char **error)
{
    bool live = isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json;
    /* the one interrupt flag every long step honours (cli/sys/signals.h) */
    rl_signals_catch();
    p->cfg.interrupted = &rl_signal_seen;
    int rc = 0;
    *nresults = 0;
    for (int i = 0; i < p->ntests && rc == 0; i++) {
        struct rl_workload wl;
        if (p->ratio)
            rl_workload_setget(&wl, p->tests[i], &p->keys, p->ratio_set, p->ratio_get);
        else if (strcmp(p->tests[i], "SET") == 0)
            rl_workload_setget(&wl, "SET", &p->keys, 1, 0);
        else
            rl_workload_setget(&wl, "GET", &p->keys, 0, 1);
        wl.seed_offset = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);
        struct rl_live l = {.test = p->tests[i], .warmup_s = (double)p->cfg.warmup_ns / 1e9};
        struct rl_engine_hooks hooks = {.on_tick = live ? rl_live_tick : NULL, .arg = &l};
        rc = rl_engine_run(&p->cfg, &wl, &hooks, &results[i]);
        (*nresults)++;
        rl_live_clear(&l);
        if (rc < 0)
            *error = results[i].reason;
    }
    return rc;
}

static int eviction(struct bench_plan *plan, const struct rl_ctx *ctx)
{
    /* --eviction changes the server's settings: every way of being asked to stop
     * (SIGINT, SIGTERM, a closed terminal's SIGHUP) sets the one interrupt flag, which
     * ends the run (and a --launch build) and restores them */
    rl_signals_catch();
    return rl_bench_eviction(ctx, &plan->cfg, plan->source, &plan->keys, &rl_signal_seen);
}

int rl_cmd_bench(struct rl_ctx *ctx)
{
    static struct bench_plan plan;
    char err[512];
    memset(&plan, 0, sizeof plan);
    if (!rl_args_has(ctx->args, "eviction"))
        for (int i = 0; rl_eviction_only_opts[i]; i++)
            if (rl_args_has(ctx->args, rl_eviction_only_opts[i]))
                return rl_usage_error("--%s is an option of bench --eviction", rl_eviction_only_opts[i]);
    if (parse_plan(&plan, ctx->args, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    if (check_fds(plan.cfg.clients, plan.cfg.threads, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    if (rl_args_has(ctx->args, "eviction"))
        return eviction(&plan, ctx);

    /* A server that closes a connection must show up as a counted failure, not kill the
     * process: the load connections send with MSG_NOSIGNAL, hiredis's control one cannot. */
    signal(SIGPIPE, SIG_IGN);
    struct rl_server_info si;
    redisContext *control = rl_control_connect(&plan.cfg.target, err, sizeof err);
    if (!control || rl_control_info(control, &plan.cfg.target, &si, err, sizeof err) < 0) {
        rl_err("%s", err);
        redisFree(control);
        return RL_EXIT_RUNTIME;
    }
    redisFree(control); /* the header's facts are read; it would only sit idle */
    if (si.cluster) {
        char w[PATH_MAX + 32];
        rl_target_where(&plan.cfg.target, w, sizeof w);
        rl_err("%s has cluster_enabled:1; this is a Redis Cluster; cluster mode is not supported "
               "yet: point bench at a standalone server", w);
        return RL_EXIT_RUNTIME;
    }

    struct rl_bench_report rep = {
        .cfg = &plan.cfg, .server = &si, .target_source = plan.source, .keys = &plan.keys,
        .ratio = plan.ratio, .tests = plan.tests, .ntests = plan.ntests,
    };
    bool table = !plan.csv && !rl_out.json;
    if (table && !rl_out.quiet)
        rl_report_header(stdout, &rep);
    else if (!rl_out.quiet && !rl_out.json)
        rl_report_header(stderr, &rep);
    fflush(stdout);

    static struct rl_run_result results[MAX_TESTS];
    int n = 0;
    const char *error = NULL;
    int rc = run_tests(&plan, results, &n, &error);
    rep.results = results;
    rep.nresults = n;
    rep.error = error;
    if (rl_out.json)
        rl_report_json(stdout, &rep);
    else if (plan.csv)
        rl_report_csv(stdout, &rep);
    else
        rl_report_table(stdout, &rep);
    fflush(stdout);

    int exit_code = RL_EXIT_OK;
    if (rc < 0) {
        rl_err("bench stopped early: %s%s", error,
               n && rl_counters_ops(&results[n - 1].stats.c) ? " (results above are partial)" : "");
        exit_code = RL_EXIT_RUNTIME;
    } else {
        uint64_t errors = 0, conn = 0;
        for (int i = 0; i < n; i++) {
            errors += rl_counters_errors(&results[i].stats.c);
            conn += results[i].stats.c.conn_errors;
        }
        if (errors || conn) {
            rl_warn("the server answered %" PRIu64 " request%s with an error and %" PRIu64
                    " connection%s failed; see the details above", errors, errors == 1 ? "" : "s",
                    conn, conn == 1 ? "" : "s");
            exit_code = RL_EXIT_PROBLEMS;
        }
    }
    for (int i = 0; i < n; i++)
        rl_run_result_free(&results[i]);
    return exit_code;
}
