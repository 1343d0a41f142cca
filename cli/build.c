/* Placeholder until the build command lands: it says so and fails. */
#include "cli/commands.h"
#include "cli/util/out.h"

const struct rl_opt rl_build_opts[] = {
    {NULL, 0, NULL, NULL, false},
};

int rl_cmd_build(struct rl_ctx *ctx)
{
    (void)ctx;
    rl_err("build: not implemented in this build");
    return RL_EXIT_RUNTIME;
}
