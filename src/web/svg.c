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
 * A point whose every value is SVG_NO_DATA is a gap (no scan that day):
 * drawn as a shaded band saying so, never as zero or as the day before.
 * Accessibility: the chart is one image (role="img") named by aria-label and
 * <title>; <desc> gives the numbers a sighted reader takes from the shape.
 */
#include "web/svg.h"

#include <inttypes.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Sizes in user units; a chart is drawn at its own size (or scaled to the
 * page width by CSS), and 13 units of text stay 12 px or more at the
 * dashboard's widths. */
enum { LEGEND_H = 26, AXIS_W = 64, XLABEL_H = 24, RIGHT_PAD = 10, FONT_PX = 13 };

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
    double ymax, ystep;    /* value at the top of the plot; between grid lines */
    double slot;           /* width per point */
} layout;

/* 1, 2 or 5 times a power of ten, >= v. */
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
    /* Four or five grid lines that divide the top exactly (so it is
     * labelled), on whole numbers: counts have no halves. */
    double mant = L.ymax / pow(10, floor(log10(L.ymax)));
    L.ystep = L.ymax / (mant > 1.5 && mant < 3 ? 4 : 5);
    if (L.ystep < 1) L.ystep = 1;
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

/* Text width estimate for the legend (no font metrics on the server). */
static double text_w(const char *s)
{
    return 0.62 * FONT_PX * (double)strlen(s);
}

static void legend(buf *b, const svg_series *const *s, size_t ns, const layout *L)
{
    double x = L->x0;
    char tmp[32];
    for (size_t i = 0; i < ns; i++) {
        const char *name = or_default(s[i]->name, "");
        buf_printf(b,
                   "<rect class=\"%s svg-key\" x=\"%.1f\" y=\"5\" width=\"12\" height=\"12\" "
                   "fill=\"%s\"/>",
                   series_class(s[i], i, tmp, sizeof tmp), x,
                   FALLBACK_FILL[i % (sizeof FALLBACK_FILL / sizeof *FALLBACK_FILL)]);
        buf_printf(b,
                   "<text class=\"svg-legend\" x=\"%.1f\" y=\"16\" font-size=\"%d\" "
                   "fill=\"currentColor\">",
                   x + 16, FONT_PX);
        put_escaped(b, name);
        buf_puts(b, "</text>");
        x += 16 + text_w(name) + 16;
    }
}

static void put_label(buf *b, const char *const *xlabels, size_t i)
{
    if (xlabels && xlabels[i])
        put_escaped(b, xlabels[i]);
    else
        buf_printf(b, "%zu", i + 1);
}

static void xlabel(buf *b, const layout *L, double x, const char *anchor,
                   const char *const *xlabels, size_t i)
{
    buf_printf(b,
               "<text class=\"svg-xlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
               "font-size=\"%d\" fill=\"currentColor\">",
               x, L->y0 + L->ph + XLABEL_H - 6, anchor, FONT_PX);
    put_label(b, xlabels, i);
    buf_puts(b, "</text>");
}

/* Grid lines and labels at every ystep, the y-axis title (rotated), and x
 * labels spaced so they never overlap: the first, the last, and every
 * stride-th point between them. */
