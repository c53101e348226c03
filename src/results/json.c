/* kentry results: the JSON result file, written (schema version 2) and read
 * back (versions 1 and 2). See docs/schema.md. */
#include "json.h"
#include "envtype.h"
#include "text.h"
#include "validate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static json_t *stats_json(const struct kstats *s)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "min", s->min,
			 "p25", s->p25, "median", s->median, "p75", s->p75, "p99", s->p99,
			 "max", s->max, "mean", s->mean, "stddev", s->stddev, "spread",
			 s->median > 0 ? kstats_rel_spread(s) : 0.0, "samples",
			 (json_int_t)s->n);
}

/* The fields that say how far a measured figure can be trusted: how the
 * samples were taken (mode), the rounds and their spread, disturbance. */
static void trust_json(json_t *o, const struct kresult *r)
{
	json_object_set_new(o, "mode", json_string(kresult_mode(r)));
	if (r->rounds) {
		json_t *m = json_array();
		for (uint32_t i = 0; i < r->rounds && r->round_medians; i++)
			json_array_append_new(m, json_real(r->round_medians[i]));
		json_t *ro = json_pack("{s:I, s:f, s:f, s:o, s:I, s:I, s:I, s:I, s:I}", "count",
				       (json_int_t)r->rounds, "headline", r->headline, "spread",
				       r->round_spread, "medians", m, "switched",
				       (json_int_t)r->switched_rounds, "slow",
				       (json_int_t)r->slow_rounds, "fast",
				       (json_int_t)r->fast_rounds, "involuntary_switches",
				       (json_int_t)r->nivcsw, "steal_ticks", (json_int_t)r->steal);
		json_object_set_new(ro, "iqr", json_real(r->round_iqr));
		if (r->has_ns)
			json_object_set_new(ro, "headline_ns", json_real(r->headline_ns));
		json_object_set_new(o, "rounds", ro);
	}
	json_object_set_new(o, "disturbed", json_boolean(r->disturbed));
	json_object_set_new(o, "disturbance",
			    r->disturbance ? json_string(r->disturbance) : json_null());
}

static json_t *env_json(const struct kenv *env)
{
	json_t *o = json_object();
	for (size_t i = 0; i < env->n; i++)
		json_object_set_new(o, env->e[i].key,
				    kenvtype_to_json(env->e[i].key, env->e[i].value));
	return o;
}

/* The samples are written as one compact line per result (an indented
 * array would put every number on a line of its own): the document is
 * dumped with a placeholder string, which is then replaced. Inside a JSON
 * string every quote is escaped, so the unescaped key-and-placeholder
 * pattern below cannot come from any string value. */
#define SAMPLES_MARK "\"samples\": \"\\u0001kentry-samples-%zu\\u0001\""

static void put_sample(FILE *f, double v)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%.2f", round(v * 100.0) / 100.0);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	fputs(buf, f);
}

static char *fill_samples(char *doc, const struct krun *run)
{
	size_t len;
	char *out = NULL;
	FILE *f = open_memstream(&out, &len);
	if (!f) {
		free(doc);
		return NULL;
	}
	const char *p = doc;
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if (r->status != KR_MEASURED || !r->samples)
			continue;
		char mark[96];
		snprintf(mark, sizeof(mark), SAMPLES_MARK, i);
		const char *at = strstr(p, mark);
		if (!at)
			continue;
		fwrite(p, 1, (size_t)(at - p), f);
		fputs("\"samples\": [", f);
		for (size_t k = 0; k < r->n_samples; k++) {
			if (k)
				fputs(", ", f);
			put_sample(f, r->samples[k]);
		}
		fputc(']', f);
		p = at + strlen(mark);
	}
	fputs(p, f);
	fputc('\n', f);
	free(doc);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int kexport_json(const struct krun *run, char **out)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("kentry-results"));
	json_object_set_new(root, "schema_version", json_integer(KENTRY_SCHEMA_VERSION));
	json_object_set_new(root, "kentry_version",
			    json_string(run->kentry_version ? run->kentry_version : KENTRY_VERSION));
	json_object_set_new(root, "created", json_string(run->created ? run->created : "unknown"));
	json_object_set_new(root, "environment", env_json(&run->env));
	json_object_set_new(root, "guest_environment", env_json(&run->guest_env));
	json_t *arr = json_array();
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "world", json_string(r->world));
		json_object_set_new(o, "op", json_string(r->op));
		if (r->variant)
			json_object_set_new(o, "variant", json_string(r->variant));
		json_object_set_new(o, "status",
				    json_string(r->status == KR_MEASURED ? "measured" : "skipped"));
		if (r->status == KR_SKIPPED) {
			json_object_set_new(o, "reason", json_string(r->reason ? r->reason : ""));
		} else {
			json_object_set_new(o, "unit", json_string(krun_unit(run, r)));
			json_object_set_new(o, "cycles", stats_json(&r->cycles));
			json_object_set_new(o, "ns", r->has_ns ? stats_json(&r->ns) : json_null());
			json_object_set_new(o, "batch", json_integer(r->batch));
			json_object_set_new(o, "overhead_cycles", json_real(r->overhead_cycles));
			json_object_set_new(o, "wide_spread", json_boolean(r->wide));
			json_object_set_new(o, "anomaly",
					    r->anomaly ? json_string(r->anomaly) : json_null());
			trust_json(o, r);
			if (r->samples) {
				char mark[64];
				snprintf(mark, sizeof(mark), "\x01kentry-samples-%zu\x01", i);
				json_object_set_new(o, "samples", json_string(mark));
			}
		}
		if (r->note)
			json_object_set_new(o, "note", json_string(r->note));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "results", arr);
	char *doc = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	*out = doc ? fill_samples(doc, run) : NULL;
	return *out ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* "CTX.KEY: missing" or "CTX.KEY: expected WHAT, got KIND" */
