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
#include "profiles/profile_loader.h"

__attribute__((format(printf, 3, 4)))
int rl_loader_fail(struct rl_loader *L, const yaml_node_t *n, const char *fmt, ...)
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

const char *rl_loader_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

int rl_loader_str(struct rl_loader *L, const yaml_node_t *n, const char *what, char *out, size_t len)
{
    if (n->type != YAML_SCALAR_NODE)
        return rl_loader_fail(L, n, "%s must be a single value, not %s", what, rl_loader_kind(n));
    if (rl_profile_value_has_control(rl_loader_scalar(n)))
        return rl_loader_fail(L, n, "%s contains a newline or control character", what);
    if (n->data.scalar.length >= len)
        return rl_loader_fail(L, n, "%s is longer than %zu characters", what, len - 1);
    memcpy(out, rl_loader_scalar(n), n->data.scalar.length + 1);
    return 0;
}

/* Iterates a mapping, rejecting duplicate keys and non-scalar keys. */
typedef int (*pair_fn)(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx);
static int each_pair(struct rl_loader *L, yaml_node_t *map, const char *what, pair_fn fn, void *ctx)
{
    if (map->type != YAML_MAPPING_NODE)
        return rl_loader_fail(L, map, "%s must be a mapping, not %s", what, rl_loader_kind(map));
    for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
        yaml_node_t *k = yaml_document_get_node(&L->doc, a->key);
        yaml_node_t *v = yaml_document_get_node(&L->doc, a->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE)
            return rl_loader_fail(L, k, "keys in %s must be plain words", what);
        for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *k2 = yaml_document_get_node(&L->doc, b->key);
            if (k2 && k2->type == YAML_SCALAR_NODE && strcmp(rl_loader_scalar(k2), rl_loader_scalar(k)) == 0)
                return rl_loader_fail(L, k, "duplicate key \"%s\" in %s (first at line %lu)", rl_loader_scalar(k), what,
                            (unsigned long)k2->start_mark.line + 1);
        }
        if (fn(L, rl_loader_scalar(k), k, v, ctx) < 0)
            return -1;
    }
    return 0;
}

static int get_percent(struct rl_loader *L, yaml_node_t *n, const char *what, double *out)
{
    char buf[64], e[200];
    if (rl_loader_str(L, n, what, buf, sizeof buf) < 0)
        return -1;
    int rc = rl_parse_percent(buf, out, e, sizeof e);
    if (rc == 1)
        return rl_loader_fail(L, n, "%s must be a percentage like 25%%, got \"%s\"", what, buf);
    if (rc < 0)
        return rl_loader_fail(L, n, "%s: %s", what, e);
    return 0;
}

static int get_size(struct rl_loader *L, yaml_node_t *n, const char *what, uint64_t *out)
{
    char buf[64], e[200];
    if (rl_loader_str(L, n, what, buf, sizeof buf) < 0)
        return -1;
    if (rl_parse_size(buf, out, e, sizeof e) < 0)
        return rl_loader_fail(L, n, "%s: %s", what, e);
    return 0;
}

/* ---- build ---- */

static int build_pair(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx);
static int make_pair(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    for (const char *c = key; *c; c++)
        if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_') || isdigit((unsigned char)key[0]))
            return rl_loader_fail(L, k, "make variable \"%s\" must be upper-case letters, digits and _", key);
    if (strcmp(key, "MALLOC") == 0)
        return rl_loader_fail(L, k, "set the allocator with build.allocator, not make MALLOC");
    char val[96];
    if (rl_loader_str(L, v, "a make variable's value", val, sizeof val) < 0)
        return -1;
    if (p->nvars >= RL_PROFILE_MAX_VARS - 3)
        return rl_loader_fail(L, k, "too many make variables");
    for (int i = 0; i < p->nvars; i++) /* USE_SYSTEMD/BUILD_TLS defaults are replaced */
        if (strncmp(p->vars_store[i], key, strlen(key)) == 0 && p->vars_store[i][strlen(key)] == '=') {
            snprintf(p->vars_store[i], sizeof p->vars_store[i], "%s=%s", key, val);
            return 0;
        }
    snprintf(p->vars_store[p->nvars++], sizeof p->vars_store[0], "%s=%s", key, val);
    return 0;
}

