/* kentry: views of the result model. See render.h. */
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* analysis                                                            */

static int id_in(const char *id, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(id, *set) == 0)
			return 1;
	return 0;
}

static int linux_at_least(const struct krun *run, int major, int minor)
{
	const char *rel = kenv_get(&run->env, "kernel.release");
	int a = 0, b = 0;
	if (!rel || sscanf(rel, "%d.%d", &a, &b) != 2)
		return 0;
	return a > major || (a == major && b >= minor);
}

static char *cause_for(const struct krun *run, const struct kresult *r)
{
	static const char *const signals[] = { "ud2-sigill", "int3-sigtrap",
					       "pagefault-sigsegv", "sud-sigsys", NULL };
	static const char *const gates[] = { "int80-64", "int80-32", "int-gate",
					     "trap-gate", "compat-int80", "call-gate",
					     "compat-call-gate", NULL };
	const char *hv = kenv_get(&run->env, "hypervisor");
	const char *vs = kenv_get(&run->env, "vsyscall.mode");
	const char *kpti = kenv_get(&run->env, "kpti");
	char *s = NULL;
	int rc = 0;
	int under_hv = hv && strcmp(hv, "none") != 0;
	if (strcmp(r->id, "ud2-sigill") == 0 && under_hv)
		rc = asprintf(&s, "a signal round trip (two kernel entries and the FPU"
			      " state), and hypervisors of the KVM kind intercept every #UD"
			      " (%s here)", hv);
	else if (strcmp(r->world, "linux") == 0 && id_in(r->id, signals))
		rc = asprintf(&s, "a signal round trip: the exception entry, the signal frame"
			      " with the FPU state, and a second entry for rt_sigreturn");
	else if (strncmp(r->id, "int80-", 6) == 0 && under_hv && linux_at_least(run, 6, 7))
		rc = asprintf(&s, "since Linux 6.7 every int 0x80 reads the local APIC's"
			      " in-service register to reject a forged external vector;"
			      " under a hypervisor (%s here) that read is a VM exit", hv);
	else if (strcmp(r->id, "vsyscall") == 0 && vs && strcmp(vs, "native") != 0)
		rc = asprintf(&s, "vsyscall=%s: every call faults and the kernel emulates it", vs);
	else if (strcmp(r->world, "linux") == 0 && id_in(r->id, gates) && under_hv)
		rc = asprintf(&s, "IDT-vectored entries cost far more than syscall under"
			      " this hypervisor (%s): the hypervisor, not Linux, is the"
			      " likely cost%s", hv,
			      kpti && strcmp(kpti, "yes") == 0 ? "; KPTI also active" : "");
	else if (strcmp(r->world, "bare-metal") == 0) {
		const char *accel = kenv_get(&run->guest_env, "accel");
		if (accel && strcmp(accel, "tcg") == 0)
			rc = asprintf(&s, "emulated by QEMU TCG: the emulator's cost of this path,"
				      " not the hardware's");
	}
	if (rc < 0)
		s = NULL;
	return s;
}

void kanalyze(struct krun *run)
{
	double hz = 0.0;
	const char *h = kenv_get(&run->env, "tsc.hz");
	if (h)
		hz = strtod(h, NULL);
	double ghz_guest = 0.0;
	const char *gh = kenv_get(&run->guest_env, "tsc.hz");
	if (gh)
		ghz_guest = strtod(gh, NULL);
	const char *icount = kenv_get(&run->guest_env, "icount");
	int counting = icount && strcmp(icount, "off") != 0;

	for (size_t i = 0; i < run->n; i++) {
		struct kresult *r = &run->r[i];
		if (r->status != KR_MEASURED)
			continue;
		if (!r->has_ns) {
			if (strcmp(r->world, "linux") == 0)
				kresult_set_ns(r, hz);
			else if (!counting)
				kresult_set_ns(r, ghz_guest);
		}
	}
	for (size_t i = 0; i < run->n; i++) {
		struct kresult *r = &run->r[i];
		if (r->status != KR_MEASURED || strcmp(r->id, "syscall") == 0 || r->anomaly)
			continue;
		struct kresult *base = krun_find(run, "syscall", r->world);
		if (!base || base->status != KR_MEASURED || !(base->cycles.median > 0.0) ||
		    strcmp(base->op, r->op) != 0)
			continue;
		double ratio = r->cycles.median / base->cycles.median;
		if (ratio < 10.0)
			continue;
		char *cause = cause_for(run, r);
		if (asprintf(&r->anomaly, "%.0fx syscall%s%s", ratio, cause ? ": " : "",
			     cause ? cause : "") < 0)
			r->anomaly = NULL;
		free(cause);
	}
}

