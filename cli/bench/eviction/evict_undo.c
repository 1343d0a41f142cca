#include "cli/bench/eviction/evict_undo.h"

#include <stdio.h>
#include <string.h>

#include "cli/bench/target.h"

bool rl_evict_changed(const struct rl_evict_changes *ch)
{
    return ch->saved.saved && (ch->maxmemory[0] || ch->policy[0] || ch->keys);
}

int rl_evict_undo(redisContext *c, const char *prefix, const struct rl_evict_changes *ch, char *why, size_t whylen)
{
    if (!rl_evict_changed(ch))
        return 0;
    if (!c) {
        snprintf(why, whylen, "no connection");
        return -1;
    }
    int rc = 0;
    if (ch->keys && rl_prefix_keys(c, prefix, true) < 0) {
        snprintf(why, whylen, "deleting its keys (SCAN/UNLINK) failed: %s", c->err ? c->errstr : "unexpected reply");
        rc = -1;
    }
    char cerr[256];
    if (rl_config_restore(c, &ch->saved, cerr, sizeof cerr) < 0) {
        if (rc == 0)
            snprintf(why, whylen, "%s", cerr);
        rc = -1;
    }
    return rc;
}

/* s as one shell word: as it is when it holds only characters no shell treats specially,
 * else in single quotes (a quote inside written '\''). */
static void shell_word(const char *s, char *out, size_t len)
{
    bool plain = s[0] != '\0';
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-", *p))
            plain = false;
    if (plain) {
        snprintf(out, len, "%s", s);
        return;
    }
    size_t o = 0;
    if (len < 3) {
        if (len)
            out[0] = '\0';
        return;
    }
    out[o++] = '\'';
    for (const char *p = s; *p && o + 6 < len; p++) {
        if (*p == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else {
            out[o++] = *p;
        }
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* "redis-cli -h H -p P [--user U] [-n DB]" for t. */
static void cli_words(const struct rl_target *t, char *out, size_t len)
{
    char a[PATH_MAX + 64], u[300] = "", db[32] = "";
    if (t->socket[0]) {
        char w[PATH_MAX + 8];
        shell_word(t->socket, w, sizeof w);
        snprintf(a, sizeof a, "-s %s", w);
    } else {
        char h[600];
        shell_word(t->host, h, sizeof h);
        snprintf(a, sizeof a, "-h %s -p %d", h, t->port);
    }
    if (t->has_password && t->user[0]) {
        char w[300];
        shell_word(t->user, w, sizeof w);
        snprintf(u, sizeof u, " --user %s", w);
    }
    if (t->dbnum)
        snprintf(db, sizeof db, " -n %d", t->dbnum);
    snprintf(out, len, "redis-cli %s%s%s", a, u, db);
}

void rl_evict_manual_undo(const struct rl_target *t, const char *prefix, const struct rl_evict_changes *ch,
                          const char *why, char *out, size_t len)
{
    char where[PATH_MAX + 32], cli[PATH_MAX + 512], state[512] = "", pat[2200], qpat[4500];
    rl_target_where(t, where, sizeof where);
    cli_words(t, cli, sizeof cli);
    size_t o = 0;
    if (ch->maxmemory[0])
        o += (size_t)snprintf(state + o, sizeof state - o, "maxmemory %s (its own: %s)", ch->maxmemory,
                              ch->saved.maxmemory);
    if (ch->policy[0] && o < sizeof state)
        o += (size_t)snprintf(state + o, sizeof state - o, "%smaxmemory-policy %s (its own: %s)", o ? ", " : "",
                              ch->policy, ch->saved.policy);
    if (ch->keys && o < sizeof state)
        snprintf(state + o, sizeof state - o, "%skeys bench wrote (%s followed by 12 digits)", o ? " and " : "",
                 prefix);
    rl_prefix_pattern(prefix, pat, sizeof pat);
    shell_word(pat, qpat, sizeof qpat);
    int n = snprintf(out, len, "could not undo bench's changes on %s (%s): it may still have %s. When it "
                     "answers again, run%s:", where, why, state,
                     t->has_password ? " (with REDISCLI_AUTH set to its password)" : "");
    size_t used = n > 0 && (size_t)n < len ? (size_t)n : len;
    if (ch->keys && used < len) {
        n = snprintf(out + used, len - used, "\n  %s --scan --pattern %s | xargs -r -d '\\n' %s UNLINK", cli, qpat,
                     cli);
        used = n > 0 && (size_t)n < len - used ? used + (size_t)n : len;
    }
    if (ch->maxmemory[0] && used < len) {
        n = snprintf(out + used, len - used, "\n  %s CONFIG SET maxmemory %s", cli, ch->saved.maxmemory);
        used = n > 0 && (size_t)n < len - used ? used + (size_t)n : len;
    }
    if (ch->policy[0] && used < len)
        snprintf(out + used, len - used, "\n  %s CONFIG SET maxmemory-policy %s", cli, ch->saved.policy);
}

void rl_evict_undone(const struct rl_target *t, const struct rl_evict_changes *ch, char *out, size_t len)
{
    char where[PATH_MAX + 32];
    rl_target_where(t, where, sizeof where);
    snprintf(out, len, "%s is back to maxmemory %s and maxmemory-policy %s%s", where, ch->saved.maxmemory,
             ch->saved.policy, ch->keys ? ", with bench's keys deleted" : "");
}
