/* The memory budget's arithmetic over fixture facts and the frozen fixture table
 * (tests/fixtures/overhead/overhead.tsv): every term, rounding, memory.high, a host
 * without a cgroup limit, persistence, a limit smaller than the fixed costs, a fixed
 * maxmemory that does not fit, a --maxmemory above the budget, a calibration that wins,
 * and damaged tables. Expected numbers are worked out by hand in the comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/plan/budget.h"
#include "profiles/profile_internal.h"
#include "tap.h"

#define MIB (1ULL << 20)

static struct rl_overhead_table table;

static void facts(struct rl_facts *f, uint64_t limit, uint64_t high)
{
    memset(f, 0, sizeof *f);
    rl_fact_u64(&f->mem_total_bytes, 8ULL << 30, "test");
    rl_fact_u64(&f->mem_available_bytes, 6ULL << 30, "test");
    if (limit)
        rl_fact_u64(&f->memory_limit_bytes, limit, "test");
    else
        rl_fact_none(&f->memory_limit_bytes, "test");
    if (high)
        rl_fact_u64(&f->memory_high_bytes, high, "test");
    else
        rl_fact_none(&f->memory_high_bytes, "test");
}

static struct rl_profile *profile(const char *name, const char *maxmemory, const char *allocator)
{
    char path[] = "/tmp/rl-budget-XXXXXX.yaml";
    int fd = mkstemps(path, 5);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return NULL;
    fprintf(f, "name: %s\npriority: 1\nbuild:\n  allocator: %s\nconfig:\n  maxmemory: %s\n"
            "  maxmemory-policy: allkeys-lru\n  save: \"\"\nheadroom: 20%%\n", name, allocator, maxmemory);
    fclose(f);
    char err[512];
    struct rl_profile *p = rl_profile_load(path, err, sizeof err);
    OK(p != NULL, "load %s: %s", name, err);
    unlink(path);
    return p;
}

static const struct rl_budget_term *term(const struct rl_budget *b, const char *name)
{
    for (int i = 0; i < b->nterms; i++)
        if (strcmp(b->terms[i].name, name) == 0)
            return &b->terms[i];
    return NULL;
}

static int decide(struct rl_budget *b, const struct rl_facts *f, const char *alloc, bool persistent,
                  const struct rl_overhead_table *cal, struct rl_profile **cands, int n)
{
    struct rl_budget_ctx ctx = {.allocator = alloc, .version = "7.0.15", .persistent = persistent,
                                .shipped = &table, .calibration = cal};
    return rl_budget_decide(b, f, &ctx, (const struct rl_profile *const *)cands, n);
}

/* The fixture's worst libc row: overhead_max 1.2092, base RSS 5656576 (the largest),
 * per client 9687; jemalloc: 1.0901, 6348800, 9994. */
static void terms_48mib(void)
{
    struct rl_facts f;
    struct rl_budget b;
    facts(&f, 48 * MIB, 0);
    struct rl_profile *tiny = profile("tiny", "budget", "libc");
    OK(decide(&b, &f, "libc", false, NULL, &tiny, 1) == 0, "48 MiB budget: %s", b.errstr);
    /* clients: 2% of 50331648 = 1006632 / 9687 = 103 connections = 997761 bytes;
     * margin: 10% = 5033160; fixed = 5656576 + 997761 + 5033160 = 11687497;
     * (50331648 - 11687497) / 1.2092 = 31958279 -> 30 MiB after rounding down */
    EQ_U64(b.limit_bytes, 48 * MIB);
    OK(b.cgroup_limited && b.from_evidence, "a cgroup limit, decided from evidence");
    const struct rl_budget_term *t = term(&b, "base RSS");
    OK(t && t->bytes == 5656576 && strstr(t->source, "overhead.tsv"), "base RSS term %llu",
       t ? (unsigned long long)t->bytes : 0ULL);
    t = term(&b, "clients");
    OK(t && t->bytes == 997761 && strstr(t->source, "maxclients 103"), "clients term: %s", t ? t->source : "-");
    EQ_U64(b.maxclients, 103);
    t = term(&b, "safety margin");
    OK(t && t->bytes == 5033160, "margin term");
    t = term(&b, "replication backlog");
    OK(t && t->bytes == 0, "no backlog");
    t = term(&b, "fork reserve");
    OK(t && t->bytes == 0 && strstr(t->source, "no persistence"), "no fork reserve without persistence");
    OK(b.overhead_factor > 1.2091 && b.overhead_factor < 1.2093, "factor %.4f", b.overhead_factor);
    OK(strstr(b.overhead_source, "16 values"), "factor names its row: %s", b.overhead_source);
    EQ_U64(b.maxmemory_bytes, 30 * MIB);
    OK(strstr(b.conf, "maxclients 103\n") && strstr(b.conf, "maxmemory-clients 50%"), "conf: %s", b.conf);
    /* the same at 128 MiB: clients 277 (2683299), margin 13421770 -> 88 MiB */
    facts(&f, 128 * MIB, 0);
    OK(decide(&b, &f, "libc", false, NULL, &tiny, 1) == 0, "128 MiB");
    EQ_U64(b.maxmemory_bytes, 88 * MIB);
    EQ_U64(b.maxclients, 277);
    /* jemalloc at 256 MiB: (268435456 - 6348800 - 5366778 - 26843540) / 1.0901 -> 201 MiB */
    facts(&f, 256 * MIB, 0);
    OK(decide(&b, &f, "jemalloc", false, NULL, &tiny, 1) == 0, "256 MiB jemalloc");
    EQ_U64(b.maxmemory_bytes, 201 * MIB);
    /* persistence: the fork reserve is 1x maxmemory: 128 MiB libc -> 48 MiB */
    facts(&f, 128 * MIB, 0);
    OK(decide(&b, &f, "libc", true, NULL, &tiny, 1) == 0, "persistent");
    EQ_U64(b.maxmemory_bytes, 48 * MIB);
    const struct rl_budget_term *fork = term(&b, "fork reserve");
    OK(fork && strstr(fork->source, "copy-on-write"), "fork reserve says why");
    OK(fork && fork->bytes == 48 * MIB, "the fork reserve is shown as 1x maxmemory in bytes");
    OK(b.overhead_factor > 1.2091 && b.overhead_factor < 1.2093, "the factor stays the table's (the reserve is a term)");
    /* memory.high below the limit is the limit: 100 MiB -> 68 MiB */
    facts(&f, 256 * MIB, 100 * MIB);
    OK(decide(&b, &f, "libc", false, NULL, &tiny, 1) == 0, "memory.high");
    EQ_U64(b.limit_bytes, 100 * MIB);
    OK(strstr(b.limit_source, "memory.high"), "limit source: %s", b.limit_source);
    EQ_U64(b.maxmemory_bytes, 68 * MIB);
    rl_profile_free(tiny);
}

