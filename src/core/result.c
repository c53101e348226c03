/* kentry: the result model. See result.h. Hosted only. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "kentry: out of memory\n");
		exit(70);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = xrealloc(NULL, n);
	memcpy(d, s, n);
	return d;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "kentry: out of memory\n");
		exit(70);
	}
	return s;
}

void kenv_set(struct kenv *env, const char *key, const char *value)
{
	for (size_t i = 0; i < env->n; i++) {
		if (strcmp(env->e[i].key, key) == 0) {
			free(env->e[i].value);
			env->e[i].value = xstrdup(value ? value : "");
			return;
		}
	}
	if (env->n == env->cap) {
		env->cap = env->cap ? env->cap * 2 : 32;
		env->e = xrealloc(env->e, env->cap * sizeof(*env->e));
	}
	env->e[env->n].key = xstrdup(key);
	env->e[env->n].value = xstrdup(value ? value : "");
	env->n++;
}

void kenv_setf(struct kenv *env, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = vformat(fmt, ap);
	va_end(ap);
	kenv_set(env, key, v);
	free(v);
}

const char *kenv_get(const struct kenv *env, const char *key)
{
	for (size_t i = 0; i < env->n; i++)
		if (strcmp(env->e[i].key, key) == 0)
			return env->e[i].value;
	return NULL;
}

void kenv_unset(struct kenv *env, const char *key)
{
	for (size_t i = 0; i < env->n; i++) {
		if (strcmp(env->e[i].key, key) != 0)
			continue;
		free(env->e[i].key);
		free(env->e[i].value);
		memmove(&env->e[i], &env->e[i + 1], (env->n - i - 1) * sizeof(*env->e));
		env->n--;
		return;
	}
}

void kenv_free(struct kenv *env)
{
	for (size_t i = 0; i < env->n; i++) {
		free(env->e[i].key);
		free(env->e[i].value);
	}
	free(env->e);
	memset(env, 0, sizeof(*env));
}

void krun_init(struct krun *run)
{
	memset(run, 0, sizeof(*run));
}

static void kresult_free(struct kresult *r)
{
	free(r->id);
	free(r->world);
	free(r->op);
	free(r->variant);
	free(r->reason);
	free(r->note);
	free(r->anomaly);
	free(r->round_medians);
	free(r->disturbance);
	free(r->samples);
}

void krun_free(struct krun *run)
{
	for (size_t i = 0; i < run->n; i++)
		kresult_free(&run->r[i]);
	free(run->r);
	free(run->kentry_version);
	free(run->created);
	kenv_free(&run->env);
	kenv_free(&run->guest_env);
	memset(run, 0, sizeof(*run));
}

struct kresult *krun_add(struct krun *run, const char *id, const char *world,
			 const char *op)
{
	if (run->n == run->cap) {
		run->cap = run->cap ? run->cap * 2 : 32;
		run->r = xrealloc(run->r, run->cap * sizeof(*run->r));
	}
	struct kresult *r = &run->r[run->n++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	r->world = xstrdup(world);
	r->op = xstrdup(op);
	return r;
}

static int same_variant(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return strcmp(a, b) == 0;
}

struct kresult *krun_find_variant(struct krun *run, const char *id, const char *world,
				  const char *variant)
{
	if (variant && !*variant)
		variant = NULL;
	for (size_t i = 0; i < run->n; i++)
		if (strcmp(run->r[i].id, id) == 0 &&
		    (!world || strcmp(run->r[i].world, world) == 0) &&
		    same_variant(run->r[i].variant, variant))
			return &run->r[i];
	return NULL;
}

struct kresult *krun_find_base(struct krun *run, const struct kresult *r)
{
	const char *plus = r->variant ? strrchr(r->variant, '+') : NULL;
	if (!plus)
		return NULL;
	char base[128];
	snprintf(base, sizeof(base), "%.*s", (int)(plus - r->variant), r->variant);
	struct kresult *b = krun_find_variant(run, r->id, r->world, base);
	/* gettimeofday's rows have one form, the full path, named by no
	 * variant: "full+kpti" builds on it */
	if (!b && strcmp(base, "full") == 0 && r->op && strcmp(r->op, "gettimeofday") == 0)
		b = krun_find_variant(run, r->id, r->world, NULL);
	return b;
}

struct kresult *krun_find(struct krun *run, const char *id, const char *world)
{
	return krun_find_variant(run, id, world, NULL);
}

void kresult_set_variant(struct kresult *r, const char *variant)
{
	free(r->variant);
	r->variant = variant && *variant ? xstrdup(variant) : NULL;
}

