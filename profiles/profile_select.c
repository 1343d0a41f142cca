/* Finds the profile directories, loads every profile, applies shadowing, and picks the
 * winner: the highest-priority profile whose rules match. Deterministic: files load in
 * name order and a tie at the top is an error, never a coin toss. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/util/paths.h"
#include "profiles/profile_internal.h"

static char problems[16][512];
static int nproblems;

int rl_profile_load_problems(char lines[][512], int max)
{
    int n = nproblems < max ? nproblems : max;
    for (int i = 0; i < n; i++)
        memcpy(lines[i], problems[i], sizeof problems[i]);
    return n;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Shipped profiles: REDIS_LIGHT_PROFILES, else the installed share dir next to the
 * executable, else the source tree (running from a build directory), else the
 * configured install prefix. */
static void shipped_dir(char *out, size_t len)
{
    const char *env = getenv("REDIS_LIGHT_PROFILES");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char cand[4096];
            snprintf(cand, sizeof cand, "%s/../share/redis-light/profiles", exe);
            if (is_dir(cand)) {
                snprintf(out, len, "%s", cand);
                return;
            }
        }
    }
    snprintf(out, len, "%s", is_dir(RL_PROFILES_SRC_DIR) ? RL_PROFILES_SRC_DIR : RL_PROFILES_INSTALL_DIR);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }
static int yaml_only(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0;
}

static void add_problem(struct rl_profile_set *s, const char *msg)
{
    if (s->nerrs < 16)
        snprintf(s->errs[s->nerrs++], sizeof s->errs[0], "%s", msg);
}

/* Loads every .yaml file of dir. user: profiles replace shipped ones of the same name. */
static void load_dir(struct rl_profile_set *s, const char *dir, bool user)
{
    struct dirent **list;
    int n = scandir(dir, &list, yaml_only, by_name);
    if (n < 0)
        return;
    for (int i = 0; i < n; i++) {
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        free(list[i]);
        struct rl_profile *p = rl_profile_load(path, err, sizeof err);
        if (!p) {
            add_problem(s, err);
            continue;
        }
        int same = -1;
        for (int j = 0; j < s->n; j++)
            if (strcmp(s->p[j]->name, p->name) == 0)
                same = j;
        if (same >= 0 && user && !s->p[same]->shadows && strcmp(s->p[same]->source, path) != 0 &&
            strncmp(s->p[same]->source, dir, strlen(dir)) != 0) {
            p->shadows = true;
            snprintf(p->shadowed_source, sizeof p->shadowed_source, "%s", s->p[same]->source);
            rl_profile_free(s->p[same]);
            s->p[same] = p;
        } else if (same >= 0) {
            snprintf(err, sizeof err, "%s: profile name \"%s\" is already used by %s; skipped", path, p->name,
                     s->p[same]->source);
            add_problem(s, err);
            rl_profile_free(p);
        } else if (s->n < RL_PROFILE_MAX) {
            s->p[s->n++] = p;
        } else {
            rl_profile_free(p);
        }
    }
    free(list);
}

int rl_profile_set_load(struct rl_profile_set *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    shipped_dir(s->shipped_dir, sizeof s->shipped_dir);
    if (!is_dir(s->shipped_dir)) {
        snprintf(err, errlen, "profile directory %s does not exist; set REDIS_LIGHT_PROFILES or reinstall", s->shipped_dir);
        return -1;
    }
    load_dir(s, s->shipped_dir, false);
    char cfg[4096];
    if (rl_config_dir(cfg, sizeof cfg) == 0) {
        snprintf(s->user_dir, sizeof s->user_dir, "%s/profiles", cfg);
        if (strcmp(s->user_dir, s->shipped_dir) != 0)
            load_dir(s, s->user_dir, true);
    }
    nproblems = 0;
    for (int i = 0; i < s->nerrs && nproblems < 16; i++)
        memcpy(problems[nproblems++], s->errs[i], sizeof problems[0]);
    if (s->n == 0) {
        snprintf(err, errlen, "no valid profile in %s%s%s", s->shipped_dir, s->user_dir[0] ? " or " : "", s->user_dir);
        return -1;
    }
    return 0;
}

void rl_profile_set_free(struct rl_profile_set *s)
{
    for (int i = 0; i < s->n; i++)
        rl_profile_free(s->p[i]);
    s->n = 0;
}

static struct rl_profile *copy(const struct rl_profile *p)
{
    struct rl_profile *c = malloc(sizeof *c);
    if (c)
        memcpy(c, p, sizeof *c);
    return c;
}