static void host_and_small(void)
{
    struct rl_facts f;
    struct rl_budget b;
    struct rl_profile *p = profile("any", "budget", "jemalloc");
    /* a host: limit MemTotal 8 GiB, ours 50% of MemAvailable 6 GiB = 3 GiB; clients 6446,
     * margin 322122540 -> 2474 MiB */
    facts(&f, 0, 0);
    OK(decide(&b, &f, "jemalloc", false, NULL, &p, 1) == 0, "host");
    const struct rl_budget_term *t = term(&b, "rest of the host");
    OK(t && t->bytes == (8ULL << 30) - (6ULL << 30) / 100 * 50, "the rest of the host is not ours");
    EQ_U64(b.maxclients, 6446);
    EQ_U64(b.maxmemory_bytes, 2474 * MIB);
    /* a cgroup limit above MemTotal limits nothing: the host's rules apply */
    facts(&f, 64ULL << 30, 0);
    OK(decide(&b, &f, "jemalloc", false, NULL, &p, 1) == 0, "cgroup above MemTotal");
    OK(!b.cgroup_limited && term(&b, "rest of the host") && b.maxmemory_bytes == 2474 * MIB,
       "a 64 GiB cgroup on an 8 GiB host plans like the host (%llu)", (unsigned long long)b.maxmemory_bytes);
    /* 6 MiB cannot hold base 5656576 + 64 clients 619968 + margin 629145 */
    facts(&f, 6 * MIB, 0);
    OK(decide(&b, &f, "libc", false, NULL, &p, 1) < 0, "6 MiB is below the fixed costs");
    OK(strstr(b.errstr, "would need at least") && strstr(b.errstr, "--maxmemory"), "says what it needs: %s", b.errstr);
    rl_profile_free(p);
}

static void fixed_and_options(void)
{
    struct rl_facts f;
    struct rl_budget b;
    struct rl_profile *c[2] = {profile("replit", "64mb", "libc"), profile("tiny", "budget", "libc")};
    /* 64mb is above the 30 MiB a 48 MiB limit holds: the memory decision passes to tiny */
    facts(&f, 48 * MIB, 0);
    OK(decide(&b, &f, "libc", false, NULL, c, 2) == 0, "fallback");
    OK(strcmp(b.from, "tiny") == 0 && b.maxmemory_bytes == 30 * MIB, "from %s, %llu", b.from,
       (unsigned long long)b.maxmemory_bytes);
    OK(strstr(b.note, "replit") && strstr(b.note, "64 MiB") && strstr(b.note, "30 MiB"), "note: %s", b.note);
    /* chosen with --profile, the fixed 64mb stands, flagged, with the risk in the note */
    struct rl_budget_ctx hand = {.allocator = "libc", .version = "7.0.15", .keep_fixed = true, .shipped = &table};
    OK(rl_budget_decide(&b, &f, &hand, (const struct rl_profile *const *)c, 2) == 0 && b.maxmemory_bytes == 64 * MIB &&
       b.over_budget && strstr(b.note, "--profile"), "a hand-chosen fixed size stands: %s", b.note);
    /* under 128 MiB (88 MiB measured) the fixed 64mb fits and stands */
    facts(&f, 128 * MIB, 0);
    OK(decide(&b, &f, "libc", false, NULL, c, 2) == 0 && b.maxmemory_bytes == 64 * MIB && !b.from_evidence,
       "fixed 64mb fits 128 MiB");
    /* a --maxmemory above the budget is lowered unless forced */
    OK(decide(&b, &f, "libc", false, NULL, c + 1, 1) == 0, "tiny at 128 MiB");
    struct rl_budget keep = b;
    OK(rl_budget_from_option(&b, 120 * MIB, "--maxmemory", false) == 1 && b.maxmemory_bytes == 88 * MIB &&
       strstr(b.note, "--force"), "lowered: %s", b.note);
    b = keep;
    OK(rl_budget_from_option(&b, 120 * MIB, "--maxmemory", true) == 0 && b.maxmemory_bytes == 120 * MIB,
       "--force keeps it");
    b = keep;
    OK(rl_budget_from_option(&b, 50 * MIB, "--maxmemory", false) == 0 && b.maxmemory_bytes == 50 * MIB,
       "a smaller --maxmemory stands");
    rl_profile_free(c[0]);
    rl_profile_free(c[1]);
}

