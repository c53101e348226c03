/* kentry results: the checks a result file must pass (see validate.h). */
#include "validate.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_of(const char *s, const char *extra)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

int kvalidate_name(const char *s)
{
	return name_of(s, "._/-");
}

int kvalidate_variant(const char *s)
{
	return name_of(s, "._/-+");
}

/* "results[3] (syscall)" with the id escaped and shortened. */
static void where(char *buf, size_t n, size_t i, const struct kresult *r)
{
	snprintf(buf, n, "results[%zu] (%s%s%s)", i, ktext_short(r->id, 40),
		 r->variant ? " " : "", r->variant ? ktext_short(r->variant, 24) : "");
}

static int check_stats(const struct kstats *s, const char *ctx, const char *obj, char *err,
		       size_t errlen)
{
	static const char *const names[] = { "min", "p25", "median", "p75", "p99", "max",
					     "mean", "stddev" };
	double v[8] = { s->min, s->p25, s->median, s->p75, s->p99, s->max, s->mean, s->stddev };
	for (int k = 0; k < 8; k++) {
		if (!isfinite(v[k])) {
			snprintf(err, errlen, "%s.%s.%s: not a finite number", ctx, obj, names[k]);
			return -1;
		}
		/* a per-call figure is a batch minus the median empty batch: for
		 * a path of a few ticks the fastest samples can come out just
		 * below zero, the median and above cannot */
		if (k >= 2 && v[k] < 0) {
			snprintf(err, errlen, "%s.%s.%s: %g is negative", ctx, obj, names[k], v[k]);
			return -1;
		}
	}
	/* the figures are rounded to two decimals by the kernel: allow that */
	for (int k = 0; k < 5; k++) {
		double tol = 0.01 + 1e-9 * fabs(v[k + 1]);
		if (v[k] > v[k + 1] + tol) {
			snprintf(err, errlen, "%s.%s: %s %g is above %s %g (a statistics object "
					      "keeps min <= p25 <= median <= p75 <= p99 <= max)",
				 ctx, obj, names[k], v[k], names[k + 1], v[k + 1]);
			return -1;
		}
	}
	if (s->mean < s->min - 0.01 || s->mean > s->max + 0.01) {
		snprintf(err, errlen, "%s.%s.mean: %g is outside [min, max] = [%g, %g]", ctx, obj,
			 s->mean, s->min, s->max);
		return -1;
	}
	if (s->n < 1) {
		snprintf(err, errlen, "%s.%s.samples: a measured path has at least one sample",
			 ctx, obj);
		return -1;
	}
	return 0;
}

