/* kentry results: charts of saved runs as SVG (see plot_svg.h). */
#include "plot_svg.h"
#include "svg.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 1000.0
#define RIGHT 110.0        /* room for the value labels */
#define BAR_H 12.0
#define BOX_H 16.0
#define GROUP_GAP 12.0
#define MAX_ROWS 256
#define MAX_PANELS 4

struct prow {
	const char *id, *variant;
};

struct panel {
	const char *world, *unit;
	struct prow rows[MAX_ROWS];
	size_t n_rows;
	double hz;                 /* one TSC frequency for the ns axis, or 0 */
	struct svg_axis ax;
	size_t runs[8];            /* the runs with a result in this panel */
	size_t n_runs;
};

struct chart {
	const struct kplot_run *runs;
	size_t n_runs;
	const struct kplot_opts *o;
	struct panel p[MAX_PANELS];
	size_t n_panels;
	double label_w;            /* the path names' column */
	FILE *f;
	double y;
};

static int same_variant(const char *a, const char *b)
{
	return a ? b && strcmp(a, b) == 0 : !b;
}

static double env_hz(const struct krun *run, const char *world)
{
	const char *h = kenv_get(strcmp(world, "linux") == 0 ? &run->env : &run->guest_env,
				 "tsc.hz");
	double v = h ? strtod(h, NULL) : 0;
	return v > 0 ? v : 0;
}

/* The result of run for a panel's row, or NULL. */
static const struct kresult *cell(const struct krun *run, const struct panel *p,
				  const struct prow *row)
{
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if (strcmp(r->world, p->world) == 0 && strcmp(r->id, row->id) == 0 &&
		    same_variant(r->variant, row->variant) && strcmp(krun_unit(run, r), p->unit) == 0)
			return r;
	}
	return NULL;
}

static struct panel *panel_for(struct chart *c, const char *world, const char *unit)
{
	for (size_t i = 0; i < c->n_panels; i++)
		if (strcmp(c->p[i].world, world) == 0 && strcmp(c->p[i].unit, unit) == 0)
			return &c->p[i];
	if (c->n_panels == MAX_PANELS)
		return NULL;
	struct panel *p = &c->p[c->n_panels++];
	memset(p, 0, sizeof(*p));
	p->world = world;
	p->unit = unit;
	return p;
}

static void add_run(struct panel *p, size_t k)
{
	for (size_t i = 0; i < p->n_runs; i++)
		if (p->runs[i] == k)
			return;
	if (p->n_runs < sizeof(p->runs) / sizeof(*p->runs))
		p->runs[p->n_runs++] = k;
}

