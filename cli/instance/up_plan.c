#include "cli/instance/up_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/instance/conf.h"
#include "cli/instance/identity.h"
#include "cli/instance/password.h"
#include "cli/instance/persist.h"
#include "cli/instance/port.h"
#include "cli/instance/recover.h"
#include "cli/sys/files.h"
#include "cli/util/json.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"
#include "cli/util/size.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_port(const char *text, int *port, bool *autop, char *err, size_t errlen)
{
    *autop = false;
    if (!text) {
        *port = 6379;
        return 0;
    }
    if (strcmp(text, "auto") == 0) {
        *autop = true;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end || errno || v < 0 || v > 65535) {
        snprintf(err, errlen, "--port \"%s\" is not a port number (0-65535) or auto", text);
        return -1;
    }
    *port = (int)v;
    return 0;
}

static int check_options(const struct rl_up_opts *o, struct rl_up *u, char *err, size_t errlen)
{
    const char *name = o->name ? o->name : "default";
    if (rl_instance_name_ok(name, err, errlen) < 0)
        return RL_FAULT_INPUT;
    bool autop;
    if (parse_port(o->port, &u->in.port, &autop, err, errlen) < 0)
        return RL_FAULT_INPUT;
    if (o->bind && rl_conf_check_bind(o->bind, err, errlen) < 0)
        return RL_FAULT_INPUT;
    for (int i = 0; i < o->nset; i++) {
        if (rl_conf_check_set(o->set[i], err, errlen) < 0)
            return RL_FAULT_INPUT;
        if (o->password && strncmp(o->set[i], "requirepass=", 12) == 0) {
            snprintf(err, errlen, "give --password (or --password-file) or --set requirepass=…, not both");
            return RL_FAULT_INPUT;
        }
    }
    if (o->socket) {
        char abs[PATH_MAX], cwd[PATH_MAX];
        if (o->socket[0] != '/' && getcwd(cwd, sizeof cwd))
            snprintf(abs, sizeof abs, "%s/%s", cwd, o->socket);
        else /* absolute, or no cwd to resolve it against */
            snprintf(abs, sizeof abs, "%s", o->socket);
        if (rl_conf_check_socket(abs, err, errlen) < 0)
            return RL_FAULT_INPUT;
        struct stat st;
        if (lstat(abs, &st) == 0 && !S_ISSOCK(st.st_mode)) {
            /* Redis unlinks whatever is at its socket path before binding. */
            snprintf(err, errlen, "--socket %s already exists and is not a socket; Redis would delete it. "
                     "Pick another path", abs);
            return RL_FAULT_INPUT;
        }
        snprintf(u->in.socket, sizeof u->in.socket, "%s", abs);
    }
    if (u->in.port == 0 && !autop && !o->socket) {
        snprintf(err, errlen, "--port 0 turns TCP off, so give --socket PATH for clients to connect");
        return RL_FAULT_INPUT;
    }
    if (autop)
        u->in.port = -1; /* picked once everything else is settled */
    if (o->bind)
        snprintf(u->in.bind, sizeof u->in.bind, "%s", o->bind);
    return 0;
}

/* An earlier record: refuse when it still runs, clean it when its process is gone. */
static int check_existing(struct rl_up *u, char *err, size_t errlen)
{
    struct rl_instance old = u->in;
    char why[512];
    if (rl_instance_load(&old, why, sizeof why) < 0) {
        if (errno == ENOENT)
            return 0;
        char found[512];
        if (errno == EINVAL && rl_recover_instance(&old, found, sizeof found) == 0) {
            /* A damaged record must not let a second Redis start over a running one. */
            snprintf(err, errlen, "%s, and its Redis still runs (pid %d per redis.pid); stop it with "
                     "`redis-light down%s%s`, which also writes a new record", why, (int)old.pid,
                     strcmp(old.name, "default") ? " --name " : "", strcmp(old.name, "default") ? old.name : "");
            return RL_FAULT_RUNTIME;
        }
        rl_warn("%s; starting afresh (a new record replaces it)", why);
        return 0;
    }
    if (rl_instance_alive(&old)) {
        char url[PATH_MAX + 16];
        rl_instance_url(&old, url, sizeof url);
        snprintf(err, errlen, "instance \"%s\" is already running (pid %d, %s); stop it with `redis-light down%s%s` "
                 "or start another one with --name", old.name, (int)old.pid, url,
                 strcmp(old.name, "default") ? " --name " : "", strcmp(old.name, "default") ? old.name : "");
        return RL_FAULT_RUNTIME;
    }
    if (old.pid > 0) {
        rl_warn("instance \"%s\": the recorded redis-server (pid %d) is gone; cleaning up its stale record, "
                "pid file and socket", old.name, (int)old.pid);
        if (!u->dry_run) {
            unlink(old.pidfile);
            struct stat st;
            if (old.socket[0] && lstat(old.socket, &st) == 0 && S_ISSOCK(st.st_mode) && !rl_identity_socket_in_use(old.socket))
                unlink(old.socket);
            old.pid = 0;
            snprintf(old.state, sizeof old.state, "stopped");
            if (rl_instance_save(&old, why, sizeof why) < 0)
                rl_warn("%s", why);
        }
    }
    return 0;
}

