/* redis-light up: doctor → profile → build if needed → redis.conf → launch → ready →
 * URL. Foreground by default (the log streams; Ctrl-C stops Redis once); --detach leaves
 * it running with an instance record for status and down. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/instance/claim.h"
#include "cli/instance/client.h"
#include "cli/instance/conf.h"
#include "cli/instance/diagnose.h"
#include "cli/instance/identity.h"
#include "cli/instance/launch.h"
#include "cli/build/obtain.h"
#include "cli/instance/password.h"
#include "cli/instance/persist.h"
#include "cli/instance/port.h"
#include "cli/sys/files.h"
#include "cli/sys/signals.h"
#include "cli/sys/spawn.h"
#include "cli/instance/stop.h"
#include "cli/instance/supervise.h"
#include "cli/instance/up_plan.h"
#include "cli/util/json.h"
#include "cli/util/paths.h"
#include "cli/util/out.h"
#include "cli/util/size.h"

const struct rl_opt rl_up_opts[] = {
    {"profile", 0, "NAME|PATH", "use this profile instead of the one doctor picks here", false},
    {"source", 0, "DIR|TARBALL", "Redis source to build from when no cached build matches", false},
    {"port", 'p', "N|auto", "TCP port (default 6379; auto picks a free one; 0 with --socket: no TCP)", false},
    {"bind", 0, "ADDR", "address(es) to listen on (default 127.0.0.1)", false},
    {"socket", 's', "PATH", "also listen on this Unix socket (path under 100 bytes)", false},
    {"maxmemory", 0, "SIZE|N%", "override the profile's maxmemory (64mb, 25% of the limit)", false},
    {"policy", 0, "POLICY", "override maxmemory-policy (allkeys-lru, noeviction, …)", false},
    {"persist", 0, "aof|rdb|none", "keep the data on disk: aof (fsync every second) or rdb snapshots, with policy "
     "noeviction; down keeps it, the next up loads it (default: the profile's, or the data's own)", false},
    {"set", 0, "KEY=VALUE", "extra redis.conf directive (repeatable)", true},
    {"password", 0, "PASS", "require this password (requirepass; visible in ps: prefer --password-file)", false},
    {"password-file", 0, "FILE", "require the password on the first line of FILE (kept 0600 for status, down, bench)", false},
    {"timeout", 0, "SECONDS", "how long to wait for Redis to answer PING before giving up (default 60)", false},
    {"name", 0, "NAME", "instance name, for several side by side (default: default)", false},
    {"detach", 'd', NULL, "return once Redis is ready and leave it running", false},
    {"dry-run", 'n', NULL, "print the plan and the redis.conf; change nothing", false},
    {"rebuild", 0, NULL, "rebuild Redis even when a cached build matches", false},
    {"force", 0, NULL, "allow a maxmemory above the memory limit", false},
    {NULL, 0, NULL, NULL, false},
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void mark_stopped(struct rl_up *u)
{
    char err[512];
    u->in.pid = 0;
    u->in.starttime = 0;
    u->in.supervisor = 0;
    snprintf(u->in.state, sizeof u->in.state, "stopped");
    if (rl_instance_save(&u->in, err, sizeof err) < 0)
        rl_warn("%s", err);
    if (u->in.socket[0]) {
        struct stat st;
        if (lstat(u->in.socket, &st) == 0 && S_ISSOCK(st.st_mode) && !rl_identity_socket_in_use(u->in.socket))
            unlink(u->in.socket);
    }
    unlink(u->in.pidfile);
}

/* Redis ended on its own: say how, show the log's end, explain from the facts. */
static int report_death(struct rl_up *u, int status, bool after_ready)
{
    char how[96], where[512];
    struct rl_oom_snapshot after;
    rl_oom_snapshot(0, &after);
    uint64_t kills = rl_oom_delta(&u->oom_before, &after, where, sizeof where);
    char *tail = rl_file_tail(u->in.log, u->log_offset, 20);
    struct rl_death d = {.status = status, .after_ready = after_ready, .log_tail = tail,
                         .oom_kills = kills, .oom_where = where, .data_dir = u->in.data, .server = u->in.binary};
    char diag[16384];
    rl_diagnose(&u->facts, &d, diag, sizeof diag);
    rl_err("redis-server (pid %d) %s %s.\nLast lines of %s:\n%s\nDiagnosis: %s\nConfig: %s", (int)u->in.pid,
           rl_status_text(status, how, sizeof how), after_ready ? "after it was ready" : "during startup",
           u->in.log, tail && *tail ? tail : "(the log is empty)", diag, u->in.conf);
    free(tail);
    mark_stopped(u);
    return RL_EXIT_RUNTIME;
}

