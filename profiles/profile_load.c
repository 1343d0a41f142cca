/* Loads one profile YAML file into a struct rl_profile, validating every field. Every
 * rejection is "FILE:LINE:COLUMN: what is wrong" (1-based), never a silent default. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cli/util/size.h"
#include "profiles/profile_internal.h"

struct loader {
    const char *path;
    yaml_document_t doc;
    struct rl_profile *p;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(L->err, L->errlen, "%s:%lu:%lu: %s", L->path, n ? (unsigned long)n->start_mark.line + 1 : 1UL,
             n ? (unsigned long)n->start_mark.column + 1 : 1UL, msg);
    return -1;
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* A scalar copied into out, rejecting other node kinds, control characters and overflow. */
static int get_str(struct loader *L, const yaml_node_t *n, const char *what, char *out, size_t len)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail(L, n, "%s must be a single value, not %s", what, kind(n));
    if (has_control(scalar(n)))
        return fail(L, n, "%s contains a newline or control character", what);
    if (n->data.scalar.length >= len)
        return fail(L, n, "%s is longer than %zu characters", what, len - 1);
    memcpy(out, scalar(n), n->data.scalar.length + 1);
    return 0;
}

/* Iterates a mapping, rejecting duplicate keys and non-scalar keys. */
typedef int (*pair_fn)(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx);
static int each_pair(struct loader *L, yaml_node_t *map, const char *what, pair_fn fn, void *ctx)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail(L, map, "%s must be a mapping, not %s", what, kind(map));
    for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
        yaml_node_t *k = yaml_document_get_node(&L->doc, a->key);
        yaml_node_t *v = yaml_document_get_node(&L->doc, a->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE)
            return fail(L, k, "keys in %s must be plain words", what);
        for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *k2 = yaml_document_get_node(&L->doc, b->key);
            if (k2 && k2->type == YAML_SCALAR_NODE && strcmp(scalar(k2), scalar(k)) == 0)
                return fail(L, k, "duplicate key \"%s\" in %s (first at line %lu)", scalar(k), what,
                            (unsigned long)k2->start_mark.line + 1);
        }
        if (fn(L, scalar(k), k, v, ctx) < 0)
            return -1;
    }
    return 0;
}

static int get_percent(struct loader *L, yaml_node_t *n, const char *what, double *out)
{
    char buf[64], e[200];
    if (get_str(L, n, what, buf, sizeof buf) < 0)
        return -1;
    int rc = rl_parse_percent(buf, out, e, sizeof e);
    if (rc == 1)
        return fail(L, n, "%s must be a percentage like 25%%, got \"%s\"", what, buf);
    if (rc < 0)
        return fail(L, n, "%s: %s", what, e);
    return 0;
}

static int get_size(struct loader *L, yaml_node_t *n, const char *what, uint64_t *out)
{
    char buf[64], e[200];
    if (get_str(L, n, what, buf, sizeof buf) < 0)
        return -1;
    if (rl_parse_size(buf, out, e, sizeof e) < 0)
        return fail(L, n, "%s: %s", what, e);
    return 0;
}

/* ---- match rules ---- */

static const char *op_text[] = {"<", "<=", ">", ">=", "==", "!="};

static int parse_op(const char *s, enum rl_op *op)
{
    for (int i = 0; i < 6; i++)
        if (strcmp(s, op_text[i]) == 0) {
            *op = (enum rl_op)i;
            return 0;
        }
    return -1;
}

