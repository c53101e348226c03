/* kentry results: the JSON result file, written and read back. */
#include "json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *stats_json(const struct kstats *s)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "min", s->min,
			 "p25", s->p25, "median", s->median, "p75", s->p75, "p99", s->p99,
			 "max", s->max, "mean", s->mean, "stddev", s->stddev, "spread",
			 s->median > 0 ? kstats_rel_spread(s) : 0.0, "samples",
			 (json_int_t)s->n);
}

static int get_num(json_t *o, const char *k, double *v, char *err, size_t errlen,
		   const char *ctx);

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

static int count_field(json_t *o, const char *k, uint64_t *v, char *err, size_t errlen,
		       const char *ctx)
{
	json_t *x = json_object_get(o, k);
	if (!json_is_integer(x) || json_integer_value(x) < 0) {
		snprintf(err, errlen, "%s: 'rounds.%s' is missing or not a count", ctx, k);
		return -1;
	}
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

/* Reads what trust_json wrote; every field is optional (files written
 * before them, the bare-metal world), but a present one must be right. */
static int trust_from_json(json_t *o, struct kresult *r, char *err, size_t errlen,
			   const char *ctx)
{
	json_t *mode = json_object_get(o, "mode");
	if (mode && (!json_is_string(mode) ||
		     (strcmp(json_string_value(mode), "per-call") != 0 &&
		      strcmp(json_string_value(mode), "per-batch") != 0))) {
		snprintf(err, errlen, "%s: 'mode' is neither \"per-call\" nor \"per-batch\"", ctx);
		return -1;
	}
	json_t *d = json_object_get(o, "disturbed");
	if (d && !json_is_boolean(d)) {
		snprintf(err, errlen, "%s: 'disturbed' is not a boolean", ctx);
		return -1;
	}
	json_t *why = json_object_get(o, "disturbance");
	if (why && !json_is_null(why) && !json_is_string(why)) {
		snprintf(err, errlen, "%s: 'disturbance' is neither a string nor null", ctx);
		return -1;
	}
	if (json_is_true(d))
		kresult_set_disturbance(r, "%s", json_is_string(why) ? json_string_value(why) : "");
	json_t *ro = json_object_get(o, "rounds");
	if (!ro)
		return 0;
	uint64_t count, sw, slow, fast, iv, st;
	double v;
	json_t *m = json_is_object(ro) ? json_object_get(ro, "medians") : NULL;
	if (!json_is_object(ro)) {
		snprintf(err, errlen, "%s: 'rounds' is not an object", ctx);
		return -1;
	}
	if (count_field(ro, "count", &count, err, errlen, ctx))
		return -1;
	if (count == 0 || count > 100000 || !json_is_array(m) || json_array_size(m) != count) {
		snprintf(err, errlen, "%s: 'rounds' needs a count from 1 to 100000 and as many "
				      "medians", ctx);
		return -1;
	}
	if (count_field(ro, "switched", &sw, err, errlen, ctx) ||
	    count_field(ro, "slow", &slow, err, errlen, ctx) ||
	    count_field(ro, "fast", &fast, err, errlen, ctx) ||
	    count_field(ro, "involuntary_switches", &iv, err, errlen, ctx) ||
	    count_field(ro, "steal_ticks", &st, err, errlen, ctx) ||
	    get_num(ro, "headline", &r->headline, err, errlen, ctx) ||
	    get_num(ro, "spread", &r->round_spread, err, errlen, ctx))
		return -1;
	r->round_medians = malloc(count * sizeof(double));
	if (!r->round_medians) {
		snprintf(err, errlen, "%s: out of memory", ctx);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		json_t *x = json_array_get(m, i);
		v = json_number_value(x);
		if (!json_is_number(x) || !isfinite(v)) {
			snprintf(err, errlen, "%s: 'rounds.medians' holds a non-number", ctx);
			return -1;
		}
		r->round_medians[i] = v;
	}
	r->rounds = (uint32_t)count;
	r->switched_rounds = (uint32_t)sw;
	r->slow_rounds = (uint32_t)slow;
	r->fast_rounds = (uint32_t)fast;
	r->nivcsw = iv;
	r->steal = st;
	if (json_object_get(ro, "iqr") && get_num(ro, "iqr", &r->round_iqr, err, errlen, ctx))
		return -1;
	if (json_object_get(ro, "headline_ns") &&
	    get_num(ro, "headline_ns", &r->headline_ns, err, errlen, ctx))
		return -1;
	return 0;
}

static json_t *env_json(const struct kenv *env)
{
	json_t *o = json_object();
	for (size_t i = 0; i < env->n; i++)
		json_object_set_new(o, env->e[i].key, json_string(env->e[i].value));
	return o;
}

int kexport_json(const struct krun *run, char **out)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("kentry-results"));
	json_object_set_new(root, "schema_version", json_integer(KENTRY_SCHEMA_VERSION));
	json_object_set_new(root, "kentry_version",
			    json_string(run->kentry_version ? run->kentry_version : KENTRY_VERSION));
	if (run->created)
		json_object_set_new(root, "created", json_string(run->created));
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
			json_object_set_new(o, "cycles", stats_json(&r->cycles));
			json_object_set_new(o, "ns", r->has_ns ? stats_json(&r->ns) : json_null());
			json_object_set_new(o, "batch", json_integer(r->batch));
			json_object_set_new(o, "overhead_cycles", json_real(r->overhead_cycles));
			json_object_set_new(o, "wide_spread", json_boolean(r->wide));
			json_object_set_new(o, "anomaly",
					    r->anomaly ? json_string(r->anomaly) : json_null());
			trust_json(o, r);
		}
		if (r->note)
			json_object_set_new(o, "note", json_string(r->note));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "results", arr);
	*out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (!*out)
		return -1;
	/* json_dumps output lacks a final newline */
	size_t n = strlen(*out);
	char *s = realloc(*out, n + 2);
	if (!s) {
		free(*out);
		*out = NULL;
		return -1;
	}
	s[n] = '\n';
	s[n + 1] = '\0';
	*out = s;
	return 0;
}

