/* kentry results: two runs compared (see compare.h and docs/method.md). */
#include "compare.h"
#include "bootstrap.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const worlds[] = { "linux", "bare-metal" };

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "kentry: out of memory\n");
		exit(70);
	}
	return p;
}

static const struct kresult *first_of(const struct krun *run, const char *world)
{
	for (size_t i = 0; i < run->n; i++)
		if (strcmp(run->r[i].world, world) == 0)
			return &run->r[i];
	return NULL;
}

static const struct kresult *find(const struct krun *run, const struct kresult *like)
{
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if (strcmp(r->world, like->world) || strcmp(r->id, like->id))
			continue;
		if (r->variant ? like->variant && strcmp(r->variant, like->variant) == 0
			       : !like->variant)
			return r;
	}
	return NULL;
}

/* A NEW variant "B+M" that OLD does not have is set against OLD's "B":
 * a boot with --mitigations kpti against a boot without gives each
 * path's cost with and without (docs/method.md). OLD's row of the base
 * variant, or NULL. */
static const struct kresult *base_of(const struct krun *run, const struct kresult *like)
{
	return krun_find_base((struct krun *)run, like);
}

/* Different worlds, units or ops: a sentence in why, 1. */
static int incomparable(const struct krun *a, const struct krun *b, char *why, size_t n)
{
	int common = 0;
	why[0] = '\0';
	for (int w = 0; w < 2; w++) {
		const struct kresult *ra = first_of(a, worlds[w]), *rb = first_of(b, worlds[w]);
		if (!ra || !rb)
			continue;
		common = 1;
		const char *ua = krun_unit(a, ra), *ub = krun_unit(b, rb);
		if (strcmp(ua, ub) != 0) {
			snprintf(why, n, "in the %s world OLD counts %s, NEW counts %s", worlds[w],
				 kunit_words(ua), kunit_words(ub));
			return 1;
		}
		if (strcmp(ra->op, rb->op) != 0) {
			snprintf(why, n, "in the %s world OLD timed op %s, NEW op %s", worlds[w],
				 ktext_short(ra->op, 40), ktext_short(rb->op, 40));
			return 1;
		}
	}
	if (!common) {
		const char *wa = a->n ? a->r[0].world : "no", *wb = b->n ? b->r[0].world : "no";
		snprintf(why, n, "OLD holds the %s world, NEW the %s world: no path is in both", wa,
			 wb);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Environment                                                         */

static int same_value(const char *key, const char *va, const char *vb)
{
	if (!va || !vb)
		return va == vb;
	size_t kl = strlen(key);
	if (strcmp(key, "tsc.hz") == 0 || (kl > 3 && strcmp(key + kl - 3, "_hz") == 0)) {
		/* a measured frequency differs a little from run to run */
		double x = strtod(va, NULL), y = strtod(vb, NULL);
		if (x > 0 && y > 0)
			return fabs(x - y) <= 0.005 * (x > y ? x : y);
	}
	return strcmp(va, vb) == 0;
}

/* Keys that differ between any two runs: the wall time, and what names
 * Bochs's private run directory (its command line and configuration; what
 * they set is in the other bochs.* keys and emulator.cpu). */
static int volatile_key(const char *key)
{
	return strcmp(key, "qemu.seconds") == 0 || strcmp(key, "bochs.seconds") == 0 ||
	       strcmp(key, "bochs.cmdline") == 0 || strcmp(key, "bochs.config") == 0;
}

static void env_diff(struct kcmp *c, const char *scope, const struct kenv *ea,
		     const struct kenv *eb)
{
	for (size_t i = 0; i < ea->n + eb->n; i++) {
		const char *key = i < ea->n ? ea->e[i].key : eb->e[i - ea->n].key;
		if (i >= ea->n && kenv_get(ea, key))
			continue; /* already seen from OLD */
		const char *va = kenv_get(ea, key), *vb = kenv_get(eb, key);
		if (volatile_key(key) || same_value(key, va, vb))
			continue;
		struct kcmp_envdiff *d = &c->env[c->n_env++];
		d->scope = scope;
		d->key = key;
		d->old = va;
		d->new_ = vb;
	}
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

/* Nanoseconds per TSC tick of r (its ns statistics are its ticks times
 * this), or 0. */
static double ns_per_tick(const struct kresult *r)
{
	if (!r->has_ns)
		return 0;
	const double *cy[3] = { &r->cycles.median, &r->cycles.mean, &r->cycles.max };
	const double *ns[3] = { &r->ns.median, &r->ns.mean, &r->ns.max };
	for (int k = 0; k < 3; k++)
		if (*cy[k] > 0)
			return *ns[k] / *cy[k];
	return 0;
}

/* What a run's figure is resampled from: its round medians (the headline
 * is their lower quartile) when it was measured in two rounds or more, else
 * its samples (the headline is their median). The values are copied into
 * *buf, scaled by k. Returns the kind ("rounds", "samples") or NULL. */
static const char *side_of(const struct kresult *r, double k, double **buf,
			   struct kboot_side *s)
{
	const double *v = NULL;
	size_t n = 0;
	const char *kind = NULL;
	if (r->rounds >= 2 && r->round_medians) {
		v = r->round_medians;
		n = r->rounds;
		s->stat = KBOOT_LOWER_QUARTILE;
		kind = "rounds";
	} else if (r->samples && r->n_samples >= 2) {
		v = r->samples;
		n = r->n_samples;
		s->stat = KBOOT_MEDIAN;
		kind = "samples";
	} else {
		return NULL;
	}
	*buf = xcalloc(n, sizeof(double));
	for (size_t i = 0; i < n; i++)
		(*buf)[i] = v[i] * k;
	s->v = *buf;
	s->n = n;
	return kind;
}

static void interval(struct kcmp *c, struct kcmp_row *row)
{
	const struct kresult *a = row->old, *b = row->new_;
	double ka = c->ns ? ns_per_tick(a) : 1, kb = c->ns ? ns_per_tick(b) : 1;
	row->diff = row->med_new - row->med_old;
	row->has_pct = row->med_old > 0;
	if (row->has_pct)
		row->pct = 100.0 * row->diff / row->med_old;
	struct kboot_side sa, sb;
	double *va = NULL, *vb = NULL;
	const char *kind_a = side_of(a, ka, &va, &sa), *kind_b = side_of(b, kb, &vb, &sb);
	if (kind_a && kind_b) {
		char key[300];
		snprintf(key, sizeof(key), "%s/%s/%s", row->world, row->id,
			 row->variant ? row->variant : "");
		struct kci ci;
		int rc = kboot_diff(&sa, &sb, KBOOT_RESAMPLES, KCMP_LEVEL, kboot_seed(key), &ci);
		if (rc == 0) {
			row->method = strcmp(kind_a, kind_b) == 0 ? kind_a : "rounds and samples";
			row->lo = ci.lo;
			row->hi = ci.hi;
			if (row->has_pct && ci.has_rel) {
				row->pct_lo = 100.0 * ci.rel_lo;
				row->pct_hi = 100.0 * ci.rel_hi;
			} else if (row->has_pct) {
				row->pct_lo = 100.0 * ci.lo / row->med_old;
				row->pct_hi = 100.0 * ci.hi / row->med_old;
			}
			free(va);
			free(vb);
			return;
		}
	}
	free(va);
	free(vb);
	/* Nothing to resample (a version 1 file, a kernel that printed no
	 * samples): the standard error of a median from the quartiles, as for
	 * normal data (sigma = IQR / 1.349, se = 1.2533 sigma / sqrt(n)). */
	const struct kstats *qa = c->ns ? &a->ns : &a->cycles, *qb = c->ns ? &b->ns : &b->cycles;
	double se_a = qa->n ? 0.9291 * (qa->p75 - qa->p25) / sqrt((double)qa->n) : 0;
	double se_b = qb->n ? 0.9291 * (qb->p75 - qb->p25) / sqrt((double)qb->n) : 0;
	double half = 1.959964 * sqrt(se_a * se_a + se_b * se_b);
	row->method = "quartiles";
	row->lo = row->diff - half;
	row->hi = row->diff + half;
	if (row->has_pct) {
		row->pct_lo = 100.0 * row->lo / row->med_old;
		row->pct_hi = 100.0 * row->hi / row->med_old;
	}
}

static void judge(struct kcmp *c, struct kcmp_row *row)
{
	double floor = strcmp(row->unit, "instructions") == 0 ? c->floor_count : c->floor_timing;
	interval(c, row);
	int excludes0 = row->lo > 0 || row->hi < 0;
	int above = floor <= 0 ? row->diff != 0 : !row->has_pct || fabs(row->pct) >= floor;
	row->slower = row->diff > 0;
	if (!excludes0) {
		row->verdict = KV_NO_CHANGE;
		snprintf(row->why, sizeof(row->why), "interval includes 0");
	} else if (!above) {
		row->verdict = KV_NO_CHANGE;
		snprintf(row->why, sizeof(row->why), "within the %g%% noise floor", floor);
	} else {
		row->verdict = KV_SIGNIFICANT;
		if (floor > 0)
			snprintf(row->why, sizeof(row->why), "interval excludes 0, beyond the %g%% "
				 "noise floor", floor);
		else
			snprintf(row->why, sizeof(row->why), "interval excludes 0");
	}
}

static void fill_row(struct kcmp *c, struct kcmp_row *row, const struct kresult *ra,
		     const struct kresult *rb)
{
	const struct kresult *any = ra ? ra : rb;
	row->world = any->world;
	row->id = any->id;
	row->variant = any->variant;
	row->op = any->op;
	row->old = ra;
	row->new_ = rb;
	row->unit = c->ns ? "ns" : krun_unit(ra ? c->a : c->b, any);
	row->measured_old = ra && ra->status == KR_MEASURED && (!c->ns || ra->has_ns);
	row->measured_new = rb && rb->status == KR_MEASURED && (!c->ns || rb->has_ns);
	if (row->measured_old)
		row->med_old = kresult_headline(ra, c->ns);
	if (row->measured_new)
		row->med_new = kresult_headline(rb, c->ns);
	if (!ra) {
		row->verdict = KV_ONLY_NEW;
		return;
	}
	if (!rb) {
		row->verdict = KV_ONLY_OLD;
		return;
	}
	if (!row->measured_old || !row->measured_new) {
		row->verdict = KV_SKIPPED;
		const struct kresult *s = !row->measured_old ? ra : rb;
		const char *which = !row->measured_old && !row->measured_new ? "both"
				    : !row->measured_old ? "OLD" : "NEW";
		if (s->status == KR_SKIPPED)
			snprintf(row->why, sizeof(row->why), "skipped in %s: %s", which,
				 ktext_short(s->reason, 120));
		else
			snprintf(row->why, sizeof(row->why), "no ns figure in %s", which);
		return;
	}
	if (strcmp(krun_unit(c->a, ra), krun_unit(c->b, rb)) != 0 || strcmp(ra->op, rb->op) != 0) {
		row->verdict = KV_NOT_COMPARABLE;
		snprintf(row->why, sizeof(row->why), "%s", strcmp(ra->op, rb->op) ? "different ops"
							       : "different units");
		return;
	}
	judge(c, row);
}

int kcmp_build(struct kcmp *c, const struct krun *a, const struct krun *b, const char *name_a,
	       const char *name_b, const struct kcmp_opts *o, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->b = b;
	c->name_a = name_a;
	c->name_b = name_b;
	c->ns = o->ns;
	c->floor_timing = o->threshold >= 0 ? o->threshold : KCMP_FLOOR_TIMING;
	c->floor_count = o->threshold >= 0 ? o->threshold : 0;
	char why[400];
	if (incomparable(a, b, why, sizeof(why))) {
		if (!o->force) {
			snprintf(err, errlen, "%s: compare runs of one kind (--force shows them side "
					      "by side anyway)", why);
			return -1;
		}
		c->forced = 1;
		snprintf(c->warning, sizeof(c->warning), "%s; forced: their figures are not "
			 "comparable", why);
	}
	c->env = xcalloc(a->env.n + b->env.n + a->guest_env.n + b->guest_env.n,
			 sizeof(*c->env));
	env_diff(c, "host", &a->env, &b->env);
	env_diff(c, "guest", &a->guest_env, &b->guest_env);

	c->rows = xcalloc(a->n + b->n, sizeof(*c->rows));
	for (int w = 0; w < 2; w++) {
		for (size_t i = 0; i < a->n; i++)
			if (strcmp(a->r[i].world, worlds[w]) == 0)
				fill_row(c, &c->rows[c->n_rows++], &a->r[i], find(b, &a->r[i]));
		for (size_t i = 0; i < b->n; i++)
			if (strcmp(b->r[i].world, worlds[w]) == 0 && !find(a, &b->r[i])) {
				const struct kresult *base = base_of(a, &b->r[i]);
				struct kcmp_row *row = &c->rows[c->n_rows++];
				fill_row(c, row, base, &b->r[i]);
				if (base) {
					row->variant = b->r[i].variant;
					row->old_variant = base->variant;
				}
			}
	}
	return 0;
}

void kcmp_free(struct kcmp *c)
{
	free(c->rows);
	free(c->env);
	memset(c, 0, sizeof(*c));
}

const char *kcmp_verdict_text(const struct kcmp_row *r)
{
	switch (r->verdict) {
	case KV_NO_CHANGE: return "no significant change";
	case KV_SIGNIFICANT: return r->slower ? "significant (slower)" : "significant (faster)";
	case KV_NOT_COMPARABLE: return "not comparable";
	case KV_ONLY_OLD: return "only in OLD";
	case KV_ONLY_NEW: return "only in NEW";
	default: return "skipped";
	}
}
