/* The plan rendered for machines (JSON, the DESIGN.md "plan" object) and for people. */
#include <stdio.h>
#include <string.h>

#include "cli/plan/plan.h"
#include "cli/util/size.h"

static const char *state_name(enum rl_plan_build_state s)
{
    switch (s) {
    case RL_BUILD_CACHED: return "cached";
    case RL_BUILD_COMPILE: return "compile";
    case RL_BUILD_FETCH: return "fetch";
    case RL_BUILD_UNAVAILABLE: return "unavailable";
    }
    return "?";
}

static void str_or_null(struct rl_json *w, const char *s) { rl_json_str(w, s && s[0] ? s : NULL); }

static void build_json(struct rl_json *w, const struct rl_plan_build *b)
{
    rl_json_obj(w);
    rl_json_key(w, "server"); rl_json_str(w, b->server);
    rl_json_key(w, "version"); str_or_null(w, b->version);
    rl_json_key(w, "allocator"); rl_json_str(w, b->allocator);
    rl_json_key(w, "make_vars"); rl_json_str(w, b->make_vars);
    rl_json_key(w, "key"); str_or_null(w, b->key);
    rl_json_key(w, "from_profile"); rl_json_str(w, b->from);
    rl_json_key(w, "state"); rl_json_str(w, state_name(b->state));
    rl_json_key(w, "binary"); str_or_null(w, b->state == RL_BUILD_CACHED ? b->info.server : NULL);
    rl_json_key(w, "action"); rl_json_str(w, b->action);
    rl_json_end_obj(w);
}

static void budget_json(struct rl_json *w, const struct rl_budget *b)
{
    rl_json_obj(w);
    rl_json_key(w, "limit_bytes");
    if (b->limit_bytes)
        rl_json_u64(w, b->limit_bytes);
    else
        rl_json_null(w);
    rl_json_key(w, "limit_source"); rl_json_str(w, b->limit_source);
    rl_json_key(w, "terms");
    rl_json_arr(w);
    for (int i = 0; i < b->nterms; i++) {
        rl_json_obj(w);
        rl_json_key(w, "name"); rl_json_str(w, b->terms[i].name);
        rl_json_key(w, "bytes"); rl_json_u64(w, b->terms[i].bytes);
        rl_json_key(w, "source"); rl_json_str(w, b->terms[i].source);
        rl_json_end_obj(w);
    }
    rl_json_end_arr(w);
    rl_json_key(w, "overhead_factor");
    if (b->overhead_factor > 0)
        rl_json_dbl(w, b->overhead_factor);
    else
        rl_json_null(w);
    rl_json_key(w, "overhead_source"); rl_json_str(w, b->overhead_source);
    rl_json_key(w, "maxmemory_bytes"); rl_json_u64(w, b->maxmemory_bytes);
    rl_json_key(w, "from"); rl_json_str(w, b->from);
    rl_json_key(w, "rule"); rl_json_str(w, b->rule);
    rl_json_key(w, "note"); str_or_null(w, b->note);
    rl_json_end_obj(w);
}

void rl_plan_json(struct rl_json *w, const struct rl_plan *p)
{
    rl_json_obj(w);
    rl_json_key(w, "profile"); rl_json_str(w, rl_profile_name(p->choice.winner));
    rl_json_key(w, "build"); build_json(w, &p->build);
    rl_json_key(w, "budget"); budget_json(w, &p->budget);
    rl_json_key(w, "role"); rl_json_str(w, p->role);
    rl_json_key(w, "role_reason"); rl_json_str(w, p->role_why);
    rl_json_key(w, "maxmemory_policy"); rl_json_str(w, p->policy);
    rl_json_key(w, "persistent"); rl_json_bool(w, p->persistent);
    rl_json_key(w, "persist"); rl_json_str(w, p->persist);
    rl_json_key(w, "config");
    rl_json_arr(w);
    for (const char *line = p->conf; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), line);
        rl_json_str(w, buf);
        line = eol ? eol + 1 : NULL;
    }
    rl_json_end_arr(w);
    rl_json_end_obj(w);
}

void rl_plan_print(FILE *out, const struct rl_plan *p, bool verbose)
{
    const struct rl_plan_build *b = &p->build;
    const struct rl_budget *m = &p->budget;
    char a[32], c[32];
    fprintf(out, "plan (profile %s):\n", rl_profile_name(p->choice.winner));
    fprintf(out, "  build   %s%s%s, malloc=%s (%s), profile %s\n", b->server, b->version[0] ? " " : "", b->version,
            b->allocator, b->make_vars, b->from);
    fprintf(out, "          %s\n", b->action);
    if (verbose && b->key[0])
        fprintf(out, "          cache key %s\n", b->key);
    fprintf(out, "  memory  limit %s (%s)\n", m->limit_bytes ? rl_fmt_size(m->limit_bytes, a, sizeof a) : "unknown",
            m->limit_source);
    for (int i = 0; i < m->nterms; i++)
        fprintf(out, "          - %-22s %10s  %s\n", m->terms[i].name, rl_fmt_size(m->terms[i].bytes, a, sizeof a),
                verbose ? m->terms[i].source : "");
    if (m->overhead_factor > 0)
        fprintf(out, "          / overhead %.2fx%s%s\n", m->overhead_factor, verbose ? "  " : "",
                verbose ? m->overhead_source : "");
    fprintf(out, "          = maxmemory %s (%s)\n",
            m->maxmemory_bytes ? rl_fmt_size(m->maxmemory_bytes, c, sizeof c) : "none", m->rule);
    if (m->note[0])
        fprintf(out, "          note: %s\n", m->note);
    fprintf(out, "  role    %s: %s\n", p->role, p->role_why);
}
