/* kentry core: judging a path measured in several rounds.
 *
 * The Linux world samples every path in rounds spread over the run,
 * round-robin over the paths (linux/runner.c), so that each path sees the
 * same mixture of the host's states. A round's median is the path's cost
 * in the state the host was in during that round. A busy host (another
 * guest, a sibling thread, a competing process) only ever adds time, so:
 *
 *   headline = lower quartile (nearest rank) of the round medians
 *
 * the cost in the host's undisturbed state, stable from run to run as long
 * as a quarter of the rounds saw that state (docs/method.md gives the
 * measurements behind this choice). With one round it is that round's
 * median.
 *
 * A round is disturbed when the measuring process was switched out during
 * it (involuntary context switches, or steal time the hypervisor reports)
 * or when its median exceeds the headline by more than KROUND_SLOW (slow);
 * a round more than KROUND_SLOW below the headline is fast. The path needs
 * more rounds, and its figure is flagged as disturbed if that persists
 * after them, when more than a quarter of the rounds were switched out
 * (the CPU was shared), more than half ran slow (the rounds disagree), or
 * any ran fast (the rounds disagree the other way: either the headline
 * sits in a disturbed stretch, fewer than a quarter of the rounds having
 * seen the undisturbed host, or one round was a fluke; which, one run
 * cannot tell).
 *
 * Freestanding-safe (no libc). */
#ifndef KENTRY_CORE_ROUNDS_H
#define KENTRY_CORE_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

#define KROUND_SLOW 0.05 /* a round this much above the headline ran slow */

struct kround {
	double median;      /* median of the round's samples (ticks per call) */
	uint32_t nivcsw;    /* involuntary context switches during the round */
	uint32_t steal;     /* steal time during the round (USER_HZ ticks), 0 if unknown */
	double iqr;         /* interquartile range of the round's samples over their median */
};

struct kround_verdict {
	uint32_t rounds;    /* n */
	double headline;    /* lower quartile of the round medians */
	double lo, hi;      /* lowest and highest round median */
	double spread;      /* (hi - lo) / headline; 0 when headline <= 0 */
	uint32_t switched;  /* rounds with involuntary switches or steal */
	uint32_t slow;      /* rounds whose median exceeds headline * (1 + KROUND_SLOW) */
	uint32_t fast;      /* rounds whose median is below headline * (1 - KROUND_SLOW) */
	uint64_t nivcsw;    /* involuntary switches in all rounds */
	uint64_t steal;     /* steal in all rounds */
	double iqr;         /* median over the rounds of their own relative IQR: how
			     * widely the samples spread within a round, whatever
			     * the host did between rounds */
	int disturbed;      /* switched > n/4, slow > n/2 or fast > 0 */
};

/* Judges n >= 1 rounds. scratch holds n doubles (the medians are sorted
 * there). Returns 0, or -1 when n == 0 (v zeroed). */
int kround_judge(const struct kround *r, size_t n, double *scratch,
		 struct kround_verdict *v);

#endif