/* "FACT OP VALUE" or "env NAME". */
static int leaf_rule(struct loader *L, yaml_node_t *n, struct rl_rule *r)
{
    char text[160], a[64], o[64], v[100], extra[8];
    if (get_str(L, n, "a match rule", text, sizeof text) < 0)
        return -1;
    snprintf(r->text, sizeof r->text, "%s", text);
    r->line = (int)n->start_mark.line + 1;
    r->column = (int)n->start_mark.column + 1;
    int k = sscanf(text, "%63s %63s %99s %7s", a, o, v, extra);
    if (k == 2 && strcmp(a, "env") == 0) {
        r->kind = RL_RULE_ENV;
        snprintf(r->fact, sizeof r->fact, "%s", o);
        return 0;
    }
    if (k != 3)
        return fail(L, n, "a rule is \"FACT OP VALUE\" (e.g. memory_limit_bytes < 256mb) or \"env NAME\", got \"%s\"", text);
    r->kind = RL_RULE_FACT;
    snprintf(r->fact, sizeof r->fact, "%s", a);
    const struct rl_fact_desc *d = NULL;
    for (const struct rl_fact_desc *x = rl_fact_table; x->name; x++)
        if (strcmp(x->name, a) == 0)
            d = x;
    if (!d)
        return fail(L, n, "unknown fact \"%s\"; use a name from doctor --json \"facts\"", a);
    if (parse_op(o, &r->op) < 0)
        return fail(L, n, "unknown comparison \"%s\"; use <, <=, >, >=, == or !=", o);
    snprintf(r->str, sizeof r->str, "%s", v);
    if (strcmp(v, "null") == 0) {
        if (r->op != RL_OP_EQ && r->op != RL_OP_NE)
            return fail(L, n, "null can only be compared with == or !=");
        r->value_is_null = true;
        return 0;
    }
    if (d->kind == RL_FK_STR) {
        if (r->op != RL_OP_EQ && r->op != RL_OP_NE)
            return fail(L, n, "fact %s is a string: compare it with == or !=", a);
        return 0;
    }
    r->value_is_number = true;
    char e[200];
    if (d->kind == RL_FK_DBL) {
        char *end;
        errno = 0;
        r->dnum = strtod(v, &end);
        if (end == v || *end || errno)
            return fail(L, n, "fact %s is a number; \"%s\" is not one", a, v);
        return 0;
    }
    if (rl_parse_size(v, &r->num, e, sizeof e) < 0)
        return fail(L, n, "%s", e);
    r->dnum = (double)r->num;
    return 0;
}

static int rule_node(struct loader *L, yaml_node_t *n, int depth);

/* A group: {all: [...]} / {any: [...]} or a bare list (all). Returns the rule index. */
static int group(struct loader *L, yaml_node_t *list, enum rl_rule_kind k, int depth, yaml_node_t *at)
{
    struct rl_profile *p = L->p;
    if (depth > RL_PROFILE_MAX_DEPTH)
        return fail(L, at, "match rules nest deeper than %d levels", RL_PROFILE_MAX_DEPTH);
    if (list->type != YAML_SEQUENCE_NODE)
        return fail(L, list, "%s must be a list of rules, not %s", k == RL_RULE_ALL ? "all" : "any", kind(list));
    /* children are stored contiguously: reserve their slots first */
    int n = (int)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (p->nrules + 1 + n > RL_PROFILE_MAX_RULES)
        return fail(L, list, "too many match rules (at most %d)", RL_PROFILE_MAX_RULES);
    int self = p->nrules++;
    struct rl_rule *g = &p->rules[self];
    memset(g, 0, sizeof *g);
    g->kind = k;
    g->first_child = p->nrules;
    g->nchildren = n;
    g->line = (int)at->start_mark.line + 1;
    snprintf(g->text, sizeof g->text, "%s", k == RL_RULE_ALL ? "all" : "any");
    p->nrules += n;
    int i = 0;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++, i++) {
        yaml_node_t *c = yaml_document_get_node(&L->doc, *it);
        int idx = rule_node(L, c, depth + 1);
        if (idx < 0)
            return -1;
        /* move the child (or the group it built) into its reserved slot */
        if (idx != p->rules[self].first_child + i) {
            struct rl_rule tmp = p->rules[idx];
            p->rules[p->rules[self].first_child + i] = tmp;
        }
    }
    return self;
}

