/* Resource limits from /proc/self/limits (a file, so fixtures can supply it). The soft
 * limit is what a child process inherits and hits first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/facts.h"
#include "probes/value.h"

static void one(struct rl_facts *f, const char *text, const char *name, struct rl_fu64 *x)
{
    size_t nl = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        if (strncmp(line, name, nl) == 0 && (line[nl] == ' ' || line[nl] == '\t')) {
            const char *p = line + nl;
            while (*p == ' ' || *p == '\t')
                p++;
            uint64_t v;
            const char *rest;
            if (strncmp(p, "unlimited", 9) == 0) {
                rl_fact_none(x, "/proc/self/limits %s: unlimited", name);
                return;
            }
            enum rl_val st = rl_parse_u64_token(p, &v, &rest);
            if (st == RL_VAL_OK)
                rl_fact_u64(x, v, "/proc/self/limits %s: %llu", name, (unsigned long long)v);
            else
                rl_facts_warn(f, "/proc/self/limits \"%s\" soft limit %s; ignoring it", name,
                              rl_val_reason(st));
            return;
        }
        line = eol ? eol + 1 : NULL;
    }
    rl_facts_warn(f, "/proc/self/limits has no \"%s\" line", name);
}

void rl_probe_rlimits(struct rl_facts *f, const struct rl_root *r)
{
    char *buf;
    size_t len;
    enum rl_read_status st = rl_root_read(r, "/proc/self/limits", 1 << 16, &buf, &len);
    if (st != RL_READ_OK) {
        rl_facts_warn(f, "/proc/self/limits %s; rlimits unknown", rl_read_reason(st));
        return;
    }
    one(f, buf, "Max open files", &f->rlimit_nofile);
    one(f, buf, "Max address space", &f->rlimit_as);
    one(f, buf, "Max processes", &f->rlimit_nproc);
    free(buf);
}
