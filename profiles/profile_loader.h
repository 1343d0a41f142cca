/* The YAML side of the profile loader, shared by profile_load.c (the file, the top
 * level, build and config) and profile_load_match.c (match rules). Every error goes
 * through rl_loader_fail, so each one reads "FILE:LINE:COLUMN: what is wrong". */
#ifndef RL_PROFILE_LOADER_H
#define RL_PROFILE_LOADER_H
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

#include "profiles/profile_internal.h"

struct rl_loader {
    const char *path;
    yaml_document_t doc;
    struct rl_profile *p; /* being filled */
    char *err;
    size_t errlen;
};

/* Writes "PATH:LINE:COLUMN: message" (n's start, 1-based; 1:1 when n is NULL) into
 * L->err and returns -1. */
int rl_loader_fail(struct rl_loader *L, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "a scalar", "a list", "a mapping": for "must be X, not Y" messages. */
const char *rl_loader_kind(const yaml_node_t *n);
static inline const char *rl_loader_scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }
/* Copies a scalar into out, rejecting other node kinds, control characters and values
 * that do not fit. Returns 0 or -1 (error written). */
int rl_loader_str(struct rl_loader *L, const yaml_node_t *n, const char *what, char *out, size_t len);
/* Parses match: (a rule, a list, or an all/any group) into L->p->rules. Returns the
 * root rule's index, or -1 (error written). */
int rl_loader_match(struct rl_loader *L, yaml_node_t *n);
/* Reads f's YAML events to the end and rewinds it. Returns -1 with "PATH:LINE:COLUMN:
 * nesting deeper than N levels" in err at the first list or mapping nested deeper than
 * RL_PROFILE_MAX_NESTING, else 0 (syntax errors are left for the real load to report). */
int rl_loader_check_nesting(FILE *f, const char *path, char *err, size_t errlen);

#endif
