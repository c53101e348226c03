/* kentry results: how sure a difference of two runs' figures is.
 *
 * A two-sample percentile bootstrap: each run's values are resampled with
 * replacement (as many as it has), the statistic of each resample is
 * computed (the median of samples, or the lower quartile of round medians:
 * kentry's headline), the two are subtracted, and this is repeated; the
 * interval holds the central `level` of those differences. The random
 * numbers come from a fixed seed (derived from the path's key), so the
 * same two files always give the same interval. See docs/method.md. */
#ifndef KENTRY_RESULTS_BOOTSTRAP_H
#define KENTRY_RESULTS_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#define KBOOT_RESAMPLES 2000u

enum kboot_stat {
	KBOOT_MEDIAN,          /* the median (mean of the middle two for an even n) */
	KBOOT_LOWER_QUARTILE,  /* nearest rank: the ceil(n/4)-th smallest */
};

/* One run's side: its values and the statistic that makes its figure. */
struct kboot_side {
	const double *v;
	size_t n;              /* >= 1 */
	enum kboot_stat stat;
};

struct kci {
	double diff;           /* stat(b) - stat(a) */
	double lo, hi;         /* its interval */
	double rel, rel_lo, rel_hi; /* stat(b) / stat(a) - 1 and its interval,
				     * when stat(a) and every resampled one are > 0 */
	int has_rel;
};

/* A seed from a text (FNV-1a). */
uint64_t kboot_seed(const char *key);

/* The statistic of v (n > 0), reordering v. */
double kboot_stat(double *v, size_t n, enum kboot_stat stat);
double kboot_median(double *v, size_t n);

/* The bootstrap interval of stat(b) - stat(a); level in (0, 1). Returns 0,
 * or -1 when memory ran out. */
int kboot_diff(const struct kboot_side *a, const struct kboot_side *b, unsigned resamples,
	       double level, uint64_t seed, struct kci *out);

/* kboot_diff of two medians. */
int kboot_median_diff(const double *a, size_t na, const double *b, size_t nb,
		      unsigned resamples, double level, uint64_t seed, struct kci *out);

#endif