static void axes(buf *b, const layout *L, size_t npoints, const char *const *xlabels,
                 const char *ylabel)
{
    double base = L->y0 + L->ph;
    for (int t = 0; t * L->ystep <= L->ymax + 1e-9; t++) {
        double v = t * L->ystep, y = y_of(L, v);
        if (v > 0)
            buf_printf(b,
                       "<line class=\"svg-grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"currentColor\" stroke-opacity=\"0.25\"/>",
                       L->x0, y, L->x0 + L->pw, y);
        buf_printf(b,
                   "<text class=\"svg-ylabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                   "font-size=\"%d\" fill=\"currentColor\">%.0f</text>",
                   L->x0 - 6, y + FONT_PX / 3.0, FONT_PX, v);
    }
    buf_printf(b,
               "<line class=\"svg-axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
               "stroke=\"currentColor\"/>",
               L->x0, base, L->x0 + L->pw, base);
    if (ylabel && *ylabel) {
        double cy = L->y0 + L->ph / 2;
        buf_printf(b,
                   "<text class=\"svg-ytitle\" x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-size=\"%d\" fill=\"currentColor\" transform=\"rotate(-90 %d %.1f)\">",
                   FONT_PX, cy, FONT_PX, FONT_PX, cy);
        put_escaped(b, ylabel);
        buf_puts(b, "</text>");
    }
    if (!npoints) return;
    double widest = 0;
    for (size_t i = 0; i < npoints; i++) {
        double w = xlabels && xlabels[i] ? text_w(xlabels[i]) : text_w("000");
        if (w > widest) widest = w;
    }
    /* The first label runs right from the left edge, the last left from the
     * right edge, the others are centred on their bar: each keeps a gap. */
    double gap = 16;
    size_t stride = (size_t)ceil((widest + gap) / L->slot);
    if (stride < 1) stride = 1;
    xlabel(b, L, L->x0, "start", xlabels, 0);
    if (npoints > 1) xlabel(b, L, L->x0 + L->pw, "end", xlabels, npoints - 1);
    size_t first = (size_t)ceil((1.5 * widest + gap) / L->slot - 0.5);
    if (first < 1) first = 1;
    for (size_t i = first; i + 1 < npoints; i += stride) {
        double right = L->slot * ((double)i + 0.5) + widest / 2;
        if (right > L->pw - widest - gap) break;
        xlabel(b, L, L->x0 + L->slot * ((double)i + 0.5), "middle", xlabels, i);
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

static bool missing(const svg_series *const *s, size_t ns, size_t p)
{
    for (size_t i = 0; i < ns; i++)
        if (s[i]->values[p] != SVG_NO_DATA) return false;
    return ns > 0;
}

/* Shaded bands over the points without data, one per run, saying so. */
static void gaps(buf *b, const svg_series *const *s, size_t ns, size_t npoints, const layout *L,
                 const char *const *xlabels)
{
    for (size_t p = 0; p < npoints;) {
        if (!missing(s, ns, p)) {
            p++;
            continue;
        }
        size_t q = p;
        while (q < npoints && missing(s, ns, q))
            q++;
        double x = L->x0 + L->slot * (double)p, w = L->slot * (double)(q - p);
        buf_printf(b,
                   "<rect class=\"svg-gap\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"#eef0f3\"><title>",
                   x, L->y0, w, L->ph);
        put_label(b, xlabels, p);
        if (q - p > 1) {
            buf_puts(b, " to ");
            put_label(b, xlabels, q - 1);
        }
        buf_puts(b, ": no scan</title></rect>");
        if (w >= text_w("no scan") + 8)
            buf_printf(b,
                       "<text class=\"svg-gap-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                       "font-size=\"%d\" fill=\"currentColor\">no scan</text>",
                       x + w / 2, L->y0 + L->ph / 2, FONT_PX);
        p = q;
    }
}

/* Describes the last point with data: "On LABEL: a 3, b 5 (total 8);
 * highest total 12 over N points." plus the days without data after it. */
static void describe_last(buf *d, const svg_series *const *s, size_t ns, size_t npoints,
                          const char *const *xlabels, int64_t maxv, const char *max_what)
{
    size_t last = npoints - 1;
    while (last > 0 && missing(s, ns, last))
        last--;
    if (missing(s, ns, last)) {
        buf_printf(d, "no data in %zu points.", npoints);
        return;
    }
    int64_t total = 0;
    buf_puts(d, "On ");
    if (xlabels && xlabels[last])
        buf_puts(d, xlabels[last]);
    else
        buf_printf(d, "point %zu", last + 1);
    buf_puts(d, ":");
    for (size_t i = 0; i < ns; i++) {
        int64_t v = clamp0(s[i]->values[last]);
        total += v;
        buf_printf(d, "%s %s %" PRId64, i ? "," : "", or_default(s[i]->name, "?"), v);
    }
    if (ns > 1) buf_printf(d, " (total %" PRId64 ")", total);
    buf_printf(d, "; %s %" PRId64 " over %zu points.", max_what, maxv, npoints);
    if (last + 1 < npoints) buf_printf(d, " No data for the last %zu.", npoints - 1 - last);
}

/* ---- stacked bars ---- */

void svg_stacked(buf *b, const svg_series *s, size_t nseries, size_t npoints,
                 const char *const *xlabels, int w, int h, const char *title, const char *ylabel)
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
    gaps(b, ptrs, ns, npoints, &L, xlabels);
    axes(b, &L, npoints, xlabels, ylabel);
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
                   const char *const *xlabels, int w, int h, const char *title, const char *ylabel)
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
    gaps(b, ptrs, 2, npoints, &L, xlabels);
    axes(b, &L, npoints, xlabels, ylabel);
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