static void print_ready(struct rl_up *u, double seconds)
{
    char url[PATH_MAX + 16], mm[32];
    rl_instance_url(&u->in, url, sizeof url);
    if (u->maxmemory)
        rl_fmt_size_conf(u->maxmemory, mm, sizeof mm);
    if (rl_out.json) {
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_json_obj(&w);
        rl_json_key(&w, "name"); rl_json_str(&w, u->in.name);
        rl_json_key(&w, "url"); rl_json_str(&w, url);
        rl_json_key(&w, "pid"); rl_json_i64(&w, u->in.pid);
        rl_json_key(&w, "port"); rl_json_i64(&w, u->in.port);
        rl_json_key(&w, "socket"); rl_json_str(&w, u->in.socket[0] ? u->in.socket : NULL);
        rl_json_key(&w, "profile"); rl_json_str(&w, u->in.profile);
        rl_json_key(&w, "malloc"); rl_json_str(&w, u->in.allocator);
        rl_json_key(&w, "maxmemory"); rl_json_u64(&w, u->maxmemory);
        rl_json_key(&w, "maxmemory_policy"); rl_json_str(&w, u->policy);
        rl_json_key(&w, "ready_seconds"); rl_json_dbl(&w, seconds);
        rl_json_key(&w, "detached"); rl_json_bool(&w, u->in.detached);
        rl_json_key(&w, "config"); rl_json_str(&w, u->in.conf);
        rl_json_key(&w, "log"); rl_json_str(&w, u->in.log);
        rl_json_key(&w, "binary"); rl_json_str(&w, u->in.binary);
        rl_json_end_obj(&w);
        rl_json_done(&w);
        return;
    }
    if (!rl_out.quiet)
        fprintf(stderr, "%sready%s: %s (profile %s, malloc=%s, %s%s%s%s) in %.2f s\n", rl_c(RL_GREEN, true),
                rl_c(RL_RESET, true), url, u->in.profile, u->in.allocator, u->maxmemory ? "maxmemory " : "no maxmemory",
                u->maxmemory ? mm : "", u->policy[0] ? " " : "", u->policy, seconds);
    if (u->in.socket[0] && u->in.port)
        rl_info("also on the Unix socket %s", u->in.socket);
    if (u->password[0])
        rl_info("clients must authenticate: requirepass is set in %s", u->in.conf);
    printf("export REDIS_URL=%s\n", url);
    fflush(stdout);
    if (u->in.detached)
        rl_info("running in the background; stop it with: redis-light down%s%s", strcmp(u->in.name, "default") ? " --name " : "",
                strcmp(u->in.name, "default") ? u->in.name : "");
}

/* After PING: what the server says about itself, checked against the plan. */
/* What this start loaded from disk, and what Redis repaired to load it. */
static void report_loaded(struct rl_up *u, redisContext *c)
{
    char cut[512];
    int cuts = rl_persist_log_truncations(u->in.log, u->log_offset, cut, sizeof cut);
    if (cuts > 0)
        rl_warn("Redis found the append-only file cut short and truncated it (%s%s): every complete command "
                "before the cut is loaded; the partial last one, written as the server was killed or the disk "
                "filled, is dropped. Its log says so: %s", cut, cuts > 1 ? ", and more" : "", u->in.log);
    if (!u->persist_found[0])
        return;
    char *ks = rl_client_info(c, "keyspace");
    if (!ks)
        return; /* no answer: better no figure than a wrong one */
    unsigned long long keys = 0;
    for (const char *l = ks; l && (l = strstr(l, "keys=")); l += 5)
        keys += strtoull(l + 5, NULL, 10);
    free(ks);
    rl_info("loaded %llu keys from the %s in %s", keys,
            strcmp(u->persist_found, "aof") == 0 ? "append-only file" : "RDB snapshot", u->in.data);
}