static int settle_port(struct rl_up *u, char *err, size_t errlen)
{
    if (u->in.port < 0) {
        u->in.port = rl_port_pick();
        if (u->in.port < 0) {
            snprintf(err, errlen, "--port auto: the kernel offered no free port on 127.0.0.1");
            return RL_FAULT_RUNTIME;
        }
        return 0;
    }
    if (u->in.port == 0)
        return 0;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", u->in.bind);
    for (char *save = NULL, *a = strtok_r(copy, " ,", &save); a; a = strtok_r(NULL, " ,", &save)) {
        char owner[128], why[256];
        int busy = rl_port_check(a, u->in.port, owner, sizeof owner, why, sizeof why);
        if (busy < 0 && a[0] != '-') {
            snprintf(err, errlen, "%s", why);
            return RL_FAULT_RUNTIME;
        }
        if (busy == 1) {
            snprintf(err, errlen, "port %d on %s is already in use%s%s; pick another with --port N or --port auto%s",
                     u->in.port, a[0] == '-' ? a + 1 : a, owner[0] ? " by " : "", owner,
                     u->in.port == 6379 ? ", or stop the Redis already running there" : "");
            if (u->dry_run) {
                rl_warn("%s", err);
                return 0;
            }
            return RL_FAULT_RUNTIME;
        }
    }
    return 0;
}

static int check_socket_free(const struct rl_up *u, char *err, size_t errlen)
{
    struct stat st;
    if (!u->in.socket[0] || lstat(u->in.socket, &st) < 0)
        return 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", u->in.socket);
    int in_use = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    if (in_use) {
        snprintf(err, errlen, "the Unix socket %s is in use by another server; pick another --socket path", u->in.socket);
        return RL_FAULT_RUNTIME;
    }
    return 0;
}

/* True when every bind address is a loopback one. */
static bool loopback_only(const char *bind)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", bind);
    for (char *save = NULL, *a = strtok_r(copy, " ,", &save); a; a = strtok_r(NULL, " ,", &save)) {
        if (*a == '-')
            a++;
        if (strncmp(a, "127.", 4) != 0 && strcmp(a, "::1") != 0)
            return false;
    }
    return true;
}

static char *compose(struct rl_up *u, const char *profile_conf)
{
    char *inst = rl_conf_instance_part(&u->in, profile_conf);
    char *out = NULL, at[32], pass[2 * RL_PASSWORD_MAX + 256] = "";
    time_t now = time(NULL);
    struct tm tm;
    strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    if (u->o.password) {
        /* Quoted and escaped: spaces, quotes and backslashes stay inside the one line. */
        static const char note[] = "# --password: clients must AUTH (redis-light keeps it in this directory's password file)\n";
        char line[2 * RL_PASSWORD_MAX + 32];
        rl_conf_line(line, sizeof line, "requirepass", u->o.password);
        snprintf(pass, sizeof pass, "%s%s\n", note, line);
    }
    if (inst && asprintf(&out, "# redis.conf for redis-light instance \"%s\", written by `redis-light up` on %s\n"
                         "# profile %s (%s); Redis %s (%s)\n\n%s%s%s", u->in.name, at, rl_profile_name(u->plan.choice.winner),
                         rl_profile_source(u->plan.choice.winner), u->build.version[0] ? u->build.version : "(not built yet)",
                         u->build.server[0] ? u->build.server : "-", profile_conf, inst, pass) < 0)
        out = NULL;
    free(inst);
    return out;
}

/* The config as --dry-run shows it: requirepass values masked, since plans get pasted
 * into bug reports and CI logs. */
static void print_conf_masked(const char *conf)
{
    for (const char *line = conf; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) + 1 : strlen(line);
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "requirepass", 11) == 0 && (p[11] == ' ' || p[11] == '\t'))
            printf("%.*srequirepass (hidden)\n", (int)(p - line), line);
        else
            fwrite(line, 1, n, stdout);
        line = eol ? eol + 1 : NULL;
    }
}

/* The plan's build, budget table and role, as comment lines (-v: every term's source). */
static void print_plan_commented(const struct rl_plan *plan)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return;
    rl_plan_print(m, plan, rl_out.verbose);
    if (fclose(m) != 0) {
        free(text);
        return;
    }
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        printf("#   %s\n", line);
    free(text);
}