/* ------------------------------------------------------------------ */
/* human output                                                        */

static const char *env_or(const struct kenv *e, const char *k, const char *dflt)
{
	const char *v = kenv_get(e, k);
	return v && *v ? v : dflt;
}

void krender_env(FILE *f, const struct kenv *env, const char *title)
{
	if (env->n == 0)
		return;
	fprintf(f, "%s\n", title);
	if (kenv_get(env, "cpu.vendor")) {
		fprintf(f, "  CPU         %s (%s, family %s model %s stepping %s",
			env_or(env, "cpu.name", "?"), env_or(env, "cpu.vendor", "?"),
			env_or(env, "cpu.family", "?"), env_or(env, "cpu.model", "?"),
			env_or(env, "cpu.stepping", "?"));
		if (kenv_get(env, "cpu.microcode"))
			fprintf(f, ", microcode %s", env_or(env, "cpu.microcode", "?"));
		fprintf(f, ")\n");
	}
	if (kenv_get(env, "hypervisor"))
		fprintf(f, "  hypervisor  %s\n", env_or(env, "hypervisor", "none"));
	if (kenv_get(env, "kernel.release"))
		fprintf(f, "  kernel      Linux %s; KPTI %s; vsyscall %s; seccomp %s\n",
			env_or(env, "kernel.release", "?"), env_or(env, "kpti", "?"),
			env_or(env, "vsyscall.mode", "?"), env_or(env, "seccomp", "?"));
	if (kenv_get(env, "accel")) {
		fprintf(f, "  QEMU        %s, accel %s, cpu model %s, icount %s\n",
			env_or(env, "qemu.version", "?"), env_or(env, "accel", "?"),
			env_or(env, "qemu.cpu", "?"), env_or(env, "icount", "off"));
		if (kenv_get(env, "accel.fallback"))
			fprintf(f, "  fallback    %s\n", env_or(env, "accel.fallback", ""));
	}
	const char *hz = kenv_get(env, "tsc.hz");
	if (hz) {
		double v = strtod(hz, NULL);
		if (v > 0)
			fprintf(f, "  TSC         %.3f GHz (%s); invariant %s", v / 1e9,
				env_or(env, "tsc.method", "?"), env_or(env, "cpu.invariant_tsc", "?"));
		else
			fprintf(f, "  TSC         frequency unknown (%s): figures in cycles only",
				env_or(env, "tsc.method", "none"));
		if (kenv_get(env, "cpu.pinned"))
			fprintf(f, "; pinned to CPU %s", env_or(env, "cpu.pinned", "?"));
		fprintf(f, "\n");
	}
	if (kenv_get(env, "kernel.cmdline_mitigations"))
		fprintf(f, "  switches    %s\n", env_or(env, "kernel.cmdline_mitigations", "none"));
	/* every vulnerability file: the mitigated or vulnerable ones a line
	 * each, those that say "Not affected" on one wrapped line after them */
	int header = 0;
	char spared[2048] = "";
	size_t used = 0, col = 16;
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->e[i].key, "vulnerabilities.", 16) != 0)
			continue;
		const char *name = env->e[i].key + 16;
		if (strcmp(env->e[i].value, "Not affected") != 0) {
			if (!header++)
				fprintf(f, "  mitigations\n");
			fprintf(f, "    %-22s %s\n", name, env->e[i].value);
			continue;
		}
		int wrap = used && col + 2 + strlen(name) > 78;
		int w = snprintf(spared + used, sizeof(spared) - used, "%s%s", used == 0 ? "" :
				 wrap ? ",\n                " : ", ", name);
		if (w < 0 || (size_t)w >= sizeof(spared) - used)
			break;
		used += (size_t)w;
		col = wrap ? 16 + strlen(name) : col + (size_t)w;
	}
	if (used)
		fprintf(f, "  not affected  %s\n", spared);
}

