/* svg.c - inline SVG charts; see svg.h.
 *
 * Design.  Charts are text appended to a buf, so the server renders them
 * with the page and the dashboard works without JavaScript.  Geometry is
 * computed in doubles and printed with one decimal: deterministic output
 * that tests can parse back.  Both bar charts share one layout (legend band
 * on top, y labels on the left, x labels below) and one y scale rounded up
 * to 1, 2 or 5 times a power of ten, so the axis label is a number a person
 * reads at a glance.  Colours are CSS classes because the page's CSP has no
 * 'unsafe-inline' (style attributes would be dropped); fill/stroke
 * presentation attributes are only fallbacks, which any CSS rule overrides.
 * Accessibility: the chart is one image (role="img") named by aria-label and
 * <title>; <desc> gives the numbers a sighted reader takes from the shape.
 */
#include "web/svg.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { LEGEND_H = 16, AXIS_W = 36, XLABEL_H = 14, RIGHT_PAD = 4, FONT_PX = 10 };

static const char *const FALLBACK_FILL[] = {"#4a6fa5", "#c0392b", "#d68910",
                                            "#7d8c2e", "#6c5b7b", "#2e8b8b"};

static void put_escaped(buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

static int64_t clamp0(int64_t v)
{
    return v < 0 ? 0 : v;
}

static const char *or_default(const char *s, const char *d)
{
    return s && *s ? s : d;
}

/* The opening tag, <title> and <desc>; desc is plain text (escaped here). */
static void open_svg(buf *b, const char *kind, int w, int h, const char *title, const char *desc)
{
    const char *t = or_default(title, "chart");
    buf_printf(b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
               kind, w, h, w, h);
    put_escaped(b, t);
    buf_puts(b, "\"><title>");
    put_escaped(b, t);
    buf_puts(b, "</title><desc>");
    put_escaped(b, desc);
    buf_puts(b, "</desc>");
}

static void no_data(buf *b, int w, int h)
{
    buf_printf(b,
               "<text class=\"svg-empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
               "font-size=\"%d\" fill=\"currentColor\">no data</text></svg>",
               w / 2, h / 2 + FONT_PX / 3, FONT_PX);
}

static int clamp_dim(int v, int min)
{
    return v < min ? min : v;
}

/* ---- sparkline ---- */

void svg_sparkline(buf *b, const int64_t *v, size_t n, int w, int h, const char *title)
{
    w = clamp_dim(w, 8);
    h = clamp_dim(h, 8);
    buf desc = BUF_INIT;
    int64_t max = 0, min = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        int64_t x = clamp0(v[i]);
        if (x > max) max = x;
        if (x < min) min = x;
    }
    if (n)
        buf_printf(&desc, "%zu points; latest %" PRId64 ", lowest %" PRId64 ", highest %" PRId64, n,
                   clamp0(v[n - 1]), min, max);
    else
        buf_puts(&desc, "no data");
    open_svg(b, "svg-spark", w, h, title, desc.data);
    buf_free(&desc);
    if (!n) {
        no_data(b, w, h);
        return;
    }
    const double pad = 2.0;
    double scale = max > 0 ? (h - 2 * pad) / (double)max : 0;
    double step = n > 1 ? (w - 2 * pad) / (double)(n - 1) : 0;
    double lx = 0, ly = 0;
    buf_puts(b, "<polyline class=\"spark-line\" fill=\"none\" stroke=\"currentColor\" "
                "stroke-width=\"1.5\" points=\"");
    for (size_t i = 0; i < n; i++) {
        lx = n > 1 ? pad + step * (double)i : w / 2.0;
        ly = h - pad - scale * (double)clamp0(v[i]);
        buf_printf(b, "%s%.1f,%.1f", i ? " " : "", lx, ly);
    }
    buf_printf(b,
               "\"/><circle class=\"spark-last\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" "
               "fill=\"currentColor\"/></svg>",
               lx, ly);
}

/* ---- bar charts: shared layout ---- */

typedef struct layout {
    int w, h;
    double x0, y0, pw, ph; /* plot area */
    double ymax;           /* value at the top of the plot */
    double slot;           /* width per point */
} layout;

/* 1, 2 or 5 times a power of ten, >= v (v >= 1). */
static double nice_ceiling(double v)
{
    if (v <= 1) return 1;
    double p = pow(10, floor(log10(v)));
    for (int i = 0; i < 3; i++) {
        static const double m[] = {1, 2, 5};
        if (m[i] * p >= v) return m[i] * p;
    }
    return 10 * p;
}

