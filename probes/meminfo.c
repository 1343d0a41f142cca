/* MemTotal, MemAvailable and SwapTotal from /proc/meminfo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/facts.h"
#include "probes/value.h"

static void field(struct rl_facts *f, const char *text, const char *key, struct rl_fu64 *x)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, kl) != 0 || line[kl] != ':')
            continue;
        uint64_t kb = 0;
        const char *rest = line + kl + 1;
        enum rl_val v = rl_parse_u64_token(line + kl + 1, &kb, &rest);
        while (v == RL_VAL_OK && (*rest == ' ' || *rest == '\t'))
            rest++;
        if (v == RL_VAL_OK && strncmp(rest, "kB", 2) == 0 && kb <= UINT64_MAX / 1024) {
            rl_fact_u64(x, kb * 1024, "/proc/meminfo %s: %llu kB", key, (unsigned long long)kb);
        } else {
            rl_facts_warn(f, "/proc/meminfo %s line is malformed; ignoring it", key);
        }
        return;
    }
    rl_facts_warn(f, "/proc/meminfo has no %s line", key);
}

void rl_probe_meminfo(struct rl_facts *f, const struct rl_root *r)
{
    char *buf;
    size_t len;
    enum rl_read_status st = rl_root_read(r, "/proc/meminfo", 1 << 20, &buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "/proc/meminfo %s", rl_read_reason(st));
        return;
    }
    field(f, buf, "MemTotal", &f->mem_total_bytes);
    field(f, buf, "MemAvailable", &f->mem_available_bytes);
    /* every kernel prints SwapTotal, 0 kB when no swap is configured (even without CONFIG_SWAP) */
    field(f, buf, "SwapTotal", &f->swap_total_bytes);
    free(buf);
}
