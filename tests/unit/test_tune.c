/* tune's pure parts: --value-size parsing, a row summed from runs (median, max), the
 * memory-room arithmetic that refuses a run which would not fit, and the calibration
 * file: written atomically with its modes, rows of other allocators and sizes kept, the
 * same allocator and size replaced, an unreadable old file replaced, and what it writes
 * read back by the plan's own parser. Numbers are worked out by hand in the comments. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/tune/calibration.h"
#include "cli/tune/room.h"
#include "cli/tune/tune.h"
#include "tap.h"

#define MIB (UINT64_C(1) << 20)

static void test_sizes(void)
{
    struct rl_tune_size s[RL_TUNE_MAX_SIZES];
    char err[256];
    EQ_U64(rl_tune_sizes_parse("200", s, RL_TUNE_MAX_SIZES, err, sizeof err), 1);
    EQ_STR(s[0].label, "200");
    EQ_U64(s[0].min, 200);
    EQ_U64(s[0].max, 200);
    EQ_U64(rl_tune_sizes_parse("16,16-1024,1048576", s, RL_TUNE_MAX_SIZES, err, sizeof err), 3);
    EQ_STR(s[1].label, "16-1024");
    EQ_U64(s[1].min, 16);
    EQ_U64(s[1].max, 1024);
    EQ_U64(s[2].min, 1048576);
    EQ_U64(rl_tune_sizes_parse("200-200", s, RL_TUNE_MAX_SIZES, err, sizeof err), 1);
    EQ_STR(s[0].label, "200");
    const char *bad[] = {"", "0", "-5", "10-5", "abc", "1,,2", "200,200", "1048577", "1k", "16-", "200 ", NULL};
    for (int i = 0; bad[i]; i++) {
        err[0] = '\0';
        OK(rl_tune_sizes_parse(bad[i], s, RL_TUNE_MAX_SIZES, err, sizeof err) < 0 && strstr(err, "--value-size"),
           "\"%s\" is refused with a reason naming the option (%s)", bad[i], err);
    }
    OK(rl_tune_sizes_parse("1,2,3", s, 2, err, sizeof err) < 0 && strstr(err, "at most 2"), "too many sizes: %s", err);
}

static void test_row(void)
{
    struct rl_tune_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.size.label, sizeof r.size.label, "200");
    double overhead[] = {1.0, 0.8, 1.2};
    uint64_t base[] = {5 * MIB, 7 * MIB, 6 * MIB};
    for (int i = 0; i < 3; i++) {
        r.runs[i].overhead = overhead[i];
        r.runs[i].rss_over_used = 1.5 - 0.1 * i; /* 1.5 1.4 1.3: median 1.4 */
        r.runs[i].base_rss = base[i];
        r.runs[i].per_client = 10000 + (uint64_t)i; /* median 10001 */
        r.runs[i].evicted_keys = 100 * (uint64_t)(3 - i); /* 300 200 100: median 200 */
        r.runs[i].value_bytes_mean = 200;
    }
    r.nruns = 3;
    struct rl_overhead_row row;
    rl_tune_row(&r, "libc", 16 * MIB, &row);
    EQ_STR(row.allocator, "libc");
    EQ_STR(row.value_class, "200");
    OK(row.overhead_median == 1.0, "median of 1.0 0.8 1.2 is 1.0 (got %g)", row.overhead_median);
    OK(row.overhead_max == 1.2, "max is 1.2 (got %g)", row.overhead_max);
    OK(row.rss_over_used > 1.39 && row.rss_over_used < 1.41, "rss/used median 1.4 (got %g)", row.rss_over_used);
    EQ_U64(row.base_rss_bytes, 6 * MIB);
    EQ_U64(row.per_client_bytes, 10001);
    EQ_U64(row.evicted_keys, 200);
    EQ_U64(row.maxmemory_bytes, 16 * MIB);
    EQ_U64(row.runs, 3);
    r.nruns = 2; /* an even count: the mean of the middle two, 0.8 and 1.0 */
    rl_tune_row(&r, "libc", 16 * MIB, &row);
    OK(row.overhead_median > 0.899 && row.overhead_median < 0.901, "median of 1.0 0.8 is 0.9 (got %g)",
       row.overhead_median);
    EQ_U64(row.base_rss_bytes, 6 * MIB);
}

