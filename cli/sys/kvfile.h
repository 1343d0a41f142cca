/* Record files (build record, instance record): one "key: value" per line, values as
 * YAML double-quoted strings unless they are plain integers, so every record is valid
 * YAML that other tools can read, while this reader stays a page long. Files are written
 * to a temporary name and renamed, so a reader never sees half a record. */
#ifndef RL_SYS_KVFILE_H
#define RL_SYS_KVFILE_H
#include <stddef.h>

#define RL_KV_MAX 48

struct rl_kv {
    int err;             /* 0, or an errno value after a failed load/write */
    char errstr[256];
    int n;
    struct {
        char *key;
        char *val;
    } e[RL_KV_MAX];
};

/* A new empty record (NULL only when out of memory). Free with rl_kv_free (accepts NULL). */
struct rl_kv *rl_kv_new(void);
void rl_kv_free(struct rl_kv *kv);
/* Sets key (replacing an earlier value). Values must not contain NUL; any other byte is
 * escaped. Returns 0, or -1 when the record is full or out of memory. */
int rl_kv_set(struct rl_kv *kv, const char *key, const char *val);
int rl_kv_setf(struct rl_kv *kv, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The value, or NULL when absent. Pointer owned by kv. */
const char *rl_kv_get(const struct rl_kv *kv, const char *key);
/* The value as an integer, or def when absent or not an integer. */
long long rl_kv_get_ll(const struct rl_kv *kv, const char *key, long long def);

/* Parses text (comments with '#', blank lines ignored). Returns 0 or -1 with errstr
 * naming the line. Pure: no I/O. */
int rl_kv_parse(struct rl_kv *kv, const char *text);
/* Loads a file. Returns 0, or -1 with err (errno; ENOENT when missing) and errstr. */
int rl_kv_load(struct rl_kv *kv, const char *path);
/* Writes atomically with mode 0600, the comment as a first "# " line. Returns 0 or -1. */
int rl_kv_write(struct rl_kv *kv, const char *path, const char *comment);

#endif
