#include "cli/bench/eviction/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define W 960
#define CHART_H 170
#define LEFT 80
#define RIGHT 170 /* room for the legend */
#define PANEL_H (2 * CHART_H + 110)

struct series {
    const char *name, *color;
    bool dashed;
    double (*get)(const struct rl_evict_sample *prev, const struct rl_evict_sample *e);
};

static double mib(uint64_t v) { return (double)v / 1048576.0; }
static double s_used(const struct rl_evict_sample *p, const struct rl_evict_sample *e) { (void)p; return mib(e->used_memory); }
static double s_rss(const struct rl_evict_sample *p, const struct rl_evict_sample *e)
{
    (void)p;
    return mib(e->proc_rss ? e->proc_rss : e->used_memory_rss);
}
static double s_max(const struct rl_evict_sample *p, const struct rl_evict_sample *e) { (void)p; return mib(e->maxmemory); }
static double s_limit(const struct rl_evict_sample *p, const struct rl_evict_sample *e)
{
    (void)p;
    return e->cg_limit ? mib(e->cg_limit) : NAN;
}
static double s_ops(const struct rl_evict_sample *p, const struct rl_evict_sample *e)
{
    (void)p;
    return e->ops_per_sec >= 0 ? e->ops_per_sec : NAN; /* unknown: a gap, not a zero */
}
static double s_evict(const struct rl_evict_sample *p, const struct rl_evict_sample *e)
{
    if (!p || e->t <= p->t || e->evicted_keys < p->evicted_keys)
        return NAN;
    return (double)(e->evicted_keys - p->evicted_keys) / (e->t - p->t);
}

static const struct series memory_series[] = {
    {"used_memory", "#1f77b4", false, s_used},
    {"RSS", "#ff7f0e", false, s_rss},
    {"maxmemory", "#555555", true, s_max},
    {"cgroup limit", "#d62728", true, s_limit},
};
static const struct series rate_series[] = {
    {"ops/s", "#2ca02c", false, s_ops},
    {"evicted keys/s", "#9467bd", false, s_evict},
};

/* Text content: the markup characters escaped, control characters and any byte that is
 * not printable ASCII replaced (labels may be cut mid-character by their buffers). */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c < 0x20 || c >= 0x7f)
            fputc('?', f);
        else
            fputc(c, f);
    }
}

