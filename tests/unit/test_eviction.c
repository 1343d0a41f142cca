/* Pure parts of bench --eviction: the rank->key bijection that keeps popularity apart from
 * the fill order, the cache-aside workload's refill on a miss, the SCAN pattern for a
 * prefix (glob characters escaped), INFO parsing, the ideal hit ratio, the sampler's
 * rate from the server's own counter and clock, and the commands printed when bench's
 * changes to a server could not be undone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bench/eviction/cacheaside.h"
#include "cli/bench/eviction/evict_server.h"
#include "cli/bench/eviction/evict_undo.h"
#include "cli/bench/eviction/eviction.h"
#include "cli/bench/eviction/sampler.h"
#include "cli/bench/eviction/plot.h"
#include "cli/bench/zipf.h"
#include "tap.h"

/* A label from the command line (a --launch profile path) must not break the SVG. */
static void svg_escapes(void)
{
    static struct rl_evict_sample smp[3];
    for (int i = 0; i < 3; i++) {
        smp[i].t = 0.25 * (i + 1);
        smp[i].used_memory = smp[i].maxmemory = 16u << 20;
        smp[i].evicted_keys = UINT64_C(100) * (uint64_t)i;
        smp[i].ops_per_sec = 1000;
    }
    struct rl_evict_run run;
    memset(&run, 0, sizeof run);
    snprintf(run.server, sizeof run.server, "./R&D<x>.yaml");
    snprintf(run.allocator, sizeof run.allocator, "libc\x01");
    snprintf(run.policy, sizeof run.policy, "allkeys-lru");
    run.maxmemory = 16u << 20;
    run.samples = smp;
    run.nsamples = 3;
    char path[] = "/tmp/rl-test-plot-XXXXXX";
    int fd = mkstemp(path);
    OK(fd >= 0, "mkstemp");
    close(fd);
    char err[256];
    OK(rl_plot_svg(path, &run, 1, err, sizeof err) == 0, "plot: %s", err);
    FILE *f = fopen(path, "r");
    static char buf[1 << 17];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    unlink(path);
    OK(strstr(buf, "./R&amp;D&lt;x&gt;.yaml") != NULL, "the label is escaped");
    OK(strstr(buf, "R&D") == NULL && strstr(buf, "<x>") == NULL, "no raw markup from the label");
    OK(strstr(buf, "libc?") != NULL, "a control character is replaced");
    OK(strstr(buf, "</svg>") != NULL, "the document is complete");
}

static void bijection(uint64_t n)
{
    uint64_t m = rl_cacheaside_multiplier(n);
    unsigned char *seen = calloc(n, 1);
    uint64_t dups = 0, same = 0;
    for (uint64_t r = 0; r < n; r++) {
        uint64_t k = rl_cacheaside_key(r, m, n);
        if (k >= n || seen[k])
            dups++;
        else
            seen[k] = 1;
        same += k == r;
    }
    EQ_U64(dups, 0);
    OK(n < 10 || same < n / 10, "n=%llu: popularity does not follow key order (%llu fixed points)",
       (unsigned long long)n, (unsigned long long)same);
    free(seen);
}

static void refill(void)
{
    struct rl_workload wl;
    struct rl_keydist d = {.kind = RL_DIST_ZIPF, .zipf_s = 0.99, .keyspace = 1000};
    rl_workload_cacheaside(&wl, "CACHE", &d);
    void *st = wl.thread_new(&wl, 42, 0, 1);
    OK(st != NULL, "thread state");
    uint64_t key, missed;
    EQ_U64(wl.next(st, &key), RL_OP_GET);
    OK(key < 1000, "a key in the keyspace");
    missed = key;
    wl.on_reply(st, RL_OP_GET, key, RL_OUT_MISS);
    EQ_U64(wl.next(st, &key), RL_OP_SET);
    EQ_U64(key, missed);
    EQ_U64(wl.next(st, &key), RL_OP_GET);
    wl.on_reply(st, RL_OP_GET, key, RL_OUT_HIT);
    EQ_U64(wl.next(st, &key), RL_OP_GET);
    wl.on_reply(st, RL_OP_SET, key, RL_OUT_OK); /* a SET's reply queues nothing */
    EQ_U64(wl.next(st, &key), RL_OP_GET);
    wl.thread_free(st);
}

