/* kentry core: judging rounds. See rounds.h. */
#include "rounds.h"
#include "stats.h"

int kround_judge(const struct kround *r, size_t n, double *scratch,
		 struct kround_verdict *v)
{
	struct kround_verdict z = { 0 };
	*v = z;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v->nivcsw += r[i].nivcsw;
		v->steal += r[i].steal;
		if (r[i].nivcsw || r[i].steal)
			v->switched++;
	}
	for (size_t i = 0; i < n; i++)
		scratch[i] = r[i].iqr;
	kstats_sort(scratch, n);
	v->iqr = n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2.0;
	for (size_t i = 0; i < n; i++)
		scratch[i] = r[i].median;
	kstats_sort(scratch, n);
	v->rounds = (uint32_t)n;
	v->headline = kstats_percentile_sorted(scratch, n, 25.0);
	v->lo = scratch[0];
	v->hi = scratch[n - 1];
	if (v->headline > 0.0) {
		v->spread = (v->hi - v->lo) / v->headline;
		double above = v->headline * (1.0 + KROUND_SLOW);
		double below = v->headline * (1.0 - KROUND_SLOW);
		for (size_t i = 0; i < n; i++) {
			if (r[i].median > above)
				v->slow++;
			if (r[i].median < below)
				v->fast++;
		}
	}
	v->disturbed = (uint64_t)v->switched * 4 > n || (uint64_t)v->slow * 2 > n ||
		       v->fast > 0;
	return 0;
}
