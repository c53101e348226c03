/* kentry results: the views of a comparison: the table people read, and
 * the JSON, CSV and Markdown exports (see compare.h, docs/schema.md). */
#include "compare.h"
#include "text.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *world_title(const char *w)
{
	return strcmp(w, "linux") == 0 ? "Linux world" : "Bare-metal world";
}

static void fmt_num(char *buf, size_t n, double v, int sign)
{
	const char *fmt = fabs(v) >= 100000.0 ? (sign ? "%+.0f" : "%.0f")
			  : fabs(v) >= 100.0  ? (sign ? "%+.1f" : "%.1f")
					      : (sign ? "%+.2f" : "%.2f");
	snprintf(buf, n, fmt, v);
}

static void fmt_pct(char *buf, size_t n, double v)
{
	snprintf(buf, n, fabs(v) >= 100 ? "%+.0f%%" : fabs(v) >= 10 ? "%+.1f%%" : "%+.2f%%", v);
}

/* The OLD and NEW cells of a row: the median, "skipped", or empty (absent:
 * absent is "-" in the table, "" in Markdown). */
static void cells(const struct kcmp_row *r, char *o, char *n, size_t len, const char *absent)
{
	snprintf(o, len, "%s", absent);
	snprintf(n, len, "%s", absent);
	if (r->measured_old)
		fmt_num(o, len, r->med_old, 0);
	else if (r->old)
		snprintf(o, len, "skipped");
	if (r->measured_new)
		fmt_num(n, len, r->med_new, 0);
	else if (r->new_)
		snprintf(n, len, "skipped");
}

static const char *label(const struct kcmp_row *r, char *buf, size_t n)
{
	char v[48];
	snprintf(v, sizeof(v), "%s", r->variant ? ktext_short(r->variant, 40) : "");
	snprintf(buf, n, "%s%s%s%s%s", ktext_short(r->id, 60), r->variant ? " " : "", v,
		 r->old_variant ? " vs " : "", r->old_variant ? ktext_short(r->old_variant, 40) : "");
	return buf;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "?";
}

static void render_env(FILE *f, const struct kcmp *c)
{
	if (c->n_env == 0) {
		fprintf(f, "The two environments agree on every fact kentry records (TSC "
			   "frequencies within 0.5 %%).\n\n");
		return;
	}
	fprintf(f, "What differs between the two environments (OLD -> NEW)\n");
	for (size_t i = 0; i < c->n_env; i++) {
		const struct kcmp_envdiff *d = &c->env[i];
		char key[160];
		snprintf(key, sizeof(key), "%s%s", strcmp(d->scope, "guest") == 0 ? "guest " : "",
			 ktext_short(d->key, 100));
		const char *o = d->old ? ktext_short(d->old, 400) : "(absent)";
		const char *nw = d->new_ ? ktext_short(d->new_, 400) : "(absent)";
		if (strlen(key) <= 28 && strlen(o) + strlen(nw) <= 44)
			fprintf(f, "  %-28s %s -> %s\n", key, o, nw);
		else
			fprintf(f, "  %s\n      OLD  %s\n      NEW  %s\n", key, o, nw);
	}
	fprintf(f, "\n");
}

