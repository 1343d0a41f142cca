/* redis-light: one table of subcommands, global options handled here, dispatch. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/util/out.h"

static const struct rl_cmd commands[] = {
    {"doctor", rl_cmd_doctor, "check whether Redis will survive in this container",
     "", rl_doctor_opts,
     "Runs every probe (cgroup memory, CPU and pids limits, sysctls, rlimits, page size,\n"
     "container runtime, Redis binaries and their allocator) and prints a table of checks\n"
     "with the evidence and the exact fix. Exit 0 when no check fails, 1 when one does.\n"
     "--live also builds (or reuses) the chosen profile's redis-server, launches it here\n"
     "with the rendered config, writes 3x its maxmemory for up to 8 s and reports whether\n"
     "it survived, with peak RSS and map count; exit 1 when it died."},
    {"profiles", rl_cmd_profiles, "list, show and validate build/config profiles",
     "[list | show [NAME|PATH] | validate FILE...]", rl_profiles_opts, NULL},
    {"build", rl_cmd_build, "build redis-server from source with a profile's options",
     "", rl_build_opts, NULL},
    {"up", rl_cmd_up, "build if needed, configure and launch Redis sized for this container",
     "", rl_up_opts, NULL},
    {"down", rl_cmd_down, "stop an instance started by up, keeping its data", "", rl_down_opts, NULL},
    {"status", rl_cmd_status, "show instances started by up", "", rl_status_opts, NULL},
    {"bench", rl_cmd_bench, "SET/GET throughput and latency, and eviction under memory pressure",
     "", rl_bench_opts,
     "Throughput: each test of -t (or one --ratio mix) runs -n requests or --duration seconds\n"
     "from -c connections on --threads event loops, keys PREFIX + 12 digits (--key-prefix).\n"
     "\n"
     "--eviction: for each of --policies, on a clean key prefix, a fill phase writes\n"
     "--fill-factor x maxmemory of -d byte values (default 1024), then a cache phase runs\n"
     "--duration s (default 10, after --warmup 2) of cache-aside GETs with zipf keys (a miss\n"
     "SETs the key). Every 250 ms it samples used_memory, RSS, evicted keys, OOM errors and\n"
     "ops/s, and for a local server its /proc RSS, map count and cgroup limit. The table\n"
     "compares hit ratio with the ideal for that capacity, evictions, OOM errors, memory\n"
     "peaks against maxmemory and the limit. maxmemory and the policy are restored after.\n"
     "Exit 0 when every run completed, 2 for bad options or a server redis-light did not\n"
     "start without --allow-eviction, 3 when a run could not finish."},
    {"tune", rl_cmd_tune, "measure the memory budget's factors here and write them for the plan", "", rl_tune_opts,
     rl_tune_help},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct rl_cmd *current;

void rl_print_usage(FILE *f, const struct rl_cmd *c)
{
    if (!c) {
        fprintf(f, "Usage: redis-light [--sysroot DIR] [--json] [-q|-v] COMMAND [options]\n"
                   "       redis-light COMMAND --help\n");
        return;
    }
    fprintf(f, "Usage: redis-light %s [options]%s%s\n", c->name, *c->synopsis ? " " : "",
            c->synopsis);
}

int rl_usage_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rl_err("%s", msg);
    rl_print_usage(stderr, current);
    fprintf(stderr, "Try 'redis-light %s%s--help'.\n", current ? current->name : "",
            current ? " " : "");
    return RL_EXIT_USAGE;
}

static void main_help(FILE *f)
{
    rl_print_usage(f, NULL);
    fprintf(f, "\nRun Redis reliably where memory is tight, and prove it with numbers.\n\nCommands:\n");
    for (const struct rl_cmd *c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\nGlobal options (accepted by every command):\n");
    rl_args_help(f, rl_global_opts);
    fprintf(f, "  %-28s %s\n", "    --version", "print the version and exit");
    fprintf(f, "\nExit codes: 0 ok, 1 problems found, 2 usage or invalid input, 3 runtime failure.\n");
}

static void cmd_help(FILE *f, const struct rl_cmd *c)
{
    rl_print_usage(f, c);
    fprintf(f, "\n%s.\n", c->summary);
    if (c->description)
        fprintf(f, "\n%s\n", c->description);
    if (c->opts && c->opts[0].name) {
        fprintf(f, "\nOptions:\n");
        rl_args_help(f, c->opts);
    }
    fprintf(f, "\nGlobal options:\n");
    rl_args_help(f, rl_global_opts);
}

static void setup_output(const struct rl_args *a)
{
    const char *nc = getenv("NO_COLOR");
    bool color_ok = !rl_args_has(a, "no-color") && !(nc && *nc);
    rl_out.json = rl_args_has(a, "json");
    rl_out.quiet = rl_args_has(a, "quiet");
    rl_out.verbose = rl_args_count(a, "verbose");
    rl_out.color = color_ok && isatty(STDOUT_FILENO);
    rl_out.ecolor = color_ok && isatty(STDERR_FILENO);
}

/* What a command printed must have reached its reader: `doctor --json >/dev/full` is a
 * failure, not a success with nothing written. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    int e = errno;
    rl_err("cannot write to standard output: %s; the output is incomplete (check the disk or the pipe it goes to)",
           strerror(e ? e : EIO));
    return rc == RL_EXIT_OK || rc == RL_EXIT_PROBLEMS ? RL_EXIT_RUNTIME : rc;
}

int main(int argc, char **argv)
{
    /* Global options may stand before the command: find the first non-option word. */
    int ci = 1;
    for (; ci < argc; ci++) {
        if (argv[ci][0] != '-')
            break;
        if (strcmp(argv[ci], "--sysroot") == 0)
            ci++; /* its value */
    }
    for (int i = 1; i < ci && i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("redis-light %s\n", RL_VERSION);
            return finish_stdout(RL_EXIT_OK);
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            main_help(stdout);
            return RL_EXIT_OK;
        }
    }
    if (ci >= argc) {
        rl_err("no command given");
        main_help(stderr);
        return RL_EXIT_USAGE;
    }
    if (strcmp(argv[ci], "help") == 0) {
        if (ci + 1 < argc) {
            for (const struct rl_cmd *c = commands; c->name; c++)
                if (strcmp(c->name, argv[ci + 1]) == 0) {
                    cmd_help(stdout, c);
                    return RL_EXIT_OK;
                }
        }
        main_help(stdout);
        return RL_EXIT_OK;
    }
    for (const struct rl_cmd *c = commands; c->name; c++) {
        if (strcmp(c->name, argv[ci]) != 0)
            continue;
        current = c;
        /* Options before the command word and after it are parsed as one list. */
        int n = argc - 1;
        char **list = calloc((size_t)n + 1, sizeof *list);
        if (!list)
            return RL_EXIT_RUNTIME;
        int k = 0;
        for (int i = 1; i < argc; i++)
            if (i != ci)
                list[k++] = argv[i];
        static struct rl_args args;
        char err[256];
        int rc = rl_args_parse(&args, c->opts, k, list, err, sizeof err);
        if (rc < 0) {
            setup_output(&args);
            rc = rl_usage_error("%s", err);
            free(list);
            return rc;
        }
        setup_output(&args);
        if (rl_args_has(&args, "help")) {
            cmd_help(stdout, c);
            free(list);
            return RL_EXIT_OK;
        }
        struct rl_ctx ctx = {.args = &args};
        const char *sysroot = rl_args_get(&args, "sysroot");
        if (!sysroot)
            sysroot = getenv("REDIS_LIGHT_SYSROOT");
        if (rl_root_init(&ctx.root, sysroot) < 0) {
            rc = rl_usage_error("--sysroot %s is not a directory; give the root of a captured "
                                "/proc and /sys tree, or / for this machine", sysroot);
            free(list);
            return rc;
        }
        rc = c->fn(&ctx);
        free(list);
        return finish_stdout(rc);
    }
    current = NULL;
    rl_err("unknown command \"%s\"", argv[ci]);
    rl_print_usage(stderr, NULL);
    fprintf(stderr, "Commands:");
    for (const struct rl_cmd *c = commands; c->name; c++)
        fprintf(stderr, " %s", c->name);
    fprintf(stderr, "\n");
    return RL_EXIT_USAGE;
}
