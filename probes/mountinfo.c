#include "probes/mountinfo.h"

#include <string.h>

void rl_unescape_octal(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            char c = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            if (c == '\0') { /* \000 would cut the string: keep it literal */
                *w++ = *r++;
                continue;
            }
            *w++ = c;
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Splits off the next space-separated field; returns NULL at the end. */
static char *field(char **p)
{
    char *s = *p;
    while (*s == ' ')
        s++;
    if (!*s)
        return NULL;
    char *e = strchr(s, ' ');
    if (e) {
        *e = '\0';
        *p = e + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

int rl_mountinfo_parse_line(char *line, struct rl_mount *m)
{
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    char *f[6];
    for (int i = 0; i < 6; i++)
        if (!(f[i] = field(&p)))
            return -1;
    /* f: id parent major:minor root mountpoint options; then optional fields until "-" */
    char *sep;
    while ((sep = field(&p)) && strcmp(sep, "-") != 0)
        ;
    if (!sep)
        return -1;
    char *fstype = field(&p), *source = field(&p), *super = field(&p);
    if (!fstype || !source)
        return -1;
    rl_unescape_octal(f[3]);
    rl_unescape_octal(f[4]);
    m->root = f[3];
    m->mountpoint = f[4];
    m->fstype = fstype;
    m->superopts = super ? super : "";
    return 0;
}

bool rl_list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return true;
        p = c ? c + 1 : NULL;
    }
    return false;
}

int rl_cgroup_parse_line(char *line, struct rl_cgline *c)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *a = strchr(line, ':');
    if (!a)
        return -1;
    char *b = strchr(a + 1, ':');
    if (!b)
        return -1;
    *a = *b = '\0';
    c->hierarchy = line;
    c->controllers = a + 1;
    c->path = b + 1; /* the path may itself contain ':' */
    if (!*c->hierarchy || c->path[0] != '/')
        return -1;
    return 0;
}