static int check_result(const struct kresult *r, size_t i, char *err, size_t errlen)
{
	char ctx[160];
	where(ctx, sizeof(ctx), i, r);
	if (!kvalidate_name(r->id)) {
		snprintf(err, errlen, "results[%zu].id: '%s' is not 1 to 64 of the characters "
				      "A-Z a-z 0-9 . _ / -", i, ktext_short(r->id, 60));
		return -1;
	}
	if (strcmp(r->world, "linux") != 0 && strcmp(r->world, "bare-metal") != 0) {
		snprintf(err, errlen, "%s.world: unknown world '%s' (linux or bare-metal)", ctx,
			 ktext_short(r->world, 60));
		return -1;
	}
	if (r->variant && !kvalidate_variant(r->variant)) {
		snprintf(err, errlen, "%s.variant: '%s' is not 1 to 64 of the characters "
				      "A-Z a-z 0-9 . _ / - +", ctx, ktext_short(r->variant, 60));
		return -1;
	}
	if (!kvalidate_name(r->op)) {
		snprintf(err, errlen, "%s.op: '%s' is not 1 to 64 of the characters "
				      "A-Z a-z 0-9 . _ / -", ctx, ktext_short(r->op, 60));
		return -1;
	}
	if (r->status == KR_SKIPPED) {
		if (!r->reason || !*r->reason) {
			snprintf(err, errlen, "%s.reason: a skipped path needs its reason", ctx);
			return -1;
		}
		return 0;
	}
	if (check_stats(&r->cycles, ctx, "cycles", err, errlen))
		return -1;
	if (r->has_ns && check_stats(&r->ns, ctx, "ns", err, errlen))
		return -1;
	if (r->has_ns && r->ns.n != r->cycles.n) {
		snprintf(err, errlen, "%s.ns.samples: %llu, but cycles.samples is %llu", ctx,
			 (unsigned long long)r->ns.n, (unsigned long long)r->cycles.n);
		return -1;
	}
	if (r->batch < 1) {
		snprintf(err, errlen, "%s.batch: a measured path has a batch of at least 1 call",
			 ctx);
		return -1;
	}
	if (!isfinite(r->overhead_cycles) || r->overhead_cycles < 0) {
		snprintf(err, errlen, "%s.overhead_cycles: %g is not a cost", ctx,
			 r->overhead_cycles);
		return -1;
	}
	if (r->rounds) {
		double lo = INFINITY, hi = -INFINITY;
		for (uint32_t k = 0; k < r->rounds; k++) {
			double v = r->round_medians[k];
			if (!isfinite(v) || v < 0) {
				snprintf(err, errlen, "%s.rounds.medians[%u]: %g is not a median of "
						      "per-call figures", ctx, k, v);
				return -1;
			}
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
		/* the headline is one of the round medians (their lower quartile) */
		if (!isfinite(r->headline) || r->headline < lo - 0.01 || r->headline > hi + 0.01) {
			snprintf(err, errlen, "%s.rounds.headline: %g is outside the round medians "
					      "[%g, %g]", ctx, r->headline, lo, hi);
			return -1;
		}
	}
	if (r->samples) {
		if (r->n_samples != r->cycles.n) {
			snprintf(err, errlen, "%s.samples: %zu values, but cycles.samples says %llu",
				 ctx, r->n_samples, (unsigned long long)r->cycles.n);
			return -1;
		}
		for (size_t k = 0; k < r->n_samples; k++) {
			double v = r->samples[k];
			if (!isfinite(v) || v < r->cycles.min - 0.01 || v > r->cycles.max + 0.01) {
				snprintf(err, errlen, "%s.samples[%zu]: %g is outside [min, max] = "
						      "[%g, %g]", ctx, k, v, r->cycles.min,
					 r->cycles.max);
				return -1;
			}
		}
	}
	return 0;
}

static int same_key(const struct kresult *a, const struct kresult *b)
{
	if (strcmp(a->id, b->id) != 0 || strcmp(a->world, b->world) != 0)
		return 0;
	if (!a->variant || !b->variant)
		return !a->variant && !b->variant;
	return strcmp(a->variant, b->variant) == 0;
}

static int check_env(const struct kenv *env, const char *name, char *err, size_t errlen)
{
	const char *hz = kenv_get(env, "tsc.hz");
	if (hz && strcmp(hz, "unknown") != 0) {
		char *end;
		double v = strtod(hz, &end);
		if (*end || !isfinite(v) || v < 0) {
			snprintf(err, errlen, "%s.tsc.hz: '%s' is not a frequency in Hz", name,
				 ktext_short(hz, 40));
			return -1;
		}
	}
	return 0;
}

int kvalidate_run(const struct krun *run, char *err, size_t errlen)
{
	if (check_env(&run->env, "environment", err, errlen) ||
	    check_env(&run->guest_env, "guest_environment", err, errlen))
		return -1;
	for (size_t i = 0; i < run->n; i++) {
		if (check_result(&run->r[i], i, err, errlen))
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (!same_key(&run->r[j], &run->r[i]))
				continue;
			char ctx[160];
			where(ctx, sizeof(ctx), i, &run->r[i]);
			snprintf(err, errlen, "%s: a second result for the same world, id and "
					      "variant (the first is results[%zu])", ctx, j);
			return -1;
		}
	}
	return 0;
}