static void test_room(void)
{
    struct rl_facts f;
    memset(&f, 0, sizeof f);
    rl_fact_u64(&f.memory_limit_bytes, 32 * MIB, "test");
    rl_fact_u64(&f.memory_usage_bytes, 4 * MIB, "test");
    rl_fact_u64(&f.mem_available_bytes, 6144 * MIB, "test");
    struct rl_tune_room r;
    rl_tune_room_of(&r, &f, NULL, NULL, "libc");
    OK(r.known && r.free_bytes == 28 * MIB, "the cgroup bound: 32 - 4 = 28 MiB free");
    OK(strstr(r.free_source, "cgroup has 28 MiB free") != NULL, "says so: %s", r.free_source);
    /* no table: 8 MiB base + 50 x 32 KiB + tune's own growth (4 MiB, 28 under ASan); + 1.3 x 64 MiB */
    const uint64_t self = RL_TUNE_SELF_BYTES;
    EQ_U64(rl_tune_room_need(&r, 64 * MIB, 50), 8 * MIB + UINT64_C(50) * 32768 + self + (uint64_t)(64 * MIB * 1.3));
    /* (28 - 9.5625 - 4) / 1.3 = 11.1 MiB, whole MiB: 11 (ASan: nothing fits) */
    EQ_U64(rl_tune_room_fits(&r, 50), self == 4 * MIB ? 11 * MIB : 0);
    static struct rl_overhead_table t;
    char err[256];
    const char *tsv = "allocator\tvalue_class\tvalue_bytes\tmaxmemory_bytes\toverhead_median\toverhead_max\t"
                      "rss_over_used\tbase_rss_bytes\tper_client_bytes\tevicted_keys\truns\n"
                      "libc\t1k\t1024\t16777216\t0.9\t0.95\t1.4\t5242880\t10000\t100\t3\n";
    OK(rl_overhead_parse(tsv, "shipped.tsv", &t, err, sizeof err) == 0, "table parses: %s", err);
    rl_tune_room_of(&r, &f, NULL, &t, "libc");
    EQ_U64(r.base_rss, 5 * MIB);
    EQ_U64(r.per_client, 10000);
    EQ_STR(r.cost_source, "shipped.tsv");
    /* (28 MiB - 5 MiB - 500000 - 4 MiB) / 1.3 = 14.25 MiB: 14 (ASan: nothing fits) */
    EQ_U64(rl_tune_room_fits(&r, 50), self == 4 * MIB ? 14 * MIB : 0);
    /* a larger cgroup: (128 - 4 - 5 - 0.477 - 28) / 1.3 = 69.6, capped at 64, either way */
    rl_fact_u64(&f.memory_limit_bytes, 128 * MIB, "test");
    rl_tune_room_of(&r, &f, NULL, &t, "libc");
    EQ_U64(rl_tune_room_fits(&r, 50), RL_TUNE_MAX_DEFAULT);
    /* (80 - 4 - 5 - 0.477 - 4) / 1.3 = 51.2: 51 (ASan, 28: 32.7: 32) */
    rl_fact_u64(&f.memory_limit_bytes, 80 * MIB, "test");
    rl_tune_room_of(&r, &f, NULL, &t, "libc");
    EQ_U64(rl_tune_room_fits(&r, 50), self == 4 * MIB ? 51 * MIB : 32 * MIB);
    rl_fact_u64(&f.memory_limit_bytes, 32 * MIB, "test");
    rl_tune_room_of(&r, &f, NULL, &t, "jemalloc"); /* no jemalloc row: the default */
    EQ_U64(r.base_rss, 8 * MIB);
    /* MemAvailable tighter than the cgroup */
    rl_fact_u64(&f.mem_available_bytes, 12 * MIB, "test");
    rl_tune_room_of(&r, &f, NULL, &t, "libc");
    EQ_U64(r.free_bytes, 12 * MIB);
    OK(strstr(r.free_source, "MemAvailable") != NULL, "names MemAvailable: %s", r.free_source);
    EQ_U64(rl_tune_room_fits(&r, 50), self == 4 * MIB ? 1 * MIB : 0); /* (12 - 5 - 0.477 - 4) / 1.3 = 1.94 */
    rl_fact_u64(&f.mem_available_bytes, 8 * MIB, "test");
    rl_tune_room_of(&r, &f, NULL, &t, "libc");
    EQ_U64(rl_tune_room_fits(&r, 50), 0); /* not even the idle server fits */
    /* nothing known: no bound, the default size */
    memset(&f, 0, sizeof f);
    rl_tune_room_of(&r, &f, NULL, NULL, "libc");
    OK(!r.known, "no bound known");
    EQ_U64(rl_tune_room_fits(&r, 50), RL_TUNE_MAX_DEFAULT);
    /* a big machine: capped at 64 MiB */
    rl_fact_u64(&f.mem_available_bytes, 8192 * MIB, "test");
    rl_tune_room_of(&r, &f, NULL, NULL, "libc");
    EQ_U64(rl_tune_room_fits(&r, 50), RL_TUNE_MAX_DEFAULT);
}

static struct rl_overhead_row mkrow(const char *alloc, const char *cls, double overhead, int runs)
{
    struct rl_overhead_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.allocator, sizeof r.allocator, "%s", alloc);
    snprintf(r.value_class, sizeof r.value_class, "%s", cls);
    r.value_bytes = 200;
    r.maxmemory_bytes = 16 * MIB;
    r.overhead_median = overhead;
    r.overhead_max = overhead;
    r.rss_over_used = 1.4;
    r.base_rss_bytes = 5 * MIB;
    r.per_client_bytes = 9666;
    r.evicted_keys = 1000;
    r.runs = runs;
    return r;
}