/* A sample's rate is the server's commands over the server's time between two INFOs, less
 * the sampler's own INFO; readings that cannot give one say so instead of inventing it. */
static void sampler_rate(void)
{
    /* 50001 commands in 250 ms, one of them the previous INFO: 200000 per second */
    OK(fabs(rl_sampler_rate(1000, 5000000, 51001, 5250000, 1) - 200000) < 1e-6, "200k/s");
    OK(fabs(rl_sampler_rate(7, 0, 7, 1000, 0)) < 1e-12, "an idle server: 0");
    OK(fabs(rl_sampler_rate(7, 0, 8, 1000, 3)) < 1e-12, "fewer commands than our own: 0, not negative");
    OK(rl_sampler_rate(1000, 5000000, 2000, 5000000, 1) < 0, "no time passed: unknown");
    OK(rl_sampler_rate(1000, 5000000, 2000, 4000000, 1) < 0, "the clock went back: unknown");
    OK(rl_sampler_rate(90000, 5000000, 10, 5250000, 1) < 0, "the counter went back (a restart): unknown");
}

static void manual_undo(void)
{
    struct rl_target t;
    memset(&t, 0, sizeof t);
    snprintf(t.host, sizeof t.host, "127.0.0.1");
    t.port = 6390;
    struct rl_evict_changes ch;
    memset(&ch, 0, sizeof ch);
    OK(!rl_evict_changed(&ch), "nothing saved: nothing to undo");
    ch.saved.saved = true;
    snprintf(ch.saved.maxmemory, sizeof ch.saved.maxmemory, "16777216");
    snprintf(ch.saved.policy, sizeof ch.saved.policy, "noeviction");
    OK(!rl_evict_changed(&ch), "nothing sent: nothing to undo");
    snprintf(ch.maxmemory, sizeof ch.maxmemory, "12582912");
    snprintf(ch.policy, sizeof ch.policy, "allkeys-lru");
    ch.keys = true;
    OK(rl_evict_changed(&ch), "sent: something to undo");
    static char out[8192];
    rl_evict_manual_undo(&t, "rl:", &ch, "no reply", out, sizeof out);
    OK(strstr(out, "on 127.0.0.1:6390 (no reply)") != NULL, "names the server and why: %s", out);
    OK(strstr(out, "maxmemory 12582912 (its own: 16777216), maxmemory-policy allkeys-lru (its own: noeviction) "
                   "and keys bench wrote") != NULL, "says what it may still have: %s", out);
    OK(strstr(out, "\n  redis-cli -h 127.0.0.1 -p 6390 --scan --pattern 'rl:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]"
                   "[0-9][0-9][0-9][0-9]' | xargs -r -d '\\n' redis-cli -h 127.0.0.1 -p 6390 UNLINK\n") != NULL,
       "deletes only prefix + 12 digits: %s", out);
    OK(strstr(out, "\n  redis-cli -h 127.0.0.1 -p 6390 CONFIG SET maxmemory 16777216\n") != NULL, "maxmemory back");
    OK(strstr(out, "\n  redis-cli -h 127.0.0.1 -p 6390 CONFIG SET maxmemory-policy noeviction") != NULL, "policy back");

    /* a prefix with glob characters and a quote, a socket, an ACL user, a database: one
     * shell word each, and never the password */
    memset(&t, 0, sizeof t);
    snprintf(t.socket, sizeof t.socket, "/tmp/my redis.sock");
    snprintf(t.user, sizeof t.user, "bench");
    snprintf(t.password, sizeof t.password, "s3cret");
    t.has_password = true;
    t.dbnum = 3;
    ch.maxmemory[0] = '\0';
    rl_evict_manual_undo(&t, "it's*", &ch, "no reply", out, sizeof out);
    OK(strstr(out, "redis-cli -s '/tmp/my redis.sock' --user bench -n 3 --scan --pattern 'it'\\''s\\*[0-9]") != NULL,
       "quoted words: %s", out);
    OK(strstr(out, "REDISCLI_AUTH") != NULL && strstr(out, "s3cret") == NULL, "the password is never printed");
    OK(strstr(out, "CONFIG SET maxmemory ") == NULL, "maxmemory was not sent: not listed");
    ch.keys = false;
    ch.policy[0] = '\0';
    snprintf(ch.maxmemory, sizeof ch.maxmemory, "12582912");
    rl_evict_manual_undo(&t, "rl:", &ch, "no reply", out, sizeof out);
    OK(strstr(out, "--scan") == NULL && strstr(out, "maxmemory-policy") == NULL, "only what was sent: %s", out);
    rl_evict_undone(&t, &ch, out, sizeof out);
    EQ_STR(out, "unix socket /tmp/my redis.sock is back to maxmemory 16777216 and maxmemory-policy noeviction");
}