static void print_plan(const struct rl_up *u, const char *build_plan)
{
    if (rl_out.json) { /* the plan object alone: the same one doctor --json and build --dry-run --json print */
        struct rl_json w;
        rl_json_init(&w, stdout, true);
        rl_plan_json(&w, &u->plan);
        rl_json_done(&w);
        return;
    }
    char url[PATH_MAX + 16];
    rl_instance_url(&u->in, url, sizeof url);
    printf("# dry run: nothing was changed. up would:\n");
    printf("#   use profile %s (%s)\n", rl_profile_name(u->plan.choice.winner), rl_profile_source(u->plan.choice.winner));
    if (build_plan[0])
        printf("#   %s\n", build_plan);
    else
        printf("#   run the cached build %s (Redis %s, malloc=%s)\n", u->build.server, u->build.version,
               u->build.allocator);
    printf("#   write %s (0600) in %s (0700)\n", u->in.conf, u->in.dir);
    printf("#   start it %s and wait for PING on %s\n", u->o.detach ? "detached" : "in the foreground", url);
    if (u->persist_found[0])
        printf("#   load the %s in %s\n", strcmp(u->persist_found, "aof") == 0 ? "append-only file" : "RDB snapshot",
               u->in.data);
    printf("#   persistence: %s\n", strcmp(u->plan.persist, "none") == 0 ? "none (data lasts until Redis stops)"
           : strcmp(u->plan.persist, "aof") == 0 ? "aof, fsync every second, in the data directory"
                                                 : "rdb snapshots, in the data directory");
    printf("#   maxmemory %s: %s%s%s\n", u->maxmemory ? "set" : "none", u->plan.budget.rule,
           u->plan.budget.note[0] ? "; " : "", u->plan.budget.note);
    print_plan_commented(&u->plan);
    print_conf_masked(u->conf);
}

/* rl_up_plan's steps return RL_FAULT_NONE (0) or the kind of the failure, with err. */
static int plan_up(const struct rl_up_opts *o, const struct rl_root *root, struct rl_up *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    u->o = *o;
    u->dry_run = o->dry_run;
    char state[PATH_MAX];
    if (rl_state_dir(state, sizeof state) < 0) {
        snprintf(err, errlen, "cannot find the state directory: neither XDG_STATE_HOME nor HOME is set; set one");
        return RL_FAULT_RUNTIME;
    }
    if (rl_instance_init(&u->in, state, o->name ? o->name : "default") < 0) {
        snprintf(err, errlen, "the state directory path %s is too long", state);
        return RL_FAULT_RUNTIME;
    }
    int rc = check_options(o, u, err, errlen);
    if (rc || (rc = check_existing(u, err, errlen)))
        return rc;
    u->in.detached = o->detach;

    if (!root->host && !o->dry_run) {
        snprintf(err, errlen, "--sysroot describes another machine, and up would launch Redis on this one; "
                 "add --dry-run to see the plan for that machine");
        return RL_FAULT_INPUT;
    }
    /* The one plan every command computes: facts, profile, build, budget, role, config. */
    struct rl_plan *plan = &u->plan;
    /* Data already on disk decides the mode unless --persist agrees with it (persist.h);
     * a --sysroot plan is for another machine, whose data this one does not hold. */
    struct rl_persist_decision pd;
    if (rl_persist_decide(&u->in, o->persist, root->host, &pd, err, errlen) < 0)
        return RL_FAULT_INPUT;
    snprintf(u->persist_found, sizeof u->persist_found, "%s", pd.found);
    u->persist_adopted = pd.adopted;
    if (pd.adopted)
        rl_info("instance \"%s\" keeps its data in %s (%s): it persists with %s again, %s", u->in.name, u->in.data,
                strcmp(pd.found, "aof") == 0 ? "an append-only file" : "an RDB snapshot", pd.found,
                pd.keep_policy ? "with the profile's eviction policy (`--persist` with it makes a noeviction store)"
                               : "a noeviction store as before");
    struct rl_plan_opts po = {.profile = o->profile, .source = o->source, .maxmemory = o->maxmemory,
                              .policy = o->policy, .persist = pd.mode, .persist_keeps_policy = pd.keep_policy, .nset = o->nset,
                              .force = o->force};
    for (int i = 0; i < o->nset; i++)
        po.set[i] = o->set[i];
    double t0 = mono();
    if (rl_plan_make(plan, root, &po) < 0) {
        snprintf(err, errlen, "%s", plan->errstr);
        return plan->err;
    }
    rl_debug("plan made in %.3f s", mono() - t0);
    u->facts = plan->facts;
    const struct rl_profile *p = plan->choice.winner;
    snprintf(u->in.profile, sizeof u->in.profile, "%s", rl_profile_name(p));
    snprintf(u->allocator_wanted, sizeof u->allocator_wanted, "%s", plan->build.allocator);
    u->maxmemory = plan->maxmemory;
    snprintf(u->policy, sizeof u->policy, "%s", plan->policy);
    const char *profile_conf = plan->conf;
    bool would_build = false;
    if (!o->dry_run) {
        t0 = mono();
        if (rl_plan_obtain(plan, &po, o->rebuild, isatty(STDERR_FILENO) && !rl_out.quiet && !rl_out.json) < 0) {
            snprintf(err, errlen, "%s", plan->errstr);
            return plan->err;
        }
        rl_debug("build %s in %.3f s", plan->build.info.cached ? "found in the cache" : "settled", mono() - t0);
    } else if (plan->build.state == RL_BUILD_UNAVAILABLE) {
        snprintf(err, errlen, "%s", plan->build.action);
        return RL_FAULT_RUNTIME;
    } else {
        would_build = plan->build.state != RL_BUILD_CACHED;
    }
    u->build = plan->build.info;
    snprintf(u->in.binary, sizeof u->in.binary, "%s", u->build.server);
    snprintf(u->in.version, sizeof u->in.version, "%s", u->build.version);
    snprintf(u->in.allocator, sizeof u->in.allocator, "%s", u->build.allocator);
    if ((rc = settle_port(u, err, errlen)) || (rc = check_socket_free(u, err, errlen)))
        return rc;
    u->conf = compose(u, profile_conf);
    if (!u->conf) {
        snprintf(err, errlen, "out of memory composing redis.conf");
        return RL_FAULT_RUNTIME;
    }
    u->in.maxmemory = u->maxmemory;
    snprintf(u->in.policy, sizeof u->in.policy, "%s", u->policy);
    u->in.persistent = rl_conf_persistent(u->conf);
    u->in.aof = strcmp(rl_conf_persist_mode(u->conf), "aof") == 0;
    if (rl_conf_get(u->conf, "requirepass", u->password, sizeof u->password) < 0)
        u->password[0] = '\0';
    if (!u->password[0] && !loopback_only(u->in.bind))
        rl_warn("--bind %s reaches beyond this machine and no requirepass is set: protected-mode keeps "
                "refusing remote clients until you add one (--password-file FILE)", u->in.bind);
    if (o->dry_run)
        print_plan(u, would_build ? plan->build.action : "");
    return 0;
}