static void check_server(struct rl_up *u)
{
    char err[256];
    redisContext *c = rl_client_connect(&u->in, u->password, 2000, err, sizeof err);
    if (!c) {
        rl_warn("%s", err);
        return;
    }
    char *info = rl_client_info(c, "memory");
    if (info && rl_info_field(info, "mem_allocator", u->in.allocator, sizeof u->in.allocator) == 0 &&
        strncmp(u->in.allocator, u->allocator_wanted, strlen(u->allocator_wanted)) != 0)
        rl_warn("Redis reports mem_allocator:%s, but profile %s asks for %s", u->in.allocator, u->in.profile,
                u->allocator_wanted);
    free(info);
    redisReply *r = redisCommand(c, "CONFIG GET maxmemory");
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING) {
        unsigned long long mm = strtoull(r->element[1]->str, NULL, 10);
        if (mm != u->maxmemory)
            rl_warn("Redis runs with maxmemory %llu, not the planned %llu: a later line of %s overrides it",
                    mm, (unsigned long long)u->maxmemory, u->in.conf);
    }
    freeReplyObject(r);
    report_loaded(u, c);
    redisFree(c);
}

static int stop_once(struct rl_up *u)
{
    char st = rl_proc_state(u->in.pid);
    struct rl_stop s = {.in = &u->in, .password = u->password, .is_child = true, .save = u->in.persistent,
                        .shutdown_timeout = u->in.persistent ? 60 : 10, .term_timeout = 10};
    if (st == 'T' || st == 't') /* rl_stop_instance signals a stopped process instead */
        rl_info("stopping Redis (pid %d), which is itself stopped…", (int)u->in.pid);
    else
        rl_info("stopping Redis (pid %d) with %s…", (int)u->in.pid, rl_stop_command(&s));
    struct rl_stop_result r;
    int rc = rl_stop_instance(&s, &r);
    rl_tail_flush(&u->tail);
    if (r.note[0])
        rl_warn("%s", r.note);
    if (rc < 0) {
        rl_err("could not stop redis-server pid %d: %s", (int)u->in.pid, r.note);
        return RL_EXIT_RUNTIME;
    }
    mark_stopped(u);
    rl_info("Redis stopped in %.2f s%s", r.seconds, u->in.persistent ? "; data saved in the state directory" : "");
    return RL_EXIT_OK;
}

/* --password or --password-file into pw (checked). Returns 0, or -1 with err. */
static int take_password(const struct rl_args *a, char *pw, size_t len, char *err, size_t errlen)
{
    const char *given = rl_args_get(a, "password"), *file = rl_args_get(a, "password-file");
    pw[0] = '\0';
    if (given && file) {
        snprintf(err, errlen, "give --password or --password-file, not both");
        return -1;
    }
    if (file)
        return rl_password_read_file(file, pw, len, err, errlen);
    if (given) {
        if (rl_password_check(given, "--password", err, errlen) < 0)
            return -1;
        snprintf(pw, len, "%s", given);
    }
    return 0;
}