static void collect(struct chart *c)
{
	static const char *const worlds[] = { "linux", "bare-metal" };
	for (int w = 0; w < 2; w++) {
		if (c->o->world && strcmp(c->o->world, worlds[w]) != 0)
			continue;
		for (size_t k = 0; k < c->n_runs; k++) {
			const struct krun *run = c->runs[k].run;
			for (size_t i = 0; i < run->n; i++) {
				const struct kresult *r = &run->r[i];
				if (strcmp(r->world, worlds[w]) != 0)
					continue;
				struct panel *p = panel_for(c, worlds[w], krun_unit(run, r));
				if (!p)
					continue;
				add_run(p, k);
				size_t j;
				for (j = 0; j < p->n_rows; j++)
					if (strcmp(p->rows[j].id, r->id) == 0 &&
					    same_variant(p->rows[j].variant, r->variant))
						break;
				if (j == p->n_rows && p->n_rows < MAX_ROWS) {
					p->rows[j].id = r->id;
					p->rows[j].variant = r->variant;
					p->n_rows++;
				}
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* What a run shows for a path                                         */

struct shape {
	double lo, p25, med, p75, hi;  /* whiskers lo..hi */
	double *out;                   /* outliers (dist), sorted */
	size_t n_out;
	int from_samples;
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static void shape_of(const struct kresult *r, int dist, struct shape *s)
{
	memset(s, 0, sizeof(*s));
	s->p25 = r->cycles.p25;
	s->med = dist ? r->cycles.median : kresult_headline(r, 0);
	s->p75 = r->cycles.p75;
	s->lo = s->p25;
	s->hi = s->p75;
	if (!dist)
		return;
	s->lo = r->cycles.min;
	s->hi = r->cycles.max;
	if (!r->samples || r->n_samples == 0)
		return;
	double *v = malloc(r->n_samples * sizeof(double));
	if (!v)
		return;
	memcpy(v, r->samples, r->n_samples * sizeof(double));
	qsort(v, r->n_samples, sizeof(double), cmp_double);
	/* Tukey's fences; the saved samples are rounded to 0.01, the
	 * quartiles are not: allow that much */
	double iqr = s->p75 - s->p25, flo = s->p25 - 1.5 * iqr - 0.005,
	       fhi = s->p75 + 1.5 * iqr + 0.005;
	s->lo = s->p25;
	s->hi = s->p75;
	size_t n_out = 0;
	for (size_t i = 0; i < r->n_samples; i++) {
		if (v[i] < flo || v[i] > fhi) {
			v[n_out++] = v[i]; /* outliers, still in order */
			continue;
		}
		if (v[i] < s->lo)
			s->lo = v[i];
		if (v[i] > s->hi)
			s->hi = v[i];
	}
	s->out = v;
	s->n_out = n_out;
	s->from_samples = 1;
}

/* ------------------------------------------------------------------ */
/* Scales                                                              */

static void scale(struct chart *c, struct panel *p)
{
	double lo = INFINITY, hi = 0;
	int hz_same = 1;
	double hz = -1;
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct krun *run = c->runs[k].run;
		int used = 0;
		for (size_t j = 0; j < p->n_rows; j++) {
			const struct kresult *r = cell(run, p, &p->rows[j]);
			if (!r || r->status != KR_MEASURED)
				continue;
			used = 1;
			struct shape s;
			shape_of(r, c->o->dist, &s);
			double a = s.n_out ? fmin(s.out[0], s.lo) : s.lo;
			double b = s.n_out ? fmax(s.out[s.n_out - 1], s.hi) : s.hi;
			if (!c->o->dist)
				b = fmax(b, s.med);
			free(s.out);
			double pos = a > 0 ? a : s.med > 0 ? s.med : INFINITY;
			if (pos < lo)
				lo = pos;
			if (b > hi)
				hi = b;
		}
		if (!used)
			continue;
		double h = env_hz(run, p->world);
		if (hz < 0)
			hz = h;
		else if (!(h > 0 && hz > 0 && fabs(h - hz) <= 0.005 * hz))
			hz_same = 0;
	}
	p->hz = hz_same && hz > 0 && strcmp(p->unit, "tsc-ticks") == 0 ? hz : 0;
	p->ax.x0 = c->label_w + 20;
	p->ax.x1 = WIDTH - RIGHT;
	p->ax.log = c->o->log;
	if (!(hi > 0))
		hi = 1;
	if (c->o->log) {
		if (!isfinite(lo) || lo <= 0)
			lo = hi / 10;
		p->ax.lo = floor(log10(lo));
		p->ax.hi = ceil(log10(hi));
		if (p->ax.hi <= p->ax.lo)
			p->ax.hi = p->ax.lo + 1;
	} else {
		double t[32];
		size_t n = svg_ticks(0, hi * 1.04, 0, 6, t, 32);
		p->ax.lo = 0;
		p->ax.hi = n ? fmax(t[n - 1], hi * 1.04) : hi * 1.04;
		if (n && t[n - 1] < hi * 1.04)
			p->ax.hi = t[n - 1] + (n > 1 ? t[1] - t[0] : hi);
	}
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

static void grid_and_axis(struct chart *c, struct panel *p, double top, double bottom)
{
	FILE *f = c->f;
	double t[64];
	size_t n = svg_ticks(p->ax.lo, p->ax.hi, p->ax.log, 6, t, 64);
	for (size_t i = 0; i < n; i++) {
		double x = svg_x(&p->ax, t[i]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
			x, top, x, bottom);
		char num[32];
		svg_num(num, sizeof(num), t[i]);
		svg_text(f, x, bottom + 15, "text-anchor=\"middle\" font-size=\"11\"", num);
	}
	if (p->ax.log) {
		/* minor lines at 2..9 times each power of ten */
		for (double e = p->ax.lo; e < p->ax.hi; e++)
			for (int m = 2; m <= 9; m++) {
				double x = svg_x(&p->ax, m * pow(10, e));
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					   "stroke=\"#f2f2f2\"/>\n", x, top, x, bottom);
			}
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
		p->ax.x0, bottom, p->ax.x1, bottom);
	svg_textf(f, (p->ax.x0 + p->ax.x1) / 2, bottom + 33,
		  "text-anchor=\"middle\" font-size=\"12\"", "%s per call%s%s",
		  kunit_words(p->unit), p->ax.log ? ", logarithmic scale" : "",
		  c->o->dist ? "" : " (bar: headline; whisker: 25th to 75th percentile)");
}

/* The nanosecond axis above a panel, when its runs share a frequency. */
static void ns_axis(struct chart *c, struct panel *p, double y)
{
	FILE *f = c->f;
	double k = 1e9 / p->hz; /* ns per tick */
	struct svg_axis ns = p->ax;
	if (ns.log) {
		ns.lo = floor(ns.lo + log10(k));
		ns.hi = ceil(ns.hi + log10(k));
	} else {
		ns.lo *= k;
		ns.hi *= k;
	}
	double t[64];
	size_t n = svg_ticks(ns.lo, ns.hi, ns.log, 6, t, 64);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n",
		p->ax.x0, y, p->ax.x1, y);
	for (size_t i = 0; i < n; i++) {
		double x = svg_x(&p->ax, t[i] / k);
		if (x < p->ax.x0 - 0.5 || x > p->ax.x1 + 0.5)
			continue;
		if (!p->ax.log && t[i] / k > p->ax.hi * 1.0001)
			continue;
		char num[32];
		svg_num(num, sizeof(num), t[i]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n",
			x, y, x, y - 4);
		svg_text(f, x, y - 7, "text-anchor=\"middle\" font-size=\"11\" fill=\"#555\"", num);
	}
	svg_textf(f, p->ax.x0 - 12, y + 4, "text-anchor=\"end\" font-size=\"11\" fill=\"#555\"",
		  "ns (TSC %.3f GHz)", p->hz / 1e9);
}

static void value_label(struct chart *c, double x, double y, double v)
{
	char num[32];
	if (fabs(v) >= 100000)
		snprintf(num, sizeof(num), "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(num, sizeof(num), "%.1f", v);
	else
		snprintf(num, sizeof(num), "%.2f", v);
	svg_text(c->f, x, y, "font-size=\"10\" fill=\"#333\"", num);
}

static void draw_bar(struct chart *c, struct panel *p, const struct kresult *r, size_t k,
		     double y)
{
	FILE *f = c->f;
	struct shape s;
	shape_of(r, 0, &s);
	double base = p->ax.log ? p->ax.x0 : svg_x(&p->ax, 0);
	double xm = svg_x(&p->ax, s.med), x25 = svg_x(&p->ax, s.p25), x75 = svg_x(&p->ax, s.p75);
	double cy = y + BAR_H / 2;
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
		base, y, fmax(xm - base, 1), BAR_H, svg_color(k));
	fprintf(f, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" stroke=\"#111\" "
		   "stroke-width=\"1.2\" fill=\"none\"/>\n",
		x25, cy, x75, x25, cy - 4, cy + 4, x75, cy - 4, cy + 4);
	value_label(c, fmax(xm, x75) + 5, cy + 3.5, s.med);
}

static void draw_box(struct chart *c, struct panel *p, const struct kresult *r, size_t k,
		     double y)
{
	FILE *f = c->f;
	struct shape s;
	shape_of(r, 1, &s);
	double cy = y + BOX_H / 2;
	double xl = svg_x(&p->ax, s.lo), xh = svg_x(&p->ax, s.hi);
	double x25 = svg_x(&p->ax, s.p25), x75 = svg_x(&p->ax, s.p75), xm = svg_x(&p->ax, s.med);
	fprintf(f, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
		   "stroke=\"#333\" fill=\"none\"/>\n",
		xl, cy, x25, x75, cy, xh, xl, cy - 4, cy + 4, xh, cy - 4, cy + 4);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
		   "fill-opacity=\"0.35\" stroke=\"%s\"/>\n",
		x25, y, fmax(x75 - x25, 1), BOX_H, svg_color(k), svg_color(k));
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#111\" "
		   "stroke-width=\"2\"/>\n", xm, y, xm, y + BOX_H);
	/* one dot per pixel column is enough to show where outliers lie */
	double last = -1;
	for (size_t i = 0; i < s.n_out; i++) {
		double x = svg_x(&p->ax, s.out[i]);
		if (fabs(x - last) < 1.0)
			continue;
		last = x;
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\" fill-opacity=\"0.6\"/>\n",
			x, cy, svg_color(k));
	}
	double right = s.n_out ? fmax(xh, svg_x(&p->ax, s.out[s.n_out - 1])) : xh;
	value_label(c, right + 5, cy + 3.5, s.med);
	if (s.n_out)
		svg_textf(f, right + 5, cy + 14, "font-size=\"9\" fill=\"#888\"",
			  "%zu of %zu outliers", s.n_out, r->n_samples);
	if (!s.from_samples)
		svg_text(f, right + 5, cy + 14, "font-size=\"9\" fill=\"#888\"",
			 "min-max: no samples in the file");
	free(s.out);
}

