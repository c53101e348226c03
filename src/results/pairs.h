/* kentry results: two related paths side by side (a legacy 32-bit path
 * and its long-mode counterpart, for example): both headline figures and their
 * ratio, from one run. */
#ifndef KENTRY_RESULTS_PAIRS_H
#define KENTRY_RESULTS_PAIRS_H

#include <stdio.h>
#include "core/result.h"

struct kpair {
	const char *id;          /* the path of the row */
	const char *counterpart; /* the path it is compared with, or NULL */
	const char *why_none;    /* printed when counterpart is NULL */
};

/* One row per pair whose id has a result in world: id, its headline
 * figure (kresult_headline), the counterpart, its headline, and
 * id/counterpart when both are measured;
 * "skipped", "(not run)" or why_none otherwise. The header names the two
 * columns (head_id, head_cp) and the ratio (ratio). Returns the rows
 * printed. */
size_t krender_pairs(FILE *f, const struct krun *run, const char *world,
		     const struct kpair *pairs, size_t n, const char *head_id,
		     const char *head_cp, const char *ratio);

/* The same with more to say: the results of one variant (NULL: the
 * minimal one, as krender_pairs), and a column for the difference
 * id - counterpart (diff: its header; NULL: no such column). */
struct kpair_view {
	const char *head_id, *head_cp; /* the two path columns' headers */
	const char *diff;              /* header of id - counterpart, or NULL */
	const char *ratio;             /* header of id / counterpart */
	const char *variant;           /* the results compared: NULL minimal, "full" */
};
size_t krender_pairs_view(FILE *f, const struct krun *run, const char *world,
			  const struct kpair *pairs, size_t n, const struct kpair_view *v);

#endif
