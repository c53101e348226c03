/* kentry results: a seeded bootstrap of the difference of two medians (see
 * bootstrap.h). */
#include "bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t kboot_seed(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* splitmix64: a small, well-mixed generator; plenty for resampling. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A uniform index below n (Lemire's multiply-shift; the bias is below
 * n / 2^64). */
static size_t below(uint64_t *s, size_t n)
{
	return (size_t)(((unsigned __int128)next(s) * n) >> 64);
}

/* Wirth's selection (Algorithms + Data Structures = Programs, "find"):
 * afterwards v[k] is the k-th smallest, nothing before it is larger and
 * nothing after it smaller. */
static void select_k(double *v, size_t n, size_t k)
{
	long l = 0, r = (long)n - 1, kk = (long)k;
	while (l < r) {
		double x = v[kk];
		long i = l, j = r;
		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			r = j;
	}
}

double kboot_median(double *v, size_t n)
{
	size_t k = n / 2;
	select_k(v, n, k);
	if (n % 2)
		return v[k];
	double below_max = v[0];
	for (size_t i = 1; i < k; i++)
		if (v[i] > below_max)
			below_max = v[i];
	return (below_max + v[k]) / 2.0;
}

double kboot_stat(double *v, size_t n, enum kboot_stat stat)
{
	if (stat == KBOOT_MEDIAN)
		return kboot_median(v, n);
	size_t rank = (n + 3) / 4; /* ceil(n / 4), 1-based */
	select_k(v, n, rank - 1);
	return v[rank - 1];
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The p-quantile of sorted v (linear between neighbours). */
static double quantile(const double *v, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t i = (size_t)pos;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

/* stat of a resample of side s, drawn into tmp */
static double resampled(const struct kboot_side *s, double *tmp, uint64_t *state)
{
	for (size_t i = 0; i < s->n; i++)
		tmp[i] = s->v[below(state, s->n)];
	return kboot_stat(tmp, s->n, s->stat);
}

int kboot_diff(const struct kboot_side *a, const struct kboot_side *b, unsigned resamples,
	       double level, uint64_t seed, struct kci *out)
{
	memset(out, 0, sizeof(*out));
	double *tmp = malloc((a->n > b->n ? a->n : b->n) * sizeof(double));
	double *d = malloc(resamples * sizeof(double));
	double *r = malloc(resamples * sizeof(double));
	if (!tmp || !d || !r) {
		free(tmp);
		free(d);
		free(r);
		return -1;
	}
	memcpy(tmp, a->v, a->n * sizeof(double));
	double ma = kboot_stat(tmp, a->n, a->stat);
	memcpy(tmp, b->v, b->n * sizeof(double));
	double mb = kboot_stat(tmp, b->n, b->stat);
	out->diff = mb - ma;
	int rel_ok = ma > 0;
	uint64_t s = seed;
	for (unsigned k = 0; k < resamples; k++) {
		double ra = resampled(a, tmp, &s);
		double rb = resampled(b, tmp, &s);
		d[k] = rb - ra;
		if (ra > 0)
			r[k] = rb / ra - 1.0;
		else
			rel_ok = 0;
	}
	double tail = (1.0 - level) / 2.0;
	qsort(d, resamples, sizeof(double), cmp_double);
	out->lo = quantile(d, resamples, tail);
	out->hi = quantile(d, resamples, 1.0 - tail);
	if (rel_ok) {
		qsort(r, resamples, sizeof(double), cmp_double);
		out->rel = mb / ma - 1.0;
		out->rel_lo = quantile(r, resamples, tail);
		out->rel_hi = quantile(r, resamples, 1.0 - tail);
		out->has_rel = 1;
	}
	free(tmp);
	free(d);
	free(r);
	return 0;
}

int kboot_median_diff(const double *a, size_t na, const double *b, size_t nb,
		      unsigned resamples, double level, uint64_t seed, struct kci *out)
{
	struct kboot_side sa = { a, na, KBOOT_MEDIAN }, sb = { b, nb, KBOOT_MEDIAN };
	return kboot_diff(&sa, &sb, resamples, level, seed, out);
}