static layout make_layout(int w, int h, size_t npoints, int64_t maxv)
{
    layout L;
    L.w = clamp_dim(w, AXIS_W + RIGHT_PAD + 16);
    L.h = clamp_dim(h, LEGEND_H + XLABEL_H + 16);
    L.x0 = AXIS_W;
    L.y0 = LEGEND_H;
    L.pw = L.w - AXIS_W - RIGHT_PAD;
    L.ph = L.h - LEGEND_H - XLABEL_H;
    L.ymax = nice_ceiling((double)maxv);
    L.slot = npoints ? L.pw / (double)npoints : L.pw;
    return L;
}

static double y_of(const layout *L, double v)
{
    return L->y0 + L->ph - v / L->ymax * L->ph;
}

static const char *series_class(const svg_series *s, size_t i, char *tmp, size_t cap)
{
    if (s->css_class && *s->css_class) return s->css_class;
    snprintf(tmp, cap, "svg-series-%zu", i);
    return tmp;
}

static void legend(buf *b, const svg_series *const *s, size_t ns, const layout *L)
{
    double x = L->x0;
    char tmp[32];
    for (size_t i = 0; i < ns; i++) {
        const char *name = or_default(s[i]->name, "");
        buf_printf(b,
                   "<rect class=\"%s svg-key\" x=\"%.1f\" y=\"3\" width=\"8\" height=\"8\" "
                   "fill=\"%s\"/>",
                   series_class(s[i], i, tmp, sizeof tmp), x,
                   FALLBACK_FILL[i % (sizeof FALLBACK_FILL / sizeof *FALLBACK_FILL)]);
        buf_printf(b,
                   "<text class=\"svg-legend\" x=\"%.1f\" y=\"11\" font-size=\"%d\" "
                   "fill=\"currentColor\">",
                   x + 11, FONT_PX);
        put_escaped(b, name);
        buf_puts(b, "</text>");
        x += 11 + 6.0 * (double)strlen(name) + 10;
    }
}

static void put_label(buf *b, const char *const *xlabels, size_t i)
{
    if (xlabels && xlabels[i])
        put_escaped(b, xlabels[i]);
    else
        buf_printf(b, "%zu", i + 1);
}

/* y labels (0 and ymax) with a grid line at the top and the baseline;
 * x labels at the first, middle and last point. */
static void axes(buf *b, const layout *L, size_t npoints, const char *const *xlabels)
{
    double top = L->y0, base = L->y0 + L->ph;
    buf_printf(b,
               "<line class=\"svg-grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
               "stroke=\"currentColor\" stroke-opacity=\"0.25\"/>",
               L->x0, top, L->x0 + L->pw, top);
    buf_printf(b,
               "<line class=\"svg-axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
               "stroke=\"currentColor\"/>",
               L->x0, base, L->x0 + L->pw, base);
    buf_printf(b,
               "<text class=\"svg-ylabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
               "font-size=\"%d\" fill=\"currentColor\">%.0f</text>",
               L->x0 - 4, top + FONT_PX / 2.0, FONT_PX, L->ymax);
    buf_printf(b,
               "<text class=\"svg-ylabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
               "font-size=\"%d\" fill=\"currentColor\">0</text>",
               L->x0 - 4, base, FONT_PX);
    size_t idx[3] = {0, npoints / 2, npoints - 1};
    const char *anchor[3] = {"start", "middle", "end"};
    for (int k = 0; k < 3; k++) {
        if ((k == 1 && (npoints < 3)) || (k == 2 && npoints < 2)) continue;
        double x = k == 0 ? L->x0 : k == 2 ? L->x0 + L->pw : L->x0 + L->slot * (idx[k] + 0.5);
        buf_printf(b,
                   "<text class=\"svg-xlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
                   "font-size=\"%d\" fill=\"currentColor\">",
                   x, base + XLABEL_H - 2, anchor[k], FONT_PX);
        put_label(b, xlabels, idx[k]);
        buf_puts(b, "</text>");
    }
}

static void bar(buf *b, const char *cls, const char *fill, double x, double y, double bw, double bh,
                const char *const *xlabels, size_t i, const char *name, int64_t v)
{
    buf_printf(b,
               "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"%s\"><title>",
               cls, x, y, bw, bh, fill);
    put_label(b, xlabels, i);
    buf_puts(b, " ");
    put_escaped(b, or_default(name, ""));
    buf_printf(b, ": %" PRId64 "</title></rect>", v);
}

