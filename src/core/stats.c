/* kentry core: descriptive statistics. See stats.h. */
#include "stats.h"

static void sift_down(double *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (!(v[child] > v[root]))
			return;
		double t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

void kstats_sort(double *v, size_t n)
{
	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n - 1; end > 0; end--) {
		double t = v[0];
		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
}

double kstats_percentile_sorted(const double *v, size_t n, double pct)
{
	if (n == 0)
		return 0.0;
	if (pct <= 0.0)
		return v[0];
	if (pct >= 100.0)
		return v[n - 1];
	/* nearest rank: ceil(pct/100 * n), 1-based */
	double r = pct / 100.0 * (double)n;
	size_t rank = (size_t)r;
	if ((double)rank < r)
		rank++;
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

int kstats_compute(double *v, size_t n, struct kstats *out)
{
	struct kstats s = { 0 };
	if (n == 0) {
		*out = s;
		return -1;
	}
	kstats_sort(v, n);
	s.n = n;
	s.min = v[0];
	s.max = v[n - 1];
	s.median = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	s.p25 = kstats_percentile_sorted(v, n, 25.0);
	s.p75 = kstats_percentile_sorted(v, n, 75.0);
	s.p99 = kstats_percentile_sorted(v, n, 99.0);

	/* Two-pass mean and variance: exact enough for cycle counts and free
	 * of the cancellation a one-pass sum of squares suffers. */
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s.mean = sum / (double)n;
	if (n > 1) {
		double ss = 0.0;
		for (size_t i = 0; i < n; i++) {
			double d = v[i] - s.mean;
			ss += d * d;
		}
		s.stddev = __builtin_sqrt(ss / (double)(n - 1));
	}
	*out = s;
	return 0;
}

double kstats_rel_spread(const struct kstats *s)
{
	if (!(s->median > 0.0))
		return 1e9;
	return (s->p75 - s->p25) / s->median;
}

void kstats_scale(const struct kstats *in, double k, struct kstats *out)
{
	struct kstats s = *in;
	s.min *= k;
	s.p25 *= k;
	s.median *= k;
	s.p75 *= k;
	s.p99 *= k;
	s.max *= k;
	s.mean *= k;
	s.stddev *= k;
	*out = s;
}
