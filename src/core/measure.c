/* kentry core: sampling. See measure.h. */
#include "measure.h"
#include "stats.h"

double kmeasure_overhead(kbatch_fn empty, void *ctx, uint32_t n, uint32_t reps)
{
	double v[1001];
	if (reps == 0)
		reps = 1;
	if (reps > 1001)
		reps = 1001;
	for (uint32_t i = 0; i < 8; i++) /* warm the loop and the timer */
		(void)empty(ctx, n);
	for (uint32_t i = 0; i < reps; i++)
		v[i] = (double)empty(ctx, n);
	struct kstats s;
	kstats_compute(v, reps, &s);
	return s.median;
}

uint32_t kmeasure_pick_batch(kbatch_fn op, kbatch_fn empty, void *ctx,
			     uint64_t target_cycles, uint32_t max_batch,
			     double *per_call)
{
	enum { PROBES = 15 };
	double v[PROBES];
	for (int i = 0; i < 3; i++)
		(void)op(ctx, 1);
	double over = kmeasure_overhead(empty, ctx, 1, 31);
	for (int i = 0; i < PROBES; i++)
		v[i] = (double)op(ctx, 1) - over;
	struct kstats s;
	kstats_compute(v, PROBES, &s);
	double c = s.median > 1.0 ? s.median : 1.0;
	if (per_call)
		*per_call = s.median;
	double b = (double)target_cycles / c;
	if (b < 1.0)
		return 1;
	if (b > (double)max_batch)
		return max_batch;
	return (uint32_t)b;
}

void kmeasure_interleaved(kbatch_fn op, kbatch_fn empty, void *ctx, uint32_t batch,
			  uint32_t samples, uint32_t warmup, double *out,
			  double *overhead, uint32_t *empties)
{
	double e[KMEASURE_MAX_EMPTIES];
	uint32_t ne = 0;
	/* One empty batch after every `stride`-th op batch: stride 1 (strict
	 * alternation) up to KMEASURE_MAX_EMPTIES samples. */
	uint32_t stride = samples <= KMEASURE_MAX_EMPTIES
				  ? 1
				  : (samples + KMEASURE_MAX_EMPTIES - 1) / KMEASURE_MAX_EMPTIES;
	if (batch == 0)
		batch = 1;
	for (uint32_t i = 0; i < warmup; i++) {
		(void)op(ctx, batch);
		(void)empty(ctx, batch);
	}
	/* raw op batches first, in out[]; converted once the overhead of the
	 * same stretch of time is known */
	for (uint32_t i = 0; i < samples; i++) {
		out[i] = (double)op(ctx, batch);
		if (i % stride == 0 && ne < KMEASURE_MAX_EMPTIES)
			e[ne++] = (double)empty(ctx, batch);
	}
	struct kstats s;
	kstats_compute(e, ne, &s);
	for (uint32_t i = 0; i < samples; i++)
		out[i] = (out[i] - s.median) / (double)batch;
	*overhead = s.median;
	*empties = ne;
}

void kmeasure_run(kbatch_fn op, kbatch_fn empty, void *ctx, uint32_t samples,
		  uint64_t target_cycles, double *out, struct kmeasure_info *info)
{
	if (info->batch == 0)
		info->batch = kmeasure_pick_batch(op, empty, ctx, target_cycles,
						  KMEASURE_MAX_BATCH,
						  &info->probe_cycles);
	if (info->warmup == 0)
		info->warmup = samples / 10 > 4 ? samples / 10 : 4;
	kmeasure_interleaved(op, empty, ctx, info->batch, samples, info->warmup, out,
			     &info->overhead_cycles, &info->empties);
	info->samples = samples;
}