static int build_pair(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    if (strcmp(key, "allocator") == 0) {
        if (rl_loader_str(L, v, "build.allocator", p->allocator, sizeof p->allocator) < 0)
            return -1;
        if (strcmp(p->allocator, "libc") != 0 && strcmp(p->allocator, "jemalloc") != 0)
            return rl_loader_fail(L, v, "unknown allocator \"%s\"; use libc or jemalloc", p->allocator);
        return 0;
    }
    if (strcmp(key, "jemalloc_lg_page") == 0) {
        char buf[16];
        if (rl_loader_str(L, v, "build.jemalloc_lg_page", buf, sizeof buf) < 0)
            return -1;
        char *end;
        long n = strtol(buf, &end, 10);
        if (end == buf || *end || n < 12 || n > 16)
            return rl_loader_fail(L, v, "build.jemalloc_lg_page must be 12 (4K) to 16 (64K), got \"%s\"", buf);
        p->jemalloc_lg_page = (int)n;
        p->lg_line = (int)k->start_mark.line + 1;
        return 0;
    }
    if (strcmp(key, "make") == 0)
        return each_pair(L, v, "build.make", make_pair, NULL);
    return rl_loader_fail(L, k, "unknown key \"%s\" in build; use allocator, jemalloc_lg_page or make", key);
}

/* ---- config ---- */

static int share_pair(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    struct rl_conf_item *c = ctx;
    if (strcmp(key, "share") == 0) {
        c->is_share = true;
        if (get_percent(L, v, "maxmemory.share", &c->share) < 0)
            return -1;
        if (c->share <= 0) /* maxmemory 0 means "no limit" to Redis: the opposite of intended */
            return rl_loader_fail(L, v, "maxmemory.share must be above 0%% (maxmemory 0 would mean no limit at all)");
        return 0;
    }
    if (strcmp(key, "min") == 0)
        return get_size(L, v, "maxmemory.min", &c->min);
    if (strcmp(key, "max") == 0)
        return get_size(L, v, "maxmemory.max", &c->max);
    return rl_loader_fail(L, k, "unknown key \"%s\" in maxmemory; use share, min or max", key);
}

static int config_pair(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    if (!rl_profile_directive_name_valid(key))
        return rl_loader_fail(L, k, "\"%s\" is not a redis.conf directive name (lower-case letters, digits and -)", key);
    const char *refused = rl_profile_refused_directive(key);
    if (refused)
        return rl_loader_fail(L, k, "a profile may not set \"%s\": %s", key, refused);
    if (p->nconf >= RL_PROFILE_MAX_CONF)
        return rl_loader_fail(L, k, "too many config directives (at most %d)", RL_PROFILE_MAX_CONF);
    struct rl_conf_item *c = &p->conf[p->nconf];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    c->line = (int)k->start_mark.line + 1;
    if (strcmp(key, "maxmemory") == 0) {
        if (v->type == YAML_MAPPING_NODE) {
            if (each_pair(L, v, "maxmemory", share_pair, c) < 0)
                return -1;
            if (!c->is_share)
                return rl_loader_fail(L, v, "maxmemory as a mapping needs share: N%%");
            if (c->min && c->max && c->min > c->max)
                return rl_loader_fail(L, v, "maxmemory.min is above maxmemory.max");
        } else {
            char buf[64], e[200];
            if (rl_loader_str(L, v, "maxmemory", buf, sizeof buf) < 0)
                return -1;
            if (strcmp(buf, "budget") == 0) { /* sized by the plan from measured costs */
                c->is_budget = true;
                p->nconf++;
                return 0;
            }
            int rc = rl_parse_percent(buf, &c->share, e, sizeof e);
            if (rc < 0)
                return rl_loader_fail(L, v, "maxmemory: %s", e);
            if (rc == 0) {
                c->is_share = true;
                if (c->share <= 0)
                    return rl_loader_fail(L, v, "maxmemory must be above 0%% (maxmemory 0 would mean no limit at all)");
            } else {
                uint64_t b;
                if (rl_parse_size(buf, &b, e, sizeof e) < 0)
                    return rl_loader_fail(L, v, "maxmemory: %s", e);
                if (b == 0) /* Redis reads 0 as "no limit", the one thing a profile here must not mean */
                    return rl_loader_fail(L, v, "maxmemory 0 means no limit to Redis; give a size like 64mb, a share "
                                          "like 50%%, or budget");
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
            if (rl_loader_str(L, e, key, part, sizeof part) < 0)
                return -1;
            used += (size_t)snprintf(c->value + used, sizeof c->value - used, "%s%s", used ? " " : "", part);
            if (used >= sizeof c->value)
                return rl_loader_fail(L, v, "%s is too long", key);
        }
    } else if (rl_loader_str(L, v, key, c->value, sizeof c->value) < 0) {
        return -1;
    }
    if (strcmp(key, "maxmemory-policy") == 0 && !rl_profile_policy_valid(c->value))
        return rl_loader_fail(L, v, "maxmemory-policy \"%s\" is not a Redis eviction policy; use one of %s", c->value,
                    rl_profile_policies_text);
    p->nconf++;
    return 0;
}

/* ---- top level ---- */

static int top_pair(struct rl_loader *L, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct rl_profile *p = L->p;
    if (strcmp(key, "name") == 0) {
        if (rl_loader_str(L, v, "name", p->name, sizeof p->name) < 0)
            return -1;
        for (const char *c = p->name; *c; c++)
            if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '_'))
                return rl_loader_fail(L, v, "name \"%s\" must be lower-case letters, digits, - and _", p->name);
        if (!p->name[0])
            return rl_loader_fail(L, v, "name is empty");
        return 0;
    }
    if (strcmp(key, "description") == 0)
        return rl_loader_str(L, v, "description", p->description, sizeof p->description);
    if (strcmp(key, "priority") == 0) {
        char buf[32];
        if (rl_loader_str(L, v, "priority", buf, sizeof buf) < 0)
            return -1;
        char *end;
        errno = 0;
        long n = strtol(buf, &end, 10);
        if (end == buf || *end || errno || n < 0 || n > 1000)
            return rl_loader_fail(L, v, "priority must be a whole number from 0 to 1000, got \"%s\"", buf);
        p->priority = (int)n;
        return 0;
    }
    if (strcmp(key, "match") == 0) {
        int idx = rl_loader_match(L, v);
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
    return rl_loader_fail(L, k, "unknown key \"%s\"; a profile has name, description, priority, match, build, config, headroom", key);
}

