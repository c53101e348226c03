/* kentry results: two runs compared, path by path, with a verdict that
 * knows noise from change (docs/method.md, "Comparing two runs").
 *
 * Rows are keyed by (world, id, variant). For a path measured in both runs
 * the row holds both headlines (the lower quartile of the round medians, or
 * the median), their difference and its percentage, the 95 % interval of
 * both (a bootstrap of the saved round medians or samples, or, for files
 * with neither, an interval from each run's quartiles) and a verdict:
 * significant when the interval excludes zero and the change is at least
 * the noise floor. Every environment fact that differs is listed. Runs of
 * different units, worlds or ops are refused unless forced. */
#ifndef KENTRY_RESULTS_COMPARE_H
#define KENTRY_RESULTS_COMPARE_H

#include <stddef.h>
#include <stdio.h>
#include "core/result.h"

#define KCMP_LEVEL 0.95
#define KCMP_FLOOR_TIMING 5.0   /* percent: what two runs of one build differ by */

enum kcmp_verdict {
	KV_NO_CHANGE,      /* no significant change */
	KV_SIGNIFICANT,    /* slower or faster beyond the noise */
	KV_NOT_COMPARABLE, /* forced: different units or ops */
	KV_ONLY_OLD,       /* the path is in OLD only */
	KV_ONLY_NEW,
	KV_SKIPPED,        /* skipped in one run or both */
};

struct kcmp_row {
	const char *world, *id, *variant, *op, *unit;
	const char *old_variant;           /* OLD's variant when it differs: a NEW
					    * "full+kpti" that OLD does not have is
					    * compared with OLD's "full" (NULL: same) */
	const struct kresult *old, *new_;  /* NULL when absent */
	int measured_old, measured_new;
	double med_old, med_new;           /* the headlines, in unit */
	double diff, pct;                  /* new - old, and in percent of old */
	double lo, hi, pct_lo, pct_hi;     /* the interval of both */
	int has_pct;
	const char *method;                /* what was resampled: "rounds", "samples",
					    * "rounds and samples"; or "quartiles" */
	enum kcmp_verdict verdict;
	int slower;                        /* KV_SIGNIFICANT: the direction */
	char why[160];                     /* what decided the verdict */
};

struct kcmp_envdiff {
	const char *scope;                 /* "host" or "guest" */
	const char *key, *old, *new_;      /* old/new NULL when absent */
};

struct kcmp {
	const struct krun *a, *b;
	const char *name_a, *name_b;
	int ns;                            /* figures in nanoseconds */
	double floor_timing, floor_count;  /* noise floors in percent */
	int forced;
	char warning[512];                 /* why it had to be forced, "" if not */
	struct kcmp_row *rows;
	size_t n_rows;
	struct kcmp_envdiff *env;
	size_t n_env;
};

struct kcmp_opts {
	int force;
	int ns;
	double threshold;                  /* < 0: the defaults */
};

/* Compares run a (OLD) with b (NEW). Returns 0; or -1 with the reason in
 * err when the runs are of different units, worlds or ops and the options
 * do not force it (the caller exits 2). */
int kcmp_build(struct kcmp *c, const struct krun *a, const struct krun *b, const char *name_a,
	       const char *name_b, const struct kcmp_opts *o, char *err, size_t errlen);
void kcmp_free(struct kcmp *c);

/* "significant (slower)", "no significant change", "only in OLD", ... */
const char *kcmp_verdict_text(const struct kcmp_row *r);

/* The views: the human table, and the JSON, CSV and Markdown exports
 * (malloc'd strings, 0 or -1). compare_view.c. */
void kcmp_render(FILE *f, const struct kcmp *c);
int kcmp_export_json(const struct kcmp *c, char **out);
int kcmp_export_csv(const struct kcmp *c, char **out);
int kcmp_export_markdown(const struct kcmp *c, char **out);

#endif
