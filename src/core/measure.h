/* kentry core: turning timed batches into per-call tick samples.
 *
 * One sample is one batch: the operation run `n` times in a loop between two
 * ktsc_read() calls (tsc.h). A batch function returns the raw TSC delta of
 * that region, timer included. Every path supplies two batch functions with
 * the same loop: `op`, whose body is the operation, and `empty`, whose body
 * is nothing. Empty batches of the same n are run *between* the op batches
 * (op, empty, op, empty...: see kmeasure_run), so that a drift of the
 * machine during the samples moves the overhead as it moves the samples;
 * the median of those empty batches is subtracted from every op batch and
 * the difference divided by n gives the per-call figure:
 *
 *   per_call[i] = (op_batch_i(n) - median_j empty_batch_j(n)) / n
 *
 * With n = 1 (single-call mode) a sample is one fenced call and min, median,
 * p99 and max are single-call figures; with n > 1 they are statistics of
 * batch means (a batch's mean hides the spread of the calls inside it).
 *
 * All figures are TSC ticks: the TSC counts at a constant rate (invariant
 * TSC), not core clock cycles; under QEMU -icount or Bochs it counts
 * instructions.
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
	uint32_t empties;        /* empty batches interleaved with the samples */
	double overhead_cycles;  /* median of those empty batches (ticks) */
	double probe_cycles;     /* per-call estimate used to choose the batch */
};

/* Default number of ticks one sample should last: long enough that the
 * timer's own cost is a small part of it, short enough that few samples
 * contain a timer interrupt (a 250 Hz tick every ~10^7 ticks). */
#define KMEASURE_TARGET_CYCLES 20000u
#define KMEASURE_MAX_BATCH 4096u
/* At most this many empty batches per run: one after every op batch up to
 * this many samples, one after every k-th beyond (spread evenly). */
#define KMEASURE_MAX_EMPTIES 1001u

/* Median of `reps` runs of `empty` with the given n (reps <= 1001). */
double kmeasure_overhead(kbatch_fn empty, void *ctx, uint32_t n, uint32_t reps);

/* Chooses the batch size so that one sample lasts about target_cycles:
 * times single calls (after a few warm-up calls) and divides. Always at
 * least 1 and at most max_batch. *per_call gets the estimate used. */
uint32_t kmeasure_pick_batch(kbatch_fn op, kbatch_fn empty, void *ctx,
			     uint64_t target_cycles, uint32_t max_batch,
			     double *per_call);

/* Runs `warmup` discarded op and empty batches, then `samples` timed op
 * batches of `batch` calls with empty batches of the same size interleaved
 * (one after each op batch, or after every k-th when samples exceeds
 * KMEASURE_MAX_EMPTIES). Writes per-call ticks (overhead subtracted) into
 * out[0..samples) and the subtracted overhead into *overhead, the number
 * of empty batches into *empties. A sample can come out slightly negative
 * only if the operation costs less than the noise of the empty loop; it is
 * kept as measured. */
void kmeasure_interleaved(kbatch_fn op, kbatch_fn empty, void *ctx, uint32_t batch,
			  uint32_t samples, uint32_t warmup, double *out,
			  double *overhead, uint32_t *empties);

/* The whole sequence for one path: pick a batch (unless info->batch is
 * already non-zero, e.g. 1 for single calls or the batch of an earlier
 * round), warm up (info->warmup, or a tenth of the samples and at least 4),
 * and take `samples` interleaved samples into out. Fills info. */
void kmeasure_run(kbatch_fn op, kbatch_fn empty, void *ctx, uint32_t samples,
		  uint64_t target_cycles, double *out, struct kmeasure_info *info);

#endif
