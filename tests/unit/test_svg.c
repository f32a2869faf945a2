/* test_svg.c - the dashboard's inline SVG charts (web/svg.h).
 *
 * The SVG text is parsed back: a small tag scanner checks that elements
 * nest (so escaping never breaks the document) and collects <rect>
 * attributes, so the tests assert geometry, not byte-for-byte output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "web/svg.h"

/* Every <tag> is closed by </tag> or self-closed, in order; no raw '<' or
 * '&' outside markup and entities.  Returns 1 when well formed. */
static int well_formed(const char *s)
{
    char stack[64][16];
    int depth = 0;
    while (*s) {
        if (*s == '&') {
            const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            int ok = 0;
            for (size_t i = 0; i < sizeof ents / sizeof *ents; i++)
                if (!strncmp(s, ents[i], strlen(ents[i]))) ok = 1;
            if (!ok) return 0;
            s++;
            continue;
        }
        if (*s != '<') {
            if (*s == '>') return 0;
            s++;
            continue;
        }
        const char *end = strchr(s, '>');
        if (!end) return 0;
        for (const char *q = s + 1; q < end; q++)
            if (*q == '<') return 0;
        int closing = s[1] == '/';
        const char *name = s + 1 + closing;
        size_t nl = strcspn(name, " />");
        if (nl == 0 || nl >= 16) return 0;
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, nl) || stack[depth - 1][nl]) return 0;
            depth--;
        } else if (end[-1] != '/') {
            if (depth == 64) return 0;
            memcpy(stack[depth], name, nl);
            stack[depth++][nl] = '\0';
        }
        s = end + 1;
    }
    return depth == 0;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

typedef struct rect {
    char cls[32];
    double x, y, w, h;
    char title[64];
} rect;

/* Value of attribute `name` in the tag starting at tag (up to '>'). */
static int attr(const char *tag, const char *name, char *out, size_t cap)
{
    const char *end = strchr(tag, '>');
    char pat[32];
    snprintf(pat, sizeof pat, " %s=\"", name);
    const char *p = strstr(tag, pat);
    if (!p || p > end) return 0;
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    if (n >= cap) n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

static double num_attr(const char *tag, const char *name)
{
    char v[32];
    return attr(tag, name, v, sizeof v) ? atof(v) : -1;
}

/* Data rects (not legend keys), in document order. */
static size_t rects(const char *svg, rect *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = svg; (p = strstr(p, "<rect ")) && n < cap; p++) {
        rect r = {0};
        attr(p, "class", r.cls, sizeof r.cls);
        if (strstr(r.cls, "svg-key")) continue;
        r.x = num_attr(p, "x");
        r.y = num_attr(p, "y");
        r.w = num_attr(p, "width");
        r.h = num_attr(p, "height");
        const char *t = strstr(p, "<title>");
        if (t && t < strstr(p, "</rect>")) {
            t += 7;
            size_t len = strcspn(t, "<");
            if (len >= sizeof r.title) len = sizeof r.title - 1;
            memcpy(r.title, t, len);
        }
        out[n++] = r;
    }
    return n;
}

static int near(double a, double b)
{
    return a - b < 0.11 && b - a < 0.11;
}

TEST(sparkline_points)
{
    buf b = BUF_INIT;
    int64_t v[] = {0, 5, 10};
    svg_sparkline(&b, v, 3, 100, 20, "Open findings, 30 days");
    CHECK(well_formed(b.data));
    CHECK(strstr(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"") == b.data);
    CHECK(strstr(b.data, "role=\"img\""));
    CHECK(strstr(b.data, "aria-label=\"Open findings, 30 days\""));
    CHECK(strstr(b.data, "<title>Open findings, 30 days</title>"));
    CHECK(strstr(b.data, "viewBox=\"0 0 100 20\""));
    /* pad 2: x 2..98, y 18 (0) .. 2 (max) */
    CHECK(strstr(b.data, "points=\"2.0,18.0 50.0,10.0 98.0,2.0\""));
    CHECK(strstr(b.data, "cx=\"98.0\" cy=\"2.0\""));
    CHECK(strstr(b.data, "latest 10, lowest 0, highest 10"));
    CHECK(!strstr(b.data, "style="));
    buf_free(&b);
}