static void fmt_num(char *buf, size_t n, double v)
{
	if (fabs(v) >= 100000.0)
		snprintf(buf, n, "%.0f", v);
	else if (fabs(v) >= 100.0)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

void krender_table(FILE *f, const struct krun *run, const char *world)
{
	int bare = world && strcmp(world, "bare-metal") == 0;
	const char *icount = kenv_get(&run->guest_env, "icount");
	const char *unit = bare && icount && strcmp(icount, "off") != 0 ? "instr" : "cycles";
	fprintf(f, "  %-20s %10s %10s %10s %19s %10s %6s\n", "path", "median", "ns", "min",
		"mean +- sd", "p99", "n");
	fprintf(f, "  %-20s %10s %10s %10s %19s %10s %6s\n", "", unit, "median", unit,
		unit, unit, "");
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if (world && strcmp(r->world, world) != 0)
			continue;
		if (r->status == KR_SKIPPED) {
			fprintf(f, "  %-20s skipped: %s\n", r->id, r->reason ? r->reason : "");
			continue;
		}
		char med[32], ns[32], mn[32], mean[32], sd[32], p99[32], ms[72];
		fmt_num(med, sizeof(med), r->cycles.median);
		if (r->has_ns)
			fmt_num(ns, sizeof(ns), r->ns.median);
		else
			snprintf(ns, sizeof(ns), "-");
		fmt_num(mn, sizeof(mn), r->cycles.min);
		fmt_num(mean, sizeof(mean), r->cycles.mean);
		fmt_num(sd, sizeof(sd), r->cycles.stddev);
		fmt_num(p99, sizeof(p99), r->cycles.p99);
		snprintf(ms, sizeof(ms), "%s +- %s", mean, sd);
		fprintf(f, "  %-20s %10s %10s %10s %19s %10s %6llu\n", r->id, med, ns, mn, ms,
			p99, (unsigned long long)r->cycles.n);
		if (r->wide)
			fprintf(f, "  %-20s ! wide spread (IQR %.0f%% of the median) after retries:"
				" treat with care\n", "", 100.0 * kstats_rel_spread(&r->cycles));
		if (r->anomaly)
			fprintf(f, "  %-20s ! %s\n", "", r->anomaly);
		if (r->note)
			fprintf(f, "  %-20s   note: %s\n", "", r->note);
	}
}