static void draw_panel(struct chart *c, struct panel *p)
{
	FILE *f = c->f;
	double h = c->o->dist ? BOX_H : BAR_H, gap = c->o->dist ? 12 : 3;
	c->y += 34;
	svg_textf(f, 20, c->y, "font-size=\"15\" font-weight=\"bold\"", "%s world: %s per call",
		  strcmp(p->world, "linux") == 0 ? "Linux" : "Bare-metal", kunit_words(p->unit));
	if (p->hz) {
		c->y += 34;
		ns_axis(c, p, c->y);
	}
	c->y += 10;
	double top = c->y;
	/* rows: grid first (under the bars), so the rows are drawn twice */
	double group = (double)p->n_runs * (h + gap) + GROUP_GAP;
	double bottom = top + group * (double)p->n_rows;
	grid_and_axis(c, p, top, bottom);
	for (size_t j = 0; j < p->n_rows; j++) {
		const struct prow *row = &p->rows[j];
		double gy = top + group * (double)j + GROUP_GAP / 2;
		char name[160];
		snprintf(name, sizeof(name), "%s%s%s", row->id, row->variant ? " " : "",
			 row->variant ? row->variant : "");
		svg_text(f, c->label_w + 12, gy + (double)p->n_runs * (h + gap) / 2 - gap / 2 + 4,
			 "text-anchor=\"end\" font-size=\"12\"", name);
		for (size_t slot = 0; slot < p->n_runs; slot++) {
			size_t k = p->runs[slot];
			const struct kresult *r = cell(c->runs[k].run, p, row);
			double y = gy + (double)slot * (h + gap);
			if (!r)
				continue;
			if (r->status != KR_MEASURED) {
				char why[200];
				snprintf(why, sizeof(why), "skipped: %s", ktext_short(r->reason, 150));
				svg_text(f, p->ax.x0 + 4, y + h - 3,
					 "font-size=\"10\" fill=\"#777\" font-style=\"italic\"", why);
				continue;
			}
			if (c->o->dist)
				draw_box(c, p, r, k, y);
			else
				draw_bar(c, p, r, k, y);
		}
	}
	c->y = bottom + 40;
}

