/* Finds the profile directories, loads every profile, applies shadowing, and picks the
 * winner: the highest-priority profile whose rules match. Deterministic: files load in
 * name order and a tie at the top is an error, never a coin toss. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/util/paths.h"
#include "profiles/profile_internal.h"

/* The problems of the last rl_profile_set_load, for callers that only see the choice
 * (doctor prints them next to the profile it picked). */
static char problems[RL_PROFILE_MAX_ERRS][512];
static int nproblems;

int rl_profile_load_problems(char lines[][512], int max)
{
    int n = nproblems < max ? nproblems : max;
    for (int i = 0; i < n; i++)
        memcpy(lines[i], problems[i], sizeof problems[i]);
    return n;
}

const char *rl_profile_origin_name(enum rl_profile_origin o)
{
    switch (o) {
    case RL_ORIGIN_SHIPPED: return "shipped";
    case RL_ORIGIN_USER: return "user";
    case RL_ORIGIN_ENV: return "REDIS_LIGHT_PROFILES";
    case RL_ORIGIN_FILE: return "file";
    }
    return "?";
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Shipped profiles: the installed share dir next to the executable (a relocated
 * install), else the source tree when it exists (running from a build directory, so
 * edits to the shipped .yaml files take effect without installing), else the configured
 * install prefix. */
void rl_profile_shipped_dir(char *out, size_t len)
{
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
    if (s->nerrs < RL_PROFILE_MAX_ERRS)
        snprintf(s->errs[s->nerrs++], sizeof s->errs[0], "%s", msg);
}

void rl_profile_set_add_dir(struct rl_profile_set *s, const char *dir, enum rl_profile_origin origin,
                            bool quiet_missing)
{
    char err[1024];
    struct dirent **list;
    int n = scandir(dir, &list, yaml_only, by_name);
    if (n < 0) {
        if (!(quiet_missing && errno == ENOENT)) {
            snprintf(err, sizeof err, "%s: cannot read the %s profile directory: %s", dir, rl_profile_origin_name(origin),
                     strerror(errno));
            add_problem(s, err);
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        free(list[i]);
        struct rl_profile *p = rl_profile_load(path, err, sizeof err);
        if (!p) {
            add_problem(s, err);
            continue;
        }
        p->origin = origin;
        int same = -1;
        for (int j = 0; j < s->n; j++)
            if (strcmp(s->p[j]->name, p->name) == 0)
                same = j;
        if (same >= 0 && s->p[same]->origin < origin) {
            /* a later directory replaces an earlier one's profile; list says so */
            p->shadows = true;
            snprintf(p->shadowed_source, sizeof p->shadowed_source, "%s", s->p[same]->source);
            rl_profile_free(s->p[same]);
            s->p[same] = p;
        } else if (same >= 0) {
            snprintf(err, sizeof err, "%s: profile name \"%s\" is already used by %s in the same directory; "
                     "this file was skipped (rename one of them)", path, p->name, s->p[same]->source);
            add_problem(s, err);
            rl_profile_free(p);
        } else if (s->n < RL_PROFILE_MAX) {
            s->p[s->n++] = p;
        } else {
            snprintf(err, sizeof err, "%s: skipped; at most %d profiles are loaded", path, RL_PROFILE_MAX);
            add_problem(s, err);
            rl_profile_free(p);
        }
    }
    free(list);
}

static bool same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* REDIS_LIGHT_PROFILES replaces the shipped directory (a relocated or test install);
 * profiles in the user's directory shadow those of the same name either way. */
int rl_profile_set_load(struct rl_profile_set *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    const char *env = getenv("REDIS_LIGHT_PROFILES");
    if (env && *env) {
        snprintf(s->env_dir, sizeof s->env_dir, "%s", env);
        snprintf(s->shipped_dir, sizeof s->shipped_dir, "%s", env);
        if (!is_dir(env)) {
            snprintf(err, errlen, "REDIS_LIGHT_PROFILES=%s is not a directory (point it at a directory of "
                     "*.yaml profiles, or unset it)", env);
            return -1;
        }
        rl_profile_set_add_dir(s, env, RL_ORIGIN_ENV, false);
    } else {
        rl_profile_shipped_dir(s->shipped_dir, sizeof s->shipped_dir);
        rl_profile_set_add_dir(s, s->shipped_dir, RL_ORIGIN_SHIPPED, false);
    }
    char cfg[4096];
    if (rl_config_dir(cfg, sizeof cfg) == 0) {
        snprintf(s->user_dir, sizeof s->user_dir, "%s/profiles", cfg);
        if (!same_dir(s->user_dir, s->shipped_dir))
            rl_profile_set_add_dir(s, s->user_dir, RL_ORIGIN_USER, true);
    }
    nproblems = 0;
    for (int i = 0; i < s->nerrs && nproblems < RL_PROFILE_MAX_ERRS; i++)
        memcpy(problems[nproblems++], s->errs[i], sizeof problems[0]);
    if (s->n == 0) {
        snprintf(err, errlen, "no valid profile in %s%s%s; reinstall redis-light or point REDIS_LIGHT_PROFILES "
                 "at a directory of profiles", s->shipped_dir, s->user_dir[0] ? " or " : "", s->user_dir);
        return -1;
    }
    return 0;
}

void rl_profile_set_free(struct rl_profile_set *s)
{
    if (!s)
        return;
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

/* The automatic choice: index of the winner, or -1 with err (tie or nothing matched). */
static int pick(const struct rl_profile_set *s, const struct rl_facts *f, const struct rl_root *root, char *err,
                size_t errlen)
{
    bool match[RL_PROFILE_MAX];
    int win = -1;
    for (int i = 0; i < s->n; i++) {
        match[i] = rl_profile_matches(s->p[i], f, root, NULL, NULL, 0);
        if (match[i] && (win < 0 || s->p[i]->priority > s->p[win]->priority))
            win = i;
    }
    if (win < 0) {
        snprintf(err, errlen, "no profile matches this machine; add one without match rules as a fallback "
                 "(like the shipped default), or choose with --profile");
        return -1;
    }
    /* Only a tie at the top is ambiguous; equal priorities further down never decide. */
    for (int i = 0; i < s->n; i++)
        if (i != win && match[i] && s->p[i]->priority == s->p[win]->priority) {
            snprintf(err, errlen, "profiles %s (%s) and %s (%s) both match with priority %d; give one a "
                     "different priority, or choose with --profile", s->p[win]->name, s->p[win]->source,
                     s->p[i]->name, s->p[i]->source, s->p[i]->priority);
            return -1;
        }
    return win;
}

/* The runner-up explains the choice: the nearest profile ranked above the winner (it
 * lost because its rules failed here), else the next one below it. */
static int nearest(const struct rl_profile_set *s, const char *winner, int prio)
{
    int above = -1, below = -1;
    for (int i = 0; i < s->n; i++) {
        const struct rl_profile *p = s->p[i];
        if (strcmp(p->name, winner) == 0)
            continue;
        if (p->priority > prio && (above < 0 || p->priority < s->p[above]->priority))
            above = i;
        if (p->priority <= prio && (below < 0 || p->priority > s->p[below]->priority))
            below = i;
    }
    return above >= 0 ? above : below;
}

int rl_profile_select(const struct rl_profile_set *s, const struct rl_facts *f, const struct rl_root *root,
                      const char *override, struct rl_choice *out, char *err, size_t errlen, enum rl_fault *fault)
{
    memset(out, 0, sizeof *out);
    out->root = *root;
    *fault = RL_FAULT_INPUT;
    int win = -1, second = -1;
    if (override) {
        for (int i = 0; i < s->n; i++)
            if (strcmp(s->p[i]->name, override) == 0)
                win = i;
        if (win < 0) {
            size_t used = (size_t)snprintf(err, errlen, "no profile named \"%s\"; known:", override);
            for (int i = 0; i < s->n && used < errlen; i++)
                used += (size_t)snprintf(err + used, errlen - used, " %s", s->p[i]->name);
            if (used < errlen)
                snprintf(err + used, errlen - used, " (or give the path of a .yaml file)");
            return -1;
        }
        out->overridden = true;
        /* next to an override, show what the automatic choice would have been */
        char ignored[512];
        second = pick(s, f, root, ignored, sizeof ignored);
        if (second == win)
            second = -1;
    } else {
        win = pick(s, f, root, err, errlen);
        if (win < 0)
            return -1;
    }
    if (second < 0)
        second = nearest(s, s->p[win]->name, s->p[win]->priority);
    out->winner = copy(s->p[win]);
    out->runner_up = second >= 0 ? copy(s->p[second]) : NULL;
    if (!out->winner || (second >= 0 && !out->runner_up)) {
        rl_choice_free(out);
        snprintf(err, errlen, "out of memory choosing a profile");
        *fault = RL_FAULT_RUNTIME;
        return -1;
    }
    return 0;
}

/* The profiles other than the winner whose rules hold, by priority (then load order). */
static int add_matching(const struct rl_profile_set *s, const struct rl_facts *f, struct rl_choice *out)
{
    const int cap = (int)(sizeof out->matching / sizeof out->matching[0]);
    bool taken[RL_PROFILE_MAX] = {false};
    for (;;) {
        int best = -1;
        for (int i = 0; i < s->n; i++)
            if (!taken[i] && strcmp(s->p[i]->name, out->winner->name) != 0 &&
                (best < 0 || s->p[i]->priority > s->p[best]->priority))
                best = i;
        if (best < 0 || out->nmatching >= cap)
            return 0;
        taken[best] = true;
        if (!rl_profile_matches(s->p[best], f, &out->root, NULL, NULL, 0))
            continue;
        if (!(out->matching[out->nmatching] = copy(s->p[best])))
            return -1;
        out->nmatching++;
    }
}

int rl_profile_choose_at(const struct rl_facts *f, const struct rl_root *root, const char *override,
                         struct rl_choice *out, char *err, size_t errlen, enum rl_fault *fault)
{
    memset(out, 0, sizeof *out);
    out->root = *root;
    *fault = RL_FAULT_INPUT;
    struct rl_profile *file = NULL;
    if (override && looks_like_path(override)) {
        file = rl_profile_load(override, err, errlen);
        if (!file)
            return -1;
        file->origin = RL_ORIGIN_FILE;
    }
    struct rl_profile_set *s = calloc(1, sizeof *s);
    if (!s) {
        rl_profile_free(file);
        snprintf(err, errlen, "out of memory loading profiles");
        *fault = RL_FAULT_RUNTIME;
        return -1;
    }
    int rc;
    if (file) {
        /* The file wins; the visible set only supplies the runner-up (the automatic
         * choice), so a broken or missing profile directory does not stop --profile PATH. */
        char ignored[512];
        struct rl_choice autoc;
        enum rl_fault code;
        rc = 0;
        out->winner = file;
        out->overridden = true;
        bool loaded = rl_profile_set_load(s, ignored, sizeof ignored) == 0;
        if (loaded && rl_profile_select(s, f, root, NULL, &autoc, ignored, sizeof ignored, &code) == 0) {
            out->runner_up = autoc.winner;
            autoc.winner = NULL;
            rl_choice_free(&autoc);
        }
        if (loaded && add_matching(s, f, out) < 0)
            rc = -1;
    } else {
        rc = rl_profile_set_load(s, err, errlen) < 0 ? -1 : rl_profile_select(s, f, root, override, out, err, errlen, fault);
        if (rc == 0 && add_matching(s, f, out) < 0)
            rc = -1;
    }
    if (rc < 0 && out->winner) { /* add_matching ran out of memory */
        rl_choice_free(out);
        snprintf(err, errlen, "out of memory choosing a profile");
        *fault = RL_FAULT_RUNTIME;
    }
    rl_profile_set_free(s);
    free(s);
    return rc;
}

void rl_choice_free(struct rl_choice *c)
{
    if (!c)
        return;
    rl_profile_free(c->winner);
    rl_profile_free(c->runner_up);
    c->winner = c->runner_up = NULL;
    for (int i = 0; i < c->nmatching; i++)
        rl_profile_free(c->matching[i]);
    c->nmatching = 0;
}