static int bad(char *err, size_t errlen, const char *ctx, const char *key, const char *what,
	       json_t *v)
{
	if (!v)
		snprintf(err, errlen, "%s%s%s: missing (%s required)", ctx, *ctx ? "." : "", key,
			 what);
	else
		snprintf(err, errlen, "%s%s%s: expected %s, got %s", ctx, *ctx ? "." : "", key,
			 what, kjson_kind(v));
	return -1;
}

static int get_num(json_t *o, const char *k, double *v, int required, char *err,
		   size_t errlen, const char *ctx)
{
	json_t *x = json_object_get(o, k);
	if (!x && !required)
		return 1;
	if (!json_is_number(x))
		return bad(err, errlen, ctx, k, "a number", x);
	*v = json_number_value(x);
	return 0;
}

static int get_str(json_t *o, const char *k, const char **v, int required, char *err,
		   size_t errlen, const char *ctx)
{
	json_t *x = json_object_get(o, k);
	*v = NULL;
	if (!x && !required)
		return 1;
	if (!json_is_string(x))
		return bad(err, errlen, ctx, k, "a string", x);
	*v = json_string_value(x);
	return 0;
}

static int stats_from_json(json_t *o, struct kstats *s, int version, char *err, size_t errlen,
			   const char *ctx)
{
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: expected a statistics object, got %s", ctx, kjson_kind(o));
		return -1;
	}
	memset(s, 0, sizeof(*s));
	/* version 1 readers did not need p25, p75 and max */
	int v2 = version >= 2;
	if (get_num(o, "min", &s->min, 1, err, errlen, ctx) < 0 ||
	    get_num(o, "median", &s->median, 1, err, errlen, ctx) < 0 ||
	    get_num(o, "mean", &s->mean, 1, err, errlen, ctx) < 0 ||
	    get_num(o, "stddev", &s->stddev, 1, err, errlen, ctx) < 0 ||
	    get_num(o, "p99", &s->p99, 1, err, errlen, ctx) < 0)
		return -1;
	int rc;
	if ((rc = get_num(o, "p25", &s->p25, v2, err, errlen, ctx)) < 0)
		return -1;
	if (rc)
		s->p25 = s->median;
	if ((rc = get_num(o, "p75", &s->p75, v2, err, errlen, ctx)) < 0)
		return -1;
	if (rc)
		s->p75 = s->median;
	if ((rc = get_num(o, "max", &s->max, v2, err, errlen, ctx)) < 0)
		return -1;
	if (rc)
		s->max = s->p99;
	json_t *n = json_object_get(o, "samples");
	if (!json_is_integer(n))
		return bad(err, errlen, ctx, "samples", "a whole number", n);
	if (json_integer_value(n) < 0) {
		snprintf(err, errlen, "%s.samples: %lld is negative", ctx,
			 (long long)json_integer_value(n));
		return -1;
	}
	s->n = (uint64_t)json_integer_value(n);
	return 0;
}

