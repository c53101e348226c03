/* kentry: the text protocol between the runner (runner.c) and a measuring
 * child: the forked 64-bit child, or the 32-bit helper on its stdin and
 * stdout. One child serves one path for the whole run; the runner drives
 * all of them round-robin.
 *
 * Child to runner:
 *   unpinned <reason>                  it could not be pinned (first line)
 *   skip <reason>                      the path cannot run here; then `end`
 *   note <text>                        optional remark
 *   ok                                 probe mode: one call succeeded
 *   ready                              serve mode: prepared, waiting
 *   info batch=<b> overhead=<ticks> empties=<k> nivcsw=<k> nvcsw=<k>
 *   s <ticks per call>                 one line per sample of the round
 *   done                               the round is complete
 *   end                                the child is about to exit
 * Runner to child (serve mode):
 *   round <samples>                    take one round of samples
 *   (end of file)                      undo the path's state, `end`, exit
 *
 * A child that dies before `end` (SIGILL, SIGSEGV, SIGSYS...) is judged by
 * its wait status instead. Shared by both builds; header-only. */
#ifndef KENTRY_LINUX_COMPAT32_PROTO_H
#define KENTRY_LINUX_COMPAT32_PROTO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

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

/* Serve mode: one call, `ready`, then one round per `round <n>` command read from
 * in, until its end of file. batch 0 lets the first round choose the batch
 * size (kmeasure_pick_batch); every later round keeps it, so the rounds
 * are alike. Each round counts the context switches the child suffered
 * while it sampled (getrusage), which the runner reads as disturbance.
 * Returns 0 at end of file, -1 on a bad command or no memory (after
 * saying so). Nothing is written while a round is being timed. */
static inline int kproto_serve(FILE *in, FILE *out, kbatch_fn op, kbatch_fn empty,
			       void *ctx, uint32_t batch)
{
	struct kmeasure_info info = { 0 };
	info.batch = batch;
	double *v = NULL;
	uint32_t cap = 0;
	char line[128];
	/* One call first: a path this CPU cannot run in this mode dies here
	 * (SIGILL...), before it says ready. */
	(void)op(ctx, 1);
	fprintf(out, "ready\n");
	fflush(out);
	while (fgets(line, sizeof line, in)) {
		unsigned n = 0;
		if (sscanf(line, "round %u", &n) != 1 || n == 0 || n > 10000000u) {
			fprintf(out, "skip bad command from the runner\nend\n");
			fflush(out);
			free(v);
			return -1;
		}
		if (n > cap) {
			double *nv = realloc(v, sizeof(double) * n);
			if (!nv) {
				fprintf(out, "skip out of memory for samples\nend\n");
				fflush(out);
				free(v);
				return -1;
			}
			v = nv;
			cap = n;
		}
		/* The runner woke us with its command and may still be on its
		 * way to waiting for our answer; a runnable runner on this CPU
		 * would preempt the round. Sleeping a moment lets it block
		 * first (a voluntary switch, outside the round). */
		struct timespec nap = { 0, 200000 };
		nanosleep(&nap, NULL);
		struct rusage a, b;
		getrusage(RUSAGE_SELF, &a);
		info.warmup = 0; /* a tenth of the round, at least 4 */
		kmeasure_run(op, empty, ctx, n, KMEASURE_TARGET_CYCLES, v, &info);
		getrusage(RUSAGE_SELF, &b);
		fprintf(out, "info batch=%u overhead=%.3f empties=%u nivcsw=%ld nvcsw=%ld\n",
			(unsigned)info.batch, info.overhead_cycles, (unsigned)info.empties,
			b.ru_nivcsw - a.ru_nivcsw, b.ru_nvcsw - a.ru_nvcsw);
		for (uint32_t i = 0; i < n; i++)
			fprintf(out, "s %.3f\n", v[i]);
		fprintf(out, "done\n");
		fflush(out);
	}
	free(v);
	return 0;
}

#endif