int rl_up_plan(const struct rl_up_opts *o, const struct rl_root *root, struct rl_up *u, char *err, size_t errlen,
               enum rl_fault *fault)
{
    *fault = (enum rl_fault)plan_up(o, root, u, err, errlen);
    return *fault ? -1 : 0;
}

int rl_up_write(struct rl_up *u)
{
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s", u->in.dir);
    char *slash = strrchr(root, '/');
    if (slash)
        *slash = '\0';
    const char *dirs[] = {root, u->in.dir, u->in.data};
    for (int i = 0; i < 3; i++) {
        if (rl_mkdir_p(dirs[i], 0700) < 0 || (i > 0 && chmod(dirs[i], 0700) < 0)) {
            rl_err("cannot create the state directory %s: %s; set XDG_STATE_HOME to a writable directory",
                   dirs[i], strerror(errno));
            return -1;
        }
    }
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", u->in.conf);
    /* A fresh name made with O_EXCL: a link planted at a fixed name like redis.conf.tmp
     * would otherwise be written through. */
    int fd = mkostemp(tmp, O_CLOEXEC);
    size_t len = strlen(u->conf);
    bool ok = fd >= 0 && write(fd, u->conf, len) == (ssize_t)len && fchmod(fd, 0600) == 0;
    int e = errno;
    if (fd >= 0 && close(fd) < 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, u->in.conf) < 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        rl_err("cannot write %s: %s; check the free space and permissions of %s", u->in.conf, strerror(e), u->in.dir);
        if (fd >= 0)
            unlink(tmp);
        return -1;
    }
    char why[PATH_MAX + 256];
    if (rl_password_store(&u->in, u->password, why, sizeof why) < 0) {
        rl_err("%s", why);
        return -1;
    }
    /* Redis would create its log and pid file with the umask's mode; create them 0600
     * first (it appends to the one and rewrites the other in place). */
    const char *files[] = {u->in.log, u->in.pidfile};
    for (int i = 0; i < 2; i++) {
        int lf = open(files[i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (lf < 0 || fchmod(lf, 0600) < 0) {
            rl_err("cannot create %s: %s; check the permissions of %s", files[i], strerror(errno), u->in.dir);
            if (lf >= 0)
                close(lf);
            return -1;
        }
        close(lf);
    }
    return 0;
}

void rl_up_free(struct rl_up *u)
{
    free(u->conf);
    u->conf = NULL;
    rl_plan_free(&u->plan);
}