void kcmp_render(FILE *f, const struct kcmp *c)
{
	fprintf(f, "kentry compare\n  OLD  %s (kentry %s, %s)\n  NEW  %s (kentry %s, %s)\n\n",
		ktext_arg(c->name_a), ktext_short(or_unknown(c->a->kentry_version), 40),
		ktext_short(or_unknown(c->a->created), 40), ktext_arg(c->name_b),
		ktext_short(or_unknown(c->b->kentry_version), 40),
		ktext_short(or_unknown(c->b->created), 40));
	if (c->forced)
		fprintf(f, "WARNING: %s\n\n", c->warning);
	render_env(f, c);
	const char *cur_world = NULL, *cur_unit = NULL;
	int quartiles = 0, w = 20; /* the path column: as wide as the longest label, up to 44 */
	for (size_t i = 0; i < c->n_rows; i++) {
		char lb[128];
		int l = (int)strlen(label(&c->rows[i], lb, sizeof(lb)));
		w = l > w ? (l < 44 ? l : 44) : w;
	}
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct kcmp_row *r = &c->rows[i];
		if (!cur_world || strcmp(cur_world, r->world) || strcmp(cur_unit, r->unit)) {
			if (cur_world)
				fprintf(f, "\n");
			cur_world = r->world;
			cur_unit = r->unit;
			fprintf(f, "%s, op %s: headline per call in %s\n", world_title(r->world),
				ktext_short(r->op, 40), kunit_words(r->unit));
			fprintf(f, "  %-*s %10s %10s %10s %8s %19s  %s\n", w, "path", "OLD", "NEW",
				"diff", "%", "95% interval of %", "verdict");
		}
		char lb[128], o[32], n[32], d[32] = "", p[32] = "", ci[48] = "";
		cells(r, o, n, sizeof(o), "-");
		if (r->verdict == KV_NO_CHANGE || r->verdict == KV_SIGNIFICANT) {
			fmt_num(d, sizeof(d), r->diff, 1);
			if (r->has_pct) {
				char lo[16], hi[16];
				fmt_pct(p, sizeof(p), r->pct);
				fmt_pct(lo, sizeof(lo), r->pct_lo);
				fmt_pct(hi, sizeof(hi), r->pct_hi);
				snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
			}
		}
		int approx = (r->verdict == KV_NO_CHANGE || r->verdict == KV_SIGNIFICANT) &&
			     strcmp(r->method, "quartiles") == 0;
		quartiles |= approx;
		if (approx)
			strcat(ci, "*");
		fprintf(f, "  %-*s %10s %10s %10s %8s %19s  %s", w, label(r, lb, sizeof(lb)), o, n, d,
			p, ci, kcmp_verdict_text(r));
		if (r->verdict == KV_NO_CHANGE || r->verdict == KV_NOT_COMPARABLE)
			fprintf(f, " (%s)", r->why);
		fprintf(f, "\n");
		if (r->verdict == KV_SKIPPED)
			fprintf(f, "  %-*s   %s\n", w, "", r->why);
	}
	if (quartiles)
		fprintf(f, "\n* nothing to resample in a file (no rounds, no samples: schema version "
			   "1): the interval comes from the quartiles\n");
	fprintf(f, "\nThe headline is the lower quartile of the round medians (a run in rounds)\n"
		   "or the median. A change is significant when the 95%% interval of the\n"
		   "difference (a bootstrap of both runs' rounds, or samples) excludes 0 and the\n"
		   "change is at least the noise floor: %g%% for timings, %g%% for instruction\n"
		   "counts. See docs/method.md.\n",
		c->floor_timing, c->floor_count);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *side_json(const struct kcmp_row *r, const struct kresult *x, int measured,
			 double med, int ns)
{
	if (!x)
		return json_null();
	if (!measured)
		return json_pack("{s:s, s:s}", "status", "skipped", "reason",
				 x->status == KR_SKIPPED && x->reason ? x->reason : "no ns figure");
	const struct kstats *s = ns ? &x->ns : &x->cycles;
	(void)r;
	return json_pack("{s:s, s:f, s:f, s:f, s:f, s:I, s:I, s:b, s:b}", "status", "measured",
			 "headline", med, "median", s->median, "p25", s->p25, "p75", s->p75,
			 "samples", (json_int_t)s->n, "rounds", (json_int_t)x->rounds,
			 "wide_spread", x->wide, "disturbed", x->disturbed);
}

static json_t *run_json(const struct krun *run, const char *name)
{
	return json_pack("{s:s, s:s, s:s}", "file", name, "kentry_version",
			 or_unknown(run->kentry_version), "created", or_unknown(run->created));
}

static const char *verdict_key(const struct kcmp_row *r)
{
	switch (r->verdict) {
	case KV_NO_CHANGE: return "no significant change";
	case KV_SIGNIFICANT: return "significant";
	case KV_NOT_COMPARABLE: return "not comparable";
	case KV_ONLY_OLD: return "only in old";
	case KV_ONLY_NEW: return "only in new";
	default: return "skipped";
	}
}

