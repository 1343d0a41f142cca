/* The fill phase of a tune run, written by the project's load engine the way bench
 * --eviction writes its fill: one pipelined SET test over a sequential keyspace exactly as
 * large as the number of SETs, so no key is written twice. A range of sizes is one test
 * too: the engine gives each SET a size drawn by its key (rl_value_size_of), so sizes
 * interleave request by request. (Writing each size in its own batch does not measure the
 * same thing: with 16..1024-byte values in batches of ~2900 keys per size, libc's overhead
 * factor came out 1.36 instead of 1.06, as eviction frees runs of one size that the next
 * sizes cannot reuse.) */
#include "cli/tune/tune.h"

#include <stdio.h>
#include <string.h>

#include "cli/bench/engine.h"
#include "cli/bench/keygen.h"

/* Like scripts/measure-overhead's redis-benchmark -c 50 -P 16 on one event loop. */
#define FILL_CLIENTS 50
#define FILL_PIPELINE 16
#define FILL_TIMEOUT_MS 10000
#define FILL_PREFIX "rl:tune:"
#define KEY_BYTES (sizeof FILL_PREFIX - 1 + RL_KEY_DIGITS) /* 20, like redis-benchmark's 16 */

int rl_tune_fill(int port, const struct rl_tune_size *size, uint64_t target, uint64_t seed,
                 volatile sig_atomic_t *flag, struct rl_tune_fill *out, bool *interrupted, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    *interrupted = false;
    /* enough SETs that keys + values reach target; the mean of a range is its middle */
    uint64_t mean2 = size->min + size->max; /* twice the mean value size */
    uint64_t sets = (2 * target + 2 * KEY_BYTES + mean2 - 1) / (2 * KEY_BYTES + mean2);
    struct rl_engine_cfg cfg = {
        .clients = sets < FILL_CLIENTS ? (unsigned)sets : FILL_CLIENTS,
        .threads = 1,
        .pipeline = FILL_PIPELINE,
        .requests = sets,
        .value_size = (size_t)size->min,
        .value_size_max = (size_t)size->max,
        .key_prefix = FILL_PREFIX,
        .seed = seed,
        .interrupted = flag,
    };
    snprintf(cfg.target.host, sizeof cfg.target.host, "127.0.0.1");
    cfg.target.port = port;
    cfg.target.timeout_ms = FILL_TIMEOUT_MS;
    struct rl_keydist seq = {.kind = RL_DIST_SEQUENTIAL, .keyspace = sets};
    struct rl_workload wl;
    rl_workload_setget(&wl, "SET", &seq, 1, 0);
    static struct rl_run_result res;
    memset(&res, 0, sizeof res);
    int rc = rl_engine_run(&cfg, &wl, NULL, &res);
    const struct rl_counters *c = &res.stats.c;
    out->sets = c->ops[RL_OP_SET];
    out->seconds = res.elapsed_s;
    /* keys 0..sets-1, each once: their sizes are known without asking the server */
    for (uint64_t k = 0; k < sets; k++)
        out->value_bytes += rl_value_size_of(k, (size_t)size->min, (size_t)size->max);
    out->bytes = out->value_bytes + sets * KEY_BYTES;
    uint64_t errors = rl_counters_errors(c);
    if (rc < 0) {
        *interrupted = res.status == RL_RUN_INTERRUPTED;
        snprintf(err, errlen, "the fill (SETs of %s-byte values) stopped: %s", size->label, res.reason);
    } else if (errors) {
        /* allkeys-lru makes room for every SET: an error reply means the measurement is
         * not of eviction (a full disk, a module, a server out of memory) */
        const char *example = "";
        for (int e = 0; e < RL_ERR_COUNT && !example[0]; e++)
            example = res.first_error[e];
        snprintf(err, errlen, "the server answered %llu SETs with an error during the fill (for example \"%s\"); "
                 "under allkeys-lru there should be none", (unsigned long long)errors, example);
        rc = -1;
    }
    rl_run_result_free(&res);
    return rc;
}
