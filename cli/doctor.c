#include <stdio.h>
#include "cli/commands.h"
#include "cli/util/out.h"
#include "probes/facts.h"

const struct rl_opt rl_doctor_opts[] = {
    {NULL, 0, NULL, NULL, false},
};

int rl_cmd_doctor(struct rl_ctx *ctx)
{
    static struct rl_facts f;
    rl_probe_all(&f, &ctx->root, NULL);
    return 0;
}
