/* Match rules of a profile: "FACT OP VALUE" over the facts of doctor --json, "env NAME",
 * and all/any groups, parsed into the profile's flat rule array. Values are checked
 * against the fact's kind here, so a rule that could never be evaluated is rejected
 * when the file is loaded rather than silently false at selection time. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util/size.h"
#include "profiles/profile_loader.h"

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
static int leaf_rule(struct rl_loader *L, yaml_node_t *n, struct rl_rule *r)
{
    char text[160], a[64], o[64], v[100], extra[8];
    if (rl_loader_str(L, n, "a match rule", text, sizeof text) < 0)
        return -1;
    snprintf(r->text, sizeof r->text, "%s", text);
    r->line = (int)n->start_mark.line + 1;
    r->column = (int)n->start_mark.column + 1;
    int k = sscanf(text, "%63s %63s %99s %7s", a, o, v, extra);
    if (k >= 1 && strcmp(a, "env") == 0) {
        if (k != 2)
            return rl_loader_fail(L, n, "an environment rule is \"env NAME\" (true when NAME is set and not empty), got \"%s\"", text);
        bool ok = isalpha((unsigned char)o[0]) || o[0] == '_';
        for (const char *c = o; *c; c++)
            ok &= isalnum((unsigned char)*c) || *c == '_';
        if (!ok || strlen(o) >= sizeof r->fact)
            return rl_loader_fail(L, n, "\"%s\" is not an environment variable name (letters, digits and _)", o);
        r->kind = RL_RULE_ENV;
        snprintf(r->fact, sizeof r->fact, "%s", o);
        return 0;
    }
    if (k != 3)
        return rl_loader_fail(L, n, "a rule is \"FACT OP VALUE\" (e.g. memory_limit_bytes < 256mb) or \"env NAME\", got \"%s\"", text);
    r->kind = RL_RULE_FACT;
    snprintf(r->fact, sizeof r->fact, "%s", a);
    const struct rl_fact_desc *d = NULL;
    for (const struct rl_fact_desc *x = rl_fact_table; x->name; x++)
        if (strcmp(x->name, a) == 0)
            d = x;
    if (!d)
        return rl_loader_fail(L, n, "unknown fact \"%s\"; use a name from doctor --json \"facts\"", a);
    if (parse_op(o, &r->op) < 0)
        return rl_loader_fail(L, n, "unknown comparison \"%s\"; use <, <=, >, >=, == or !=", o);
    /* "null" is the absent value (memory_limit_bytes == null: no limit); a string fact
     * compared with the word itself is written quoted: container == "null". */
    size_t vl = strlen(v);
    bool quoted = vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0];
    snprintf(r->str, sizeof r->str, "%.*s", quoted ? (int)vl - 2 : (int)vl, quoted ? v + 1 : v);
    if (!quoted && strcmp(v, "null") == 0) {
        if (r->op != RL_OP_EQ && r->op != RL_OP_NE)
            return rl_loader_fail(L, n, "null can only be compared with == or !=");
        r->value_is_null = true;
        return 0;
    }
    if (d->kind == RL_FK_STR) {
        if (r->op != RL_OP_EQ && r->op != RL_OP_NE)
            return rl_loader_fail(L, n, "fact %s is a string: compare it with == or !=", a);
        return 0;
    }
    if (quoted)
        return rl_loader_fail(L, n, "fact %s is a number; write %s without quotes", a, r->str);
    r->value_is_number = true;
    char e[200];
    if (d->kind == RL_FK_DBL) {
        char *end;
        errno = 0;
        r->dnum = strtod(v, &end);
        if (end == v || *end || errno)
            return rl_loader_fail(L, n, "fact %s is a number; \"%s\" is not one", a, v);
        return 0;
    }
    if (rl_parse_size(v, &r->num, e, sizeof e) < 0)
        return rl_loader_fail(L, n, "%s", e);
    r->dnum = (double)r->num;
    return 0;
}

static int rule_node(struct rl_loader *L, yaml_node_t *n, int depth);

/* A group: {all: [...]} / {any: [...]} or a bare list (all). Returns the rule index. */
static int group(struct rl_loader *L, yaml_node_t *list, enum rl_rule_kind k, int depth, yaml_node_t *at)
{
    struct rl_profile *p = L->p;
    if (depth > RL_PROFILE_MAX_DEPTH)
        return rl_loader_fail(L, at, "match rules nest deeper than %d levels", RL_PROFILE_MAX_DEPTH);
    if (list->type != YAML_SEQUENCE_NODE)
        return rl_loader_fail(L, list, "%s must be a list of rules, not %s", k == RL_RULE_ALL ? "all" : "any", rl_loader_kind(list));
    /* children are stored contiguously: reserve their slots first */
    int n = (int)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (n == 0) /* "any of nothing" has no obvious truth value: make the author say what they mean */
        return rl_loader_fail(L, list, "%s has no rules; remove it (a profile without match rules always matches)",
                    depth == 0 && at == list ? "match" : k == RL_RULE_ALL ? "all" : "any");
    if (p->nrules + 1 + n > RL_PROFILE_MAX_RULES)
        return rl_loader_fail(L, list, "too many match rules (at most %d)", RL_PROFILE_MAX_RULES);
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

static int rule_node(struct rl_loader *L, yaml_node_t *n, int depth)
{
    struct rl_profile *p = L->p;
    if (depth > RL_PROFILE_MAX_DEPTH)
        return rl_loader_fail(L, n, "match rules nest deeper than %d levels", RL_PROFILE_MAX_DEPTH);
    if (n->type == YAML_SCALAR_NODE) {
        if (p->nrules >= RL_PROFILE_MAX_RULES)
            return rl_loader_fail(L, n, "too many match rules (at most %d)", RL_PROFILE_MAX_RULES);
        int idx = p->nrules++;
        memset(&p->rules[idx], 0, sizeof p->rules[idx]);
        return leaf_rule(L, n, &p->rules[idx]) < 0 ? -1 : idx;
    }
    if (n->type == YAML_SEQUENCE_NODE)
        return group(L, n, RL_RULE_ALL, depth, n);
    if (n->type == YAML_MAPPING_NODE) {
        if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
            return rl_loader_fail(L, n, "a rule group has exactly one key, all or any");
        yaml_node_t *k = yaml_document_get_node(&L->doc, n->data.mapping.pairs.start->key);
        yaml_node_t *v = yaml_document_get_node(&L->doc, n->data.mapping.pairs.start->value);
        if (k->type == YAML_SCALAR_NODE && strcmp(rl_loader_scalar(k), "all") == 0)
            return group(L, v, RL_RULE_ALL, depth, k);
        if (k->type == YAML_SCALAR_NODE && strcmp(rl_loader_scalar(k), "any") == 0)
            return group(L, v, RL_RULE_ANY, depth, k);
        return rl_loader_fail(L, k, "unknown rule group \"%s\"; use all or any", k->type == YAML_SCALAR_NODE ? rl_loader_scalar(k) : "?");
    }
    return rl_loader_fail(L, n, "a match rule must be a string, a list or all/any, not %s", rl_loader_kind(n));
}

int rl_loader_match(struct rl_loader *L, yaml_node_t *n) { return rule_node(L, n, 0); }
