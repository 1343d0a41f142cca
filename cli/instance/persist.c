/* Persisted data of an instance (persist.h). */
#include "cli/instance/persist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/instance/client.h"
#include "cli/instance/conf.h"
#include "cli/instance/instance.h"
#include "cli/sys/files.h"
#include "cli/util/size.h"

static bool exists_in(const char *dir, const char *name, struct stat *st)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, st) == 0;
}

const char *rl_persist_found(const char *data_dir)
{
    struct stat st;
    /* Redis 7 reads appendonlydir/ only through its manifest: a directory without one loads nothing */
    if ((exists_in(data_dir, "appendonlydir/appendonly.aof.manifest", &st) && S_ISREG(st.st_mode)) ||
        (exists_in(data_dir, "appendonly.aof", &st) && S_ISREG(st.st_mode)))
        return "aof";
    if (exists_in(data_dir, "dump.rdb", &st) && S_ISREG(st.st_mode))
        return "rdb";
    return NULL;
}

int rl_persist_choose(const char *option, const char *found, const char *name, const char *data_dir,
                      const char **mode, bool *adopted, char *err, size_t errlen)
{
    *adopted = false;
    *mode = option;
    if (!found || (option && strcmp(option, found) == 0))
        return 0;
    if (!option) {
        *mode = found;
        *adopted = true;
        return 0;
    }
    const char *files = strcmp(found, "aof") == 0 ? "an append-only file (appendonlydir/)" : "an RDB snapshot (dump.rdb)";
    const char *why = strcmp(option, "none") == 0 ? (strcmp(found, "aof") == 0 ? "would neither load it nor keep what changes"
                                                                                : "would load it but never save what changes")
                      : strcmp(option, "rdb") == 0 ? "would not load it (Redis reads the AOF only with appendonly yes)"
                                                   : "would not load it (with appendonly yes Redis reads only the AOF)";
    const char *nm = strcmp(name, "default") ? " --name " : "", *na = strcmp(name, "default") ? name : "";
    if (strcmp(found, "rdb") == 0 && strcmp(option, "aof") == 0)
        snprintf(err, errlen, "instance \"%s\" keeps its data in %s in %s, and --persist aof %s; start it with "
                 "`redis-light up%s%s --persist rdb` and switch it live with `redis-cli CONFIG SET appendonly yes` "
                 "(Redis then writes the AOF from its data), or move %s away to start empty", name, files, data_dir,
                 why, nm, na, data_dir);
    else
        snprintf(err, errlen, "instance \"%s\" keeps its data in %s in %s, and --persist %s %s; start it with "
                 "`redis-light up%s%s --persist %s`, or move %s away to start empty", name, files, data_dir, option,
                 why, nm, na, found, data_dir);
    return -1;
}

int rl_persist_decide(const struct rl_instance *in, const char *option, bool look_on_disk,
                      struct rl_persist_decision *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    const char *found = look_on_disk ? rl_persist_found(in->data) : NULL;
    if (rl_persist_choose(option, found, in->name, in->data, &d->mode, &d->adopted, err, errlen) < 0)
        return -1;
    snprintf(d->found, sizeof d->found, "%s", found ? found : "");
    if (d->adopted) {
        char *old = rl_file_read(in->conf, 1 << 20);
        char pol[64] = "";
        bool store = old && strcmp(rl_conf_persist_mode(old), d->found) == 0 &&
                     rl_conf_get(old, "maxmemory-policy", pol, sizeof pol) == 0 && strcmp(pol, "noeviction") == 0;
        free(old);
        d->keep_policy = !store;
    }
    return 0;
}

static void field(const char *info, const char *key, char *out, size_t len)
{
    if (rl_info_field(info, key, out, len) < 0)
        out[0] = '\0';
}

