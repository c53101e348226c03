/* Statistics against known vectors, and the CPUID decoders. */
#include "unit/t.h"
#include "core/cpuinfo.h"
#include "core/measure.h"
#include "core/stats.h"

#include <stdlib.h>

static uint64_t fake_cost;
static uint64_t fake_batch(void *ctx, uint32_t n)
{
	(void)ctx;
	return 40 + (uint64_t)n * (2 + fake_cost); /* timer 40, loop 2/iter */
}
static uint64_t fake_empty(void *ctx, uint32_t n)
{
	(void)ctx;
	return 40 + (uint64_t)n * 2;
}

/* A machine that drifts: every batch, op or empty, finds the timer and
 * the loop 1 tick dearer than the one before (a slowly warming host, a
 * frequency change). The operation itself always costs 100 per call. */
static uint64_t drift;
static uint64_t drift_op(void *ctx, uint32_t n)
{
	(void)ctx;
	return 40 + drift++ + (uint64_t)n * (2 + 100);
}
static uint64_t drift_empty(void *ctx, uint32_t n)
{
	(void)ctx;
	return 40 + drift++ + (uint64_t)n * 2;
}

int main(void)
{
	struct kstats s;

	/* 1..10 shuffled: median 5.5, mean 5.5, sample sd sqrt(55/6) */
	double v[10] = { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 };
	T_CHECK(kstats_compute(v, 10, &s) == 0);
	T_EQ_U64(s.n, 10);
	T_NEAR(s.min, 1, 0);
	T_NEAR(s.max, 10, 0);
	T_NEAR(s.median, 5.5, 1e-12);
	T_NEAR(s.mean, 5.5, 1e-12);
	T_NEAR(s.stddev, 3.0276503540974917, 1e-12);
	T_NEAR(s.p25, 3, 0);   /* nearest rank ceil(2.5) = 3rd */
	T_NEAR(s.p75, 8, 0);   /* ceil(7.5) = 8th */
	T_NEAR(s.p99, 10, 0);  /* ceil(9.9) = 10th */
	for (int i = 0; i < 10; i++)
		T_CHECK(v[i] == (double)(i + 1)); /* sorted in place */

	/* odd count, duplicates */
	double w[5] = { 2, 2, 9, 2, 4 };
	kstats_compute(w, 5, &s);
	T_NEAR(s.median, 2, 0);
	T_NEAR(s.mean, 3.8, 1e-12);
	T_NEAR(s.stddev, 3.0331501776206204, 1e-12);

	/* one sample: no spread */
	double one[1] = { 42 };
	kstats_compute(one, 1, &s);
	T_NEAR(s.stddev, 0, 0);
	T_NEAR(s.p99, 42, 0);
	T_CHECK(kstats_compute(one, 0, &s) == -1);
	T_EQ_U64(s.n, 0);

	/* p99 of 1..1000 is 990; heap sort of a reversed large array */
	double *big = malloc(1000 * sizeof(double));
	for (int i = 0; i < 1000; i++)
		big[i] = 1000 - i;
	kstats_compute(big, 1000, &s);
	T_NEAR(s.p99, 990, 0);
	T_NEAR(s.median, 500.5, 1e-12);
	int sorted = 1;
	for (int i = 1; i < 1000; i++)
		sorted &= big[i - 1] <= big[i];
	T_CHECK(sorted);
	free(big);

	/* spread and scaling */
	struct kstats t = { .n = 3, .min = 90, .p25 = 95, .median = 100, .p75 = 110,
			    .p99 = 150, .max = 160, .mean = 105, .stddev = 10 };
	T_NEAR(kstats_rel_spread(&t), 0.15, 1e-12);
	struct kstats u;
	kstats_scale(&t, 0.5, &u);
	T_NEAR(u.median, 50, 0);
	T_NEAR(u.stddev, 5, 0);
	T_EQ_U64(u.n, 3);

	/* measurement arithmetic: overhead is subtracted exactly */
	fake_cost = 100;
	double samples[20];
	struct kmeasure_info info = { 0 };
	kmeasure_run(fake_batch, fake_empty, NULL, 20, 2000, samples, &info);
	T_EQ_U64(info.batch, 20); /* 2000 target / 100 per call */
	T_NEAR(info.overhead_cycles, 40 + 20 * 2, 0);
	for (int i = 0; i < 20; i++)
		T_NEAR(samples[i], 100, 1e-9);
	fake_cost = 1000000;
	struct kmeasure_info info2 = { 0 };
	kmeasure_run(fake_batch, fake_empty, NULL, 20, 2000, samples, &info2);
	T_EQ_U64(info2.batch, 1);

	/* Overhead calibrated beside the samples: under a steady drift the
	 * empty batches interleaved with the op batches carry the same drift,
	 * so the median per-call figure is the operation's cost exactly. (An
	 * overhead calibrated once before the samples would leave half the
	 * drift of the run in every figure: here 2000 batches -> ~1000/n.) */
	static double ds[1000];
	struct kmeasure_info di = { 0 };
	di.batch = 10;
	di.warmup = 4;
	drift = 0;
	kmeasure_run(drift_op, drift_empty, NULL, 1000, 2000, ds, &di);
	T_EQ_U64(di.empties, 1000); /* op, empty, op, empty... */
	struct kstats dst;
	kstats_compute(ds, 1000, &dst);
	T_NEAR(dst.median, 100, 0.11);
	printf("# drift: median %.3f, min %.3f, max %.3f per call\n", dst.median, dst.min,
	       dst.max);
	/* more samples than KMEASURE_MAX_EMPTIES: one empty per k op batches,
	 * still spread over the whole run */
	static double big2[5000];
	struct kmeasure_info bi = { 0 };
	bi.batch = 10;
	drift = 0;
	kmeasure_run(drift_op, drift_empty, NULL, 5000, 2000, big2, &bi);
	T_CHECK(bi.empties <= KMEASURE_MAX_EMPTIES && bi.empties >= 900);
	kstats_compute(big2, 5000, &dst);
	T_NEAR(dst.median, 100, 0.6);
	/* single calls: batch 1 is kept, the overhead is one empty call */
	fake_cost = 100;
	struct kmeasure_info one1 = { 0 };
	one1.batch = 1;
	kmeasure_run(fake_batch, fake_empty, NULL, 20, 2000, samples, &one1);
	T_EQ_U64(one1.batch, 1);
	T_NEAR(one1.overhead_cycles, 42, 0);
	T_NEAR(samples[0], 100, 1e-9);

	/* display family/model (SDM vol. 2A, CPUID EAX=1) */
	uint32_t fam, mod, step;
	kcpuinfo_decode_signature(0x000906ea, &fam, &mod, &step); /* Coffee Lake */
	T_EQ_U64(fam, 6);
	T_EQ_U64(mod, 0x9e);
	T_EQ_U64(step, 10);
	kcpuinfo_decode_signature(0x00a20f12, &fam, &mod, &step); /* Zen 3 */
	T_EQ_U64(fam, 0x19);
	T_EQ_U64(mod, 0x21);
	T_EQ_U64(step, 2);
	kcpuinfo_decode_signature(0x00000543, &fam, &mod, &step); /* Pentium: no ext */
	T_EQ_U64(fam, 5);
	T_EQ_U64(mod, 4);

	return T_DONE();
}
