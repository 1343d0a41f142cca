/* Profiles: every shipped profile loads; selection over fact sets picks the expected
 * profile with the expected reasons; ties and no-match are errors; rendering matches the
 * golden files and honours overrides and refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/plan/budget.h"
#include "cli/plan/choice_report.h"
#include "profiles/profile_internal.h"
#include "tap.h"

static void facts_base(struct rl_facts *f)
{
    memset(f, 0, sizeof *f);
    rl_fact_u64(&f->page_size, 4096, "test");
    rl_fact_u64(&f->max_map_count, 65530, "test");
    rl_fact_u64(&f->overcommit_memory, 1, "test");
    rl_fact_u64(&f->mem_total_bytes, 8ULL << 30, "test");
    rl_fact_u64(&f->cgroup_version, 2, "test");
    rl_fact_none(&f->memory_limit_bytes, "test");
    rl_fact_none(&f->memory_high_bytes, "test");
    rl_fact_str(&f->container, "docker", "test");
}

static struct rl_root empty_env; /* a sysroot whose environ is empty */

static const char *choose(const struct rl_facts *f, const struct rl_root *r, char *why, size_t len)
{
    static char name[64];
    struct rl_choice c;
    char err[512];
    enum rl_fault code;
    if (rl_profile_choose_at(f, r, NULL, &c, err, sizeof err, &code) < 0) {
        snprintf(name, sizeof name, "error");
        snprintf(why, len, "%s", err);
        return name;
    }
    snprintf(name, sizeof name, "%s", rl_profile_name(c.winner));
    char *buf = NULL;
    size_t blen = 0;
    FILE *mf = open_memstream(&buf, &blen);
    rl_choice_print(&c, f, mf);
    fclose(mf);
    snprintf(why, len, "%s", buf);
    free(buf);
    rl_choice_free(&c);
    return name;
}

static void selection(void)
{
    struct rl_facts f;
    char why[4096];

    facts_base(&f);
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "default");
    OK(strstr(why, "fallback") != NULL, "default says it is the fallback: %s", why);

    facts_base(&f);
    rl_fact_u64(&f.memory_limit_bytes, 200ULL << 20, "test");
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "tiny");
    OK(strstr(why, "because memory_limit_bytes < 256mb (200 MiB)") != NULL, "tiny reason: %s", why);
    /* the runner-up is the nearest profile ranked above the winner: why it lost */
    OK(strstr(why, "bigpage (priority 90, runner-up, does not match here)") != NULL, "runner-up shown: %s", why);

    facts_base(&f);
    rl_fact_u64(&f.memory_limit_bytes, 1ULL << 30, "test");
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "container");
    OK(strstr(why, "memory_limit_bytes != null (1 GiB)") != NULL, "container reason: %s", why);

    facts_base(&f);
    rl_fact_u64(&f.memory_limit_bytes, 200ULL << 20, "test");
    rl_fact_u64(&f.page_size, 65536, "test");
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "bigpage");
    OK(strstr(why, "page_size > 4096 (65536)") != NULL, "bigpage reason: %s", why);

    facts_base(&f);
    rl_fact_u64(&f.max_map_count, 1024, "test");
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "replit");
    OK(strstr(why, "max_map_count < 65530 (1024)") != NULL, "replit by maps: %s", why);

    facts_base(&f);
    f.overcommit_memory.state = RL_FACT_UNKNOWN;
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "replit");
    OK(strstr(why, "overcommit_memory == null (null (unknown: could not be read))") != NULL, "replit by unreadable overcommit: %s", why);

    /* environment rules read the sysroot's environ */
    char dir[] = "/tmp/rl-prof-XXXXXX";
    OK(mkdtemp(dir) != NULL, "mkdtemp");
    char p[256];
    snprintf(p, sizeof p, "%s/proc", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/proc/self", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/proc/self/environ", dir);
    FILE *e = fopen(p, "w");
    fwrite("HOME=/\0REPL_ID=abc123\0", 1, 22, e);
    fclose(e);
    struct rl_root replit;
    rl_root_init(&replit, dir);
    facts_base(&f);
    rl_fact_u64(&f.memory_limit_bytes, 1ULL << 30, "test");
    EQ_STR(choose(&f, &replit, why, sizeof why), "replit");
    OK(strstr(why, "env REPL_ID (set)") != NULL, "replit by env: %s", why);
    unlink(p);
    snprintf(p, sizeof p, "%s/proc/self", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/proc", dir);
    rmdir(p);
    rmdir(dir);

    /* the shipped set never ties: every priority differs */
    struct rl_profile_set s;
    char err[512];
    OK(rl_profile_set_load(&s, err, sizeof err) == 0, "shipped set loads: %s", err);
    EQ_U64(s.nerrs, 0);
    EQ_U64(s.n, 5);
    for (int i = 0; i < s.n; i++)
        for (int j = i + 1; j < s.n; j++)
            OK(s.p[i]->priority != s.p[j]->priority, "%s and %s share priority %d", s.p[i]->name, s.p[j]->name, s.p[i]->priority);
    rl_profile_set_free(&s);

    /* ties and no-match in other sets */
    char dirbuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s/profiles/tie", getenv("RL_FIXTURES"));
    setenv("REDIS_LIGHT_PROFILES", dirbuf, 1);
    facts_base(&f);
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "error");
    OK(strstr(why, "alpha") && strstr(why, "beta") && strstr(why, "both match with priority 10"), "tie: %s", why);
    snprintf(dirbuf, sizeof dirbuf, "%s/profiles/nomatch", getenv("RL_FIXTURES"));
    setenv("REDIS_LIGHT_PROFILES", dirbuf, 1);
    EQ_STR(choose(&f, &empty_env, why, sizeof why), "error");
    OK(strstr(why, "no profile matches this machine") != NULL, "no match: %s", why);
    unsetenv("REDIS_LIGHT_PROFILES");
}