void rl_persist_state_read(struct rl_persist_state *s, const char *info, const char *conf, const char *data_dir)
{
    memset(s, 0, sizeof *s);
    s->loading = rl_info_u64(info, "loading", 0) != 0;
    s->aof_enabled = rl_info_u64(info, "aof_enabled", 0) != 0;
    const char *mode = s->aof_enabled ? "aof" : rl_conf_persist_mode(conf);
    if (!s->aof_enabled && strcmp(mode, "aof") == 0) { /* AOF turned off live: the config's save rules remain */
        char save[256];
        mode = rl_conf_get(conf, "save", save, sizeof save) < 0 || save[0] ? "rdb" : "none";
    }
    snprintf(s->mode, sizeof s->mode, "%s", mode);
    s->save_in_progress = rl_info_u64(info, "rdb_bgsave_in_progress", 0) != 0;
    s->rewrite_in_progress = rl_info_u64(info, "aof_rewrite_in_progress", 0) != 0;
    s->changes_since_save = rl_info_u64(info, "rdb_changes_since_last_save", 0);
    s->last_save_unix = (long long)rl_info_u64(info, "rdb_last_save_time", 0);
    field(info, "rdb_last_bgsave_status", s->last_save_status, sizeof s->last_save_status);
    field(info, "aof_last_bgrewrite_status", s->last_rewrite_status, sizeof s->last_rewrite_status);
    field(info, "aof_last_write_status", s->last_write_status, sizeof s->last_write_status);
    s->aof_bytes = rl_info_u64(info, "aof_current_size", 0);
    s->rdb_cow_bytes = rl_info_u64(info, "rdb_last_cow_size", 0);
    s->aof_cow_bytes = rl_info_u64(info, "aof_last_cow_size", 0);
    struct stat st;
    s->rdb_file_bytes = exists_in(data_dir, "dump.rdb", &st) && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

static void json_status(struct rl_json *w, const char *key, const char *v)
{
    rl_json_key(w, key);
    rl_json_str(w, v[0] ? v : NULL);
}

void rl_persist_state_json(struct rl_json *w, const struct rl_persist_state *s)
{
    rl_json_obj(w);
    rl_json_key(w, "mode"); rl_json_str(w, s->mode);
    rl_json_key(w, "loading"); rl_json_bool(w, s->loading);
    rl_json_key(w, "aof_enabled"); rl_json_bool(w, s->aof_enabled);
    rl_json_key(w, "aof_size_bytes");
    if (s->aof_enabled) rl_json_u64(w, s->aof_bytes); else rl_json_null(w);
    json_status(w, "aof_last_rewrite_status", s->aof_enabled ? s->last_rewrite_status : "");
    json_status(w, "aof_last_write_status", s->aof_enabled ? s->last_write_status : "");
    rl_json_key(w, "aof_rewrite_in_progress"); rl_json_bool(w, s->rewrite_in_progress);
    rl_json_key(w, "aof_last_cow_bytes");
    if (s->aof_enabled) rl_json_u64(w, s->aof_cow_bytes); else rl_json_null(w);
    rl_json_key(w, "rdb_last_save_unix"); rl_json_i64(w, s->last_save_unix);
    json_status(w, "rdb_last_save_status", s->last_save_status);
    rl_json_key(w, "rdb_save_in_progress"); rl_json_bool(w, s->save_in_progress);
    rl_json_key(w, "rdb_changes_since_save"); rl_json_u64(w, s->changes_since_save);
    rl_json_key(w, "rdb_file_bytes");
    if (s->rdb_file_bytes >= 0) rl_json_i64(w, s->rdb_file_bytes); else rl_json_null(w);
    rl_json_key(w, "rdb_last_cow_bytes"); rl_json_u64(w, s->rdb_cow_bytes);
    rl_json_end_obj(w);
}

static void ago(long long secs, char *out, size_t len)
{
    if (secs < 0)
        secs = 0;
    if (secs < 120)
        snprintf(out, len, "%llds ago", secs);
    else if (secs < 7200)
        snprintf(out, len, "%lldm ago", secs / 60);
    else
        snprintf(out, len, "%lldh ago", secs / 3600);
}

void rl_persist_state_text(const struct rl_persist_state *s, long long now, char *out, size_t len)
{
    char a[32], b[32], when[32];
    ago(now - s->last_save_unix, when, sizeof when);
    if (strcmp(s->mode, "aof") == 0)
        snprintf(out, len, "persists with aof: %s, last write %s, last rewrite %s%s%s%s", rl_fmt_size(s->aof_bytes, a,
                 sizeof a), s->last_write_status[0] ? s->last_write_status : "-",
                 s->last_rewrite_status[0] ? s->last_rewrite_status : "-",
                 s->rewrite_in_progress ? " (rewriting now)" : "", s->aof_cow_bytes ? ", copy-on-write " : "",
                 s->aof_cow_bytes ? rl_fmt_size(s->aof_cow_bytes, b, sizeof b) : "");
    else if (strcmp(s->mode, "rdb") == 0)
        snprintf(out, len, "persists with rdb: last snapshot %s (%s)%s, %llu changes since, dump.rdb %s%s%s", when,
                 s->last_save_status[0] ? s->last_save_status : "-", s->save_in_progress ? ", saving now" : "",
                 (unsigned long long)s->changes_since_save,
                 s->rdb_file_bytes >= 0 ? rl_fmt_size((uint64_t)s->rdb_file_bytes, a, sizeof a) : "none yet",
                 s->rdb_cow_bytes ? ", copy-on-write " : "", s->rdb_cow_bytes ? rl_fmt_size(s->rdb_cow_bytes, b, sizeof b) : "");
    else
        snprintf(out, len, "no persistence: the data lasts until Redis stops");
}

int rl_persist_log_truncations(const char *log, long long offset, char *out, size_t len)
{
    char *text = rl_file_tail(log, offset, 400);
    int n = 0;
    out[0] = '\0';
    static const char mark[] = "!!! Truncating the AOF ";
    for (const char *p = text ? strstr(text, mark) : NULL; p; p = strstr(p + 1, mark)) {
        if (n++ == 0) {
            const char *what = p + sizeof mark - 1, *end = strstr(what, " !!!");
            size_t k = end ? (size_t)(end - what) : strcspn(what, "\n");
            snprintf(out, len, "%.*s", (int)k, what);
        }
    }
    free(text);
    return n;
}
