/* kentry core: turning timed batches into per-call cycle samples.
 *
 * One sample is one batch: the operation run `n` times in a loop between two
 * ktsc_read() calls (tsc.h). A batch function returns the raw TSC delta of
 * that region, timer included. Every path supplies two batch functions with
 * the same loop: `op`, whose body is the operation, and `empty`, whose body
 * is nothing. The cost of the timer and of the loop is the median of many
 * `empty` batches with the same n; it is subtracted from every `op` batch and
 * the difference divided by n gives the per-call figure.
 *
 *   per_call[i] = (op_batch_i(n) - median_j empty_batch_j(n)) / n
 *
 * Built hosted (Linux world, 32-bit helper) and freestanding (kernel). */
#ifndef KENTRY_CORE_MEASURE_H
#define KENTRY_CORE_MEASURE_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t (*kbatch_fn)(void *ctx, uint32_t n);

struct kmeasure_info {
	uint32_t batch;          /* calls per sample */
	uint32_t samples;        /* samples produced */
	uint32_t warmup;         /* batches run and discarded before timing */
	double overhead_cycles;  /* timer + loop cost of one empty batch */
	double probe_cycles;     /* per-call estimate used to choose the batch */
};

/* Default number of cycles one sample should last: long enough that the
 * timer's own cost is a small part of it, short enough that few samples
 * contain a timer interrupt (a 250 Hz tick every ~10^7 cycles). */
#define KMEASURE_TARGET_CYCLES 20000u
#define KMEASURE_MAX_BATCH 4096u
#define KMEASURE_OVERHEAD_REPS 101u

/* Median of `reps` runs of `empty` with the given n (reps <= 1001). */
double kmeasure_overhead(kbatch_fn empty, void *ctx, uint32_t n, uint32_t reps);

/* Chooses the batch size so that one sample lasts about target_cycles:
 * times single calls (after a few warm-up calls) and divides. Always at
 * least 1 and at most max_batch. *per_call gets the estimate used. */
uint32_t kmeasure_pick_batch(kbatch_fn op, kbatch_fn empty, void *ctx,
			     uint64_t target_cycles, uint32_t max_batch,
			     double *per_call);

/* Runs `warmup` discarded batches, then `samples` timed batches of `batch`
 * calls, writing per-call cycles (overhead subtracted) into out[0..samples).
 * A sample can come out slightly negative only if the operation costs less
 * than the noise of the empty loop; it is kept as measured. */
void kmeasure_samples(kbatch_fn op, void *ctx, uint32_t batch, uint32_t samples,
		      uint32_t warmup, double overhead, double *out);

/* The whole sequence for one path: pick a batch (unless info->batch is
 * already non-zero), calibrate the overhead for that batch, warm up, and
 * take `samples` samples into out. Fills info. */
void kmeasure_run(kbatch_fn op, kbatch_fn empty, void *ctx, uint32_t samples,
		  uint64_t target_cycles, double *out, struct kmeasure_info *info);

#endif