static bool looks_like_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".yaml") == 0);
}

int rl_profile_choose_at(const struct rl_facts *f, const struct rl_root *root, const char *override,
                         struct rl_choice *out, char *err, size_t errlen, int *exit_code)
{
    memset(out, 0, sizeof *out);
    out->root = *root;
    *exit_code = 2;
    if (override && looks_like_path(override)) {
        out->winner = rl_profile_load(override, err, errlen);
        out->overridden = true;
        return out->winner ? 0 : -1;
    }
    static struct rl_profile_set s;
    if (rl_profile_set_load(&s, err, errlen) < 0)
        return -1;
    int win = -1, second = -1;
    if (override) {
        for (int i = 0; i < s.n; i++)
            if (strcmp(s.p[i]->name, override) == 0)
                win = i;
        if (win < 0) {
            size_t used = (size_t)snprintf(err, errlen, "no profile named \"%s\"; known:", override);
            for (int i = 0; i < s.n && used < errlen; i++)
                used += (size_t)snprintf(err + used, errlen - used, " %s", s.p[i]->name);
            rl_profile_set_free(&s);
            return -1;
        }
        out->overridden = true;
    } else {
        for (int i = 0; i < s.n; i++) {
            if (!rl_profile_matches(s.p[i], f, root, NULL, NULL, 0))
                continue;
            if (win < 0 || s.p[i]->priority > s.p[win]->priority) {
                win = i;
            } else if (s.p[i]->priority == s.p[win]->priority) {
                snprintf(err, errlen, "profiles %s (%s) and %s (%s) both match with priority %d; give one a "
                         "different priority, or choose with --profile", s.p[win]->name, s.p[win]->source,
                         s.p[i]->name, s.p[i]->source, s.p[i]->priority);
                rl_profile_set_free(&s);
                return -1;
            }
        }
        if (win < 0) {
            snprintf(err, errlen, "no profile matches this machine; add one without match rules as a fallback "
                     "(like the shipped default), or choose with --profile");
            rl_profile_set_free(&s);
            return -1;
        }
    }
    for (int i = 0; i < s.n; i++)
        if (i != win && (second < 0 || s.p[i]->priority > s.p[second]->priority))
            second = i;
    out->winner = copy(s.p[win]);
    out->runner_up = second >= 0 ? copy(s.p[second]) : NULL;
    rl_profile_set_free(&s);
    if (!out->winner) {
        snprintf(err, errlen, "out of memory");
        *exit_code = 3;
        return -1;
    }
    return 0;
}

int rl_profile_choose(const struct rl_facts *f, const char *override, struct rl_choice *out,
                      char *err, size_t errlen, int *exit_code)
{
    struct rl_root host;
    rl_root_init(&host, NULL);
    return rl_profile_choose_at(f, &host, override, out, err, errlen, exit_code);
}

void rl_choice_free(struct rl_choice *c)
{
    if (!c)
        return;
    rl_profile_free(c->winner);
    rl_profile_free(c->runner_up);
    c->winner = c->runner_up = NULL;
}

const char *rl_profile_name(const struct rl_profile *p) { return p->name; }
const char *rl_profile_source(const struct rl_profile *p) { return p->source; }
const char *rl_profile_allocator(const struct rl_profile *p) { return p->allocator; }

size_t rl_profile_make_vars(const struct rl_profile *p, const char *const **vars)
{
    /* MALLOC first, then the page-size option, then the profile's own variables. */
    struct rl_profile *m = (struct rl_profile *)p; /* the argv view is cached inside p */
    int n = 0;
    snprintf(m->malloc_var, sizeof m->malloc_var, "MALLOC=%s", p->allocator);
    m->vars[n++] = m->malloc_var;
    if (p->jemalloc_lg_page) {
        snprintf(m->lg_var, sizeof m->lg_var, "JEMALLOC_CONFIGURE_OPTS=--with-lg-page=%d", p->jemalloc_lg_page);
        m->vars[n++] = m->lg_var;
    }
    for (int i = 0; i < p->nvars && n < RL_PROFILE_MAX_VARS + 2; i++)
        m->vars[n++] = p->vars_store[i];
    *vars = m->vars;
    return (size_t)n;
}

bool rl_profile_persistent(const struct rl_profile *p)
{
    for (int i = 0; i < p->nconf; i++) {
        if (strcmp(p->conf[i].key, "save") == 0 && p->conf[i].value[0])
            return true;
        if (strcmp(p->conf[i].key, "appendonly") == 0 && strcmp(p->conf[i].value, "yes") == 0)
            return true;
    }
    return false;
}