static int env_from_json(json_t *o, struct kenv *env, int version, int required, char *err,
			 size_t errlen, const char *name)
{
	if (!o && !required)
		return 0;
	if (!json_is_object(o))
		return bad(err, errlen, "", name, "an object", o);
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		char ctx[200];
		snprintf(ctx, sizeof(ctx), "%s.%s", name, ktext_short(k, 60));
		if (version < 2) {
			if (!json_is_string(v)) {
				snprintf(err, errlen, "%s: expected a string (schema version 1), got %s",
					 ctx, kjson_kind(v));
				return -1;
			}
			/* version 1's qemu.cmdline (and bochs.cmdline) was the
			 * kernel command line: version 2 calls that *.append */
			const char *key = !strcmp(k, "qemu.cmdline")    ? "qemu.append"
					  : !strcmp(k, "bochs.cmdline") ? "bochs.append"
									: k;
			kenv_set(env, key, json_string_value(v));
			continue;
		}
		char *text, why[200];
		if (kenvtype_from_json(k, v, &text, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", ctx, why);
			return -1;
		}
		kenv_set(env, k, text);
		free(text);
	}
	return 0;
}

static int samples_from_json(json_t *a, struct kresult *r, char *err, size_t errlen,
			     const char *ctx)
{
	if (!json_is_array(a))
		return bad(err, errlen, ctx, "samples", "an array of numbers", a);
	size_t n = json_array_size(a), i;
	json_t *x;
	double *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "%s.samples: out of memory", ctx);
		return -1;
	}
	json_array_foreach(a, i, x) {
		if (!json_is_number(x)) {
			snprintf(err, errlen, "%s.samples[%zu]: expected a number, got %s", ctx, i,
				 kjson_kind(x));
			free(v);
			return -1;
		}
		v[i] = json_number_value(x);
	}
	free(r->samples);
	r->samples = v;
	r->n_samples = n;
	return 0;
}