/* One run's environment in a sentence. */
static void env_line(const struct krun *run, char *buf, size_t n)
{
	const struct kenv *e = &run->env, *g = &run->guest_env;
	buf[0] = '\0';
	size_t used = 0;
#define ADD(...)                                                                    \
	do {                                                                        \
		int w_ = snprintf(buf + used, n - used, __VA_ARGS__);               \
		if (w_ > 0 && (size_t)w_ < n - used)                                \
			used += (size_t)w_;                                         \
	} while (0)
	if (kenv_get(e, "cpu.name"))
		ADD("%s", ktext_short(kenv_get(e, "cpu.name"), 60));
	if (kenv_get(e, "kernel.release"))
		ADD(", Linux %s", ktext_short(kenv_get(e, "kernel.release"), 40));
	if (kenv_get(e, "kpti"))
		ADD(", KPTI %s", ktext_short(kenv_get(e, "kpti"), 10));
	const char *mit = kenv_get(e, "kernel.cmdline_mitigations");
	if (mit && strcmp(mit, "none") != 0)
		ADD(", %s", ktext_short(mit, 80));
	if (kenv_get(e, "hypervisor"))
		ADD(", hypervisor %s", ktext_short(kenv_get(e, "hypervisor"), 20));
	double hz = env_hz(run, "linux");
	if (hz > 0)
		ADD(", TSC %.3f GHz", hz / 1e9);
#define G(k, max) ktext_short(kenv_get(g, k) ? kenv_get(g, k) : "?", max)
	const char *emu = kenv_get(g, "emulator");
	if (!g->n)
		;
	else if (emu && strcmp(emu, "bochs") == 0)
		ADD("; bare-metal world: Bochs %s, CPU model %s (its TSC counts instructions)",
		    G("emulator.version", 20), G("emulator.cpu", 30));
	else if (kenv_get(g, "accel"))
		ADD("; bare-metal world: QEMU %s %s, CPU model %s, icount %s", G("qemu.version", 20),
		    G("accel", 10), G("qemu.cpu", 30), G("icount", 20));
	else if (kenv_get(g, "capture.file"))
		ADD("; bare-metal world: a serial console capture, %s", G("cpu.name", 60));
	else
		ADD("; bare-metal world: %s", G("cpu.name", 60));
#undef G
#undef ADD
}

