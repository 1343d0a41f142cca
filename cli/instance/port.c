#include "cli/instance/port.h"

#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

unsigned long rl_port_listen_inode(const char *table, int port)
{
    /* "  0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 12345 …" */
    const char *line = strchr(table, '\n');
    while (line && *++line) {
        /* fields: 0 slot, 1 local, 2 remote, 3 state, ..., 9 inode */
        char copy[512], *f[10], *save = NULL;
        size_t n = strcspn(line, "\n");
        int nf = 0;
        snprintf(copy, sizeof copy, "%.*s", (int)(n < sizeof copy ? n : sizeof copy - 1), line);
        for (char *t = strtok_r(copy, " \t", &save); t && nf < 10; t = strtok_r(NULL, " \t", &save))
            f[nf++] = t;
        if (nf == 10 && strcmp(f[3], "0A") == 0) {
            const char *c = strrchr(f[1], ':');
            char *end;
            errno = 0;
            unsigned long lport = c ? strtoul(c + 1, &end, 16) : 0;
            bool port_ok = c && end != c + 1 && *end == '\0' && !errno && lport == (unsigned long)port;
            unsigned long inode = strtoul(f[9], &end, 10);
            if (port_ok && *end == '\0' && !errno && inode)
                return inode;
        }
        line = strchr(line, '\n');
    }
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 >= cap) {
            char *bigger = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

pid_t rl_port_owner(int port, char *comm, size_t commlen)
{
    unsigned long inode = 0;
    const char *tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (int i = 0; i < 2 && !inode; i++) {
        char *t = slurp(tables[i]);
        if (t)
            inode = rl_port_listen_inode(t, port);
        free(t);
    }
    if (!inode)
        return -1;
    char want[64];
    snprintf(want, sizeof want, "socket:[%lu]", inode);
    DIR *proc = opendir("/proc");
    struct dirent *p;
    pid_t found = -1;
    while (proc && found < 0 && (p = readdir(proc)) != NULL) {
        if (p->d_name[0] < '1' || p->d_name[0] > '9')
            continue;
        char fddir[64];
        snprintf(fddir, sizeof fddir, "/proc/%s/fd", p->d_name);
        DIR *fds = opendir(fddir);
        struct dirent *f;
        while (fds && (f = readdir(fds)) != NULL) {
            char link[128], target[64];
            snprintf(link, sizeof link, "%s/%s", fddir, f->d_name);
            ssize_t n = readlink(link, target, sizeof target - 1);
            if (n > 0) {
                target[n] = '\0';
                if (strcmp(target, want) == 0) {
                    found = (pid_t)strtol(p->d_name, NULL, 10); /* a /proc entry: digits */
                    break;
                }
            }
        }
        if (fds)
            closedir(fds);
    }
    if (proc)
        closedir(proc);
    if (found > 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/comm", (int)found);
        FILE *f = fopen(path, "re");
        comm[0] = '\0';
        if (f && fgets(comm, (int)commlen, f))
            comm[strcspn(comm, "\n")] = '\0';
        if (f)
            fclose(f);
    }
    return found;
}

int rl_port_check(const char *addr, int port, char *owner, size_t ownerlen, char *err, size_t errlen)
{
    owner[0] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE}, *res;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    const char *a = addr[0] == '-' ? addr + 1 : addr;
    if (strcmp(a, "*") == 0)
        a = "0.0.0.0";
    else if (strcmp(a, "::*") == 0)
        a = "::";
    int gai = getaddrinfo(a, ps, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot use bind address %s: %s", addr, gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, rc = 0;
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a socket to test %s port %d: %s", addr, port, strerror(errno));
        rc = -1;
    } else {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (res->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one); /* as Redis does */
        if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
            if (errno == EADDRINUSE) {
                char comm[64];
                pid_t pid = rl_port_owner(port, comm, sizeof comm);
                if (pid > 0)
                    snprintf(owner, ownerlen, "%s (pid %d)", comm[0] ? comm : "a process", (int)pid);
                rc = 1;
            } else if (errno == EADDRNOTAVAIL) {
                snprintf(err, errlen, "bind address %s is not an address of this machine", addr);
                rc = -1;
            } else if (errno == EACCES) {
                snprintf(err, errlen, "port %d on %s needs privileges (ports below 1024 are for root); "
                         "pick a port above 1024", port, addr);
                rc = -1;
            } else {
                snprintf(err, errlen, "cannot bind %s port %d: %s", addr, port, strerror(errno));
                rc = -1;
            }
        }
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

int rl_port_pick(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}
