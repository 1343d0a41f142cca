/* A streaming JSON writer: commas and indentation are handled by a nesting stack, so
 * callers only say what comes next. Strings are escaped per RFC 8259; non-finite
 * doubles are written as null. Output goes to a FILE* owned by the caller. */
#ifndef RL_JSON_H
#define RL_JSON_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RL_JSON_MAX_DEPTH 32

struct rl_json {
    FILE *f;
    bool pretty;
    int depth;
    bool first[RL_JSON_MAX_DEPTH]; /* no element written yet at this depth */
    bool after_key;                /* a key was written; the value follows without comma */
};

void rl_json_init(struct rl_json *w, FILE *f, bool pretty);
void rl_json_obj(struct rl_json *w);  /* { */
void rl_json_end_obj(struct rl_json *w);
void rl_json_arr(struct rl_json *w);  /* [ */
void rl_json_end_arr(struct rl_json *w);
void rl_json_key(struct rl_json *w, const char *key);
void rl_json_str(struct rl_json *w, const char *s); /* NULL writes null */
void rl_json_u64(struct rl_json *w, uint64_t v);
void rl_json_i64(struct rl_json *w, int64_t v);
void rl_json_dbl(struct rl_json *w, double v);
void rl_json_bool(struct rl_json *w, bool v);
void rl_json_null(struct rl_json *w);
/* Finishes the document with a newline. */
void rl_json_done(struct rl_json *w);

/* Writes s as a JSON string literal (with quotes) to f. */
void rl_json_write_string(FILE *f, const char *s);

#endif
