/* kentry results: the few SVG pieces a chart needs, written as text: text
 * as real <text> elements (selectable, searchable), numbers for axes, a
 * colour per run. */
#ifndef KENTRY_RESULTS_SVG_H
#define KENTRY_RESULTS_SVG_H

#include <stddef.h>
#include <stdio.h>

#define SVG_FONT "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

/* A colour for run i (Okabe-Ito's palette, distinguishable by people with
 * any common colour-vision deficiency). */
const char *svg_color(size_t i);

/* <text x y [attrs]>s</text>: s escaped for XML, control characters shown
 * as escapes (XML 1.0 cannot carry them). attrs may be NULL. */
void svg_text(FILE *f, double x, double y, const char *attrs, const char *s);
/* The same with printf formatting. */
void svg_textf(FILE *f, double x, double y, const char *attrs, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Writes s escaped for an XML attribute or text node. */
void svg_escape(FILE *f, const char *s);

/* Rough width in pixels of s in the sans-serif font at size px (for
 * layout only: the browser measures the real one). */
double svg_text_width(const char *s, double px);

/* An axis: maps values in [lo, hi] (log10 of them when log) to pixels. */
struct svg_axis {
	double lo, hi;
	int log;
	double x0, x1;
};
double svg_x(const struct svg_axis *a, double v);

/* Tick values for an axis from lo to hi: a "nice" step (1, 2 or 5 times
 * a power of ten) for about `want` ticks, or every power of ten on a log
 * axis. Returns how many were written to out (at most max). */
size_t svg_ticks(double lo, double hi, int log, int want, double *out, size_t max);

/* A number for a tick label: 12, 1.5, 250k, 3M. */
void svg_num(char *buf, size_t n, double v);

#endif