static int rule_node(struct loader *L, yaml_node_t *n, int depth)
{
    struct rl_profile *p = L->p;
    if (depth > RL_PROFILE_MAX_DEPTH)
        return fail(L, n, "match rules nest deeper than %d levels", RL_PROFILE_MAX_DEPTH);
    if (n->type == YAML_SCALAR_NODE) {
        if (p->nrules >= RL_PROFILE_MAX_RULES)
            return fail(L, n, "too many match rules (at most %d)", RL_PROFILE_MAX_RULES);
        int idx = p->nrules++;
        memset(&p->rules[idx], 0, sizeof p->rules[idx]);
        return leaf_rule(L, n, &p->rules[idx]) < 0 ? -1 : idx;
    }
    if (n->type == YAML_SEQUENCE_NODE)
        return group(L, n, RL_RULE_ALL, depth, n);
    if (n->type == YAML_MAPPING_NODE) {
        if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
            return fail(L, n, "a rule group has exactly one key, all or any");
        yaml_node_t *k = yaml_document_get_node(&L->doc, n->data.mapping.pairs.start->key);
        yaml_node_t *v = yaml_document_get_node(&L->doc, n->data.mapping.pairs.start->value);
        if (k->type == YAML_SCALAR_NODE && strcmp(scalar(k), "all") == 0)
            return group(L, v, RL_RULE_ALL, depth, k);
        if (k->type == YAML_SCALAR_NODE && strcmp(scalar(k), "any") == 0)
            return group(L, v, RL_RULE_ANY, depth, k);
        return fail(L, k, "unknown rule group \"%s\"; use all or any", k->type == YAML_SCALAR_NODE ? scalar(k) : "?");
    }
    return fail(L, n, "a match rule must be a string, a list or all/any, not %s", kind(n));
}

/* ---- build ---- */

static int build_pair(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx);
static int make_pair(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    for (const char *c = key; *c; c++)
        if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_') || isdigit((unsigned char)key[0]))
            return fail(L, k, "make variable \"%s\" must be upper-case letters, digits and _", key);
    if (strcmp(key, "MALLOC") == 0)
        return fail(L, k, "set the allocator with build.allocator, not make MALLOC");
    char val[96];
    if (get_str(L, v, "a make variable's value", val, sizeof val) < 0)
        return -1;
    if (p->nvars >= RL_PROFILE_MAX_VARS - 3)
        return fail(L, k, "too many make variables");
    for (int i = 0; i < p->nvars; i++) /* USE_SYSTEMD/BUILD_TLS defaults are replaced */
        if (strncmp(p->vars_store[i], key, strlen(key)) == 0 && p->vars_store[i][strlen(key)] == '=') {
            snprintf(p->vars_store[i], sizeof p->vars_store[i], "%s=%s", key, val);
            return 0;
        }
    snprintf(p->vars_store[p->nvars++], sizeof p->vars_store[0], "%s=%s", key, val);
    return 0;
}

static int build_pair(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    if (strcmp(key, "allocator") == 0) {
        if (get_str(L, v, "build.allocator", p->allocator, sizeof p->allocator) < 0)
            return -1;
        if (strcmp(p->allocator, "libc") != 0 && strcmp(p->allocator, "jemalloc") != 0)
            return fail(L, v, "unknown allocator \"%s\"; use libc or jemalloc", p->allocator);
        return 0;
    }
    if (strcmp(key, "jemalloc_lg_page") == 0) {
        char buf[16];
        if (get_str(L, v, "build.jemalloc_lg_page", buf, sizeof buf) < 0)
            return -1;
        char *end;
        long n = strtol(buf, &end, 10);
        if (end == buf || *end || n < 12 || n > 16)
            return fail(L, v, "build.jemalloc_lg_page must be 12 (4K) to 16 (64K), got \"%s\"", buf);
        p->jemalloc_lg_page = (int)n;
        p->lg_line = (int)k->start_mark.line + 1;
        return 0;
    }
    if (strcmp(key, "make") == 0)
        return each_pair(L, v, "build.make", make_pair, NULL);
    return fail(L, k, "unknown key \"%s\" in build; use allocator, jemalloc_lg_page or make", key);
}

/* ---- config ---- */

