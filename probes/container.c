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

/* Maps a container= / run/systemd/container value (systemd's names) to DESIGN.md's
 * names; NULL for anything else, which is then reported rather than trusted. */
static const char *normalize(const char *v)
{
    static const struct { const char *in, *out; } names[] = {
        {"docker", "docker"}, {"oci", "docker"},   {"podman", "podman"}, {"lxc", "lxc"},
        {"lxc-libvirt", "lxc"}, {"wsl", "wsl"},    {"kubernetes", "kubernetes"},
        {"gvisor", "gvisor"}, {"replit", "replit"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(v, names[i].in) == 0)
            return names[i].out;
    return NULL;
}

/* Printable, bounded copy of an untrusted value for a warning. */
static void shown(const char *v, char *out, size_t n)
{
    size_t i = 0;
    for (; v[i] && i + 1 < n; i++) {
        if (v[i] >= 0x20 && v[i] < 0x7f)
            out[i] = v[i];
        else
            out[i] = '?';
    }
    out[i] = '\0';
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
    char show[64];
    char *v = rl_root_getenv(r, "container");
    if (v && *v) {
        const char *name = normalize(v);
        shown(v, show, sizeof show);
        if (name) {
            rl_fact_str(c, name, "environment variable container=%s", show);
            free(v);
            return;
        }
        rl_facts_warn(f, "environment variable container=%s names no runtime redis-light knows; ignoring it", show);
    }
    free(v);
    char *buf;
    size_t len;
    const char *marker = "/run/systemd/container";
    enum rl_read_status st = rl_root_read(r, marker, 4096, &buf, &len);
    if (st == RL_READ_OK) {
        size_t n = strcspn(buf, "\n");
        bool one_line = buf[n] == '\0' || buf[n + 1] == '\0';
        buf[n] = '\0';
        const char *name = one_line ? normalize(buf) : NULL;
        shown(buf, show, sizeof show);
        free(buf);
        if (name) {
            rl_fact_str(c, name, "%s = %s", marker, show);
            return;
        }
        if (!show[0])
            rl_facts_warn(f, "%s is empty; ignoring it", marker);
        else
            rl_facts_warn(f, "%s holds \"%s\", not a container runtime name (docker, podman, lxc, wsl, ...); ignoring it",
                          marker, show);
    } else if (st != RL_READ_MISSING) {
        rl_facts_warn(f, "%s %s; ignoring it", marker, rl_read_reason(st));
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
