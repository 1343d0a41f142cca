/* doctor --live: launch a candidate redis-server under this container's real limits with
 * the rendered config, flood it with writes to a multiple of its maxmemory for a few
 * seconds, and report whether it survived, with peak RSS and peak map count. */
#ifndef RL_DOCTOR_LIVE_H
#define RL_DOCTOR_LIVE_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct rl_live_opts {
    const char *server;        /* redis-server binary */
    const char *conf;          /* profile-rendered redis.conf text (no port/dir lines) */
    uint64_t maxmemory;        /* bytes; the flood writes fill_factor times this */
    double fill_factor;        /* default 3 */
    double max_seconds;        /* default 8: the flood stops here even if not filled */
    unsigned value_size;       /* default 1024 */
};

struct rl_live_result {
    bool started;              /* answered PING */
    bool survived;             /* still alive and answering at the end */
    int exit_status;           /* when it died: exit code, or -signal */
    uint64_t written_bytes;    /* value bytes acknowledged by the server */
    uint64_t written_keys;
    uint64_t oom_errors;       /* -OOM replies (noeviction, or maxmemory too tight) */
    uint64_t other_errors;
    uint64_t rss_peak;         /* bytes, from /proc/PID/status VmRSS */
    uint64_t maps_peak;        /* lines of /proc/PID/maps */
    uint64_t used_memory_end;  /* INFO memory at the end, when alive */
    uint64_t evicted_keys;
    double seconds;
    char log_tail[2048];       /* last lines of its log when it died or failed to start */
    char err[256];             /* why the check could not run at all */
};

/* Returns 0 when the check ran (whatever Redis did), -1 with res->err when it could not
 * (no free port, cannot write the config, binary not executable). Everything it starts
 * is stopped and everything it writes is removed before it returns. */
int rl_live_run(const struct rl_live_opts *o, struct rl_live_result *res);

#endif
