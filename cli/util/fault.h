/* The kind of a failure, carried by library objects (err) and out-parameters, so that only
 * the command files (cli/NAME.c) turn it into an exit code (rl_exit_for in cli/commands.h). */
#ifndef RL_UTIL_FAULT_H
#define RL_UTIL_FAULT_H

enum rl_fault {
    RL_FAULT_NONE = 0,
    RL_FAULT_INPUT,    /* a bad option, profile, file or source path: the user's to fix */
    RL_FAULT_RUNTIME,  /* the machine or a server: no state directory, no source, a failed build */
};

#endif
