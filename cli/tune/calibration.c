#include "cli/tune/calibration.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli/util/paths.h"

#define TEXT_MAX 65536 /* what rl_overhead_load reads */

__attribute__((format(printf, 4, 5))) static void add(char *out, size_t len, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

static void add_row(char *out, size_t len, size_t *used, const struct rl_overhead_row *r)
{
    add(out, len, used, "%s\t%s\t%llu\t%llu\t%.4f\t%.4f\t%.4f\t%llu\t%llu\t%llu\t%d\n", r->allocator,
        r->value_class, (unsigned long long)r->value_bytes, (unsigned long long)r->maxmemory_bytes,
        r->overhead_median, r->overhead_max, r->rss_over_used, (unsigned long long)r->base_rss_bytes,
        (unsigned long long)r->per_client_bytes, (unsigned long long)r->evicted_keys, r->runs);
}

size_t rl_calibration_text(char *out, size_t len, const struct rl_overhead_row *rows, int nrows,
                           const struct rl_calibration_note *note, const char *kept_note)
{
    size_t used = 0;
    out[0] = '\0';
    char date[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    struct utsname u;
    if (uname(&u) < 0)
        snprintf(u.release, sizeof u.release, "unknown");
    add(out, len, &used, "# redis-light tune, %s, %.0f s\n", date, note->elapsed_s);
    add(out, len, &used, "# Redis: %s\n", note->server);
    add(out, len, &used, "# machine: kernel %s, page size %ld, %ld CPUs, %s\n", u.release, sysconf(_SC_PAGESIZE),
        sysconf(_SC_NPROCESSORS_ONLN), note->limit);
    add(out, len, &used, "# options: %s\n", note->options);
    add(out, len, &used, "# overhead = (VmHWM - base RSS) / maxmemory after SETs of 3x maxmemory (key + value "
                         "bytes), allkeys-lru\n");
    if (kept_note && *kept_note)
        add(out, len, &used, "# %s\n", kept_note);
    add(out, len, &used, "allocator\tvalue_class\tvalue_bytes\tmaxmemory_bytes\toverhead_median\toverhead_max\t"
                         "rss_over_used\tbase_rss_bytes\tper_client_bytes\tevicted_keys\truns\n");
    for (int i = 0; i < nrows; i++)
        add_row(out, len, &used, &rows[i]);
    return used;
}

static bool replaced(const struct rl_overhead_row *old, const struct rl_overhead_row *rows, int nrows)
{
    for (int i = 0; i < nrows; i++)
        if (strcmp(old->allocator, rows[i].allocator) == 0 && strcmp(old->value_class, rows[i].value_class) == 0)
            return true;
    return false;
}

static int write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

int rl_calibration_write(const char *dir, const struct rl_overhead_row *rows, int nrows,
                         const struct rl_calibration_note *note, char *path, size_t pathlen, int *kept,
                         char *dropped, size_t droppedlen, char *err, size_t errlen)
{
    static struct rl_overhead_table old, check;
    static struct rl_overhead_row all[RL_OVERHEAD_MAX_ROWS];
    static char text[TEXT_MAX];
    *kept = 0;
    dropped[0] = '\0';
    snprintf(path, pathlen, "%s/%s", dir, RL_CALIBRATION_FILE);
    char why[1024];
    int rc = rl_overhead_load(path, &old, why, sizeof why);
    if (rc < 0) {
        snprintf(dropped, droppedlen, "%s", why); /* replaced: the plan refuses it as it is */
        old.nrows = 0;
    } else if (rc == 1) {
        old.nrows = 0;
    }
    int n = 0;
    char kept_note[256] = "";
    size_t kn = 0;
    for (int i = 0; i < old.nrows; i++) {
        if (replaced(&old.rows[i], rows, nrows))
            continue;
        if (n + nrows >= RL_OVERHEAD_MAX_ROWS) {
            snprintf(err, errlen, "%s would hold more than %d rows; delete it (or the rows no longer wanted) and "
                     "run tune again", path, RL_OVERHEAD_MAX_ROWS);
            return -1;
        }
        all[n++] = old.rows[i];
        add(kept_note, sizeof kept_note, &kn, "%s%s %s", kn ? ", " : "kept from the previous calibration: ",
            old.rows[i].allocator, old.rows[i].value_class);
    }
    *kept = n;
    for (int i = 0; i < nrows; i++)
        all[n++] = rows[i];
    size_t len = rl_calibration_text(text, sizeof text, all, n, note, kept_note);
    if (len + 1 >= sizeof text || rl_overhead_parse(text, path, &check, why, sizeof why) < 0) {
        snprintf(err, errlen, "the calibration would not read back as the plan reads it (%s); nothing written",
                 len + 1 >= sizeof text ? "too long" : why);
        return -1;
    }
    if (rl_mkdir_p(dir, 0700) < 0) {
        snprintf(err, errlen, "cannot create %s: %s (set XDG_CONFIG_HOME to a writable directory)", dir,
                 strerror(errno));
        return -1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, RL_CALIBRATION_FILE);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        return -1;
    }
    if (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0) {
        snprintf(err, errlen, "cannot write %s: %s; the old calibration is unchanged", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        snprintf(err, errlen, "cannot replace %s: %s; the old calibration is unchanged", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