static int get_num(json_t *o, const char *k, double *v, char *err, size_t errlen,
		   const char *ctx)
{
	json_t *x = json_object_get(o, k);
	if (!x || !json_is_number(x)) {
		snprintf(err, errlen, "%s: field '%s' is missing or not a number", ctx, k);
		return -1;
	}
	*v = json_number_value(x);
	if (!isfinite(*v)) {
		snprintf(err, errlen, "%s: field '%s' is not finite", ctx, k);
		return -1;
	}
	return 0;
}

static int stats_from_json(json_t *o, struct kstats *s, char *err, size_t errlen,
			   const char *ctx)
{
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: not an object", ctx);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	if (get_num(o, "min", &s->min, err, errlen, ctx) ||
	    get_num(o, "median", &s->median, err, errlen, ctx) ||
	    get_num(o, "mean", &s->mean, err, errlen, ctx) ||
	    get_num(o, "stddev", &s->stddev, err, errlen, ctx) ||
	    get_num(o, "p99", &s->p99, err, errlen, ctx))
		return -1;
	json_t *n = json_object_get(o, "samples");
	if (!json_is_integer(n) || json_integer_value(n) < 0) {
		snprintf(err, errlen, "%s: field 'samples' is missing or not a count", ctx);
		return -1;
	}
	s->n = (uint64_t)json_integer_value(n);
	/* optional fields, present in files kentry writes */
	double v;
	char dummy[8];
	if (get_num(o, "p25", &v, dummy, sizeof(dummy), ctx) == 0) s->p25 = v;
	if (get_num(o, "p75", &v, dummy, sizeof(dummy), ctx) == 0) s->p75 = v;
	if (get_num(o, "max", &v, dummy, sizeof(dummy), ctx) == 0) s->max = v;
	return 0;
}

static int env_from_json(json_t *o, struct kenv *env, char *err, size_t errlen,
			 const char *name)
{
	if (!o)
		return 0;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "'%s' is not an object", name);
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		if (!json_is_string(v)) {
			snprintf(err, errlen, "'%s.%s' is not a string", name, k);
			return -1;
		}
		kenv_set(env, k, json_string_value(v));
	}
	return 0;
}

