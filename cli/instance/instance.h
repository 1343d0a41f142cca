/* Instances started by `up`: $XDG_STATE_HOME/redis-light/<name>/ (0700) with redis.conf,
 * redis.log, data/, redis.pid, instance.yaml (the record `status` and `down` read) and,
 * when the instance has a password, password (0600; never in the record, which other
 * tools may print). A record's pid counts only together with the process start time it
 * noted, so a reused pid is never mistaken for our Redis. */
#ifndef RL_INSTANCE_INSTANCE_H
#define RL_INSTANCE_INSTANCE_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RL_INSTANCE_RECORD "instance.yaml"
#define RL_INSTANCE_PASSWORD "password"
#define RL_NAME_MAX 32

struct rl_instance {
    char name[RL_NAME_MAX + 1];
    char dir[PATH_MAX];        /* state/<name> */
    char conf[PATH_MAX], log[PATH_MAX], data[PATH_MAX], pidfile[PATH_MAX], record[PATH_MAX];
    char secret[PATH_MAX];     /* the password file */
    char socket[PATH_MAX];     /* "" when none */
    char bind[256];
    int port;                  /* 0: no TCP (socket only) */
    pid_t pid;                 /* 0 when stopped */
    unsigned long long starttime; /* /proc/PID/stat field 22 at launch */
    char profile[64];
    char allocator[48];        /* mem_allocator the server reported */
    char binary[PATH_MAX];
    char version[32];
    uint64_t maxmemory;
    char policy[64];
    bool persistent;
    bool aof;                  /* persists with an append-only file (SHUTDOWN then flushes it, no RDB) */
    bool detached;
    pid_t supervisor;          /* the foreground `up`, 0 when detached */
    long long started_at;      /* unix seconds */
    char state[16];            /* "starting", "running", "stopped" */
};

/* Names are [A-Za-z0-9][A-Za-z0-9._-]*, at most 32 characters: they become directory
 * names. Returns 0, or -1 with a reason. Pure. */
int rl_instance_name_ok(const char *name, char *err, size_t errlen);
/* Fills name and every path from the state root. Returns 0 or -1 (too long). */
int rl_instance_init(struct rl_instance *in, const char *state_root, const char *name);
/* Reads the record. Returns 0, or -1 with err: errno ENOENT when there is none, EINVAL
 * when it is damaged (not "key: value" lines, or a name, state, pid or port that no
 * record written by up would hold). */
int rl_instance_load(struct rl_instance *in, char *err, size_t errlen);
/* Writes the record atomically (0600). Returns 0 or -1 with err. */
int rl_instance_save(const struct rl_instance *in, char *err, size_t errlen);
/* Names of the instances under the state root, sorted. Returns the count. */
int rl_instance_list(const char *state_root, char names[][RL_NAME_MAX + 1], int max);

/* Field 22 of /proc/PID/stat. Returns 0 or -1 when the process is gone. */
int rl_proc_starttime(pid_t pid, unsigned long long *start);
/* The state letter of /proc/PID/stat field 3 ('R', 'S', 'T' for stopped, …), or 0 when
 * the process is gone. */
char rl_proc_state(pid_t pid);
/* True when pid runs, is not a zombie, and (when starttime is non-zero) started then. */
bool rl_pid_alive(pid_t pid, unsigned long long starttime);
/* The record's pid runs with its recorded start time. That alone does not make it the
 * instance's Redis (an edited record, a reused pid with a coincident start): whatever acts
 * on the instance asks rl_identity_find (identity.h) instead. */
bool rl_instance_alive(const struct rl_instance *in);

/* The address clients use: "redis://127.0.0.1:6379", or "unix:///path" when port is 0. */
void rl_instance_url(const struct rl_instance *in, char *out, size_t len);
/* Where a control connection goes: the first bind address, wildcards mapped to loopback. */
void rl_instance_connect_host(const struct rl_instance *in, char *out, size_t len);

#endif