TEST(sparkline_flat_negative_single_empty)
{
    buf b = BUF_INIT;
    int64_t zeros[] = {0, 0};
    svg_sparkline(&b, zeros, 2, 50, 10, "z");
    CHECK(strstr(b.data, "points=\"2.0,8.0 48.0,8.0\"")); /* all at the baseline, no NaN */
    CHECK(!strstr(b.data, "nan"));
    buf_reset(&b);
    int64_t neg[] = {-4, 4};
    svg_sparkline(&b, neg, 2, 50, 10, "n");
    CHECK(strstr(b.data, "points=\"2.0,8.0 48.0,2.0\"")); /* -4 counts as 0 */
    buf_reset(&b);
    int64_t one[] = {7};
    svg_sparkline(&b, one, 1, 50, 10, "one");
    CHECK(strstr(b.data, "points=\"25.0,2.0\""));
    CHECK(well_formed(b.data));
    buf_reset(&b);
    svg_sparkline(&b, NULL, 0, 50, 10, NULL);
    CHECK(well_formed(b.data));
    CHECK(strstr(b.data, ">no data</text>"));
    CHECK(strstr(b.data, "aria-label=\"chart\""));
    CHECK(!strstr(b.data, "<polyline"));
    buf_free(&b);
}

TEST(escaping_everywhere)
{
    const char *evil = "<script>alert(\"x\")</script>&'";
    const char *esc = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;";
    buf b = BUF_INIT;
    int64_t v[] = {1, 2};
    svg_sparkline(&b, v, 2, 60, 20, evil);
    CHECK(well_formed(b.data));
    CHECK(!strstr(b.data, "<script"));
    CHECK(count(b.data, esc) == 2); /* aria-label and <title> */
    buf_reset(&b);
    const char *labels[] = {evil, "mid", evil};
    int64_t a[] = {1, 2, 3};
    svg_series s[] = {{evil, "sev-high", a}};
    svg_stacked(&b, s, 1, 3, labels, 400, 120, evil, evil);
    CHECK(well_formed(b.data));
    CHECK(!strstr(b.data, "<script"));
    CHECK(!strstr(b.data, "\"x\""));
    CHECK(count(b.data, esc) >= 2 + 1 + 2 + 3 + 1); /* title, legend, x labels, tooltips, y title */
    buf_reset(&b);
    svg_series p1 = {evil, NULL, a}, p2 = {"resolved", NULL, a};
    svg_bars_pair(&b, &p1, &p2, 3, labels, 400, 120, evil, evil);
    CHECK(well_formed(b.data));
    CHECK(!strstr(b.data, "<script"));
    buf_free(&b);
}

TEST(stacked_geometry)
{
    buf b = BUF_INIT;
    int64_t a[] = {1, 0, 2}, c[] = {1, 3, 0};
    svg_series s[] = {{"high", "sev-high", a}, {"critical", "sev-critical", c}};
    const char *labels[] = {"05-01", "05-02", "05-03"};
    /* plot: x 64..160 (96 wide, slot 32), y 26..126 (100 high); max 3 -> axis 5 */
    svg_stacked(&b, s, 2, 3, labels, 170, 150, "Open by severity", "open");
    CHECK(well_formed(b.data));
    CHECK(strstr(b.data, "class=\"svg-stacked\""));
    CHECK(strstr(b.data, ">5</text>"));
    CHECK(count(b.data, "class=\"svg-ylabel\"") == 6); /* 0 to 5, every 1 */
    CHECK(strstr(b.data, "class=\"svg-ytitle\"") && strstr(b.data, ">open</text>"));
    /* Three 40-unit dates do not fit under 96 units: the middle one is left out. */
    CHECK(strstr(b.data, ">05-01</text>") && !strstr(b.data, ">05-02</text>") &&
          strstr(b.data, ">05-03</text>"));
    CHECK(strstr(b.data, "class=\"sev-high svg-key\""));
    CHECK(strstr(b.data, ">critical</text>"));
    CHECK(strstr(b.data, "On 05-03: high 2, critical 0 (total 2); highest total 3"));
    rect r[16];
    size_t n = rects(b.data, r, 16);
    CHECK(n == 4); /* zero segments are not drawn */
    if (n != 4) goto out;
    /* point 0: high at the bottom (y 106..126), critical on top (86..106) */
    CHECK(!strcmp(r[0].cls, "sev-high") && near(r[0].x, 67.2) && near(r[0].w, 25.6));
    CHECK(near(r[0].y, 106) && near(r[0].h, 20));
    CHECK(!strcmp(r[1].cls, "sev-critical") && near(r[1].y, 86) && near(r[1].h, 20));
    CHECK_STR(r[1].title, "05-01 critical: 1");
    /* point 1: only critical, 3 -> 60 high */
    CHECK(!strcmp(r[2].cls, "sev-critical") && near(r[2].x, 99.2) && near(r[2].h, 60));
    CHECK(near(r[2].y + r[2].h, 126));
    /* point 2: high 2 */
    CHECK(!strcmp(r[3].cls, "sev-high") && near(r[3].h, 40) && near(r[3].x, 131.2));
    CHECK_STR(r[3].title, "05-03 high: 2");
out:
    buf_free(&b);
}

