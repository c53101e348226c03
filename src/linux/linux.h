/* kentry: the Linux world's interface to the command line.
 *
 * Every path from user space into the Linux kernel is a registry entry
 * (paths.c); the runner measures each in a forked child, so a path that
 * crashes (SIGILL, SIGSEGV, SIGSYS from seccomp) is contained and reported
 * as skipped with its reason. 32-bit paths run in the 32-bit helper program
 * (compat32/), exec'd by the child. */
#ifndef KENTRY_LINUX_H
#define KENTRY_LINUX_H

#include <stddef.h>
#include <stdint.h>
#include "core/result.h"

enum klinux_op { KOP_NULL = 0, KOP_GETTIMEOFDAY = 1 };

typedef void (*kprogress_fn)(void *arg, const char *id, size_t index,
			     size_t total, const char *state);

struct klinux_opts {
	enum klinux_op op;
	uint32_t samples;        /* samples per path in each round (0: 1000, quick 100) */
	uint32_t rounds;         /* rounds per path (0: 10, quick 3); a disturbed
				  * path gets as many again */
	uint32_t batch;          /* calls per sample; 0: chosen per path (a sample
				  * of about KMEASURE_TARGET_CYCLES), 1: single calls */
	uint32_t span_ms;        /* spread the rounds over at least this long */
	int quick;               /* fewer samples and rounds */
	int cpu;                 /* CPU to pin to (>= 0), -1: not pinned */
	const char *const *only; /* NULL or ids to run (already validated) */
	size_t n_only;
	const char *libexec_dir; /* where kentry-helper32 lives */
	kprogress_fn progress;   /* may be NULL */
	void *progress_arg;
};

/* Registry access (stable ids, in table order). */
size_t klinux_path_count(void);
const char *klinux_path_id(size_t i);
const char *klinux_path_summary(size_t i);
int klinux_path_index(const char *id); /* -1 when unknown */

/* Tries one call of path i in a contained child. Returns 1 when available;
 * 0 with a reason (why, whylen) when not. */
int klinux_probe(size_t i, enum klinux_op op, const char *libexec_dir,
		 char *why, size_t whylen);

/* Measures every selected path, appending one result each (world "linux")
 * to run, in TSC ticks: every path in rounds, round-robin, each round
 * judged for disturbance (core/rounds.h). A measuring child that could not
 * be pinned sets cpu.pinned to "no" (and cpu.pin_error) in run->env and a
 * note on its result. The caller converts to ns and flags anomalies. */
int klinux_bench(const struct klinux_opts *o, struct krun *run);

/* Environment facts: CPU, hypervisor, kernel, vulnerabilities, KPTI,
 * vsyscall mode, invariant TSC, command-line mitigation switches, TSC
 * frequency and its method (tsc.hz, tsc.method), and cpu.pinned: the CPU
 * the run is pinned to, or "no" when cpu < 0. env.c. */
void klinux_environment(struct kenv *env, int cpu);

#endif
