/* libFuzzer target: the YAML profile loader, then matching and rendering what loaded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profiles/profile_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("profile", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct rl_profile *p = rl_profile_load(path, err, sizeof err);
    if (!p && strncmp(err, path, strlen(path)) != 0)
        abort(); /* every rejection starts with FILE: */
    if (p) {
        static struct rl_facts f;
        memset(&f, 0, sizeof f);
        rl_fact_u64(&f.memory_limit_bytes, 200ULL << 20, "fuzz");
        rl_fact_u64(&f.page_size, 4096, "fuzz");
        struct rl_root root;
        rl_root_init(&root, NULL);
        (void)rl_profile_matches(p, &f, &root, NULL, NULL, 0);
        char *conf = NULL, policy[32];
        uint64_t mm;
        struct rl_render_overrides o = {.force = true};
        if (rl_profile_render(p, &f, &o, &conf, &mm, policy, sizeof policy, err, sizeof err) == 0) {
            for (const char *c = conf; *c; c++)
                if ((unsigned char)*c < 0x20 && *c != '\n')
                    abort(); /* no control character may reach redis.conf */
            free(conf);
        }
        rl_profile_free(p);
    }
    close(fd);
    return 0;
}