TEST(stacked_scale_and_defaults)
{
    buf b = BUF_INIT;
    int64_t a[] = {120, 40}, c[] = {0, 0};
    svg_series s[] = {{"open", NULL, a}, {"x", NULL, c}};
    svg_stacked(&b, s, 2, 2, NULL, 140, 100, "t", NULL);
    CHECK(well_formed(b.data));
    CHECK(strstr(b.data, ">200</text>")); /* 120 rounds up to 200 */
    CHECK(strstr(b.data, ">150</text>") && count(b.data, "class=\"svg-ylabel\"") == 5);
    CHECK(!strstr(b.data, "svg-ytitle"));
    CHECK(strstr(b.data, "class=\"svg-series-0\""));
    CHECK(strstr(b.data, ">1</text>") && strstr(b.data, ">2</text>")); /* numbered points */
    rect r[8];
    size_t n = rects(b.data, r, 8);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(r[0].title, "1 open: 120");
        CHECK(near(r[0].h / r[1].h, 3.0)); /* heights proportional to values */
    }
    buf_reset(&b);
    int64_t big[] = {1000};
    svg_series one = {"all", "a", big};
    svg_stacked(&b, &one, 1, 1, NULL, 140, 100, "t", NULL);
    CHECK(strstr(b.data, ">1000</text>"));
    rect r1;
    CHECK(rects(b.data, &r1, 1) == 1 && near(r1.y, 26)); /* fills the plot */
    buf_reset(&b);
    svg_stacked(&b, &one, 1, 0, NULL, 140, 100, "t", NULL);
    CHECK(well_formed(b.data) && strstr(b.data, "no data"));
    buf_reset(&b);
    svg_stacked(&b, &one, 1, 1, NULL, 1, 1, "tiny", NULL); /* clamped to a usable size */
    CHECK(well_formed(b.data) && !strstr(b.data, "width=\"-"));
    buf_free(&b);
}

TEST(bars_pair_geometry)
{
    buf b = BUF_INIT;
    int64_t nw[] = {4, 0}, rs[] = {2, 4};
    svg_series s1 = {"new", "trend-new", nw}, s2 = {"resolved", "trend-resolved", rs};
    const char *labels[] = {"d1", "d2"};
    /* plot: x 64..164 (100 wide, slot 50, bar 20), y 26..126; max 4 -> axis 5 */
    svg_bars_pair(&b, &s1, &s2, 2, labels, 174, 150, "New vs resolved", "per day");
    CHECK(well_formed(b.data));
    CHECK(strstr(b.data, "class=\"svg-pair\""));
    CHECK(strstr(b.data, "role=\"img\""));
    CHECK(strstr(b.data, "On d2: new 0, resolved 4 (total 4); highest 4 over 2 points."));
    rect r[8];
    size_t n = rects(b.data, r, 8);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(!strcmp(r[0].cls, "trend-new") && near(r[0].x, 69) && near(r[0].w, 20) &&
              near(r[0].h, 80) && near(r[0].y, 46));
        CHECK(!strcmp(r[1].cls, "trend-resolved") && near(r[1].x, 89) && near(r[1].h, 40));
        CHECK(r[0].x + r[0].w <= r[1].x + 0.01); /* side by side, not overlapping */
        CHECK(!strcmp(r[2].cls, "trend-resolved") && near(r[2].x, 139) && near(r[2].h, 80));
        CHECK_STR(r[2].title, "d2 resolved: 4");
    }
    buf_reset(&b);
    svg_bars_pair(&b, &s1, &s2, 0, NULL, 140, 130, NULL, NULL);
    CHECK(well_formed(b.data) && strstr(b.data, "no data"));
    buf_free(&b);
}

