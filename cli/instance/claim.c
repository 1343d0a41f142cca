#include "cli/instance/claim.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/instance/identity.h"
#include "cli/instance/instance.h"

static const char *name_opt(const char *name) { return strcmp(name, "default") ? " --name " : ""; }
static const char *name_arg(const char *name) { return strcmp(name, "default") ? name : ""; }

/* The holder is a foreground up supervising the instance's running server: the record
 * says running under that pid, and its server verifies. Fills in then. */
static bool held_by_supervisor(const char *state_root, const char *name, const struct rl_lock_holder *h,
                               struct rl_instance *in)
{
    char why[1024];
    return h->pid > 0 && strcmp(h->role, "up") == 0 && rl_instance_init(in, state_root, name) == 0 &&
           rl_instance_load(in, why, sizeof why) == 0 && strcmp(in->state, "running") == 0 &&
           in->supervisor == h->pid && rl_identity_find(in, why, sizeof why) != RL_FOUND_NONE;
}

static void say_held(const char *name, const struct rl_lock_holder *h, const char *then, char *err, size_t errlen)
{
    if (h->pid <= 0)
        snprintf(err, errlen, "instance \"%s\" is held by another redis-light that has only just started; %s", name,
                 then);
    else
        snprintf(err, errlen, "instance \"%s\" is being %s by pid %d (redis-light %s); %s", name,
                 strcmp(h->role, "down") == 0 ? "stopped" : "started", (int)h->pid, h->role[0] ? h->role : "?",
                 then);
}

int rl_claim_for_up(struct rl_instance_lock *lock, const char *state_root, const char *name, char *err,
                    size_t errlen)
{
    struct rl_lock_holder h;
    static struct rl_instance in; /* large; up claims once per run */
    char url[PATH_MAX + 16], why[2048];
    int got = rl_instance_lock(lock, state_root, name, "up", true, &h, err, errlen);
    if (got < 0)
        return -1;
    if (got == 1) {
        if (held_by_supervisor(state_root, name, &h, &in)) {
            rl_instance_url(&in, url, sizeof url);
            snprintf(err, errlen, "instance \"%s\" is already running (pid %d, %s) under `redis-light up` pid %d in "
                     "the foreground; stop it with `redis-light down%s%s` or start another one with --name", name,
                     (int)in.pid, url, (int)h.pid, name_opt(name), name_arg(name));
        } else {
            say_held(name, &h, "wait for it to finish, or pick another --name", err, errlen);
        }
        return -1;
    }
    /* Found the way status and down find it, before the plan reads the record: the plan
     * would take a record with a wrong pid for a stale one and delete redis.pid. */
    if (rl_instance_init(&in, state_root, name) < 0 || rl_instance_load(&in, why, sizeof why) < 0)
        return 0;
    enum rl_found f = rl_identity_find(&in, why, sizeof why);
    if (f == RL_FOUND_NONE)
        return 0;
    rl_instance_url(&in, url, sizeof url);
    snprintf(err, errlen, "instance \"%s\" is already running (pid %d, %s%s); stop it with `redis-light down%s%s` or "
             "start another one with --name%s%s", name, (int)in.pid, url, f == RL_FOUND_PIDFILE ? ", by its redis.pid" : "",
             name_opt(name), name_arg(name), f == RL_FOUND_PIDFILE ? ". Its record is wrong: " : "",
             f == RL_FOUND_PIDFILE ? why : "");
    rl_instance_unlock(lock);
    return -1;
}

int rl_claim_for_down(struct rl_instance_lock *lock, const char *state_root, const char *name, bool *supervised,
                      char *err, size_t errlen)
{
    static struct rl_instance in;
    struct rl_lock_holder h;
    *supervised = false;
    lock->fd = -1;
    if (rl_instance_init(&in, state_root, name) < 0 || access(in.dir, F_OK) < 0)
        return 0; /* no instance: down says so, and there is nothing to race over */
    int got = rl_instance_lock(lock, state_root, name, "down", false, &h, err, errlen);
    if (got <= 0)
        return got;
    if (held_by_supervisor(state_root, name, &h, &in)) {
        *supervised = true;
        return 0;
    }
    char then[128];
    snprintf(then, sizeof then, "let it finish, then run `redis-light down%s%s` again", name_opt(name),
             name_arg(name));
    say_held(name, &h, then, err, errlen);
    return -1;
}