/* A round step (1, 2 or 5 times a power of ten) giving about five ticks up to max. */
static double nice_step(double max)
{
    if (!(max > 0))
        return 1;
    double raw = max / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void fmt_num(double v, char *out, size_t len)
{
    if (v >= 1e6)
        snprintf(out, len, "%gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(out, len, "%gk", v / 1e3);
    else
        snprintf(out, len, "%g", v);
}

static void chart(FILE *f, const struct rl_evict_run *r, double y0, const char *unit, const struct series *ser, int nser,
                  double tmax, double fill_end)
{
    double ymax = 0;
    for (int k = 0; k < nser; k++)
        for (size_t i = 0; i < r->nsamples; i++) {
            double v = ser[k].get(i ? &r->samples[i - 1] : NULL, &r->samples[i]);
            if (isfinite(v) && v > ymax)
                ymax = v;
        }
    double ystep = nice_step(ymax * 1.05), ytop = ystep * ceil(ymax * 1.05 / ystep);
    if (ytop <= 0)
        ytop = 1;
    double pw = W - LEFT - RIGHT, xs = pw / (tmax > 0 ? tmax : 1), ys = CHART_H / ytop;
    fprintf(f, "<rect x='%d' y='%.0f' width='%.0f' height='%d' fill='none' stroke='#999'/>\n", LEFT, y0, pw, CHART_H);
    int nyt = (int)lround(ytop / ystep);
    for (int i = 0; i <= nyt; i++) {
        double v = ystep * i;
        char n[32];
        fmt_num(v, n, sizeof n);
        double y = y0 + CHART_H - v * ys;
        fprintf(f, "<line x1='%d' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#eee'/>"
                   "<text x='%d' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
                LEFT, LEFT + pw, y, y, LEFT - 5, y + 4, n);
    }
    double tstep = nice_step(tmax);
    int nxt = (int)floor(tmax / tstep + 0.5);
    for (int i = 0; i <= nxt; i++) {
        double t = tstep * i;
        fprintf(f, "<text x='%.1f' y='%.0f' text-anchor='middle' font-size='11'>%g</text>\n", LEFT + t * xs,
                y0 + CHART_H + 14, t);
    }
    fprintf(f, "<text x='%d' y='%.0f' font-size='11' transform='rotate(-90 %d %.0f)' text-anchor='middle'>%s</text>\n",
            18, y0 + CHART_H / 2.0, 18, y0 + CHART_H / 2.0, unit);
    fprintf(f, "<text x='%.0f' y='%.0f' font-size='11' text-anchor='middle'>time (s)</text>\n", LEFT + pw / 2,
            y0 + CHART_H + 28);
    if (fill_end > 0)
        fprintf(f, "<line x1='%.1f' x2='%.1f' y1='%.0f' y2='%.0f' stroke='#000' stroke-dasharray='2,3'/>"
                   "<text x='%.1f' y='%.0f' font-size='10'>fill | cache</text>\n",
                LEFT + fill_end * xs, LEFT + fill_end * xs, y0, y0 + CHART_H, LEFT + fill_end * xs + 3, y0 + 10);
    for (int k = 0; k < nser; k++) {
        fprintf(f, "<polyline class='series' data-series='%s' fill='none' stroke='%s' stroke-width='1.5'%s points='",
                ser[k].name, ser[k].color, ser[k].dashed ? " stroke-dasharray='6,4'" : "");
        for (size_t i = 0; i < r->nsamples; i++) {
            double v = ser[k].get(i ? &r->samples[i - 1] : NULL, &r->samples[i]);
            if (isfinite(v) && r->samples[i].t >= 0)
                fprintf(f, "%.1f,%.1f ", LEFT + r->samples[i].t * xs, y0 + CHART_H - v * ys);
        }
        fprintf(f, "'/>\n");
        double ly = y0 + 12 + 16 * k;
        fprintf(f, "<line x1='%.0f' x2='%.0f' y1='%.0f' y2='%.0f' stroke='%s' stroke-width='2'%s/>"
                   "<text x='%.0f' y='%.0f' font-size='11'>%s</text>\n",
                LEFT + pw + 10, LEFT + pw + 30, ly, ly, ser[k].color, ser[k].dashed ? " stroke-dasharray='6,4'" : "",
                LEFT + pw + 35, ly + 4, ser[k].name);
    }
}

int rl_plot_svg(const char *path, const struct rl_evict_run *runs, int nruns, char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "--plot %s: path too long", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "--plot %s: cannot create a file in its directory: %s", path, strerror(errno));
        return -1;
    }
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        snprintf(err, errlen, "--plot %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
               "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
            W, PANEL_H * (nruns > 0 ? nruns : 1));
    for (int i = 0; i < nruns; i++) {
        const struct rl_evict_run *r = &runs[i];
        double y = (double)PANEL_H * i, tmax = 0;
        for (size_t k = 0; k < r->nsamples; k++)
            if (r->samples[k].t > tmax)
                tmax = r->samples[k].t;
        fprintf(f, "<g class='panel'>\n<text x='%d' y='%.0f' font-size='14' font-weight='bold'>", LEFT, y + 22);
        xml_text(f, r->server);
        fputs(", malloc=", f);
        xml_text(f, r->allocator);
        fputs(", ", f);
        xml_text(f, r->policy);
        fprintf(f, ", maxmemory %.1f MiB%s</text>\n", mib(r->maxmemory), r->ok ? "" : " (stopped early)");
        chart(f, r, y + 34, "memory (MiB)", memory_series, 4, tmax, r->fill_seconds);
        chart(f, r, y + 34 + CHART_H + 40, "per second", rate_series, 2, tmax, r->fill_seconds);
        fprintf(f, "</g>\n");
    }
    fprintf(f, "</svg>\n");
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        unlink(tmp);
        snprintf(err, errlen, "--plot %s: writing failed (disk full?)", path);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        unlink(tmp);
        snprintf(err, errlen, "--plot %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
