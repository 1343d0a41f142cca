/* One command at a time acts on an instance: `up` holds the instance's lock from before it
 * reads the old record until the server is ready and the record says so (a foreground up
 * for as long as it supervises), `down` while it stops the server and rewrites the record.
 * Without it, two ups of one name share a data directory, overwrite each other's redis.conf
 * and record, and one of them records `stopped` over the other's running server.
 *
 * The lock is flock(2) on STATE/.<name>.lock, beside the instance directory so that it
 * exists before that directory does (a leading dot is never an instance name). The kernel
 * drops it when the holder exits, however it exits, so a crashed up leaves no stale lock;
 * the file only tells the others who holds it: "PID ROLE\n". The descriptor is
 * close-on-exec, so a detached redis-server never inherits the lock. */
#ifndef RL_INSTANCE_INSTANCE_LOCK_H
#define RL_INSTANCE_INSTANCE_LOCK_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct rl_instance_lock {
    int fd;                  /* -1 when not held */
    char path[PATH_MAX];
};

struct rl_lock_holder {
    pid_t pid;               /* 0 when the holder has not written itself down yet */
    char role[16];           /* "up", "down", or "" */
};

/* Takes the lock of instance name under state_root without waiting; role ("up", "down")
 * is what the holder file says. create_root: make state_root (0700) when missing; without
 * it, a missing state_root is an error with errno ENOENT.
 * Returns 0 when held, 1 when another process holds it (holder says which, as soon as that
 * process has written itself down; waits a moment for that), -1 with err. */
int rl_instance_lock(struct rl_instance_lock *l, const char *state_root, const char *name, const char *role,
                     bool create_root, struct rl_lock_holder *holder, char *err, size_t errlen);
/* Releases the lock (the file stays, emptied). Accepts a lock that is not held. */
void rl_instance_unlock(struct rl_instance_lock *l);

#endif
