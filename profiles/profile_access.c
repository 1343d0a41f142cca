/* The accessors of profile.h: what build and up read from a chosen profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util/size.h"
#include "profiles/profile_internal.h"

const char *rl_profile_name(const struct rl_profile *p) { return p->name; }
const char *rl_profile_source(const struct rl_profile *p) { return p->source; }
const char *rl_profile_allocator(const struct rl_profile *p) { return p->allocator; }

size_t rl_profile_make_vars(const struct rl_profile *p, const char *const **vars)
{
    /* MALLOC first, then the page-size option, then the profile's own variables. The
     * argv view is cached inside p so callers can hand it to execvp as it is. */
    struct rl_profile *m = (struct rl_profile *)p;
    int n = 0;
    snprintf(m->malloc_var, sizeof m->malloc_var, "MALLOC=%s", p->allocator);
    m->vars[n++] = m->malloc_var;
    if (p->jemalloc_lg_page) {
        /* Redis's Makefile passes JEMALLOC_CONFIGURE_OPTS to jemalloc's configure */
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

struct rl_profile *rl_profile_with_allocator(const struct rl_profile *p, const char *allocator)
{
    if (strcmp(allocator, "libc") != 0 && strcmp(allocator, "jemalloc") != 0)
        return NULL;
    struct rl_profile *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    memcpy(c, p, sizeof *c);
    if (strcmp(c->allocator, allocator) != 0) {
        snprintf(c->allocator, sizeof c->allocator, "%s", allocator);
        c->jemalloc_lg_page = 0; /* a page-size option belongs to the jemalloc it was set for */
    }
    return c;
}

void rl_profile_memory(const struct rl_profile *p, struct rl_memory_rule *out)
{
    memset(out, 0, sizeof *out);
    out->headroom = p->headroom;
    for (int i = 0; i < p->nconf; i++) {
        const struct rl_conf_item *c = &p->conf[i];
        if (strcmp(c->key, "maxmemory") != 0)
            continue;
        if (c->is_budget) {
            out->kind = RL_MEM_BUDGET;
        } else if (c->is_share) {
            out->kind = RL_MEM_SHARE;
            out->share = c->share;
            out->min = c->min;
            out->max = c->max;
        } else {
            char e[200];
            /* validated when loaded, so a parse failure cannot happen here */
            if (rl_parse_size(c->value, &out->fixed, e, sizeof e) == 0)
                out->kind = RL_MEM_FIXED;
        }
    }
}
