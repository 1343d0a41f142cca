/* The pieces of bench that need no server: command templates and in-place keys, the
 * SET:GET interleave, key streams, option parsers, error classification, counter merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench/keygen.h"
#include "cli/bench/stats.h"
#include "cli/bench/workload.h"
#include "tap.h"

static void test_templates(void)
{
    struct rl_cmdtpl t;
    OK(rl_cmdtpl_build(&t, RL_OP_SET, "rl:", 5) == 0, "SET template");
    rl_key_digits(t.buf + t.key_off, 42);
    const char *want = "*3\r\n$3\r\nSET\r\n$15\r\nrl:000000000042\r\n$5\r\nxxxxx\r\n";
    OK(t.len == strlen(want) && memcmp(t.buf, want, t.len) == 0, "SET wire form: %.*s", (int)t.len, t.buf);
    rl_cmdtpl_free(&t);

    /* A prefix that looks like the command must not confuse the key offset. */
    OK(rl_cmdtpl_build(&t, RL_OP_GET, "SET", 0) == 0, "GET template");
    rl_key_digits(t.buf + t.key_off, 999999999999ULL);
    want = "*2\r\n$3\r\nGET\r\n$15\r\nSET999999999999\r\n";
    OK(t.len == strlen(want) && memcmp(t.buf, want, t.len) == 0, "GET wire form: %.*s", (int)t.len, t.buf);
    rl_cmdtpl_free(&t);
    rl_cmdtpl_free(NULL);

    OK(rl_cmdtpl_build(&t, RL_OP_SET, "", 0) == 0, "empty prefix, empty value");
    want = "*3\r\n$3\r\nSET\r\n$12\r\n000000000000\r\n$0\r\n\r\n";
    OK(t.len == strlen(want) && memcmp(t.buf, want, t.len) == 0, "SET with empty value");
    rl_cmdtpl_free(&t);

    char d[RL_KEY_DIGITS + 1] = {0};
    rl_key_digits(d, 1234567890123ULL % RL_KEYSPACE_MAX);
    EQ_STR(d, "234567890123");
    rl_key_digits(d, 0);
    EQ_STR(d, "000000000000");
}

static void test_ratio(void)
{
    unsigned s, g;
    char err[256];
    OK(rl_ratio_parse("1:10", &s, &g, err, sizeof err) == 0 && s == 1 && g == 10, "1:10");
    OK(rl_ratio_parse("0:1", &s, &g, err, sizeof err) == 0 && s == 0 && g == 1, "0:1");
    OK(rl_ratio_parse("0:0", &s, &g, err, sizeof err) < 0, "0:0 refused");
    OK(rl_ratio_parse("1", &s, &g, err, sizeof err) < 0, "1 refused");
    OK(rl_ratio_parse("1:x", &s, &g, err, sizeof err) < 0, "1:x refused");
    OK(rl_ratio_parse("-1:2", &s, &g, err, sizeof err) < 0, "-1:2 refused");
    OK(rl_ratio_parse("1:2:3", &s, &g, err, sizeof err) < 0, "1:2:3 refused");

    /* The interleave gives the exact proportion over every whole period. */
    struct rl_keydist d = {.kind = RL_DIST_UNIFORM, .keyspace = 100};
    unsigned ratios[][2] = {{1, 0}, {0, 1}, {1, 1}, {1, 10}, {3, 7}, {5, 2}};
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
        struct rl_workload wl;
        rl_workload_setget(&wl, "t", &d, ratios[i][0], ratios[i][1]);
        void *st = wl.thread_new(&wl, 1, 0, 1);
        unsigned period = ratios[i][0] + ratios[i][1];
        uint64_t sets = 0, n = (uint64_t)period * 1000;
        int run = 0, worst_run = 0; /* longest streak of SETs: evenly spread means short */
        for (uint64_t k = 0; k < n; k++) {
            uint64_t key;
            enum rl_op op = wl.next(st, &key);
            sets += op == RL_OP_SET;
            run = op == RL_OP_SET ? run + 1 : 0;
            if (run > worst_run)
                worst_run = run;
            OK(key < 100, "key %llu in keyspace", (unsigned long long)key);
        }
        EQ_U64(sets, (uint64_t)ratios[i][0] * 1000);
        if (ratios[i][0] && ratios[i][1])
            OK(worst_run <= (int)((ratios[i][0] + ratios[i][1] - 1) / ratios[i][1]),
               "SETs of %u:%u spread out (streak %d)", ratios[i][0], ratios[i][1], worst_run);
        wl.thread_free(st);
    }
}