/* Days without a scan are a shaded gap, never bars or zeros. */
TEST(gaps_for_days_without_data)
{
    buf b = BUF_INIT;
    int64_t a[] = {2, SVG_NO_DATA, 3, SVG_NO_DATA, SVG_NO_DATA};
    int64_t c[] = {1, SVG_NO_DATA, 0, SVG_NO_DATA, SVG_NO_DATA};
    svg_series s[] = {{"high", "sev-high", a}, {"critical", "sev-critical", c}};
    const char *labels[] = {"d1", "d2", "d3", "d4", "d5"};
    /* plot x 64..224 (slot 32) */
    svg_stacked(&b, s, 2, 5, labels, 234, 150, "t", NULL);
    CHECK(well_formed(b.data));
    rect r[16];
    size_t n = rects(b.data, r, 16), bars = 0, gaps = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(r[i].cls, "svg-gap")) {
            gaps++;
            CHECK(near(r[i].y, 26) && near(r[i].h, 100)); /* the plot's full height */
            if (near(r[i].x, 96)) CHECK(near(r[i].w, 32) && !strcmp(r[i].title, "d2: no scan"));
            if (near(r[i].x, 160))
                CHECK(near(r[i].w, 64) && !strcmp(r[i].title, "d4 to d5: no scan"));
        } else if (strncmp(r[i].cls, "sev-", 4) == 0) {
            bars++;
            CHECK(r[i].x < 96 || (r[i].x > 128 && r[i].x < 160)); /* only on d1 and d3 */
        }
    }
    CHECK(gaps == 2 && bars == 3);
    CHECK(strstr(b.data, "On d3: high 3, critical 0 (total 3)"));
    CHECK(strstr(b.data, "No data for the last 2."));
    buf_reset(&b);
    svg_series p1 = {"new", NULL, a}, p2 = {"resolved", NULL, c};
    svg_bars_pair(&b, &p1, &p2, 5, labels, 234, 150, "t", NULL);
    CHECK(well_formed(b.data) && count(b.data, "class=\"svg-gap\"") == 2);
    buf_free(&b);
}

/* Thirty dates under 960 units: several labels, none overlapping. */
TEST(x_labels_never_overlap)
{
    buf b = BUF_INIT;
    int64_t v[30];
    const char *labels[30];
    char text[30][24];
    for (int i = 0; i < 30; i++) {
        v[i] = i;
        snprintf(text[i], sizeof text[i], "2026-11-%02d", i + 1);
        labels[i] = text[i];
    }
    svg_series s = {"open", "sev-high", v};
    svg_stacked(&b, &s, 1, 30, labels, 960, 300, "t", "open findings");
    double lo[30], hi[30];
    int n = 0;
    for (const char *p = b.data; (p = strstr(p, "class=\"svg-xlabel\" x=\"")) && n < 30; p++) {
        double x = atof(p + strlen("class=\"svg-xlabel\" x=\""));
        const char *anchor = strstr(p, "text-anchor=\"") + strlen("text-anchor=\"");
        double w = 0.62 * 13 * 10; /* the renderer's own estimate for 10 characters */
        lo[n] = *anchor == 's' ? x : *anchor == 'e' ? x - w : x - w / 2;
        hi[n] = lo[n] + w;
        n++;
    }
    CHECK(n >= 4);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            CHECK(hi[i] <= lo[j] || hi[j] <= lo[i]);
    buf_free(&b);
}

TEST(appends_to_existing_buffer)
{
    buf b = BUF_INIT;
    buf_puts(&b, "<div>");
    int64_t v[] = {1, 2, 3};
    svg_sparkline(&b, v, 3, 40, 10, "a");
    svg_sparkline(&b, v, 3, 40, 10, "b");
    buf_puts(&b, "</div>");
    CHECK(well_formed(b.data));
    CHECK(count(b.data, "<svg ") == 2);
    buf_free(&b);
}

int main(void)
{
    RUN(sparkline_points);
    RUN(sparkline_flat_negative_single_empty);
    RUN(escaping_everywhere);
    RUN(stacked_geometry);
    RUN(stacked_scale_and_defaults);
    RUN(bars_pair_geometry);
    RUN(gaps_for_days_without_data);
    RUN(x_labels_never_overlap);
    RUN(appends_to_existing_buffer);
    T_EXIT();
}
