/* libFuzzer target: mountinfo and /proc/self/cgroup lines, octal unescaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = malloc(size + 1), *b = malloc(size + 1), *c = malloc(size + 1);
    if (!a || !b || !c)
        goto out;
    memcpy(a, data, size);
    a[size] = '\0';
    memcpy(b, a, size + 1);
    memcpy(c, a, size + 1);
    struct rl_mount m;
    if (rl_mountinfo_parse_line(a, &m) == 0) {
        /* every field must be a valid string inside the buffer */
        (void)strlen(m.root), (void)strlen(m.mountpoint), (void)strlen(m.fstype);
        (void)rl_list_has(m.superopts, "memory");
    }
    struct rl_cgline g;
    if (rl_cgroup_parse_line(b, &g) == 0)
        (void)rl_list_has(g.controllers, "cpu");
    rl_unescape_octal(c);
out:
    free(a);
    free(b);
    free(c);
    return 0;
}