/* Describes the last point: "On LABEL: a 3, b 5 (total 8); highest total 12." */
static void describe_last(buf *d, const svg_series *const *s, size_t ns, size_t npoints,
                          const char *const *xlabels, int64_t maxv, const char *max_what)
{
    size_t last = npoints - 1;
    int64_t total = 0;
    buf_puts(d, "On ");
    if (xlabels && xlabels[last])
        buf_puts(d, xlabels[last]);
    else
        buf_printf(d, "point %zu", npoints);
    buf_puts(d, ":");
    for (size_t i = 0; i < ns; i++) {
        int64_t v = clamp0(s[i]->values[last]);
        total += v;
        buf_printf(d, "%s %s %" PRId64, i ? "," : "", or_default(s[i]->name, "?"), v);
    }
    if (ns > 1) buf_printf(d, " (total %" PRId64 ")", total);
    buf_printf(d, "; %s %" PRId64 " over %zu points.", max_what, maxv, npoints);
}

/* ---- stacked bars ---- */

void svg_stacked(buf *b, const svg_series *s, size_t nseries, size_t npoints,
                 const char *const *xlabels, int w, int h, const char *title)
{
    int64_t maxv = 0;
    for (size_t p = 0; p < npoints; p++) {
        int64_t col = 0;
        for (size_t i = 0; i < nseries; i++)
            col += clamp0(s[i].values[p]);
        if (col > maxv) maxv = col;
    }
    layout L = make_layout(w, h, npoints, maxv);
    const svg_series *ptrs[16] = {0};
    size_t ns = nseries < 16 ? nseries : 16;
    for (size_t i = 0; i < ns; i++)
        ptrs[i] = &s[i];
    buf desc = BUF_INIT;
    if (npoints && ns)
        describe_last(&desc, ptrs, ns, npoints, xlabels, maxv, "highest total");
    else
        buf_puts(&desc, "no data");
    open_svg(b, "svg-stacked", L.w, L.h, title, desc.data);
    buf_free(&desc);
    if (!npoints || !ns) {
        no_data(b, L.w, L.h);
        return;
    }
    legend(b, ptrs, ns, &L);
    axes(b, &L, npoints, xlabels);
    double bw = L.slot * 0.8 < 1 ? 1 : L.slot * 0.8;
    char tmp[32];
    for (size_t p = 0; p < npoints; p++) {
        double x = L.x0 + L.slot * (double)p + (L.slot - bw) / 2;
        int64_t cum = 0;
        for (size_t i = 0; i < ns; i++) {
            int64_t v = clamp0(s[i].values[p]);
            if (!v) continue;
            double ytop = y_of(&L, (double)(cum + v));
            double ybot = y_of(&L, (double)cum);
            cum += v;
            bar(b, series_class(&s[i], i, tmp, sizeof tmp),
                FALLBACK_FILL[i % (sizeof FALLBACK_FILL / sizeof *FALLBACK_FILL)], x, ytop, bw,
                ybot - ytop, xlabels, p, s[i].name, v);
        }
    }
    buf_puts(b, "</svg>");
}

/* ---- paired bars ---- */

void svg_bars_pair(buf *b, const svg_series *first, const svg_series *second, size_t npoints,
                   const char *const *xlabels, int w, int h, const char *title)
{
    const svg_series *ptrs[2] = {first, second};
    int64_t maxv = 0;
    for (size_t p = 0; p < npoints; p++)
        for (int i = 0; i < 2; i++)
            if (clamp0(ptrs[i]->values[p]) > maxv) maxv = clamp0(ptrs[i]->values[p]);
    layout L = make_layout(w, h, npoints, maxv);
    buf desc = BUF_INIT;
    if (npoints)
        describe_last(&desc, ptrs, 2, npoints, xlabels, maxv, "highest");
    else
        buf_puts(&desc, "no data");
    open_svg(b, "svg-pair", L.w, L.h, title, desc.data);
    buf_free(&desc);
    if (!npoints) {
        no_data(b, L.w, L.h);
        return;
    }
    legend(b, ptrs, 2, &L);
    axes(b, &L, npoints, xlabels);
    double bw = L.slot * 0.4 < 0.5 ? 0.5 : L.slot * 0.4;
    char tmp[32];
    for (size_t p = 0; p < npoints; p++) {
        double x = L.x0 + L.slot * (double)p + L.slot * 0.1;
        for (size_t i = 0; i < 2; i++) {
            int64_t v = clamp0(ptrs[i]->values[p]);
            if (!v) continue;
            double ytop = y_of(&L, (double)v);
            bar(b, series_class(ptrs[i], i, tmp, sizeof tmp), FALLBACK_FILL[i], x + bw * (double)i,
                ytop, bw, L.y0 + L.ph - ytop, xlabels, p, ptrs[i]->name, v);
        }
    }
    buf_puts(b, "</svg>");
}
