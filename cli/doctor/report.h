/* doctor's results, built once and rendered as a table or as DESIGN.md's JSON. */
#ifndef RL_DOCTOR_REPORT_H
#define RL_DOCTOR_REPORT_H
#include <stdio.h>

#include "cli/doctor/checks.h"
#include "cli/util/json.h"

#define RL_MAX_CHECKS 32

struct rl_report {
    const struct rl_facts *facts;
    struct {
        const char *id;
        struct rl_check_result r;
    } rows[RL_MAX_CHECKS];
    int nrows;
    int count[4]; /* by enum rl_status */
};

/* Runs every check over the facts. */
void rl_report_run(struct rl_report *rep, const struct rl_facts *f);
/* Judges the overcommit check again for the plan's persistence ("aof", "rdb", "none"):
 * overcommit matters only to the fork of a save or rewrite. */
void rl_report_for_persistence(struct rl_report *rep, const char *persist);
/* The "facts" object (every fact of rl_fact_table and redis_binaries). */
void rl_facts_json(struct rl_json *w, const struct rl_facts *f);
/* {fact name: where its value came from} for every fact with evidence. */
void rl_facts_evidence_json(struct rl_json *w, const struct rl_facts *f);
/* "checks" array and "summary" object members of the doctor document. */
void rl_report_json_checks(struct rl_json *w, const struct rl_report *rep);
/* The aligned table; evidence lines when verbose. */
void rl_report_print(FILE *out, const struct rl_report *rep, int verbose);
void rl_report_print_summary(FILE *out, const struct rl_report *rep);

#endif
