/* redis-light status: every instance up started (or one, with --name): is it alive, where
 * it listens, and what the server says about its memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/instance/client.h"
#include "cli/instance/identity.h"
#include "cli/instance/instance.h"
#include "cli/instance/password.h"
#include "cli/instance/persist.h"
#include "cli/instance/recover.h"
#include "cli/sys/files.h"
#include "cli/util/json.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "cli/util/size.h"

const struct rl_opt rl_status_opts[] = {
    {"name", 0, "NAME", "show only this instance (exit 1 when it is not running)", false},
    {NULL, 0, NULL, NULL, false},
};

struct row {
    struct rl_instance in;
    const char *state;   /* running, unreachable, foreign, dead, stopped, damaged */
    bool alive, answered;
    bool persisted;      /* persist is filled (the server answered INFO persistence) */
    char url[PATH_MAX + 16];
    char malloc_[48];
    uint64_t used_memory, maxmemory, uptime;
    char policy[64];
    struct rl_persist_state persist;
    char why[2048];      /* why an alive server did not answer (or a foreign one did), or why the record
                          * is unusable */
};

/* snprintf between two fields of one struct trips gcc's -Wrestrict; they never overlap. */
static void copy(char *dst, size_t len, const char *src)
{
    size_t n = strnlen(src, len - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *name_opt(const char *name) { return strcmp(name, "default") ? " --name " : ""; }
static const char *name_arg(const char *name) { return strcmp(name, "default") ? name : ""; }

/* Figures come only from the instance's own server: its pid verified, and INFO answered
 * over a connection whose process_id is that pid (identity.h). */
static void fill(struct row *r)
{
    char found[2048];
    enum rl_found f = rl_identity_find(&r->in, found, sizeof found);
    r->alive = f != RL_FOUND_NONE;
    rl_instance_url(&r->in, r->url, sizeof r->url);
    copy(r->malloc_, sizeof r->malloc_, r->in.allocator);
    copy(r->policy, sizeof r->policy, r->in.policy);
    r->maxmemory = r->in.maxmemory;
    if (!r->alive) {
        r->state = r->in.pid > 0 ? "dead" : "stopped";
        if (r->in.pid > 0)
            copy(r->why, sizeof r->why, found);
        return;
    }
    if (f == RL_FOUND_PIDFILE)
        rl_warn("instance \"%s\": %s; its redis.pid names pid %d, which is its Redis: shown instead", r->in.name,
                found, (int)r->in.pid);
    char password[RL_PASSWORD_MAX + 1];
    rl_password_load(&r->in, password, sizeof password);
    char st = rl_proc_state(r->in.pid);
    if (st == 'T' || st == 't') {
        /* It cannot answer, so do not wait for it to: say why instead. */
        snprintf(r->why, sizeof r->why, "the process is stopped (SIGSTOP or a debugger holds it); "
                 "`kill -CONT %d` resumes it, `redis-light down%s%s` stops it", (int)r->in.pid,
                 name_opt(r->in.name), name_arg(r->in.name));
        r->state = "unreachable";
        return;
    }
    bool foreign;
    char *srv = NULL, *mem = NULL;
    redisContext *c = rl_identity_connect(&r->in, password, 1000, &srv, &foreign, r->why, sizeof r->why);
    if (c)
        mem = rl_client_info(c, "memory");
    char *pers = mem && srv ? rl_client_info(c, "persistence") : NULL;
    if (pers) {
        char *conf = rl_file_read(r->in.conf, 1 << 20);
        if (conf)
            rl_persist_state_read(&r->persist, pers, conf, r->in.data);
        r->persisted = conf != NULL;
        free(conf);
        free(pers);
    }
    if (mem && srv) {
        r->answered = true;
        r->used_memory = rl_info_u64(mem, "used_memory", 0);
        r->maxmemory = rl_info_u64(mem, "maxmemory", r->maxmemory);
        rl_info_field(mem, "mem_allocator", r->malloc_, sizeof r->malloc_);
        rl_info_field(mem, "maxmemory_policy", r->policy, sizeof r->policy);
        r->uptime = rl_info_u64(srv, "uptime_in_seconds", 0);
    } else if (foreign) {
        size_t n = strlen(r->why);
        snprintf(r->why + n, sizeof r->why - n, ": the record's address was changed, or another server took it; "
                 "`redis-light down%s%s` stops pid %d by signal", name_opt(r->in.name), name_arg(r->in.name),
                 (int)r->in.pid);
    } else if (c && c->errstr[0]) {
        snprintf(r->why, sizeof r->why, "INFO got no answer within 1 s (%s); the server is busy or hung",
                 c->errstr);
    } else if (c) {
        snprintf(r->why, sizeof r->why, "INFO was answered with an error (a changed password or ACL, or still "
                 "loading its data)");
    }
    free(mem);
    free(srv);
    redisFree(c);
    r->state = r->answered ? "running" : foreign ? "foreign" : "unreachable";
}

/* The record is unreadable: say so, and whether its Redis still runs by redis.pid. */
static void fill_damaged(struct row *r, const char *err)
{
    char found[512];
    r->state = "damaged";
    r->alive = rl_recover_instance(&r->in, found, sizeof found) == 0;
    rl_instance_url(&r->in, r->url, sizeof r->url);
    const char *opt = name_opt(r->in.name), *nm = name_arg(r->in.name);
    if (r->alive)
        snprintf(r->why, sizeof r->why, "%s; redis.pid says its Redis runs as pid %d: `redis-light down%s%s` stops it "
                 "and writes a new record", err, (int)r->in.pid, opt, nm);
    else
        snprintf(r->why, sizeof r->why, "%s; no Redis of it runs (%s): `redis-light down%s%s` or `redis-light up%s%s` "
                 "writes a new record", err, found, opt, nm, opt, nm);
}

static void json_row(struct rl_json *w, const struct row *r)
{
    rl_json_obj(w);
    rl_json_key(w, "name"); rl_json_str(w, r->in.name);
    rl_json_key(w, "state"); rl_json_str(w, r->state);
    rl_json_key(w, "alive"); rl_json_bool(w, r->alive);
    rl_json_key(w, "pid");
    if (r->in.pid > 0) rl_json_i64(w, r->in.pid); else rl_json_null(w);
    rl_json_key(w, "address"); rl_json_str(w, r->url);
    rl_json_key(w, "port"); rl_json_i64(w, r->in.port);
    rl_json_key(w, "socket"); rl_json_str(w, r->in.socket[0] ? r->in.socket : NULL);
    rl_json_key(w, "profile"); rl_json_str(w, r->in.profile);
    rl_json_key(w, "malloc"); rl_json_str(w, r->malloc_);
    rl_json_key(w, "used_memory");
    if (r->answered) rl_json_u64(w, r->used_memory); else rl_json_null(w);
    rl_json_key(w, "maxmemory"); rl_json_u64(w, r->maxmemory);
    rl_json_key(w, "maxmemory_policy"); rl_json_str(w, r->policy);
    rl_json_key(w, "uptime_seconds");
    if (r->answered) rl_json_u64(w, r->uptime); else rl_json_null(w);
    rl_json_key(w, "detached"); rl_json_bool(w, r->in.detached);
    rl_json_key(w, "version"); rl_json_str(w, r->in.version);
    rl_json_key(w, "binary"); rl_json_str(w, r->in.binary);
    rl_json_key(w, "config"); rl_json_str(w, r->in.conf);
    rl_json_key(w, "log"); rl_json_str(w, r->in.log);
    rl_json_key(w, "data"); rl_json_str(w, r->in.data);
    rl_json_key(w, "persistence");
    if (r->persisted) rl_persist_state_json(w, &r->persist); else rl_json_null(w);
    rl_json_key(w, "problem"); rl_json_str(w, r->why[0] && strcmp(r->state, "running") != 0 ? r->why : NULL);
    rl_json_end_obj(w);
}

static void fmt_uptime(uint64_t s, char *out, size_t len)
{
    if (s < 60)
        snprintf(out, len, "%llus", (unsigned long long)s);
    else if (s < 3600)
        snprintf(out, len, "%llum%02llus", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
    else if (s < 86400)
        snprintf(out, len, "%lluh%02llum", (unsigned long long)(s / 3600), (unsigned long long)(s % 3600 / 60));
    else
        snprintf(out, len, "%llud%02lluh", (unsigned long long)(s / 86400), (unsigned long long)(s % 86400 / 3600));
}

static void text_row(const struct row *r)
{
    char pid[16] = "-", used[32] = "-", mm[32] = "none", up[32] = "-";
    if (r->in.pid > 0)
        snprintf(pid, sizeof pid, "%d", (int)r->in.pid);
    if (r->answered) {
        rl_fmt_size(r->used_memory, used, sizeof used);
        fmt_uptime(r->uptime, up, sizeof up);
    }
    if (r->maxmemory)
        rl_fmt_size(r->maxmemory, mm, sizeof mm);
    const char *color = strcmp(r->state, "running") == 0 ? RL_GREEN : strcmp(r->state, "stopped") == 0 ? RL_DIM : RL_RED;
    printf("%-12s %s%-11s%s %-7s %-26s %-10s %-14s %-10s %-10s %-12s %s\n", r->in.name, rl_c(color, false), r->state,
           rl_c(RL_RESET, false), pid, r->url, r->in.profile, r->malloc_[0] ? r->malloc_ : "-", used, mm, r->policy[0] ? r->policy : "-", up);
    if (r->persisted && strcmp(r->persist.mode, "none") != 0) {
        char line[512];
        rl_persist_state_text(&r->persist, (long long)time(NULL), line, sizeof line);
        printf("    %s (in %s)\n", line, r->in.data);
    }
    if (strcmp(r->state, "dead") == 0)
        printf("    its redis-server is gone without redis-light stopping it (%s); see %s; `redis-light up` starts "
               "it again\n", r->why, r->in.log);
    else if (strcmp(r->state, "unreachable") == 0)
        printf("    pid %d runs but does not answer: %s\n", (int)r->in.pid, r->why);
    else if (strcmp(r->state, "damaged") == 0 || strcmp(r->state, "foreign") == 0)
        printf("    %s\n", r->why);
}

int rl_cmd_status(struct rl_ctx *ctx)
{
    const struct rl_args *a = ctx->args;
    if (a->npos > 0)
        return rl_usage_error("status takes no arguments (got \"%s\"); use --name", a->pos[0]);
    const char *only = rl_args_get(a, "name");
    char state[4096], err[1024];
    if (only && rl_instance_name_ok(only, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    if (rl_state_dir(state, sizeof state) < 0) {
        rl_err("cannot find the state directory: neither XDG_STATE_HOME nor HOME is set");
        return RL_EXIT_RUNTIME;
    }
    static char names[64][RL_NAME_MAX + 1];
    int n = rl_instance_list(state, names, 64);
    static struct row rows[64];
    int nrows = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        if (only && strcmp(only, names[i]) != 0)
            continue;
        struct row *r = &rows[nrows];
        memset(r, 0, sizeof *r);
        if (rl_instance_init(&r->in, state, names[i]) < 0) {
            rl_warn("skipping %s: its path under %s is too long", names[i], state);
            continue;
        }
        if (rl_instance_load(&r->in, err, sizeof err) < 0) {
            if (errno != EINVAL) {
                rl_warn("skipping %s: %s", names[i], err);
                continue;
            }
            rl_instance_init(&r->in, state, names[i]); /* whatever load filled in is not to be trusted */
            fill_damaged(r, err);
        } else {
            fill(r);
        }
        nrows++;
        if (strcmp(r->state, "running") != 0 && (only || strcmp(r->state, "stopped") != 0))
            bad++;
    }
    if (only && nrows == 0) {
        rl_err("no instance named \"%s\" in %s; `redis-light status` lists them", only, state);
        return RL_EXIT_USAGE;
    }
    if (rl_out.json) {
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_json_obj(&w);
        rl_json_key(&w, "state_dir");
        rl_json_str(&w, state);
        rl_json_key(&w, "instances");
        rl_json_arr(&w);
        for (int i = 0; i < nrows; i++)
            json_row(&w, &rows[i]);
        rl_json_end_arr(&w);
        rl_json_end_obj(&w);
        rl_json_done(&w);
    } else if (nrows == 0) {
        printf("no instances in %s; start one with `redis-light up`\n", state);
    } else {
        printf("%-12s %-11s %-7s %-26s %-10s %-14s %-10s %-10s %-12s %s\n", "NAME", "STATE", "PID", "ADDRESS", "PROFILE",
               "MALLOC", "USED", "MAXMEMORY", "POLICY", "UPTIME");
        for (int i = 0; i < nrows; i++)
            text_row(&rows[i]);
    }
    return bad ? RL_EXIT_PROBLEMS : RL_EXIT_OK;
}