int kcmp_export_json(const struct kcmp *c, char **out)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("kentry-comparison"));
	json_object_set_new(root, "schema_version", json_integer(1));
	json_object_set_new(root, "kentry_version", json_string(KENTRY_VERSION));
	json_object_set_new(root, "old", run_json(c->a, c->name_a));
	json_object_set_new(root, "new", run_json(c->b, c->name_b));
	json_object_set_new(root, "method",
			    json_pack("{s:s, s:s, s:f, s:i, s:f, s:f}", "statistic",
				      "headline (lower quartile of the round medians, or median)",
				      "interval", "two-sample percentile bootstrap", "level",
				      KCMP_LEVEL, "resamples", 2000, "noise_floor_percent",
				      c->floor_timing, "noise_floor_percent_instructions",
				      c->floor_count));
	json_object_set_new(root, "forced", json_boolean(c->forced));
	json_object_set_new(root, "warning", c->forced ? json_string(c->warning) : json_null());
	json_t *env = json_array();
	for (size_t i = 0; i < c->n_env; i++) {
		const struct kcmp_envdiff *d = &c->env[i];
		json_array_append_new(env, json_pack("{s:s, s:s, s:o, s:o}", "scope", d->scope, "key",
						     d->key, "old",
						     d->old ? json_string(d->old) : json_null(), "new",
						     d->new_ ? json_string(d->new_) : json_null()));
	}
	json_object_set_new(root, "environment_differences", env);
	json_t *rows = json_array();
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct kcmp_row *r = &c->rows[i];
		json_t *o = json_pack("{s:s, s:s}", "world", r->world, "id", r->id);
		if (r->variant)
			json_object_set_new(o, "variant", json_string(r->variant));
		if (r->old_variant)
			json_object_set_new(o, "old_variant", json_string(r->old_variant));
		json_object_set_new(o, "op", json_string(r->op));
		json_object_set_new(o, "unit", json_string(r->unit));
		json_object_set_new(o, "old", side_json(r, r->old, r->measured_old, r->med_old, c->ns));
		json_object_set_new(o, "new", side_json(r, r->new_, r->measured_new, r->med_new, c->ns));
		int judged = r->verdict == KV_NO_CHANGE || r->verdict == KV_SIGNIFICANT;
		json_object_set_new(o, "difference", judged ? json_real(r->diff) : json_null());
		json_object_set_new(o, "percent",
				    judged && r->has_pct ? json_real(r->pct) : json_null());
		json_object_set_new(o, "interval",
				    judged ? json_pack("[f, f]", r->lo, r->hi) : json_null());
		json_object_set_new(o, "percent_interval",
				    judged && r->has_pct ? json_pack("[f, f]", r->pct_lo, r->pct_hi)
							 : json_null());
		json_object_set_new(o, "interval_method",
				    judged ? json_string(r->method) : json_null());
		json_object_set_new(o, "verdict", json_string(verdict_key(r)));
		json_object_set_new(o, "direction",
				    r->verdict == KV_SIGNIFICANT
					    ? json_string(r->slower ? "slower" : "faster")
					    : json_null());
		json_object_set_new(o, "why", r->why[0] ? json_string(r->why) : json_null());
		json_array_append_new(rows, o);
	}
	json_object_set_new(root, "rows", rows);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (!s)
		return -1;
	size_t n = strlen(s);
	*out = realloc(s, n + 2);
	if (!*out) {
		free(s);
		return -1;
	}
	(*out)[n] = '\n';
	(*out)[n + 1] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* CSV and Markdown                                                    */

static void csv_num(FILE *f, int have, double v)
{
	fputc(',', f);
	if (have)
		fprintf(f, "%.6g", v);
}