static int validate(struct rl_loader *L, yaml_node_t *root)
{
    struct rl_profile *p = L->p;
    if (!p->name[0])
        return rl_loader_fail(L, root, "the profile has no name");
    if (!p->allocator[0])
        return rl_loader_fail(L, root, "the profile has no build.allocator (libc or jemalloc)");
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

static void syntax_error(const yaml_parser_t *parser, FILE *f, const char *path, char *err, size_t errlen)
{
    unsigned long line = parser->problem_mark.line + 1, col = parser->problem_mark.column + 1;
    if (parser->error == YAML_READER_ERROR) {
        /* libyaml's reader (bad UTF-8, bad control bytes) reports a byte offset, not a
         * mark: count lines up to it so the message still points at the byte. */
        line = col = 1;
        rewind(f);
        for (size_t i = 0; i < parser->problem_offset; i++) {
            int c = getc(f);
            if (c == EOF)
                break;
            if (c == '\n')
                line++, col = 1;
            else
                col++;
        }
    }
    snprintf(err, errlen, "%s:%lu:%lu: YAML syntax error: %s%s%s", path, line, col,
             parser->problem ? parser->problem : "unknown", parser->context ? " " : "",
             parser->context ? parser->context : "");
}

struct rl_profile *rl_profile_load(const char *path, char *err, size_t errlen)
{
    struct rl_loader L = {.path = path, .err = err, .errlen = errlen};
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
    if (rl_loader_check_nesting(f, path, err, errlen) < 0) {
        fclose(f);
        return NULL;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    struct rl_profile *p = calloc(1, sizeof *p);
    if (!p || !yaml_parser_load(&parser, &L.doc)) {
        if (p)
            syntax_error(&parser, f, path, err, errlen);
        else
            snprintf(err, errlen, "%s:1:1: out of memory loading the profile", path);
        yaml_parser_delete(&parser);
        fclose(f);
        free(p);
        return NULL;
    }
    /* A second document (after "---") would otherwise be ignored without a word. */
    yaml_document_t extra;
    if (yaml_document_get_root_node(&L.doc)) {
        if (!yaml_parser_load(&parser, &extra)) {
            syntax_error(&parser, f, path, err, errlen);
            goto reject;
        }
        yaml_node_t *second = yaml_document_get_root_node(&extra);
        if (second) {
            snprintf(err, errlen, "%s:%lu:%lu: a second YAML document; a profile file holds one profile "
                     "(remove the \"---\" or split the file)", path, (unsigned long)extra.start_mark.line + 1,
                     (unsigned long)extra.start_mark.column + 1);
            yaml_document_delete(&extra);
            goto reject;
        }
        yaml_document_delete(&extra);
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

reject:
    yaml_document_delete(&L.doc);
    yaml_parser_delete(&parser);
    fclose(f);
    free(p);
    return NULL;
}

void rl_profile_free(struct rl_profile *p) { free(p); }