void kresult_skip(struct kresult *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->reason);
	r->reason = vformat(fmt, ap);
	va_end(ap);
	r->status = KR_SKIPPED;
	free(r->samples);
	r->samples = NULL;
	r->n_samples = 0;
	memset(&r->cycles, 0, sizeof(r->cycles));
	memset(&r->ns, 0, sizeof(r->ns));
	r->has_ns = 0;
}

void kresult_set_note(struct kresult *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *n = vformat(fmt, ap);
	va_end(ap);
	if (r->note) {
		/* several notes on one path are kept, separated by "; " */
		char *joined = NULL;
		if (asprintf(&joined, "%s; %s", r->note, n) < 0) {
			fprintf(stderr, "kentry: out of memory\n");
			exit(70);
		}
		free(r->note);
		free(n);
		r->note = joined;
	} else {
		r->note = n;
	}
}

void kresult_set_disturbance(struct kresult *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->disturbance);
	r->disturbance = vformat(fmt, ap);
	va_end(ap);
	r->disturbed = 1;
}

double kresult_headline(const struct kresult *r, int ns)
{
	if (r->rounds > 0)
		return ns ? r->headline_ns : r->headline;
	return ns ? r->ns.median : r->cycles.median;
}

const char *kresult_mode(const struct kresult *r)
{
	return r->batch == 1 ? "per-call" : "per-batch";
}

void krun_merge(struct krun *dst, struct krun *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n == dst->cap) {
			dst->cap = dst->cap ? dst->cap * 2 : 32;
			dst->r = xrealloc(dst->r, dst->cap * sizeof(*dst->r));
		}
		dst->r[dst->n++] = src->r[i];
	}
	src->n = 0;
	for (size_t i = 0; i < src->guest_env.n; i++)
		kenv_set(&dst->guest_env, src->guest_env.e[i].key,
			 src->guest_env.e[i].value);
}

void kresult_set_samples(struct kresult *r, const double *v, size_t n)
{
	free(r->samples);
	r->samples = NULL;
	r->n_samples = 0;
	if (!v || !n)
		return;
	r->samples = xrealloc(NULL, n * sizeof(*v));
	memcpy(r->samples, v, n * sizeof(*v));
	r->n_samples = n;
}

const char *krun_bare_unit(const struct krun *run)
{
	const char *icount = kenv_get(&run->guest_env, "icount");
	return icount && *icount && strcmp(icount, "off") != 0 ? "instructions" : "tsc-ticks";
}

const char *krun_unit(const struct krun *run, const struct kresult *r)
{
	return strcmp(r->world, "bare-metal") == 0 ? krun_bare_unit(run) : "tsc-ticks";
}

const char *kunit_words(const char *unit)
{
	return strcmp(unit, "instructions") == 0 ? "guest instructions"
	       : strcmp(unit, "ns") == 0	  ? "nanoseconds"
						  : "TSC ticks";
}

const char *kcount_note(const char *icount)
{
	if (!icount)
		return NULL;
	if (strcmp(icount, "shift=0") == 0)
		return "QEMU -icount shift=0: figures are guest instructions per round trip (1 TSC "
		       "tick = 1 instruction), not cycles";
	if (strcmp(icount, "bochs") == 0)
		return "Bochs: figures are guest instructions per round trip (its TSC advances one "
		       "tick per instruction), not cycles";
	return NULL;
}

char *knote_without(const char *note, const char *drop)
{
	if (!note)
		return NULL;
	size_t dl = drop ? strlen(drop) : 0, nl = strlen(note);
	char *out = xrealloc(NULL, nl + 1);
	size_t o = 0;
	for (const char *p = note; *p;) {
		const char *sep = strstr(p, "; ");
		size_t len = sep ? (size_t)(sep - p) : strlen(p);
		if (!(dl && len == dl && strncmp(p, drop, dl) == 0)) {
			if (o) {
				memcpy(out + o, "; ", 2);
				o += 2;
			}
			memcpy(out + o, p, len);
			o += len;
		}
		p += len + (sep ? 2 : 0);
	}
	out[o] = '\0';
	if (!o) {
		free(out);
		return NULL;
	}
	return out;
}

void kresult_set_ns(struct kresult *r, double tsc_hz)
{
	if (r->status != KR_MEASURED || !(tsc_hz > 0.0))
		return;
	kstats_scale(&r->cycles, 1e9 / tsc_hz, &r->ns);
	r->headline_ns = r->headline * 1e9 / tsc_hz;
	r->has_ns = 1;
}