int kcmp_export_csv(const struct kcmp *c, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return -1;
	fputs("world,id,variant,op,unit,old_headline,new_headline,difference,percent,"
	      "percent_low,percent_high,interval_method,verdict,direction,why,old_variant\n", f);
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct kcmp_row *r = &c->rows[i];
		int judged = r->verdict == KV_NO_CHANGE || r->verdict == KV_SIGNIFICANT;
		ktext_csv(f, r->world);
		fputc(',', f);
		ktext_csv(f, r->id);
		fputc(',', f);
		ktext_csv(f, r->variant);
		fputc(',', f);
		ktext_csv(f, r->op);
		fputc(',', f);
		ktext_csv(f, r->unit);
		csv_num(f, r->measured_old, r->med_old);
		csv_num(f, r->measured_new, r->med_new);
		csv_num(f, judged, r->diff);
		csv_num(f, judged && r->has_pct, r->pct);
		csv_num(f, judged && r->has_pct, r->pct_lo);
		csv_num(f, judged && r->has_pct, r->pct_hi);
		fputc(',', f);
		ktext_csv(f, judged ? r->method : "");
		fputc(',', f);
		ktext_csv(f, verdict_key(r));
		fputc(',', f);
		ktext_csv(f, r->verdict == KV_SIGNIFICANT ? (r->slower ? "slower" : "faster") : "");
		fputc(',', f);
		ktext_csv(f, r->why);
		fputc(',', f);
		ktext_csv(f, r->old_variant);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int kcmp_export_markdown(const struct kcmp *c, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return -1;
	fprintf(f, "# kentry compare\n\n- OLD: `");
	ktext_md(f, c->name_a);
	fprintf(f, "` (kentry ");
	ktext_md(f, or_unknown(c->a->kentry_version));
	fprintf(f, ", ");
	ktext_md(f, or_unknown(c->a->created));
	fprintf(f, ")\n- NEW: `");
	ktext_md(f, c->name_b);
	fprintf(f, "` (kentry ");
	ktext_md(f, or_unknown(c->b->kentry_version));
	fprintf(f, ", ");
	ktext_md(f, or_unknown(c->b->created));
	fprintf(f, ")\n\n");
	if (c->forced) {
		fprintf(f, "**Warning:** ");
		ktext_md(f, c->warning);
		fprintf(f, "\n\n");
	}
	if (c->n_env) {
		fprintf(f, "## What differs between the environments\n\n| fact | OLD | NEW |\n"
			   "| --- | --- | --- |\n");
		for (size_t i = 0; i < c->n_env; i++) {
			const struct kcmp_envdiff *d = &c->env[i];
			fprintf(f, "| %s", strcmp(d->scope, "guest") == 0 ? "guest " : "");
			ktext_md(f, d->key);
			fprintf(f, " | ");
			ktext_md(f, d->old ? d->old : "(absent)");
			fprintf(f, " | ");
			ktext_md(f, d->new_ ? d->new_ : "(absent)");
			fprintf(f, " |\n");
		}
		fprintf(f, "\n");
	} else {
		fprintf(f, "The two environments agree on every fact kentry records.\n\n");
	}
	const char *cur_world = NULL, *cur_unit = NULL;
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct kcmp_row *r = &c->rows[i];
		if (!cur_world || strcmp(cur_world, r->world) || strcmp(cur_unit, r->unit)) {
			cur_world = r->world;
			cur_unit = r->unit;
			fprintf(f, "%s## %s, op ", i ? "\n" : "", world_title(r->world));
			ktext_md(f, r->op);
			fprintf(f, " (headline per call, %s)\n\n| path | OLD | NEW | diff | %% | 95%% "
				   "interval | verdict |\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n",
				kunit_words(r->unit));
		}
		char o[32], n[32], d[32] = "", p[32] = "", lo[16], hi[16];
		cells(r, o, n, sizeof(o), "");
		int judged = r->verdict == KV_NO_CHANGE || r->verdict == KV_SIGNIFICANT;
		fprintf(f, "| `");
		ktext_md(f, r->id);
		fprintf(f, "`");
		if (r->variant) {
			fprintf(f, " ");
			ktext_md(f, r->variant);
		}
		if (r->old_variant) {
			fprintf(f, " vs ");
			ktext_md(f, r->old_variant);
		}
		fprintf(f, " | %s | %s | ", o, n);
		if (judged) {
			fmt_num(d, sizeof(d), r->diff, 1);
			fprintf(f, "%s | ", d);
			if (r->has_pct) {
				fmt_pct(p, sizeof(p), r->pct);
				fmt_pct(lo, sizeof(lo), r->pct_lo);
				fmt_pct(hi, sizeof(hi), r->pct_hi);
				fprintf(f, "%s | [%s, %s] | ", p, lo, hi);
			} else {
				fprintf(f, " | | ");
			}
		} else {
			fprintf(f, " | | | ");
		}
		fprintf(f, "%s", kcmp_verdict_text(r));
		if (r->verdict != KV_SIGNIFICANT && r->why[0]) {
			fprintf(f, " (");
			ktext_md(f, r->why);
			fprintf(f, ")");
		}
		fprintf(f, " |\n");
	}
	fprintf(f, "\nThe headline is the lower quartile of the round medians (a run in rounds) or "
		   "the median. Significant: the 95%% interval of the difference excludes 0 "
		   "and the change is at least the noise floor (%g%% for timings, %g%% for "
		   "instruction counts).\n", c->floor_timing, c->floor_count);
	return fclose(f) == 0 ? 0 : -1;
}