static void caption(struct chart *c)
{
	FILE *f = c->f;
	svg_text(f, 20, c->y, "font-size=\"12\" font-weight=\"bold\"", "Environments");
	c->y += 18;
	for (size_t k = 0; k < c->n_runs; k++) {
		char line[1024];
		env_line(c->runs[k].run, line, sizeof(line));
		fprintf(f, "<rect x=\"20\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
			c->y - 9, svg_color(k));
		char lead[200];
		snprintf(lead, sizeof(lead), "%s: ", ktext_short(c->runs[k].label, 60));
		/* wrap at about 140 characters */
		const char *p = line;
		int first = 1;
		while (*p || first) {
			size_t len = strlen(p), cut = len;
			size_t room = first ? 140 - strlen(lead) : 140;
			if (len > room) {
				cut = room;
				while (cut > 0 && p[cut] != ' ')
					cut--;
				if (cut == 0)
					cut = room;
			}
			char part[1024];
			snprintf(part, sizeof(part), "%s%.*s", first ? lead : "    ", (int)cut, p);
			svg_text(f, 36, c->y, "font-size=\"11\"", part);
			c->y += 15;
			p += cut;
			while (*p == ' ')
				p++;
			first = 0;
		}
	}
}

static void header(struct chart *c)
{
	FILE *f = c->f;
	c->y = 30;
	svg_text(f, 20, c->y, "font-size=\"18\" font-weight=\"bold\"",
		 c->o->title ? c->o->title
			     : c->o->dist ? "kentry: the distribution of every path's cost"
					  : "kentry: what each way into the kernel costs");
	c->y += 20;
	svg_text(f, 20, c->y, "font-size=\"12\" fill=\"#444\"",
		 c->o->dist ? "box: 25th to 75th percentile; line: median; whiskers: the farthest "
			      "sample within 1.5 box lengths; dots: samples beyond (outliers), "
			      "counted under the median"
			    : "bars: headline per call (lower quartile of the round medians, or "
			      "median); whiskers: 25th to 75th percentile; lower is faster");
	for (size_t k = 0; k < c->n_runs; k++) {
		c->y += 18;
		fprintf(f, "<rect x=\"20\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
			c->y - 10, svg_color(k));
		const struct krun *run = c->runs[k].run;
		char t[300];
		snprintf(t, sizeof(t), "%s (kentry %s, %s)", ktext_short(c->runs[k].label, 80),
			 ktext_short(run->kentry_version ? run->kentry_version : "?", 20),
			 ktext_short(run->created ? run->created : "?", 30));
		svg_text(f, 38, c->y, "font-size=\"12\"", t);
	}
}

int kplot_svg(const struct kplot_run *runs, size_t n, const struct kplot_opts *o, char **out,
	      char *err, size_t errlen)
{
	struct chart *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->runs = runs;
	c->n_runs = n;
	c->o = o;
	collect(c);
	int measured = 0;
	double lw = 80;
	for (size_t i = 0; i < c->n_panels; i++)
		for (size_t j = 0; j < c->p[i].n_rows; j++) {
			char name[160];
			snprintf(name, sizeof(name), "%s%s%s", c->p[i].rows[j].id,
				 c->p[i].rows[j].variant ? " " : "",
				 c->p[i].rows[j].variant ? c->p[i].rows[j].variant : "");
			lw = fmax(lw, svg_text_width(name, 12));
			for (size_t k = 0; k < n; k++) {
				const struct kresult *r = cell(runs[k].run, &c->p[i], &c->p[i].rows[j]);
				measured |= r && r->status == KR_MEASURED;
			}
		}
	if (!measured) {
		snprintf(err, errlen, "nothing to draw: no path was measured in %s%s",
			 n > 1 ? "these files" : "this file",
			 o->world ? " in that world" : "");
		free(c);
		return -1;
	}
	c->label_w = fmin(lw, 260);
	for (size_t i = 0; i < c->n_panels; i++)
		scale(c, &c->p[i]);

	/* the body first (its height is known only at the end), then the
	 * document around it */
	char *body = NULL;
	size_t blen;
	c->f = open_memstream(&body, &blen);
	if (!c->f) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	header(c);
	for (size_t i = 0; i < c->n_panels; i++)
		draw_panel(c, &c->p[i]);
	caption(c);
	fclose(c->f);
	double height = c->y + 10;
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f) {
		free(body);
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		   "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\">\n"
		   "<title>kentry plot</title>\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		   WIDTH, height, WIDTH, height, SVG_FONT);
	fputs(body ? body : "", f);
	fputs("</svg>\n", f);
	free(body);
	free(c);
	return fclose(f) == 0 ? 0 : -1;
}
