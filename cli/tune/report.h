/* tune's measurements for people (a table like scripts/measure-overhead's) and machines
 * (the rows as JSON, each with the runs it was summed from). */
#ifndef RL_TUNE_REPORT_H
#define RL_TUNE_REPORT_H
#include <stdio.h>

#include "cli/tune/tune.h"
#include "cli/util/json.h"

/* One row per value size: what the calibration file holds. */
void rl_tune_print_rows(FILE *f, const struct rl_tune *t);
/* The "rows" array (value only; the caller wrote the key). */
void rl_tune_json_rows(struct rl_json *w, const struct rl_tune *t);

#endif