static bool valid_directive(const char *s)
{
    if (!islower((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return false;
    return true;
}

static int share_pair(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    struct rl_conf_item *c = ctx;
    if (strcmp(key, "share") == 0) {
        c->is_share = true;
        return get_percent(L, v, "maxmemory.share", &c->share);
    }
    if (strcmp(key, "min") == 0)
        return get_size(L, v, "maxmemory.min", &c->min);
    if (strcmp(key, "max") == 0)
        return get_size(L, v, "maxmemory.max", &c->max);
    return fail(L, k, "unknown key \"%s\" in maxmemory; use share, min or max", key);
}

static int config_pair(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    if (!valid_directive(key))
        return fail(L, k, "\"%s\" is not a redis.conf directive name", key);
    if (strcmp(key, "include") == 0 || strcmp(key, "rename-command") == 0 || strcmp(key, "port") == 0 ||
        strcmp(key, "dir") == 0 || strcmp(key, "logfile") == 0 || strcmp(key, "pidfile") == 0 ||
        strcmp(key, "unixsocket") == 0 || strcmp(key, "daemonize") == 0)
        return fail(L, k, "a profile may not set \"%s\" (redis-light writes it per instance, or it could smuggle in other directives)", key);
    if (p->nconf >= RL_PROFILE_MAX_CONF)
        return fail(L, k, "too many config directives (at most %d)", RL_PROFILE_MAX_CONF);
    struct rl_conf_item *c = &p->conf[p->nconf];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    c->line = (int)k->start_mark.line + 1;
    if (strcmp(key, "maxmemory") == 0) {
        if (v->type == YAML_MAPPING_NODE) {
            if (each_pair(L, v, "maxmemory", share_pair, c) < 0)
                return -1;
            if (!c->is_share)
                return fail(L, v, "maxmemory as a mapping needs share: N%%");
            if (c->min && c->max && c->min > c->max)
                return fail(L, v, "maxmemory.min is above maxmemory.max");
        } else {
            char buf[64], e[200];
            if (get_str(L, v, "maxmemory", buf, sizeof buf) < 0)
                return -1;
            int rc = rl_parse_percent(buf, &c->share, e, sizeof e);
            if (rc < 0)
                return fail(L, v, "maxmemory: %s", e);
            if (rc == 0) {
                c->is_share = true;
            } else {
                uint64_t b;
                if (rl_parse_size(buf, &b, e, sizeof e) < 0)
                    return fail(L, v, "maxmemory: %s", e);
                snprintf(c->value, sizeof c->value, "%s", buf);
            }
        }
        p->nconf++;
        return 0;
    }
    if (v->type == YAML_SEQUENCE_NODE) { /* save: ["900 1", "300 10"] -> one value, joined */
        size_t used = 0;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&L->doc, *it);
            char part[128];
            if (get_str(L, e, key, part, sizeof part) < 0)
                return -1;
            used += (size_t)snprintf(c->value + used, sizeof c->value - used, "%s%s", used ? " " : "", part);
            if (used >= sizeof c->value)
                return fail(L, v, "%s is too long", key);
        }
    } else if (get_str(L, v, key, c->value, sizeof c->value) < 0) {
        return -1;
    }
    p->nconf++;
    return 0;
}

/* ---- top level ---- */

static int top_pair(struct loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    if (strcmp(key, "name") == 0) {
        if (get_str(L, v, "name", p->name, sizeof p->name) < 0)
            return -1;
        for (const char *c = p->name; *c; c++)
            if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '_'))
                return fail(L, v, "name \"%s\" must be lower-case letters, digits, - and _", p->name);
        if (!p->name[0])
            return fail(L, v, "name is empty");
        return 0;
    }
    if (strcmp(key, "description") == 0)
        return get_str(L, v, "description", p->description, sizeof p->description);
    if (strcmp(key, "priority") == 0) {
        char buf[32];
        if (get_str(L, v, "priority", buf, sizeof buf) < 0)
            return -1;
        char *end;
        errno = 0;
        long n = strtol(buf, &end, 10);
        if (end == buf || *end || errno || n < 0 || n > 1000)
            return fail(L, v, "priority must be a whole number from 0 to 1000, got \"%s\"", buf);
        p->priority = (int)n;
        return 0;
    }
    if (strcmp(key, "match") == 0) {
        int idx = rule_node(L, v, 0);
        if (idx < 0)
            return -1;
        p->root_rule = idx;
        return 0;
    }
    if (strcmp(key, "build") == 0)
        return each_pair(L, v, "build", build_pair, NULL);
    if (strcmp(key, "config") == 0)
        return each_pair(L, v, "config", config_pair, NULL);
    if (strcmp(key, "headroom") == 0)
        return get_percent(L, v, "headroom", &p->headroom);
    return fail(L, k, "unknown key \"%s\"; a profile has name, description, priority, match, build, config, headroom", key);
}