static const char *str_field(json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

int kjson_parse(const char *text, struct krun *run, char *err, size_t errlen)
{
	json_error_t je;
	krun_init(run);
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "not valid JSON: %s (line %d, column %d)", je.text, je.line,
			 je.column);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a kentry result file: the top level is not an object");
		goto out;
	}
	const char *schema = str_field(root, "schema");
	if (!schema || strcmp(schema, "kentry-results") != 0) {
		snprintf(err, errlen, "not a kentry result file: 'schema' is not \"kentry-results\"");
		goto out;
	}
	json_t *ver = json_object_get(root, "schema_version");
	if (!json_is_integer(ver)) {
		snprintf(err, errlen, "'schema_version' is missing or not an integer");
		goto out;
	}
	if (json_integer_value(ver) < 1 || json_integer_value(ver) > KENTRY_SCHEMA_VERSION) {
		snprintf(err, errlen, "schema_version %lld is not one this kentry reads (1..%d)",
			 (long long)json_integer_value(ver), KENTRY_SCHEMA_VERSION);
		goto out;
	}
	const char *kv = str_field(root, "kentry_version");
	if (!kv) {
		snprintf(err, errlen, "'kentry_version' is missing or not a string");
		goto out;
	}
	run->kentry_version = strdup(kv);
	if (str_field(root, "created"))
		run->created = strdup(str_field(root, "created"));
	json_t *env = json_object_get(root, "environment");
	if (!env) {
		snprintf(err, errlen, "'environment' is missing");
		goto out;
	}
	if (env_from_json(env, &run->env, err, errlen, "environment") ||
	    env_from_json(json_object_get(root, "guest_environment"), &run->guest_env, err,
			  errlen, "guest_environment"))
		goto out;
	json_t *arr = json_object_get(root, "results");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "'results' is missing or not an array");
		goto out;
	}
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "results[%zu]", i);
		if (!json_is_object(o)) {
			snprintf(err, errlen, "%s is not an object", ctx);
			goto out;
		}
		const char *id = str_field(o, "id"), *world = str_field(o, "world");
		const char *op = str_field(o, "op"), *status = str_field(o, "status");
		if (!id || !*id || !world || !status) {
			snprintf(err, errlen, "%s: 'id', 'world' and 'status' must be strings", ctx);
			goto out;
		}
		json_t *jv = json_object_get(o, "variant");
		if (jv && !json_is_string(jv)) {
			snprintf(err, errlen, "%s (%s): 'variant' must be a string", ctx, id);
			goto out;
		}
		const char *variant = jv ? json_string_value(jv) : NULL;
		if (krun_find_variant(run, id, world, variant)) {
			snprintf(err, errlen, "%s (%s%s%s): a second result for the same path",
				 ctx, id, variant ? " " : "", variant ? variant : "");
			goto out;
		}
		struct kresult *r = krun_add(run, id, world, op ? op : "null");
		kresult_set_variant(r, variant);
		if (strcmp(status, "skipped") == 0) {
			const char *reason = str_field(o, "reason");
			if (!reason) {
				snprintf(err, errlen, "%s (%s): skipped without a 'reason'", ctx, id);
				goto out;
			}
			kresult_skip(r, "%s", reason);
		} else if (strcmp(status, "measured") == 0) {
			char c2[96];
			snprintf(c2, sizeof(c2), "%s (%s).cycles", ctx, id);
			if (stats_from_json(json_object_get(o, "cycles"), &r->cycles, err, errlen, c2))
				goto out;
			json_t *ns = json_object_get(o, "ns");
			if (ns && !json_is_null(ns)) {
				snprintf(c2, sizeof(c2), "%s (%s).ns", ctx, id);
				if (stats_from_json(ns, &r->ns, err, errlen, c2))
					goto out;
				r->has_ns = 1;
			}
			json_t *b = json_object_get(o, "batch");
			if (json_is_integer(b) && json_integer_value(b) >= 0 &&
			    json_integer_value(b) <= UINT32_MAX)
				r->batch = (uint32_t)json_integer_value(b);
			json_t *ov = json_object_get(o, "overhead_cycles");
			if (json_is_number(ov))
				r->overhead_cycles = json_number_value(ov);
			r->wide = json_is_true(json_object_get(o, "wide_spread"));
			if (str_field(o, "anomaly"))
				r->anomaly = strdup(str_field(o, "anomaly"));
			snprintf(c2, sizeof(c2), "%s (%s)", ctx, id);
			if (trust_from_json(o, r, err, errlen, c2))
				goto out;
		} else {
			snprintf(err, errlen, "%s (%s): status '%s' is neither 'measured' nor 'skipped'",
				 ctx, id, status);
			goto out;
		}
		if (str_field(o, "note"))
			kresult_set_note(r, "%s", str_field(o, "note"));
	}
	rc = 0;
out:
	json_decref(root);
	if (rc)
		krun_free(run);
	return rc;
}

int kjson_load(const char *path, struct krun *run, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		krun_init(run);
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			if (cap >= (64u << 20)) {
				free(buf);
				buf = NULL;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errlen, "%s: too large for a result file", path);
		krun_init(run);
		return -1;
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		snprintf(err, errlen, "%s: not a kentry result file (contains NUL bytes)", path);
		krun_init(run);
		return -1;
	}
	char inner[512];
	int rc = kjson_parse(buf, run, inner, sizeof(inner));
	free(buf);
	if (rc)
		snprintf(err, errlen, "%s: %s", path, inner);
	return rc;
}

