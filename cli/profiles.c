/* Placeholder until the profiles command lands: it says so and fails. */
#include "cli/commands.h"
#include "cli/util/out.h"

const struct rl_opt rl_profiles_opts[] = {
    {NULL, 0, NULL, NULL, false},
};

int rl_cmd_profiles(struct rl_ctx *ctx)
{
    (void)ctx;
    rl_err("profiles: not implemented in this build");
    return RL_EXIT_RUNTIME;
}