static const struct rl_overhead_row *find(const struct rl_overhead_table *t, const char *alloc, const char *cls)
{
    for (int i = 0; i < t->nrows; i++)
        if (strcmp(t->rows[i].allocator, alloc) == 0 && strcmp(t->rows[i].value_class, cls) == 0)
            return &t->rows[i];
    return NULL;
}

static void test_calibration(void)
{
    char base[] = "/tmp/rl-tune-test-XXXXXX", dir[256], path[512], dropped[512], err[512];
    OK(mkdtemp(base) != NULL, "temporary directory");
    snprintf(dir, sizeof dir, "%s/config/redis-light", base);
    struct rl_calibration_note note = {.server = "redis 7.0.15 malloc=libc, /x/redis-server",
                                       .options = "--value-size 200 --runs 3", .limit = "cgroup limit 32 MiB",
                                       .elapsed_s = 12};
    struct rl_overhead_row first[] = {mkrow("jemalloc", "200", 0.9, 3), mkrow("jemalloc", "1024", 0.95, 3)};
    int kept = -1;
    OK(rl_calibration_write(dir, first, 2, &note, path, sizeof path, &kept, dropped, sizeof dropped, err,
                            sizeof err) == 0, "first write: %s", err);
    EQ_U64(kept, 0);
    struct stat st;
    OK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "the directory is 0700 (%o)", st.st_mode & 0777);
    OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600 (%o)", st.st_mode & 0777);
    char *text = tap_slurp(path);
    OK(text && strncmp(text, "# redis-light tune, ", 20) == 0, "the first comment names what made it");
    OK(text && strstr(text, "# Redis: redis 7.0.15 malloc=libc") && strstr(text, "# options: --value-size 200") &&
       strstr(text, "cgroup limit 32 MiB") && strstr(text, "# machine: kernel "),
       "comments name the server, the options, the limit and the machine");
    free(text);

    /* same allocator+class replaced, other allocator kept, new class added */
    struct rl_overhead_row second[] = {mkrow("jemalloc", "200", 1.1, 1), mkrow("libc", "200", 1.0, 1)};
    OK(rl_calibration_write(dir, second, 2, &note, path, sizeof path, &kept, dropped, sizeof dropped, err,
                            sizeof err) == 0, "second write: %s", err);
    EQ_U64(kept, 1);
    EQ_STR(dropped, "");
    static struct rl_overhead_table t;
    OK(rl_overhead_load(path, &t, err, sizeof err) == 0, "the plan's parser reads it: %s", err);
    EQ_U64(t.nrows, 3);
    const struct rl_overhead_row *j200 = find(&t, "jemalloc", "200"), *j1024 = find(&t, "jemalloc", "1024");
    OK(j200 && j200->runs == 1 && j200->overhead_max > 1.09, "jemalloc 200 replaced by the new run");
    OK(j1024 && j1024->runs == 3, "jemalloc 1024 kept");
    OK(find(&t, "libc", "200") != NULL, "libc 200 added");
    text = tap_slurp(path);
    OK(text && strstr(text, "kept from the previous calibration: jemalloc 1024"), "the kept rows are named");
    free(text);

    /* an unreadable old file (the plan refuses it) is replaced, and the reason given */
    FILE *f = fopen(path, "w");
    OK(f != NULL, "damage the file");
    if (f) {
        fputs("not a table\n", f);
        fclose(f);
    }
    OK(rl_calibration_write(dir, second, 2, &note, path, sizeof path, &kept, dropped, sizeof dropped, err,
                            sizeof err) == 0, "write over a damaged file: %s", err);
    OK(dropped[0] != '\0', "says why the old rows were dropped: %s", dropped);
    EQ_U64(kept, 0);
    OK(rl_overhead_load(path, &t, err, sizeof err) == 0 && t.nrows == 2, "the new file holds the 2 new rows");

    /* a row the plan would refuse is never written */
    struct rl_overhead_row broken = mkrow("libc", "16", 0, 1); /* overhead 0: not a measurement */
    OK(rl_calibration_write(dir, &broken, 1, &note, path, sizeof path, &kept, dropped, sizeof dropped, err,
                            sizeof err) < 0 && strstr(err, "nothing written"), "refused: %s", err);
    OK(rl_overhead_load(path, &t, err, sizeof err) == 0 && t.nrows == 2, "the old file is unchanged");

    /* no temporary files left behind */
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    EQ_U64(entries, 1);
    char parent[300];
    snprintf(parent, sizeof parent, "%s/config", base);
    OK(unlink(path) == 0 && rmdir(dir) == 0 && rmdir(parent) == 0 && rmdir(base) == 0, "cleanup");
}

int main(void)
{
    test_sizes();
    test_row();
    test_room();
    test_calibration();
    return tap_done();
}
