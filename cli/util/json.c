#include "cli/util/json.h"

#include <math.h>
#include <inttypes.h>

void rl_json_init(struct rl_json *w, FILE *f, bool pretty)
{
    w->f = f;
    w->pretty = pretty;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

static void indent(struct rl_json *w)
{
    if (!w->pretty)
        return;
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Separator and indentation before a value or key at the current depth. */
static void before(struct rl_json *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        fputc(',', w->f);
    w->first[w->depth] = false;
    if (w->depth > 0)
        indent(w);
}

static void open(struct rl_json *w, char c)
{
    before(w);
    fputc(c, w->f);
    if (w->depth < RL_JSON_MAX_DEPTH - 1)
        w->depth++;
    w->first[w->depth] = true;
}

static void close(struct rl_json *w, char c)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (!empty)
        indent(w);
    fputc(c, w->f);
}

void rl_json_obj(struct rl_json *w) { open(w, '{'); }
void rl_json_end_obj(struct rl_json *w) { close(w, '}'); }
void rl_json_arr(struct rl_json *w) { open(w, '['); }
void rl_json_end_arr(struct rl_json *w) { close(w, ']'); }

void rl_json_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void rl_json_key(struct rl_json *w, const char *key)
{
    before(w);
    rl_json_write_string(w->f, key);
    fputs(w->pretty ? ": " : ":", w->f);
    w->after_key = true;
}

void rl_json_str(struct rl_json *w, const char *s)
{
    if (!s) {
        rl_json_null(w);
        return;
    }
    before(w);
    rl_json_write_string(w->f, s);
}

void rl_json_u64(struct rl_json *w, uint64_t v)
{
    before(w);
    fprintf(w->f, "%" PRIu64, v);
}

void rl_json_i64(struct rl_json *w, int64_t v)
{
    before(w);
    fprintf(w->f, "%" PRId64, v);
}

void rl_json_dbl(struct rl_json *w, double v)
{
    if (!isfinite(v)) {
        rl_json_null(w);
        return;
    }
    before(w);
    fprintf(w->f, "%.10g", v);
}

void rl_json_bool(struct rl_json *w, bool v)
{
    before(w);
    fputs(v ? "true" : "false", w->f);
}

void rl_json_null(struct rl_json *w)
{
    before(w);
    fputs("null", w->f);
}

void rl_json_done(struct rl_json *w)
{
    fputc('\n', w->f);
    fflush(w->f);
}
