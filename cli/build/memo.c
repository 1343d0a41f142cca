#include "cli/build/memo.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/sys/kvfile.h"
#include "cli/build/sha256.h"
#include "cli/util/paths.h"

/* The memo file of (kind, path), and the file's current identity. */
static int locate(const char *cache_dir, const char *kind, const char *path, char *file, size_t flen,
                  char *stamp, size_t slen)
{
    struct stat st;
    if (!cache_dir || stat(path, &st) < 0)
        return -1;
    snprintf(stamp, slen, "%lld %lld.%09ld %llu", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
    struct rl_sha256 s;
    char hex[65];
    rl_sha256_init(&s);
    rl_sha256_update(&s, path, strlen(path));
    rl_sha256_hex(&s, hex);
    return snprintf(file, flen, "%s/ids/%s-%.16s", cache_dir, kind, hex) < (int)flen ? 0 : -1;
}

int rl_memo_get(const char *cache_dir, const char *kind, const char *path, char *out, size_t len)
{
    char file[4096], stamp[128];
    if (locate(cache_dir, kind, path, file, sizeof file, stamp, sizeof stamp) < 0)
        return -1;
    struct rl_kv *kv = rl_kv_new();
    int rc = -1;
    if (kv && rl_kv_load(kv, file) == 0 && rl_kv_get(kv, "path") && rl_kv_get(kv, "stamp") &&
        rl_kv_get(kv, "value") && strcmp(rl_kv_get(kv, "path"), path) == 0 &&
        strcmp(rl_kv_get(kv, "stamp"), stamp) == 0) {
        snprintf(out, len, "%s", rl_kv_get(kv, "value"));
        rc = 0;
    }
    rl_kv_free(kv);
    return rc;
}

void rl_memo_put(const char *cache_dir, const char *kind, const char *path, const char *value)
{
    char file[4096], stamp[128], dir[4096];
    if (locate(cache_dir, kind, path, file, sizeof file, stamp, sizeof stamp) < 0)
        return;
    snprintf(dir, sizeof dir, "%s/ids", cache_dir);
    if (rl_mkdir_p(dir, 0755) < 0)
        return;
    struct rl_kv *kv = rl_kv_new();
    if (!kv)
        return;
    rl_kv_set(kv, "path", path);
    rl_kv_set(kv, "stamp", stamp);
    rl_kv_set(kv, "value", value);
    rl_kv_write(kv, file, "redis-light memo: a value computed from the file at path, valid while stamp matches");
    rl_kv_free(kv);
}
