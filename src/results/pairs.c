/* kentry results: paths side by side. See pairs.h. */
#include "pairs.h"

#include <string.h>

static const struct kresult *find(const struct krun *run, const char *id, const char *world,
				  const char *variant)
{
	for (size_t i = 0; i < run->n; i++)
		if (strcmp(run->r[i].id, id) == 0 && strcmp(run->r[i].world, world) == 0 &&
		    (variant ? run->r[i].variant && strcmp(run->r[i].variant, variant) == 0
			     : !run->r[i].variant))
			return &run->r[i];
	return NULL;
}

/* a result's headline figure (the table's: the median of the samples, or
 * of the round medians where the path was measured in rounds) */
static void headline(char *buf, size_t n, const struct kresult *r)
{
	double v = r ? kresult_headline(r, 0) : 0;
	if (!r)
		snprintf(buf, n, "(not run)");
	else if (r->status != KR_MEASURED)
		snprintf(buf, n, "skipped");
	else if (v >= 100000.0)
		snprintf(buf, n, "%.0f", v);
	else if (v >= 100.0)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

size_t krender_pairs(FILE *f, const struct krun *run, const char *world,
		     const struct kpair *pairs, size_t n, const char *head_id,
		     const char *head_cp, const char *ratio)
{
	struct kpair_view v = { head_id, head_cp, NULL, ratio, NULL };
	return krender_pairs_view(f, run, world, pairs, n, &v);
}

/* a difference of two headlines, signed, with the headline's precision */
static void difference(char *buf, size_t n, double d)
{
	double a = d < 0 ? -d : d;
	snprintf(buf, n, a >= 100000.0 ? "%+.0f" : a >= 100.0 ? "%+.1f" : "%+.2f", d);
}

size_t krender_pairs_view(FILE *f, const struct krun *run, const char *world,
			  const struct kpair *pairs, size_t n, const struct kpair_view *v)
{
	const char *head_id = v->head_id, *head_cp = v->head_cp, *ratio = v->ratio;
	int wa = (int)strlen(head_id), wb = (int)strlen(head_cp);
	int wd = v->diff ? (int)strlen(v->diff) : 0;
	if (wd && wd < 10)
		wd = 10;
	for (size_t i = 0; i < n; i++) {
		if (!find(run, pairs[i].id, world, v->variant))
			continue;
		if ((int)strlen(pairs[i].id) > wa)
			wa = (int)strlen(pairs[i].id);
		if (pairs[i].counterpart && (int)strlen(pairs[i].counterpart) > wb)
			wb = (int)strlen(pairs[i].counterpart);
	}
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct kresult *a = find(run, pairs[i].id, world, v->variant);
		if (!a)
			continue;
		if (rows++ == 0) {
			fprintf(f, "  %-*s %10s   %-*s %10s", wa, head_id, "headline", wb, head_cp,
				"headline");
			if (wd)
				fprintf(f, " %*s", wd, v->diff);
			fprintf(f, " %12s\n", ratio);
		}
		char ma[32], mb[32], r[32] = "-", d[32] = "-";
		headline(ma, sizeof(ma), a);
		if (!pairs[i].counterpart) {
			fprintf(f, "  %-*s %10s   none: %s\n", wa, pairs[i].id, ma,
				pairs[i].why_none ? pairs[i].why_none : "no counterpart");
			continue;
		}
		const struct kresult *b = find(run, pairs[i].counterpart, world, v->variant);
		headline(mb, sizeof(mb), b);
		if (a->status == KR_MEASURED && b && b->status == KR_MEASURED) {
			difference(d, sizeof(d), kresult_headline(a, 0) - kresult_headline(b, 0));
			if (kresult_headline(b, 0) > 0.0)
				snprintf(r, sizeof(r), "%.2f",
					 kresult_headline(a, 0) / kresult_headline(b, 0));
		}
		fprintf(f, "  %-*s %10s   %-*s %10s", wa, pairs[i].id, ma, wb, pairs[i].counterpart,
			mb);
		if (wd)
			fprintf(f, " %*s", wd, d);
		fprintf(f, " %12s\n", r);
	}
	return rows;
}
