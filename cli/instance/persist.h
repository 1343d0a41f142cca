/* An instance's persisted data: what its data directory holds, which --persist mode up
 * may start it with without leaving that data unloaded, what the server says of its
 * saves (INFO persistence), and what its log says it repaired while loading. */
#ifndef RL_INSTANCE_PERSIST_H
#define RL_INSTANCE_PERSIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/util/json.h"

/* "aof" when data_dir holds an append-only file (Redis 7's appendonlydir/ with its manifest, or an
 * older appendonly.aof), else "rdb" for a dump.rdb, else NULL. */
const char *rl_persist_found(const char *data_dir);

/* The mode up starts the instance with: the option when it loads what is on disk, the
 * data's own mode when no option is given (*adopted set), NULL for the profile's when the
 * directory is empty. A mode that would leave the data unloaded (Redis reads the AOF only
 * with appendonly yes, and then never the RDB) is refused: -1 with err naming the files
 * and the two ways on. */
int rl_persist_choose(const char *option, const char *found, const char *name, const char *data_dir,
                      const char **mode, bool *adopted, char *err, size_t errlen);

/* The whole decision up and doctor make for an instance (paths set): look_on_disk false
 * (a --sysroot plan) ignores this machine's data. With the data's own mode adopted, a
 * store whose last redis.conf was a noeviction store comes back one; other data (a stray
 * snapshot of a cache) keeps the profile's policy. Returns 0, or -1 with err (a mode that
 * would leave the data unloaded). */
struct rl_persist_decision {
    const char *mode;                 /* for the plan's --persist: NULL is the profile's */
    char found[8];                    /* what the data directory holds: "aof", "rdb" or "" */
    bool adopted;                     /* mode is the data's own, not asked for */
    bool keep_policy;                 /* adopted, and not a noeviction store before */
};
struct rl_instance;
int rl_persist_decide(const struct rl_instance *in, const char *option, bool look_on_disk,
                      struct rl_persist_decision *d, char *err, size_t errlen);

/* What INFO persistence says, for status. */
struct rl_persist_state {
    char mode[8];                     /* aof, rdb or none: the live aof_enabled, then the redis.conf */
    bool loading, aof_enabled, save_in_progress, rewrite_in_progress;
    uint64_t changes_since_save;
    long long last_save_unix;         /* rdb_last_save_time */
    char last_save_status[8];         /* rdb_last_bgsave_status: ok | err */
    char last_rewrite_status[8], last_write_status[8]; /* aof_last_bgrewrite_status, aof_last_write_status */
    uint64_t aof_bytes;               /* aof_current_size (AOF on) */
    long long rdb_file_bytes;         /* the dump.rdb on disk, -1 when there is none */
    uint64_t rdb_cow_bytes, aof_cow_bytes; /* rdb_last_cow_size, aof_last_cow_size: the last fork's copy-on-write */
};

/* Fills s from INFO persistence text, the instance's redis.conf and its data directory.
 * The mode is the server's live state first (a CONFIG SET appendonly since start counts),
 * then the config's. */
void rl_persist_state_read(struct rl_persist_state *s, const char *info, const char *conf, const char *data_dir);
void rl_persist_state_json(struct rl_json *w, const struct rl_persist_state *s);
/* One line for people: "aof 1.2 MiB, last rewrite ok, …". */
void rl_persist_state_text(const struct rl_persist_state *s, long long now, char *out, size_t len);

/* The AOF repairs Redis logged from offset on ("Truncating the AOF FILE at offset N": a
 * command cut short by a crash, dropped so the rest loads). Returns how many, with the
 * first one's file and offset in out. */
int rl_persist_log_truncations(const char *log, long long offset, char *out, size_t len);

#endif
