/* kentry results: charts of saved runs as SVG (kentry plot).
 *
 * One panel per world and unit (TSC ticks, or guest instructions under
 * QEMU -icount), one row per path, one bar or box per run:
 *   bars  the median, with a whisker from the 25th to the 75th percentile;
 *   dist  the distribution of the samples: a box from the 25th to the 75th
 *         percentile, the median as a line, whiskers to the farthest sample
 *         within 1.5 interquartile ranges of the box (Tukey), every sample
 *         beyond as a dot; a file without samples draws min to max.
 * Axes carry their unit, with a second axis in nanoseconds when the runs
 * of a panel share one TSC frequency; the runs' environments are the
 * caption. Text is <text>, so it can be selected and searched. */
#ifndef KENTRY_RESULTS_PLOT_SVG_H
#define KENTRY_RESULTS_PLOT_SVG_H

#include <stddef.h>
#include "core/result.h"

struct kplot_run {
	const struct krun *run;
	const char *label;
};

struct kplot_opts {
	int dist;            /* the distribution instead of bars */
	int log;             /* logarithmic axis */
	const char *world;   /* NULL: every world */
	const char *title;   /* NULL: a default */
};

/* The chart as a malloc'd SVG document. Returns 0, or -1 with the reason
 * in err (nothing measured to draw). */
int kplot_svg(const struct kplot_run *runs, size_t n, const struct kplot_opts *o, char **out,
	      char *err, size_t errlen);

#endif
