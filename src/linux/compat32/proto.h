/* kentry: the text protocol a measuring child (the forked 64-bit child, or
 * the 32-bit helper on its stdout) speaks to the runner (runner.c).
 *
 *   skip <reason>                      the path cannot run here; nothing else
 *   note <text>                        optional remark, before `end`
 *   ok                                 probe mode: one call succeeded
 *   info batch=<b> overhead=<cycles>   then one line per sample:
 *   s <cycles per call>
 *   end                                the run is complete
 *
 * A child that dies before `end` (SIGILL, SIGSEGV, SIGSYS...) is judged by
 * its wait status instead. Shared by both builds; header-only. */
#ifndef KENTRY_LINUX_COMPAT32_PROTO_H
#define KENTRY_LINUX_COMPAT32_PROTO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/measure.h"

static inline void kproto_skip(FILE *f, const char *reason)
{
	fprintf(f, "skip %s\nend\n", reason);
	fflush(f);
}

/* Probe: one call of the operation (it must return to us to count). */
static inline void kproto_probe(FILE *f, kbatch_fn op, void *ctx)
{
	(void)op(ctx, 1);
	fprintf(f, "ok\nend\n");
	fflush(f);
}

/* Writes a measured run (after the path's state has been undone). */
static inline void kproto_samples(FILE *f, const struct kmeasure_info *info,
				  const double *v, uint32_t n)
{
	fprintf(f, "info batch=%u overhead=%.3f\n", (unsigned)info->batch,
		info->overhead_cycles);
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "s %.3f\n", v[i]);
	fprintf(f, "end\n");
	fflush(f);
}

#endif
