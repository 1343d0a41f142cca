/* What --persist aof|rdb|none writes into redis.conf. AOF is fsynced every second (a
 * crash loses at most the last second of writes, the durability most stores want at a
 * cost Redis measures in single-digit percent) and rewritten with an RDB preamble (the
 * rewrite writes a compact snapshot, loading is fast). With AOF, RDB snapshots are off:
 * the rewrite is then the only fork, and one fork at a time is what the budget's fork
 * reserve is sized for. */
#include <stdbool.h>
#include <string.h>

#include "profiles/profile.h"

const char *const rl_profile_persist_keys[] = {"appendonly", "appendfsync", "aof-use-rdb-preamble", "save", NULL};

bool rl_profile_persist_valid(const char *s)
{
    return s && (strcmp(s, "aof") == 0 || strcmp(s, "rdb") == 0 || strcmp(s, "none") == 0);
}

bool rl_profile_persist_on(const char *s) { return s && (strcmp(s, "aof") == 0 || strcmp(s, "rdb") == 0); }

bool rl_profile_persist_owns(const char *key)
{
    for (int i = 0; rl_profile_persist_keys[i]; i++)
        if (strcmp(key, rl_profile_persist_keys[i]) == 0)
            return true;
    return false;
}

const char *rl_profile_persist_value(const char *mode, const char *key)
{
    bool aof = strcmp(mode, "aof") == 0, rdb = strcmp(mode, "rdb") == 0;
    if (strcmp(key, "appendonly") == 0)
        return aof ? "yes" : "no";
    if (strcmp(key, "appendfsync") == 0)
        return aof ? "everysec" : NULL;
    if (strcmp(key, "aof-use-rdb-preamble") == 0)
        return aof ? "yes" : NULL;
    if (strcmp(key, "save") == 0)
        return rdb ? "3600 1 300 100 60 10000" : ""; /* Redis 7's own defaults */
    return NULL;
}

const char *rl_profile_persist_why(const char *mode)
{
    if (strcmp(mode, "aof") == 0)
        return "--persist aof: an append-only file fsynced every second (a crash loses at most the last second), "
               "rewritten with an RDB preamble; no snapshots, so the rewrite is the only fork";
    if (strcmp(mode, "rdb") == 0)
        return "--persist rdb: RDB snapshots on Redis's default save rules and at SHUTDOWN; no append-only file";
    return "--persist none: nothing is written to disk";
}
