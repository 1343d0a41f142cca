/* Local resources Redis will need: free disk where redis-light keeps state and whether
 * this user may write there, and whether port 6379 already has a listener (from
 * /proc/net/tcp{,6}, a pure read). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "probes/facts.h"

/* Returns 1 when the table lists a LISTEN socket on port, 0 when not, -1 when the text
 * is not a /proc/net/tcp table (no "sl local_address" header). */
int rl_proc_net_listening(const char *table, unsigned port)
{
    /* "  0: 0100007F:18EB 00000000:0000 0A ...": slot, local addr:port, remote, state */
    int found = 0;
    const char *hdr = table;
    while (*hdr == ' ')
        hdr++;
    if (strncmp(hdr, "sl", 2) != 0 || !strstr(hdr, "local_address"))
        return -1;
    const char *line = strchr(table, '\n'); /* skip the header */
    while (line && *++line) {
        const char *colon = strchr(line, ':');
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        const char *local = colon && colon < eol ? colon + 1 : NULL;
        while (local && *local == ' ')
            local++;
        const char *pcolon = local ? memchr(local, ':', (size_t)(eol - local)) : NULL;
        if (pcolon) {
            char *end;
            unsigned long lport = strtoul(pcolon + 1, &end, 16);
            const char *st = end;
            while (*st == ' ')
                st++;
            st = strchr(st, ' '); /* skip the remote address */
            while (st && *st == ' ')
                st++;
            if (end != pcolon + 1 && st && st < eol && lport == port && strncmp(st, "0A", 2) == 0)
                found = 1;
        }
        line = strchr(line, '\n');
    }
    return found;
}

/* Whether up could create its files under dir (the state directory, or the ancestor it
 * would be created in), asked of the kernel without writing anything. A read-only mount
 * is named as such: root passes every permission check, so only the mount stops it. */
static void probe_writable(struct rl_facts *f, const char *dir, const struct statvfs *vfs)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        rl_fact_u64(&f->state_dir_writable, 0, "%s is not a directory", dir);
    else if (vfs->f_flag & ST_RDONLY)
        rl_fact_u64(&f->state_dir_writable, 0, "%s is on a read-only mount (statvfs ST_RDONLY)", dir);
    else if (access(dir, W_OK | X_OK) < 0)
        rl_fact_u64(&f->state_dir_writable, 0, "access(%s, W_OK|X_OK): %s", dir, strerror(errno));
    else
        rl_fact_u64(&f->state_dir_writable, 1, "access(%s, W_OK|X_OK) succeeds", dir);
}

void rl_probe_local(struct rl_facts *f, const struct rl_root *r, const struct rl_probe_opts *o)
{
    if (o && o->state_dir) {
        rl_fact_str(&f->state_dir, o->state_dir, "redis-light state directory");
        /* The directory may not exist yet: measure its nearest existing ancestor. */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", o->state_dir);
        struct statvfs vfs;
        while (statvfs(dir, &vfs) < 0) {
            char *slash = strrchr(dir, '/');
            if (!slash || slash == dir) {
                snprintf(dir, sizeof dir, "/");
                if (statvfs(dir, &vfs) < 0)
                    return;
                break;
            }
            *slash = '\0';
        }
        rl_fact_u64(&f->state_dir_free_bytes, (uint64_t)vfs.f_bavail * vfs.f_frsize,
                    "statvfs(%s)", dir);
        probe_writable(f, dir, &vfs);
    }
    if (o && o->skip_network)
        return;
    int in_use = 0, readable = 0, damaged = 0;
    const char *tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (int i = 0; i < 2; i++) {
        char *buf;
        size_t len;
        enum rl_read_status st = rl_root_read(r, tables[i], 16 << 20, &buf, &len);
        if (st == RL_READ_MISSING)
            continue; /* tcp6 is absent on kernels without IPv6 */
        if (st != RL_READ_OK) {
            rl_facts_warn(f, "%s %s; port 6379 not checked", tables[i], rl_read_reason(st));
            damaged = 1;
            continue;
        }
        int lst = rl_proc_net_listening(buf, 6379);
        free(buf);
        if (lst < 0) {
            rl_facts_warn(f, "%s is not a socket table (no \"sl local_address\" header); "
                          "port 6379 not checked", tables[i]);
            damaged = 1;
            continue;
        }
        readable = 1;
        if (lst == 1)
            in_use = 1;
    }
    if (in_use || (readable && !damaged))
        rl_fact_u64(&f->port_6379_in_use, (uint64_t)in_use, "/proc/net/tcp{,6}: %s",
                    in_use ? "a socket listens on port 6379" : "no listener on port 6379");
    else if (!damaged)
        rl_facts_warn(f, "/proc/net/tcp and /proc/net/tcp6 are missing; port 6379 not checked");
}
