/* redis-light down: stop an instance started by up — one SHUTDOWN (SAVE when it persists
 * data), then SIGTERM, then SIGKILL, each after a timeout. Only the instance's own server
 * is stopped: its pid verified (identity.h), SHUTDOWN only where INFO says that pid
 * answers. The data directory and the log stay; the pid file and socket go. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/instance/claim.h"
#include "cli/instance/identity.h"
#include "cli/instance/instance.h"
#include "cli/instance/password.h"
#include "cli/instance/recover.h"
#include "cli/instance/stop.h"
#include "cli/util/out.h"
#include "cli/util/paths.h"

const struct rl_opt rl_down_opts[] = {
    {"name", 0, "NAME", "the instance to stop (default: default)", false},
    {NULL, 0, NULL, NULL, false},
};

/* The names there are, for "no instance named X" messages. */
static void known_names(const char *state, char *out, size_t len)
{
    static char names[64][RL_NAME_MAX + 1];
    int n = rl_instance_list(state, names, 64);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", names[i]);
    if (!n)
        snprintf(out, len, "none");
}

/* The server is gone: its pid file and socket go too (Redis removes them itself on a clean
 * exit, not after SIGKILL). A socket that still answers is another server's, whatever the
 * record says, and stays. */
static void forget_process(struct rl_instance *in)
{
    char err[512];
    struct stat st;
    unlink(in->pidfile);
    if (in->socket[0] && lstat(in->socket, &st) == 0 && S_ISSOCK(st.st_mode) && !rl_identity_socket_in_use(in->socket))
        unlink(in->socket);
    in->pid = 0;
    in->starttime = 0;
    in->supervisor = 0;
    snprintf(in->state, sizeof in->state, "stopped");
    if (rl_instance_save(in, err, sizeof err) < 0)
        rl_warn("%s", err);
}

/* Finds the instance's server (identity.h: the record's pid, else redis.pid, each only when
 * it verifies) and stops it. supervised: a foreground up holds the instance and records
 * the stop itself, so the record and the pid file are left to it. Returns the exit code. */
static int stop_instance(struct rl_instance *in, const char *state, const char *name, bool supervised)
{
    char err[1024], why[2048];
    enum rl_found found;
    if (rl_instance_load(in, err, sizeof err) == 0) {
        found = rl_identity_find(in, why, sizeof why);
    } else if (errno == ENOENT) {
        char names[1024];
        known_names(state, names, sizeof names);
        rl_err("no instance named \"%s\" in %s (instances: %s); start one with `redis-light up`", name, state, names);
        return RL_EXIT_USAGE;
    } else if (errno != EINVAL) {
        rl_err("%s", err);
        return RL_EXIT_RUNTIME;
    } else {
        /* Damaged: the record cannot be trusted, but Redis's own pid file can, once
         * checked; stopping the server must not depend on a file that got cut short. */
        char aside[PATH_MAX + 16];
        rl_instance_init(in, state, name);
        found = rl_recover_instance(in, why, sizeof why) == 0 ? RL_FOUND_PIDFILE : RL_FOUND_NONE;
        if (found == RL_FOUND_PIDFILE)
            rl_warn("%s; stopping its Redis by its pid file (pid %d)", err, (int)in->pid);
        else
            rl_warn("%s; no Redis of it runs (%s)", err, why);
        if (rl_recover_set_aside(in, aside, sizeof aside) == 0)
            rl_info("kept the damaged record as %s; a new one replaces it", aside);
        why[0] = '\0';
    }
    if (found == RL_FOUND_NONE) {
        if (in->pid > 0 && why[0])
            rl_info("instance \"%s\" is not running as far as its record and redis.pid tell (%s); cleaned its pid "
                    "file and socket", name, why);
        else
            rl_info("instance \"%s\" is not running; nothing to stop", name);
        if (!supervised)
            forget_process(in);
        return RL_EXIT_OK;
    }
    if (found == RL_FOUND_PIDFILE && why[0])
        rl_warn("instance \"%s\": %s; stopping pid %d, which redis.pid names, and which is its Redis", name, why,
                (int)in->pid);
    /* The password, if any, lives in its password file and config (0600), never in the
     * record. */
    char password[RL_PASSWORD_MAX + 1];
    rl_password_load(in, password, sizeof password);
    struct rl_stop s = {.in = in, .password = password, .is_child = false, .save = in->persistent,
                        .shutdown_timeout = in->persistent ? 60 : 15, .term_timeout = 10};
    struct rl_stop_result r;
    pid_t pid = in->pid;
    if (rl_stop_instance(&s, &r) < 0) {
        rl_err("could not stop instance \"%s\" (pid %d): %s", name, (int)pid, r.note);
        return RL_EXIT_RUNTIME;
    }
    if (r.note[0])
        rl_warn("%s", r.note);
    if (!supervised)
        forget_process(in);
    rl_info("stopped instance \"%s\" (pid %d) with %s in %.2f s; %s %s, log in %s%s", name, (int)pid,
            r.sigkill ? "SIGKILL" : r.sigterm ? "SIGTERM" : rl_stop_command(&s), r.seconds,
            in->persistent ? "data kept in" : "no persistence, so nothing was saved; data directory", in->data, in->log,
            supervised ? "; its foreground `redis-light up` records the stop" : "");
    return RL_EXIT_OK;
}

int rl_cmd_down(struct rl_ctx *ctx)
{
    const struct rl_args *a = ctx->args;
    if (a->npos > 0)
        return rl_usage_error("down takes no arguments (got \"%s\"); name the instance with --name", a->pos[0]);
    const char *name = rl_args_get(a, "name");
    if (!name)
        name = "default";
    char state[4096], err[1024];
    if (rl_instance_name_ok(name, err, sizeof err) < 0)
        return rl_usage_error("%s", err);
    if (rl_state_dir(state, sizeof state) < 0) {
        rl_err("cannot find the state directory: neither XDG_STATE_HOME nor HOME is set");
        return RL_EXIT_RUNTIME;
    }
    struct rl_instance in;
    if (rl_instance_init(&in, state, name) < 0) {
        rl_err("the state directory path %s is too long", state);
        return RL_EXIT_RUNTIME;
    }
    /* The lock, so that a down racing an up is defined: neither waits, one is refused. */
    struct rl_instance_lock lock;
    bool supervised;
    if (rl_claim_for_down(&lock, state, name, &supervised, err, sizeof err) < 0) {
        rl_err("%s", err);
        return RL_EXIT_RUNTIME;
    }
    int rc = stop_instance(&in, state, name, supervised);
    rl_instance_unlock(&lock);
    return rc;
}
