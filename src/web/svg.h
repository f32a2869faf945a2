/* svg.h - small inline SVG charts for the dashboard (pure: no I/O).
 *
 * Each function appends one complete <svg> element to b: accessible
 * (role="img", an aria-label and a <title> naming the chart, a <desc>
 * summarising the numbers), every label XML-escaped, no inline style (the
 * dashboard's CSP forbids it): colours come from CSS classes, with
 * presentation-attribute fallbacks so a chart is readable on its own.
 *
 *   svg_sparkline  one series as a polyline (class "svg-spark"), y from 0
 *                  to the series maximum; the last point is marked.
 *   svg_stacked    one stacked bar per point, series[0] at the bottom; a
 *                  legend on top, grid lines and y labels every quarter or
 *                  so of a rounded maximum, x labels as many as fit without
 *                  overlapping; at most 16 series.
 *   svg_bars_pair  two series side by side per point (new vs resolved).
 *
 * Negative values count as 0, except SVG_NO_DATA: a point whose every
 * series holds it is a gap (no scan that day), drawn as a shaded band
 * titled "no scan", never as a zero.  ylabel names the y axis (NULL: none).  n/npoints 0 draws an
 * empty chart saying "no data".  xlabels may be NULL (points are then numbered from 1). Every bar
 * segment carries its own <title> ("label name: value") as a tooltip.  Output is deterministic
 * (coordinates with one decimal).
 */
#ifndef CUSTOS_SVG_H
#define CUSTOS_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SVG_NO_DATA INT64_MIN

typedef struct svg_series {
    const char *name;      /* legend and tooltip text */
    const char *css_class; /* e.g. "sev-critical"; NULL = "svg-series-<i>" */
    const int64_t *values; /* npoints values */
} svg_series;

void svg_sparkline(buf *b, const int64_t *v, size_t n, int w, int h, const char *title);

void svg_stacked(buf *b, const svg_series *s, size_t nseries, size_t npoints,
                 const char *const *xlabels, int w, int h, const char *title, const char *ylabel);

void svg_bars_pair(buf *b, const svg_series *first, const svg_series *second, size_t npoints,
                   const char *const *xlabels, int w, int h, const char *title, const char *ylabel);

#endif
