/* Placeholder until the status command lands: it says so and fails. */
#include "cli/commands.h"
#include "cli/util/out.h"

const struct rl_opt rl_status_opts[] = {
    {NULL, 0, NULL, NULL, false},
};

int rl_cmd_status(struct rl_ctx *ctx)
{
    (void)ctx;
    rl_err("status: not implemented in this build");
    return RL_EXIT_RUNTIME;
}