int rl_cmd_up(struct rl_ctx *ctx)
{
    static struct rl_up u;
    static char password[RL_PASSWORD_MAX + 1];
    double t0 = mono(), ready_timeout = 60;
    const struct rl_args *a = ctx->args;
    if (a->npos > 0)
        return rl_usage_error("up takes no arguments (got \"%s\"); name an instance with --name", a->pos[0]);
    char perr[PATH_MAX + 512];
    if (take_password(a, password, sizeof password, perr, sizeof perr) < 0 ||
        rl_args_double(a, "timeout", 0.1, 86400, &ready_timeout, perr, sizeof perr) < 0)
        return rl_usage_error("%s", perr);
    struct rl_up_opts o = {
        .profile = rl_args_get(a, "profile"), .source = rl_args_get(a, "source"), .port = rl_args_get(a, "port"),
        .bind = rl_args_get(a, "bind"), .socket = rl_args_get(a, "socket"), .maxmemory = rl_args_get(a, "maxmemory"),
        .policy = rl_args_get(a, "policy"), .persist = rl_args_get(a, "persist"), .name = rl_args_get(a, "name"), .detach = rl_args_has(a, "detach"),
        .dry_run = rl_args_has(a, "dry-run"), .rebuild = rl_args_has(a, "rebuild"), .force = rl_args_has(a, "force"),
        .password = password[0] ? password : NULL,
    };
    o.nset = rl_args_count(a, "set");
    if (o.nset > RL_UP_MAX_SET)
        return rl_usage_error("at most %d --set options", RL_UP_MAX_SET);
    for (int i = 0; i < o.nset; i++)
        o.set[i] = rl_args_nth(a, "set", i);
    static char err[8192];
    /* Checked before any path is built from it: an over-long name is invalid input. */
    const char *name = o.name ? o.name : "default";
    if (rl_instance_name_ok(name, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    rl_signals_catch();
    /* The instance's lock, from before the old record is read until the new one says
     * running, and for a foreground up until it ends (claim.h); a dry run changes nothing
     * and needs none. */
    struct rl_instance_lock lock = {.fd = -1};
    if (!o.dry_run) {
        char state[PATH_MAX];
        if (rl_state_dir(state, sizeof state) < 0) {
            rl_err("cannot find the state directory: neither XDG_STATE_HOME nor HOME is set; set one");
            return RL_EXIT_RUNTIME;
        }
        if (rl_claim_for_up(&lock, state, name, err, sizeof err) < 0) {
            rl_err("%s", err);
            return RL_EXIT_RUNTIME;
        }
    }
    enum rl_fault fault;
    int rc = RL_EXIT_OK;
    if (rl_up_plan(&o, &ctx->root, &u, err, sizeof err, &fault) < 0) {
        if (fault == RL_FAULT_INPUT) {
            rc = rl_usage_error("%s", err);
        } else {
            rl_err("%s", err);
            rc = RL_EXIT_RUNTIME;
        }
    } else if (!u.dry_run && rl_up_write(&u) < 0)
        rc = RL_EXIT_RUNTIME;
    if (rc != RL_EXIT_OK || u.dry_run) {
        rl_up_free(&u);
        rl_instance_unlock(&lock);
        return rc;
    }
    rl_oom_snapshot(0, &u.oom_before);
    u.tail = (struct rl_tail){.path = u.in.log, .offset = rl_file_size(u.in.log),
                              .out = (rl_out.quiet || rl_out.json || u.in.detached) ? NULL : stdout};
    u.log_offset = u.tail.offset;
    struct rl_launch l = {.server = u.build.server, .conf = u.in.conf, .log = u.in.log, .detach = u.in.detached};
    u.in.pid = rl_launch(&l, err, sizeof err);
    if (u.in.pid < 0) {
        rl_err("%s", err);
        rl_up_free(&u);
        rl_instance_unlock(&lock);
        return RL_EXIT_RUNTIME;
    }
    /* The record goes down before waiting: if up is killed now, down still finds Redis. */
    rl_proc_starttime(u.in.pid, &u.in.starttime);
    u.in.supervisor = u.in.detached ? 0 : getpid();
    u.in.started_at = (long long)time(NULL);
    snprintf(u.in.state, sizeof u.in.state, "starting");
    if (rl_instance_save(&u.in, err, sizeof err) < 0)
        rl_warn("%s; status and down will not see this instance", err);

    double t_launch = mono();
    rl_debug("launched pid %d %.3f s after start", (int)u.in.pid, t_launch - t0);
    int status = 0;
    enum rl_ready_end end = rl_wait_ready(u.in.pid, &u.in, u.password, u.log_offset, ready_timeout, &status, err,
                                         sizeof err);
    rl_tail_flush(&u.tail);
    double t_ready = mono();
    bool answered = end == RL_READY;
    if (end == RL_READY) {
        rl_debug("PING answered PONG %.3f s after launch", t_ready - t_launch);
        check_server(&u);
        /* Some failures strike right after "Ready to accept connections" (an allocator
         * that cannot map memory on first use): look once more before calling it ready. */
        if (waitpid(u.in.pid, &status, WNOHANG) == u.in.pid) {
            rl_tail_flush(&u.tail);
            end = RL_READY_DIED;
        }
    }
    if (end == RL_READY_DIED) {
        rc = report_death(&u, status, answered);
    } else if (end != RL_READY) {
        rl_err("%s; stopping it (log: %s)", err, u.in.log);
        stop_once(&u);
        rc = RL_EXIT_RUNTIME;
    } else {
        snprintf(u.in.state, sizeof u.in.state, "running");
        if (rl_instance_save(&u.in, err, sizeof err) < 0)
            rl_warn("%s", err);
        print_ready(&u, t_ready - t0);
        if (rl_out.verbose && !rl_out.json)
            rl_plan_print(stderr, &u.plan, true); /* the budget it runs with, every term's source */
        rc = RL_EXIT_OK;
        if (!u.in.detached) {
            if (rl_supervise(u.in.pid, &u.tail, &status) == RL_SUP_SIGNAL) {
                rc = stop_once(&u);
            } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                rl_info("Redis exited cleanly (a client sent SHUTDOWN, or redis-light down)");
                mark_stopped(&u);
            } else {
                rc = report_death(&u, status, true);
            }
        }
    }
    rl_up_free(&u);
    rl_instance_unlock(&lock); /* a detached server outlives it: its record says it runs */
    return rc;
}