static int validate(struct loader *L, yaml_node_t *root)
{
    struct rl_profile *p = L->p;
    if (!p->name[0])
        return fail(L, root, "the profile has no name");
    if (!p->allocator[0])
        return fail(L, root, "the profile has no build.allocator (libc or jemalloc)");
    if (p->jemalloc_lg_page && strcmp(p->allocator, "jemalloc") != 0) {
        snprintf(L->err, L->errlen, "%s:%d:1: build.jemalloc_lg_page needs allocator jemalloc", L->path, p->lg_line);
        return -1;
    }
    for (int i = 0; i < p->nconf; i++)
        if (strcmp(p->conf[i].key, "activedefrag") == 0 && strcmp(p->conf[i].value, "yes") == 0 &&
            strcmp(p->allocator, "libc") == 0) {
            snprintf(L->err, L->errlen, "%s:%d:1: activedefrag yes needs jemalloc; Redis refuses to start with it on a libc build",
                     L->path, p->conf[i].line);
            return -1;
        }
    return 0;
}

struct rl_profile *rl_profile_load(const char *path, char *err, size_t errlen)
{
    struct loader L = {.path = path, .err = err, .errlen = errlen};
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s:1:1: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    /* Reject binary content before libyaml sees it: a NUL byte is never YAML. */
    char chunk[4096];
    size_t n, off = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        const char *z = memchr(chunk, '\0', n);
        if (z) {
            snprintf(err, errlen, "%s:1:1: binary file (NUL byte at offset %zu), not YAML", path, off + (size_t)(z - chunk));
            fclose(f);
            return NULL;
        }
        off += n;
        if (off > (1 << 20)) {
            snprintf(err, errlen, "%s:1:1: larger than 1 MiB; not a profile", path);
            fclose(f);
            return NULL;
        }
    }
    rewind(f);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    struct rl_profile *p = calloc(1, sizeof *p);
    if (!p || !yaml_parser_load(&parser, &L.doc)) {
        if (p)
            snprintf(err, errlen, "%s:%lu:%lu: YAML syntax error: %s%s%s", path,
                     (unsigned long)parser.problem_mark.line + 1, (unsigned long)parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "unknown", parser.context ? " " : "",
                     parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        fclose(f);
        free(p);
        return NULL;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    L.p = p;
    p->root_rule = -1;
    snprintf(p->source, sizeof p->source, "%s", path);
    /* Redis's own defaults for these are wrong for a container build: always explicit. */
    snprintf(p->vars_store[p->nvars++], sizeof p->vars_store[0], "USE_SYSTEMD=no");
    snprintf(p->vars_store[p->nvars++], sizeof p->vars_store[0], "BUILD_TLS=no");
    yaml_node_t *root = yaml_document_get_root_node(&L.doc);
    int rc;
    if (!root) {
        snprintf(err, errlen, "%s:1:1: empty file; a profile needs at least name and build.allocator", path);
        rc = -1;
    } else {
        rc = each_pair(&L, root, "the profile", top_pair, NULL);
        if (rc == 0)
            rc = validate(&L, root);
    }
    yaml_document_delete(&L.doc);
    if (rc < 0) {
        free(p);
        return NULL;
    }
    return p;
}

void rl_profile_free(struct rl_profile *p) { free(p); }