static int get_count(json_t *o, const char *k, uint64_t *v, char *err, size_t errlen,
		     const char *ctx)
{
	json_t *x = json_object_get(o, k);
	if (!json_is_integer(x))
		return bad(err, errlen, ctx, k, "a whole number", x);
	if (json_integer_value(x) < 0) {
		snprintf(err, errlen, "%s.%s: %lld is negative", ctx, k,
			 (long long)json_integer_value(x));
		return -1;
	}
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

/* Reads what trust_json wrote: required in version 2 (but `rounds`, absent
 * for a single run), optional in version 1, right when present. */
static int trust_from_json(json_t *o, struct kresult *r, int version, char *err,
			   size_t errlen, const char *ctx)
{
	int v2 = version >= 2;
	const char *mode;
	if (get_str(o, "mode", &mode, v2, err, errlen, ctx) < 0)
		return -1;
	if (mode && strcmp(mode, "per-call") != 0 && strcmp(mode, "per-batch") != 0) {
		snprintf(err, errlen, "%s.mode: '%s' is neither 'per-call' nor 'per-batch'", ctx,
			 ktext_short(mode, 40));
		return -1;
	}
	json_t *d = json_object_get(o, "disturbed");
	if ((d || v2) && !json_is_boolean(d))
		return bad(err, errlen, ctx, "disturbed", "a boolean", d);
	json_t *why = json_object_get(o, "disturbance");
	if ((why || v2) && !json_is_null(why) && !json_is_string(why))
		return bad(err, errlen, ctx, "disturbance", "a string or null", why);
	if (json_is_true(d))
		kresult_set_disturbance(r, "%s", json_is_string(why) ? json_string_value(why) : "");
	json_t *ro = json_object_get(o, "rounds");
	if (!ro)
		return 0;
	char c2[220];
	snprintf(c2, sizeof(c2), "%s.rounds", ctx);
	if (!json_is_object(ro))
		return bad(err, errlen, ctx, "rounds", "an object", ro);
	uint64_t count, sw, slow, fast, iv, st;
	if (get_count(ro, "count", &count, err, errlen, c2))
		return -1;
	json_t *m = json_object_get(ro, "medians");
	if (count == 0 || count > 100000 || !json_is_array(m) || json_array_size(m) != count) {
		snprintf(err, errlen, "%s: needs a count from 1 to 100000 and as many medians", c2);
		return -1;
	}
	if (get_count(ro, "switched", &sw, err, errlen, c2) ||
	    get_count(ro, "slow", &slow, err, errlen, c2) ||
	    get_count(ro, "fast", &fast, err, errlen, c2) ||
	    get_count(ro, "involuntary_switches", &iv, err, errlen, c2) ||
	    get_count(ro, "steal_ticks", &st, err, errlen, c2) ||
	    get_num(ro, "headline", &r->headline, 1, err, errlen, c2) < 0 ||
	    get_num(ro, "spread", &r->round_spread, 1, err, errlen, c2) < 0 ||
	    get_num(ro, "iqr", &r->round_iqr, v2, err, errlen, c2) < 0 ||
	    get_num(ro, "headline_ns", &r->headline_ns, 0, err, errlen, c2) < 0)
		return -1;
	r->round_medians = malloc(count * sizeof(double));
	if (!r->round_medians) {
		snprintf(err, errlen, "%s: out of memory", c2);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		json_t *x = json_array_get(m, i);
		if (!json_is_number(x)) {
			snprintf(err, errlen, "%s.medians[%zu]: expected a number, got %s", c2, i,
				 kjson_kind(x));
			return -1;
		}
		r->round_medians[i] = json_number_value(x);
	}
	r->rounds = (uint32_t)count;
	r->switched_rounds = (uint32_t)sw;
	r->slow_rounds = (uint32_t)slow;
	r->fast_rounds = (uint32_t)fast;
	r->nivcsw = iv;
	r->steal = st;
	return 0;
}

static int result_from_json(json_t *o, size_t i, struct krun *run, int version, char *err,
			    size_t errlen)
{
	char ctx[160];
	snprintf(ctx, sizeof(ctx), "results[%zu]", i);
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: expected an object, got %s", ctx, kjson_kind(o));
		return -1;
	}
	const char *id, *world, *op, *status, *variant;
	if (get_str(o, "id", &id, 1, err, errlen, ctx) < 0 ||
	    get_str(o, "world", &world, 1, err, errlen, ctx) < 0 ||
	    get_str(o, "op", &op, version >= 2, err, errlen, ctx) < 0 ||
	    get_str(o, "status", &status, 1, err, errlen, ctx) < 0 ||
	    get_str(o, "variant", &variant, 0, err, errlen, ctx) < 0)
		return -1;
	snprintf(ctx, sizeof(ctx), "results[%zu] (%s%s%s)", i, ktext_short(id, 40),
		 variant ? " " : "", variant ? ktext_short(variant, 24) : "");
	struct kresult *r = krun_add(run, id, world, op ? op : "null");
	if (variant) {
		if (!*variant) {
			snprintf(err, errlen, "%s.variant: empty (leave it out for the default form)",
				 ctx);
			return -1;
		}
		kresult_set_variant(r, variant);
	}
	const char *note;
	if (get_str(o, "note", &note, 0, err, errlen, ctx) < 0)
		return -1;
	if (strcmp(status, "skipped") == 0) {
		const char *reason;
		if (get_str(o, "reason", &reason, 1, err, errlen, ctx) < 0)
			return -1;
		kresult_skip(r, "%s", reason);
	} else if (strcmp(status, "measured") == 0) {
		char c2[200];
		snprintf(c2, sizeof(c2), "%s.cycles", ctx);
		if (stats_from_json(json_object_get(o, "cycles"), &r->cycles, version, err, errlen,
				    c2))
			return -1;
		json_t *ns = json_object_get(o, "ns");
		if (!ns && version >= 2)
			return bad(err, errlen, ctx, "ns", "a statistics object or null", ns);
		if (ns && !json_is_null(ns)) {
			snprintf(c2, sizeof(c2), "%s.ns", ctx);
			if (stats_from_json(ns, &r->ns, version, err, errlen, c2))
				return -1;
			r->has_ns = 1;
		}
		json_t *b = json_object_get(o, "batch");
		if ((b || version >= 2) && !json_is_integer(b))
			return bad(err, errlen, ctx, "batch", "a whole number", b);
		if (b && (json_integer_value(b) < 0 || json_integer_value(b) > UINT32_MAX)) {
			snprintf(err, errlen, "%s.batch: %lld is not a batch size", ctx,
				 (long long)json_integer_value(b));
			return -1;
		}
		r->batch = b ? (uint32_t)json_integer_value(b) : 1;
		if (get_num(o, "overhead_cycles", &r->overhead_cycles, version >= 2, err, errlen,
			    ctx) < 0)
			return -1;
		json_t *w = json_object_get(o, "wide_spread");
		if ((w || version >= 2) && !json_is_boolean(w))
			return bad(err, errlen, ctx, "wide_spread", "a boolean", w);
		r->wide = json_is_true(w);
		json_t *an = json_object_get(o, "anomaly");
		if ((an || version >= 2) && !json_is_string(an) && !json_is_null(an))
			return bad(err, errlen, ctx, "anomaly", "a string or null", an);
		if (json_is_string(an))
			r->anomaly = strdup(json_string_value(an));
		if (trust_from_json(o, r, version, err, errlen, ctx))
			return -1;
		if (version >= 2) {
			const char *unit;
			if (get_str(o, "unit", &unit, 1, err, errlen, ctx) < 0)
				return -1;
			if (strcmp(unit, krun_unit(run, r)) != 0) {
				snprintf(err, errlen, "%s.unit: '%s', but the guest environment's "
						      "icount makes it %s", ctx, ktext_short(unit, 40),
					 krun_unit(run, r));
				return -1;
			}
		}
		json_t *sv = json_object_get(o, "samples");
		if (sv && samples_from_json(sv, r, err, errlen, ctx))
			return -1;
	} else {
		snprintf(err, errlen, "%s.status: '%s' is neither 'measured' nor 'skipped'", ctx,
			 ktext_short(status, 40));
		return -1;
	}
	if (note)
		kresult_set_note(r, "%s", note);
	return 0;
}

