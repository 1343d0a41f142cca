/* Placeholder until the down command lands: it says so and fails. */
#include "cli/commands.h"
#include "cli/util/out.h"

const struct rl_opt rl_down_opts[] = {
    {NULL, 0, NULL, NULL, false},
};

int rl_cmd_down(struct rl_ctx *ctx)
{
    (void)ctx;
    rl_err("down: not implemented in this build");
    return RL_EXIT_RUNTIME;
}