static void test_sequential(void)
{
    /* Three streams of a sequential keyspace cover every key exactly once per round. */
    struct rl_keydist d = {.kind = RL_DIST_SEQUENTIAL, .keyspace = 999};
    unsigned seen[999] = {0};
    for (unsigned s = 0; s < 3; s++) {
        struct rl_keygen g;
        OK(rl_keygen_init(&g, &d, 0, s, 3) == 0, "init stream %u", s);
        for (int i = 0; i < 333; i++)
            seen[rl_keygen_next(&g)]++;
    }
    int once = 0;
    for (int k = 0; k < 999; k++)
        once += seen[k] == 1;
    EQ_U64(once, 999);

    d.keyspace = 1;
    struct rl_keygen g;
    OK(rl_keygen_init(&g, &d, 0, 2, 4) == 0, "keyspace of one");
    EQ_U64(rl_keygen_next(&g), 0);
    EQ_U64(rl_keygen_next(&g), 0);

    /* Uniform keys are reproducible from the seed and spread over the space. */
    d.kind = RL_DIST_UNIFORM;
    d.keyspace = 10;
    struct rl_keygen a, b;
    rl_keygen_init(&a, &d, 77, 0, 1);
    rl_keygen_init(&b, &d, 77, 0, 1);
    int same = 0, hit[10] = {0};
    for (int i = 0; i < 10000; i++) {
        uint64_t x = rl_keygen_next(&a);
        same += x == rl_keygen_next(&b);
        hit[x]++;
    }
    EQ_U64(same, 10000);
    for (int k = 0; k < 10; k++)
        OK(hit[k] > 800 && hit[k] < 1200, "uniform key %d drawn %d times of 10000", k, hit[k]);
}

static void test_errors_and_stats(void)
{
    const char *oom = "OOM command not allowed when used memory > 'maxmemory'.";
    EQ_U64(rl_errkind_of(oom, strlen(oom)), RL_ERR_OOM);
    EQ_U64(rl_errkind_of("NOAUTH Authentication required.", 31), RL_ERR_AUTH);
    EQ_U64(rl_errkind_of("WRONGPASS invalid username-password pair", 40), RL_ERR_AUTH);
    EQ_U64(rl_errkind_of("ERR unknown command", 19), RL_ERR_OTHER);
    EQ_U64(rl_errkind_of("OOMPH", 5), RL_ERR_OTHER);

    struct rl_stats *a = malloc(sizeof *a), *b = malloc(sizeof *b), *m = malloc(sizeof *m);
    rl_stats_reset(a);
    rl_stats_reset(b);
    rl_stats_reset(m);
    a->c.ops[RL_OP_SET] = 5;
    a->c.errors[RL_ERR_OOM] = 2;
    rl_hist_record(&a->lat, 1000);
    b->c.ops[RL_OP_GET] = 7;
    b->c.hits = 6;
    b->c.misses = 1;
    b->c.conn_errors = 1;
    rl_hist_record(&b->lat, 3000);
    rl_stats_merge(m, a);
    rl_stats_merge(m, b);
    EQ_U64(rl_counters_ops(&m->c), 12);
    EQ_U64(rl_counters_errors(&m->c), 2);
    EQ_U64(m->c.hits, 6);
    EQ_U64(m->c.conn_errors, 1);
    EQ_U64(m->lat.count, 2);
    struct rl_stats *d = malloc(sizeof *d);
    rl_stats_diff(d, m, a);
    EQ_U64(d->c.ops[RL_OP_GET], 7);
    EQ_U64(d->c.ops[RL_OP_SET], 0);
    EQ_U64(d->c.misses, 1);
    EQ_U64(d->lat.count, 1);
    free(a);
    free(b);
    free(m);
    free(d);
}

int main(void)
{
    test_templates();
    test_ratio();
    test_sequential();
    test_errors_and_stats();
    return tap_done();
}