void krender_compare(FILE *f, const struct krun *a, const struct krun *b,
		     const char *name_a, const char *name_b)
{
	fprintf(f, "  OLD %s (kentry %s, %s)\n  NEW %s (kentry %s, %s)\n\n", name_a,
		a->kentry_version ? a->kentry_version : "?", a->created ? a->created : "?",
		name_b, b->kentry_version ? b->kentry_version : "?",
		b->created ? b->created : "?");
	fprintf(f, "  %-11s %-20s %-12s %12s %12s %8s\n", "world", "path", "op",
		"OLD median", "NEW median", "NEW/OLD");
	for (size_t i = 0; i < b->n; i++) {
		const struct kresult *rb = &b->r[i];
		const struct kresult *ra = NULL;
		for (size_t j = 0; j < a->n; j++)
			if (strcmp(a->r[j].id, rb->id) == 0 &&
			    strcmp(a->r[j].world, rb->world) == 0 &&
			    strcmp(a->r[j].op, rb->op) == 0)
				ra = &a->r[j];
		char va[32] = "absent", vb[32] = "skipped", ratio[32] = "-";
		if (ra)
			snprintf(va, sizeof(va), "skipped");
		if (ra && ra->status == KR_MEASURED)
			fmt_num(va, sizeof(va), ra->cycles.median);
		if (rb->status == KR_MEASURED)
			fmt_num(vb, sizeof(vb), rb->cycles.median);
		if (ra && ra->status == KR_MEASURED && rb->status == KR_MEASURED &&
		    ra->cycles.median > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", rb->cycles.median / ra->cycles.median);
		fprintf(f, "  %-11s %-20s %-12s %12s %12s %8s\n", rb->world, rb->id, rb->op, va,
			vb, ratio);
	}
	for (size_t j = 0; j < a->n; j++) {
		const struct kresult *ra = &a->r[j];
		int found = 0;
		for (size_t i = 0; i < b->n; i++)
			if (strcmp(b->r[i].id, ra->id) == 0 && strcmp(b->r[i].world, ra->world) == 0 &&
			    strcmp(b->r[i].op, ra->op) == 0)
				found = 1;
		if (!found)
			fprintf(f, "  %-11s %-20s %-12s %12s %12s %8s\n", ra->world, ra->id, ra->op,
				"(in OLD)", "absent", "-");
	}
	fprintf(f, "\n  figures are cycles (instructions under --icount); ratios compare medians\n");
}

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
		struct kresult *r = krun_add(run, id, world, op ? op : "null");
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

/* ------------------------------------------------------------------ */
/* CSV and Markdown                                                    */

static void csv_field(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (strpbrk(s, ",\"\n\r") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

#define CSV_HEADER "world,id,op,status,reason,samples,min_cycles,median_cycles,mean_cycles," \
	"stddev_cycles,p99_cycles,min_ns,median_ns,mean_ns,stddev_ns,p99_ns,note,anomaly\n"

int kexport_csv(const struct krun *run, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return -1;
	fputs(CSV_HEADER, f);
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		csv_field(f, r->world);
		fputc(',', f);
		csv_field(f, r->id);
		fputc(',', f);
		csv_field(f, r->op);
		fputc(',', f);
		fputs(r->status == KR_MEASURED ? "measured," : "skipped,", f);
		csv_field(f, r->reason);
		if (r->status == KR_MEASURED) {
			fprintf(f, ",%llu,%.2f,%.2f,%.2f,%.2f,%.2f", (unsigned long long)r->cycles.n,
				r->cycles.min, r->cycles.median, r->cycles.mean, r->cycles.stddev,
				r->cycles.p99);
			if (r->has_ns)
				fprintf(f, ",%.2f,%.2f,%.2f,%.2f,%.2f", r->ns.min, r->ns.median,
					r->ns.mean, r->ns.stddev, r->ns.p99);
			else
				fputs(",,,,,", f);
		} else {
			fputs(",,,,,,,,,,,", f);
		}
		fputc(',', f);
		csv_field(f, r->note);
		fputc(',', f);
		csv_field(f, r->anomaly);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

int kexport_markdown(const struct krun *run, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return -1;
	fprintf(f, "# kentry %s results\n\n", run->kentry_version ? run->kentry_version : KENTRY_VERSION);
	if (run->created)
		fprintf(f, "Run at %s.\n\n", run->created);
	const struct kenv *envs[2] = { &run->env, &run->guest_env };
	const char *titles[2] = { "Environment", "Bare-metal guest" };
	for (int e = 0; e < 2; e++) {
		if (envs[e]->n == 0)
			continue;
		fprintf(f, "## %s\n\n| fact | value |\n| --- | --- |\n", titles[e]);
		for (size_t i = 0; i < envs[e]->n; i++) {
			fputs("| ", f);
			md_text(f, envs[e]->e[i].key);
			fputs(" | ", f);
			md_text(f, envs[e]->e[i].value);
			fputs(" |\n", f);
		}
		fputc('\n', f);
	}
	fprintf(f, "## Results\n\n"
		   "| world | path | op | median cycles | median ns | min | mean | stddev | p99 | samples | notes |\n"
		   "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		fprintf(f, "| %s | `%s` | %s | ", r->world, r->id, r->op);
		if (r->status == KR_SKIPPED) {
			fputs("skipped | | | | | | | ", f);
			md_text(f, r->reason);
		} else {
			fprintf(f, "%.1f | ", r->cycles.median);
			if (r->has_ns)
				fprintf(f, "%.1f", r->ns.median);
			fprintf(f, " | %.1f | %.1f | %.1f | %.1f | %llu | ", r->cycles.min,
				r->cycles.mean, r->cycles.stddev, r->cycles.p99,
				(unsigned long long)r->cycles.n);
			if (r->anomaly) {
				fputs("**", f);
				md_text(f, r->anomaly);
				fputs("** ", f);
			}
			if (r->wide)
				fputs("wide spread; ", f);
			md_text(f, r->note);
		}
		fputs(" |\n", f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* files                                                               */

static int temp_in_dir(const char *path, char *tmp, size_t n)
{
	char copy[4096];
	if (strlen(path) >= sizeof(copy))
		return -1;
	strcpy(copy, path);
	const char *dir = dirname(copy);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (snprintf(tmp, n, "%s/.%s.kentry-XXXXXX", dir, base) >= (int)n)
		return -1;
	return 0;
}

int kio_check_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		return -1;
	}
	if (stat(path, &st) == 0 && access(path, W_OK) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char tmp[4200];
	if (temp_in_dir(path, tmp, sizeof(tmp))) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file in its directory: %s", path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

int kio_write_atomic(const char *path, const char *data, char *err, size_t errlen)
{
	char tmp[4200];
	if (temp_in_dir(path, tmp, sizeof(tmp))) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t len = strlen(data), off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
