#include "cli/sys/kvfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rl_kv *rl_kv_new(void)
{
    return calloc(1, sizeof(struct rl_kv));
}

void rl_kv_free(struct rl_kv *kv)
{
    if (!kv)
        return;
    for (int i = 0; i < kv->n; i++) {
        free(kv->e[i].key);
        free(kv->e[i].val);
    }
    free(kv);
}

static int setn(struct rl_kv *kv, const char *key, size_t klen, char *val_owned)
{
    for (int i = 0; i < kv->n; i++)
        if (strlen(kv->e[i].key) == klen && memcmp(kv->e[i].key, key, klen) == 0) {
            free(kv->e[i].val);
            kv->e[i].val = val_owned;
            return 0;
        }
    char *k = strndup(key, klen);
    if (kv->n >= RL_KV_MAX || !k || !val_owned) {
        free(k);
        free(val_owned);
        snprintf(kv->errstr, sizeof kv->errstr, "record full or out of memory at key %.*s", (int)klen, key);
        return -1;
    }
    kv->e[kv->n].key = k;
    kv->e[kv->n].val = val_owned;
    kv->n++;
    return 0;
}

int rl_kv_set(struct rl_kv *kv, const char *key, const char *val)
{
    return setn(kv, key, strlen(key), strdup(val ? val : ""));
}

int rl_kv_setf(struct rl_kv *kv, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    int n = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (n < 0)
        v = NULL;
    return setn(kv, key, strlen(key), v);
}

const char *rl_kv_get(const struct rl_kv *kv, const char *key)
{
    for (int i = 0; kv && i < kv->n; i++)
        if (strcmp(kv->e[i].key, key) == 0)
            return kv->e[i].val;
    return NULL;
}

long long rl_kv_get_ll(const struct rl_kv *kv, const char *key, long long def)
{
    const char *v = rl_kv_get(kv, key);
    if (!v || !*v)
        return def;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    return (*end || errno) ? def : x;
}

static int is_integer(const char *v)
{
    const char *p = v + (*v == '-');
    if (!*p || (p[0] == '0' && p[1]))
        return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* Decodes a double-quoted value starting after the opening quote. */
static char *unquote(const char *p, const char *eol, int *ok)
{
    char *out = malloc((size_t)(eol - p) + 1), *o = out;
    *ok = 0;
    if (!out)
        return NULL;
    for (; p < eol; p++) {
        if (*p == '"') {
            *o = '\0';
            *ok = 1;
            return out;
        }
        if (*p == '\\' && p + 1 < eol) {
            p++;
            *o++ = (char)(*p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

int rl_kv_parse(struct rl_kv *kv, const char *text)
{
    int lineno = 0;
    for (const char *line = text; line && *line; ) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        lineno++;
        const char *p = line;
        while (p < eol && (*p == ' ' || *p == '\t'))
            p++;
        if (p < eol && *p != '#' && *p != '\r') {
            const char *colon = memchr(p, ':', (size_t)(eol - p));
            if (!colon || colon == p) {
                snprintf(kv->errstr, sizeof kv->errstr, "line %d: expected \"key: value\"", lineno);
                return -1;
            }
            const char *v = colon + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *end = eol;
            while (end > v && (end[-1] == ' ' || end[-1] == '\r'))
                end--;
            char *val;
            if (v < end && *v == '"') {
                int ok;
                val = unquote(v + 1, end, &ok);
                if (val && !ok) {
                    free(val);
                    snprintf(kv->errstr, sizeof kv->errstr, "line %d: unterminated quoted value", lineno);
                    return -1;
                }
            } else {
                val = strndup(v, (size_t)(end - v));
            }
            if (setn(kv, p, (size_t)(colon - p), val) < 0)
                return -1;
        }
        line = *eol ? eol + 1 : NULL;
    }
    return 0;
}

int rl_kv_load(struct rl_kv *kv, const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        kv->err = errno;
        snprintf(kv->errstr, sizeof kv->errstr, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char why[256];
    if (rl_kv_parse(kv, buf) < 0) {
        snprintf(why, sizeof why, "%s", kv->errstr);
        kv->err = EINVAL;
        snprintf(kv->errstr, sizeof kv->errstr, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

static void write_value(FILE *f, const char *v)
{
    if (is_integer(v)) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        switch (*v) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default: fputc(*v, f);
        }
    }
    fputc('"', f);
}

int rl_kv_write(struct rl_kv *kv, const char *path, const char *comment)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
        kv->err = ENAMETOOLONG;
        snprintf(kv->errstr, sizeof kv->errstr, "path too long: %s", path);
        return -1;
    }
    /* mkostemp: a new file (O_EXCL, mode 0600) under an unguessable name, so nothing
     * planted beside the record is ever written through. */
    int fd = mkostemp(tmp, O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        kv->err = errno;
        snprintf(kv->errstr, sizeof kv->errstr, "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (comment)
        fprintf(f, "# %s\n", comment);
    for (int i = 0; i < kv->n; i++) {
        fprintf(f, "%s: ", kv->e[i].key);
        write_value(f, kv->e[i].val);
        fputc('\n', f);
    }
    int bad = ferror(f) | (fflush(f) != 0) | (fsync(fileno(f)) != 0);
    int saved = errno;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) < 0) {
        kv->err = bad ? saved : errno;
        snprintf(kv->errstr, sizeof kv->errstr, "cannot write %s: %s", path, strerror(kv->err));
        unlink(tmp);
        return -1;
    }
    return 0;
}
