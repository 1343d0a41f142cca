/* Which container runtime we are in, and the evidence that decided. The order follows
 * systemd-detect-virt (explicit markers before /.dockerenv, which is checked last because
 * images copy it around), with the platforms redis-light cares about most first: they
 * decide the profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/facts.h"

static bool file_contains(const struct rl_root *r, const char *path, const char *needle)
{
    char *buf;
    size_t len;
    if (rl_root_read(r, path, 1 << 16, &buf, &len) != RL_READ_OK)
        return false;
    bool hit = strcasestr(buf, needle) != NULL;
    free(buf);
    return hit;
}

static bool env_set(const struct rl_root *r, const char *name)
{
    char *v = rl_root_getenv(r, name);
    bool set = v && *v;
    free(v);
    return set;
}

/* Maps a container= / run/systemd/container value to DESIGN.md's names. */
static const char *normalize(const char *v)
{
    if (strncmp(v, "lxc", 3) == 0)
        return "lxc";
    if (strcmp(v, "oci") == 0)
        return "docker";
    return v;
}

void rl_probe_container(struct rl_facts *f, const struct rl_root *r)
{
    struct rl_fstr *c = &f->container;
    if (file_contains(r, "/proc/sys/kernel/osrelease", "microsoft") ||
        file_contains(r, "/proc/sys/kernel/osrelease", "WSL")) {
        rl_fact_str(c, "wsl", "/proc/sys/kernel/osrelease names Microsoft/WSL");
        return;
    }
    if (env_set(r, "REPL_ID") || env_set(r, "REPL_SLUG")) {
        rl_fact_str(c, "replit", "environment variable %s is set",
                    env_set(r, "REPL_ID") ? "REPL_ID" : "REPL_SLUG");
        return;
    }
    if (env_set(r, "KUBERNETES_SERVICE_HOST")) {
        rl_fact_str(c, "kubernetes", "environment variable KUBERNETES_SERVICE_HOST is set");
        return;
    }
    /* gVisor reports a fixed fake kernel build string. */
    if (file_contains(r, "/proc/version", "#1 SMP Sun Jan 10 15:06:54 PST 2016")) {
        rl_fact_str(c, "gvisor", "/proc/version carries gVisor's fixed kernel build string");
        return;
    }
    char *v = rl_root_getenv(r, "container");
    if (v && *v) {
        char val[64];
        snprintf(val, sizeof val, "%s", normalize(v));
        rl_fact_str(c, val, "environment variable container=%s", v);
        free(v);
        return;
    }
    free(v);
    char *buf;
    size_t len;
    if (rl_root_read(r, "/run/systemd/container", 4096, &buf, &len) == RL_READ_OK) {
        buf[strcspn(buf, "\n")] = '\0';
        if (*buf) {
            char val[64];
            snprintf(val, sizeof val, "%s", normalize(buf));
            rl_fact_str(c, val, "/run/systemd/container = %s", buf);
            free(buf);
            return;
        }
        free(buf);
    }
    if (rl_root_exists(r, "/run/.containerenv")) {
        rl_fact_str(c, "podman", "/run/.containerenv exists");
        return;
    }
    if (rl_root_exists(r, "/.dockerenv")) {
        rl_fact_str(c, "docker", "/.dockerenv exists");
        return;
    }
    c->state = RL_FACT_NONE;
    snprintf(c->src, sizeof c->src, "no container marker found (osrelease, REPL_ID, "
             "KUBERNETES_SERVICE_HOST, container=, /run/systemd/container, /run/.containerenv, /.dockerenv)");
}