/* Renders NAME for facts, replaces the source dir with $SRC, compares with the golden. */
static void golden(const char *name, const char *factset, const struct rl_facts *f)
{
    struct rl_choice c;
    char err[512];
    enum rl_fault code;
    if (rl_profile_choose_at(f, &empty_env, name, &c, err, sizeof err, &code) < 0) {
        OK(0, "choose %s: %s", name, err);
        return;
    }
    /* the memory decision as the plan takes it, from the frozen fixture table */
    static struct rl_overhead_table table;
    char path[4096];
    snprintf(path, sizeof path, "%s/overhead/overhead.tsv", getenv("RL_FIXTURES"));
    OK(rl_overhead_load(path, &table, err, sizeof err) == 0, "fixture table: %s", err);
    struct rl_budget_ctx bctx = {.allocator = rl_profile_allocator(c.winner), .version = "7.0.15", .shipped = &table};
    const struct rl_profile *cands[1] = {c.winner};
    struct rl_budget b;
    int planned = rl_budget_decide(&b, f, &bctx, cands, 1) == 0;
    struct rl_render_overrides ov = {.planned = planned, .planned_bytes = b.maxmemory_bytes, .planned_why = b.rule};
    char *conf = NULL, policy[32];
    uint64_t mm;
    OK(rl_profile_render(c.winner, f, &ov, &conf, &mm, policy, sizeof policy, err, sizeof err) == 0,
       "render %s/%s: %s", name, factset, err);
    rl_choice_free(&c);
    if (!conf)
        return;
    const char *src = getenv("RL_SRC");
    char *out = malloc(strlen(conf) + 64), *w = out;
    for (const char *r = conf; *r;) {
        if (src && strncmp(r, src, strlen(src)) == 0) {
            w += sprintf(w, "$SRC");
            r += strlen(src);
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    snprintf(path, sizeof path, "%s/profiles/golden/%s-%s.conf", getenv("RL_FIXTURES"), name, factset);
    if (getenv("RL_UPDATE_GOLDEN")) {
        FILE *g = fopen(path, "w");
        fputs(out, g);
        fclose(g);
    }
    char *want = tap_slurp(path);
    OK(want != NULL, "golden %s exists", path);
    if (want)
        OK(strcmp(want, out) == 0, "golden %s differs; got:\n%s", path, out);
    free(want);
    free(out);
    free(conf);
}

static void rendering(void)
{
    static const char *names[] = {"replit", "tiny", "container", "bigpage", "default"};
    struct rl_facts small, big, nolimit;
    facts_base(&small);
    rl_fact_u64(&small.memory_limit_bytes, 200ULL << 20, "test");
    facts_base(&big);
    rl_fact_u64(&big.memory_limit_bytes, 3ULL << 30, "test");
    rl_fact_u64(&big.memory_high_bytes, 2ULL << 30, "test");
    facts_base(&nolimit);
    for (int i = 0; i < 5; i++) {
        golden(names[i], "limit200m", &small);
        golden(names[i], "high2g", &big);
        golden(names[i], "nolimit", &nolimit);
    }
}

static int render_with(const char *name, const struct rl_facts *f, const struct rl_render_overrides *o,
                       char **conf, char *err, size_t errlen)
{
    struct rl_choice c;
    enum rl_fault code;
    char policy[32];
    uint64_t mm;
    if (rl_profile_choose_at(f, &empty_env, name, &c, err, errlen, &code) < 0)
        return -2;
    int rc = rl_profile_render(c.winner, f, o, conf, &mm, policy, sizeof policy, err, errlen);
    rl_choice_free(&c);
    return rc;
}

static void overrides(void)
{
    struct rl_facts f;
    facts_base(&f);
    rl_fact_u64(&f.memory_limit_bytes, 200ULL << 20, "test");
    char *conf = NULL, err[512];
    const char *sets[] = {"hz=20", "save="};
    struct rl_render_overrides o = {.maxmemory = "50mb", .policy = "allkeys-lfu", .set = sets, .nset = 2};
    OK(render_with("tiny", &f, &o, &conf, err, sizeof err) == 0, "overrides render: %s", err);
    OK(conf && strstr(conf, "# --maxmemory 50mb on the command line\nmaxmemory 50mb\n"), "maxmemory override marked:\n%s", conf);
    OK(conf && strstr(conf, "# --policy on the command line\nmaxmemory-policy allkeys-lfu\n"), "policy override marked");
    OK(conf && strstr(conf, "# --set on the command line\nhz 20\n"), "--set marked");
    OK(conf && strstr(conf, "save \"\"\n") && !strstr(conf, "# profile tiny\nsave"), "--set save= replaces the profile's save");
    free(conf);
    conf = NULL;

    struct rl_render_overrides too_big = {.maxmemory = "300mb"};
    OK(render_with("tiny", &f, &too_big, &conf, err, sizeof err) == -1 && strstr(err, "above the cgroup limit 200 MiB"),
       "maxmemory above the limit refused: %s", err);
    too_big.force = true;
    OK(render_with("tiny", &f, &too_big, &conf, err, sizeof err) == 0, "--force allows it: %s", err);
    free(conf);
    conf = NULL;

    const char *inject[] = {"hz=10\nport 1"};
    struct rl_render_overrides o2 = {.set = inject, .nset = 1};
    OK(render_with("tiny", &f, &o2, &conf, err, sizeof err) == -1 && strstr(err, "control character"), "newline refused: %s", err);
    const char *inc[] = {"include=/etc/passwd"};
    o2.set = inc;
    OK(render_with("tiny", &f, &o2, &conf, err, sizeof err) == -1 && strstr(err, "--set include is refused"), "include refused: %s", err);
    const char *mod[] = {"loadmodule=/tmp/evil.so"};
    o2.set = mod;
    OK(render_with("tiny", &f, &o2, &conf, err, sizeof err) == -1 && strstr(err, "--set loadmodule is refused") &&
       strstr(err, "native code"), "loadmodule refused: %s", err);
    const char *ren[] = {"rename-command=CONFIG x"};
    o2.set = ren;
    OK(render_with("tiny", &f, &o2, &conf, err, sizeof err) == -1 && strstr(err, "rename-command"), "rename-command refused");
    const char *defrag[] = {"activedefrag=yes"};
    o2.set = defrag;
    OK(render_with("tiny", &f, &o2, &conf, err, sizeof err) == -1 && strstr(err, "activedefrag"), "activedefrag on libc refused: %s", err);
    o2.maxmemory = "50mb"; /* container sizes maxmemory by the plan's budget, which is not part of this test */
    OK(render_with("container", &f, &o2, &conf, err, sizeof err) == 0, "activedefrag on jemalloc allowed: %s", err);
    o2.maxmemory = NULL;
    free(conf);
    conf = NULL;
    const char *noeq[] = {"hz"};
    o2.set = noeq;
    OK(render_with("tiny", &f, &o2, &conf, err, sizeof err) == -1 && strstr(err, "KEY=VALUE"), "--set without = refused");
    struct rl_render_overrides badpol = {.policy = "lru"};
    OK(render_with("tiny", &f, &badpol, &conf, err, sizeof err) == -1 && strstr(err, "not a Redis eviction policy"), "bad policy");
    struct rl_render_overrides pct = {.maxmemory = "25%"};
    OK(render_with("tiny", &f, &pct, &conf, err, sizeof err) == 0 && strstr(conf, "maxmemory 50mb\n"), "--maxmemory 25%% of 200 MiB");
    free(conf);
    conf = NULL;

    /* --persist: its block replaces the profile's save/appendonly, the store's policy is
     * noeviction, a --set or --policy still wins, and a bad mode is named */
    struct rl_render_overrides aof = {.maxmemory = "50mb", .persist = "aof"};
    OK(render_with("tiny", &f, &aof, &conf, err, sizeof err) == 0, "--persist aof renders: %s", err);
    OK(conf && strstr(conf, "appendonly yes\nappendfsync everysec\naof-use-rdb-preamble yes\nsave \"\"\n"),
       "--persist aof block:\n%s", conf);
    OK(conf && strstr(conf, "maxmemory-policy noeviction\n") && !strstr(conf, "allkeys-lru"), "a store does not evict:\n%s", conf);
    OK(conf && !strstr(conf, "# profile tiny\nsave") && !strstr(conf, "# profile tiny\nappendonly"),
       "the profile's persistence lines are replaced");
    free(conf);
    conf = NULL;
    const char *always[] = {"appendfsync=always"};
    struct rl_render_overrides aof2 = {.maxmemory = "50mb", .persist = "aof", .policy = "allkeys-lru", .set = always,
                                       .nset = 1};
    OK(render_with("tiny", &f, &aof2, &conf, err, sizeof err) == 0, "--persist aof with --set: %s", err);
    OK(conf && strstr(conf, "appendfsync always\n") && !strstr(conf, "appendfsync everysec"), "--set appendfsync wins");
    OK(conf && strstr(conf, "maxmemory-policy allkeys-lru\n"), "--policy wins over the store's noeviction");
    free(conf);
    conf = NULL;
    struct rl_render_overrides rdb = {.maxmemory = "50mb", .persist = "rdb"};
    OK(render_with("tiny", &f, &rdb, &conf, err, sizeof err) == 0 && conf && strstr(conf, "appendonly no\nsave 3600 1 300 100 60 10000\n"),
       "--persist rdb block:\n%s", conf ? conf : "");
    free(conf);
    conf = NULL;
    struct rl_render_overrides none = {.persist = "none"};
    OK(render_with("default", &f, &none, &conf, err, sizeof err) == 0 && conf && strstr(conf, "appendonly no\nsave \"\"\n") &&
       !strstr(conf, "save 3600") && strstr(conf, "maxmemory-policy noeviction\n"),
       "--persist none turns the default's snapshots off, keeps its policy:\n%s", conf ? conf : "");
    free(conf);
    conf = NULL;
    struct rl_render_overrides bad = {.maxmemory = "50mb", .persist = "yes"};
    OK(render_with("tiny", &f, &bad, &conf, err, sizeof err) == -1 && strstr(err, "--persist yes is not a persistence mode"),
       "bad --persist named: %s", err);

    /* persistence: the shipped default keeps Redis's snapshots, the others write save "" */
    struct rl_choice c;
    enum rl_fault code;
    OK(rl_profile_choose_at(&f, &empty_env, "default", &c, err, sizeof err, &code) == 0, "default loads");
    OK(rl_profile_persistent(c.winner), "default is persistent");
    const char *const *vars;
    size_t nv = rl_profile_make_vars(c.winner, &vars);
    OK(nv >= 3 && strcmp(vars[0], "MALLOC=jemalloc") == 0, "MALLOC first: %s", vars[0]);
    bool sysd = false, tls = false;
    for (size_t i = 0; i < nv; i++) {
        sysd |= strcmp(vars[i], "USE_SYSTEMD=no") == 0;
        tls |= strcmp(vars[i], "BUILD_TLS=no") == 0;
    }
    OK(sysd && tls, "USE_SYSTEMD and BUILD_TLS explicit");
    rl_choice_free(&c);
    OK(rl_profile_choose_at(&f, &empty_env, "tiny", &c, err, sizeof err, &code) == 0, "tiny loads");
    OK(!rl_profile_persistent(c.winner), "tiny is not persistent");
    EQ_STR(rl_profile_allocator(c.winner), "libc");
    rl_choice_free(&c);
}

int main(void)
{
    char dir[] = "/tmp/rl-empty-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    rl_root_init(&empty_env, dir);
    unsetenv("REDIS_LIGHT_PROFILES");
    setenv("XDG_CONFIG_HOME", dir, 1); /* no user profiles */
    selection();
    rendering();
    overrides();
    rmdir(dir);
    return tap_done();
}
