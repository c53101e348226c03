/* kentry results: SVG pieces (see svg.h). */
#include "svg.h"
#include "text.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *svg_color(size_t i)
{
	static const char *const c[] = { "#0072B2", "#E69F00", "#009E73", "#D55E00",
					 "#CC79A7", "#56B4E9", "#8C6D00", "#666666" };
	return c[i % (sizeof(c) / sizeof(*c))];
}

void svg_escape(FILE *f, const char *s)
{
	char buf[2048];
	ktext_escape(buf, sizeof(buf), s ? s : "");
	for (const char *p = buf; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*p, f);
		}
	}
}

void svg_text(FILE *f, double x, double y, const char *attrs, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs ? " " : "", attrs ? attrs : "");
	svg_escape(f, s);
	fputs("</text>\n", f);
}

void svg_textf(FILE *f, double x, double y, const char *attrs, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	svg_text(f, x, y, attrs, buf);
}

double svg_text_width(const char *s, double px)
{
	/* DejaVu Sans averages a little over half the font size per
	 * character; digits and lower case are about 0.6 em wide */
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return (double)n * px * 0.6;
}

double svg_x(const struct svg_axis *a, double v)
{
	double lo = a->lo, hi = a->hi;
	if (a->log) {
		v = v > 0 ? log10(v) : lo;
		if (v < lo)
			v = lo;
	}
	if (hi <= lo)
		return a->x0;
	double t = (v - lo) / (hi - lo);
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	return a->x0 + t * (a->x1 - a->x0);
}

static double nice_step(double range, int want)
{
	double raw = range / (want > 0 ? want : 1);
	double p = pow(10, floor(log10(raw)));
	double m = raw / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

size_t svg_ticks(double lo, double hi, int log, int want, double *out, size_t max)
{
	size_t n = 0;
	if (log) {
		for (double e = ceil(lo - 1e-9); e <= hi + 1e-9 && n < max; e++)
			out[n++] = pow(10, e);
		return n;
	}
	if (!(hi > lo))
		return 0;
	double step = nice_step(hi - lo, want);
	for (double v = ceil(lo / step) * step; v <= hi + step * 1e-9 && n < max; v += step)
		out[n++] = fabs(v) < step * 1e-9 ? 0 : v;
	return n;
}

void svg_num(char *buf, size_t n, double v)
{
	double a = fabs(v);
	if (a >= 1e6)
		snprintf(buf, n, "%gM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, n, "%gk", v / 1e3);
	else
		snprintf(buf, n, "%g", v);
}