int kjson_parse(const char *text, struct krun *run, int *version, char *err, size_t errlen)
{
	json_error_t je;
	krun_init(run);
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "not valid JSON: %s (line %d, column %d)",
			 ktext_short(je.text, 100), je.line, je.column);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a kentry result file: the top level is %s, not an object",
			 kjson_kind(root));
		goto out;
	}
	const char *s;
	if (get_str(root, "schema", &s, 1, err, errlen, "") < 0)
		goto out;
	if (strcmp(s, "kentry-results") != 0) {
		snprintf(err, errlen, "schema: '%s': not a kentry result file (\"kentry-results\")",
			 ktext_short(s, 60));
		goto out;
	}
	json_t *ver = json_object_get(root, "schema_version");
	if (!json_is_integer(ver)) {
		bad(err, errlen, "", "schema_version", "a whole number", ver);
		goto out;
	}
	json_int_t v = json_integer_value(ver);
	if (v < 1 || v > KENTRY_SCHEMA_VERSION) {
		snprintf(err, errlen, "schema_version: %lld is not one this kentry reads (1 to %d)",
			 (long long)v, KENTRY_SCHEMA_VERSION);
		goto out;
	}
	if (version)
		*version = (int)v;
	if (get_str(root, "kentry_version", &s, 1, err, errlen, "") < 0)
		goto out;
	run->kentry_version = strdup(s);
	if (get_str(root, "created", &s, v >= 2, err, errlen, "") < 0)
		goto out;
	if (s)
		run->created = strdup(s);
	if (env_from_json(json_object_get(root, "environment"), &run->env, (int)v, 1, err, errlen,
			  "environment") ||
	    env_from_json(json_object_get(root, "guest_environment"), &run->guest_env, (int)v,
			  v >= 2, err, errlen, "guest_environment"))
		goto out;
	json_t *arr = json_object_get(root, "results");
	if (!json_is_array(arr)) {
		bad(err, errlen, "", "results", "an array", arr);
		goto out;
	}
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (result_from_json(o, i, run, (int)v, err, errlen))
			goto out;
	}
	rc = kvalidate_run(run, err, errlen);
out:
	json_decref(root);
	if (rc)
		krun_free(run);
	return rc;
}

int kjson_load(const char *path, struct krun *run, int *version, char *err, size_t errlen)
{
	krun_init(run);
	char *buf;
	size_t n;
	int rc = kinput_read(path, "a result file", 256u << 20, &buf, &n, err, errlen);
	if (rc)
		return rc;
	char p[512]; /* kept: ktext_arg's buffers are reused while parsing */
	snprintf(p, sizeof(p), "%s", ktext_arg(path));
	if (strlen(buf) != n) {
		free(buf);
		snprintf(err, errlen, "%s: not a kentry result file (contains NUL bytes)", p);
		return KINPUT_MALFORMED;
	}
	char inner[1024];
	rc = kjson_parse(buf, run, version, inner, sizeof(inner));
	free(buf);
	if (rc) {
		snprintf(err, errlen, "%s: %s", p, inner);
		return KINPUT_MALFORMED;
	}
	return KINPUT_OK;
}