static void calibration_and_parsing(void)
{
    char err[512];
    static struct rl_overhead_table cal;
    const char *hdr = "allocator\tvalue_class\tvalue_bytes\tmaxmemory_bytes\toverhead_median\toverhead_max\t"
                      "rss_over_used\tbase_rss_bytes\tper_client_bytes\tevicted_keys\truns\n";
    char text[2048];
    snprintf(text, sizeof text, "# redis-light tune\n%slibc\t200\t200\t16777216\t1.01\t1.02\t1.1\t5000000\t10000\t9\t1\n",
             hdr);
    OK(rl_overhead_parse(text, "calibration.tsv", &cal, err, sizeof err) == 0, "calibration parses: %s", err);
    struct rl_facts f;
    struct rl_budget b;
    struct rl_profile *p = profile("tiny", "budget", "libc");
    facts(&f, 128 * MIB, 0);
    OK(decide(&b, &f, "libc", false, &cal, &p, 1) == 0, "with calibration");
    OK(strstr(b.overhead_source, "calibration.tsv") && b.overhead_factor == 1.02, "calibration wins: %s",
       b.overhead_source);
    const struct rl_budget_term *base = term(&b, "base RSS");
    OK(base && strstr(base->source, "calibration.tsv"), "base RSS from the calibration");
    OK(strstr(b.note, "calibration") && strstr(b.note, "grow"), "the note says what a calibration assumes: %s", b.note);
    /* for another allocator the shipped table still decides */
    OK(decide(&b, &f, "jemalloc", false, &cal, &p, 1) == 0 && !strstr(b.overhead_source, "calibration"),
       "jemalloc from the shipped table");
    rl_profile_free(p);

    static struct rl_overhead_table t;
    snprintf(text, sizeof text, "%slibc\t16\t16\t1\t1.2\tabc\t1\t5000000\t1\t1\t1\n", hdr);
    OK(rl_overhead_parse(text, "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "x.tsv:2") &&
       strstr(err, "overhead_max"), "bad number named: %s", err);
    snprintf(text, sizeof text, "%slibc\t16\t16\t1\t1.2\t1.3\t1\t0\t1\t1\t1\n", hdr);
    OK(rl_overhead_parse(text, "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "base_rss_bytes"), "zero base: %s", err);
    snprintf(text, sizeof text, "%stcmalloc\t16\t16\t1\t1.2\t1.3\t1\t5\t1\t1\t1\n", hdr);
    OK(rl_overhead_parse(text, "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "allocator"), "allocator: %s", err);
    snprintf(text, sizeof text, "%slibc\t16\t16\t1\t1.4\t1.3\t1\t5\t1\t1\t1\n", hdr);
    OK(rl_overhead_parse(text, "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "overhead_max"), "max < median: %s", err);
    snprintf(text, sizeof text, "%slibc\t16\t16\t1\t0.2\t0.3\t1\t5000000\t1\t1\t1\n", hdr);
    OK(rl_overhead_parse(text, "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "at least 0.5"), "tiny factor: %s", err);
    OK(rl_overhead_parse("allocator\tvalue_class\n", "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "value_bytes"),
       "missing column: %s", err);
    OK(rl_overhead_parse("# nothing\n", "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "no rows"), "empty: %s", err);
    snprintf(text, sizeof text, "%slibc\t16\t-16\t1\t1.2\t1.3\t1\t5\t1\t1\t1\n", hdr);
    OK(rl_overhead_parse(text, "x.tsv", &t, err, sizeof err) < 0 && strstr(err, "value_bytes"), "negative: %s", err);
    OK(rl_overhead_load("/nonexistent/overhead.tsv", &t, err, sizeof err) == 1, "a missing file is not an error");
}

int main(void)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/overhead/overhead.tsv", getenv("RL_FIXTURES") ? getenv("RL_FIXTURES") : ".");
    OK(rl_overhead_load(path, &table, err, sizeof err) == 0, "fixture table %s: %s", path, err);
    terms_48mib();
    host_and_small();
    fixed_and_options();
    calibration_and_parsing();
    return tap_done();
}