int main(void)
{
    sampler_rate();
    manual_undo();
    bijection(1);
    bijection(2);
    bijection(1000);
    bijection(196609);
    bijection(1 << 20); /* a power of two: the multiplier must be odd */
    refill();
    svg_escapes();

    char pat[128], d12[64] = "";
    for (int i = 0; i < 12; i++)
        memcpy(d12 + 5 * (size_t)i, "[0-9]", 6); /* with its terminator */
    char want[128];
    rl_prefix_pattern("rl:", pat, sizeof pat);
    snprintf(want, sizeof want, "rl:%s", d12);
    EQ_STR(pat, want);
    rl_prefix_pattern("a*b?[c]\\", pat, sizeof pat);
    snprintf(want, sizeof want, "a\\*b\\?\\[c\\]\\\\%s", d12);
    EQ_STR(pat, want);
    OK(rl_is_bench_key("rl:000000000042", 15, "rl:"), "a bench key");
    OK(!rl_is_bench_key("rl:user", 7, "rl:"), "the user's rl:user is not");
    OK(!rl_is_bench_key("rl:0000000000420", 16, "rl:"), "13 digits is not");
    OK(!rl_is_bench_key("rl:00000000004x", 15, "rl:"), "a non-digit is not");
    OK(!rl_is_bench_key("xx000000000042", 14, "rl:"), "another prefix is not");

    const char *info = "# Memory\r\nused_memory:16777300\r\nmaxmemory:16777216\r\nmem_fragmentation_ratio:1.25\r\n"
                       "# Stats\r\nevicted_keys:42\r\n# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_OOM:count=17\r\n";
    EQ_U64(rl_info_u64(info, "used_memory", 0), 16777300);
    EQ_U64(rl_info_u64(info, "evicted_keys", 0), 42);
    EQ_U64(rl_info_u64(info, "nothing", 7), 7);
    OK(fabs(rl_info_dbl(info, "mem_fragmentation_ratio", 0) - 1.25) < 1e-12, "fragmentation");
    EQ_U64(rl_info_errorstat(info, "OOM"), 17);
    EQ_U64(rl_info_errorstat(info, "NOAUTH"), 0);
    EQ_U64(rl_info_u64("used_memory_rss:5\r\nused_memory:9\r\n", "used_memory", 0), 9);

    OK(rl_evict_policy_valid("allkeys-lru") && rl_evict_policy_valid("noeviction"), "known policies");
    OK(!rl_evict_policy_valid("lru") && !rl_evict_policy_valid(""), "unknown policies");

    /* the ideal: a cache of all keys hits always, of none never, of the top k the zipf mass */
    OK(fabs(rl_zipf_mass(1000, 0.99, 1000) - 1) < 1e-9, "all keys fit: ideal 1");
    OK(rl_zipf_mass(1000, 0.99, 0) < 1e-12, "nothing fits: ideal 0");
    double h = 0, top = 0;
    for (int k = 1; k <= 1000; k++) {
        h += pow(k, -0.99);
        if (k <= 100)
            top += pow(k, -0.99);
    }
    OK(fabs(rl_zipf_mass(1000, 0.99, 100) - top / h) < 1e-9, "top 100 of 1000: %.6f", top / h);
    return tap_done();
}
