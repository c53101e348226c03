/* kentry core: descriptive statistics of timing samples.
 *
 * Built twice: hosted (the Linux world, the host CLI, the 32-bit helper) and
 * freestanding (the bare-metal kernel). It therefore uses no libc at all:
 * its own sort, and the compiler's square-root builtin (sqrtsd with
 * -fno-math-errno, fsqrt on x87). */
#ifndef KENTRY_CORE_STATS_H
#define KENTRY_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

struct kstats {
	uint64_t n;      /* number of samples */
	double min;
	double p25;
	double median;   /* mean of the two middle values when n is even */
	double p75;
	double p99;      /* nearest-rank 99th percentile */
	double max;
	double mean;
	double stddev;   /* sample standard deviation (n - 1); 0 when n < 2 */
};

/* Sorts v ascending in place (heap sort: O(n log n), no recursion, no
 * allocation, safe for a kernel stack). */
void kstats_sort(double *v, size_t n);

/* Nearest-rank percentile of an ascending array: the smallest value such
 * that at least pct percent of the samples are <= it. pct in [0, 100]. */
double kstats_percentile_sorted(const double *v, size_t n, double pct);

/* Sorts v and fills *out. Returns 0, or -1 when n == 0 (out is zeroed). */
int kstats_compute(double *v, size_t n, struct kstats *out);

/* Relative spread used to decide whether a figure is trustworthy:
 * interquartile range over median. Returns a large value when median <= 0. */
double kstats_rel_spread(const struct kstats *s);

/* Scales every field but n by k (cycles -> nanoseconds). */
void kstats_scale(const struct kstats *in, double k, struct kstats *out);

#endif
