#include "cli/sys/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

long long rl_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

bool rl_file_contains(const char *path, long long offset, const char *needle)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    fseek(f, offset, SEEK_SET);
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

char *rl_file_tail(const char *path, long long offset, int n)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long long size = ftell(f);
    long long from = size - 65536 > offset ? size - 65536 : offset;
    if (from > size)
        from = size;
    fseek(f, from, SEEK_SET);
    char *buf = malloc(65537);
    size_t got = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[got] = '\0';
    while (got && buf[got - 1] == '\n')
        buf[--got] = '\0';
    char *p = buf + got;
    for (int lines = 0; p > buf; p--)
        if (p[-1] == '\n' && ++lines == n)
            break;
    char *out = strdup(p);
    free(buf);
    return out;
}

char *rl_file_read(const char *path, size_t max)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}
