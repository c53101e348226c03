/* compare (src/results/compare.c, bootstrap.c): the median and its
 * selection, a bootstrap that is repeatable and covers, and verdicts that
 * know noise from change on runs built here. */
#include "unit/t.h"
#include "results/bootstrap.h"
#include "results/compare.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* A timing-like sample: base plus a small spread and a rare long tail. */
static double timing(double base)
{
	double v = base * (1.0 + 0.02 * (uniform() + uniform() + uniform() - 1.5));
	if (uniform() < 0.02)
		v *= 3;
	return v;
}

static int cmpd(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static struct kresult *add_row(struct krun *run, const char *id, const char *world,
			       const char *op, const double *v, size_t n)
{
	struct kresult *r = krun_add(run, id, world, op);
	double *copy = malloc(n * sizeof(double));
	memcpy(copy, v, n * sizeof(double));
	kstats_compute(copy, n, &r->cycles);
	free(copy);
	kresult_set_samples(r, v, n);
	r->batch = 16;
	return r;
}

static struct kresult *measured(struct krun *run, const char *id, const char *world,
				const double *v, size_t n)
{
	return add_row(run, id, world, strcmp(world, "linux") ? "round-trip" : "null", v, n);
}

/* A measured row of op gettimeofday (its unnamed form is the full path). */
static struct kresult *gtod_row(struct krun *run, const char *id, const double *v, size_t n)
{
	return add_row(run, id, "bare-metal", "gettimeofday", v, n);
}

static void scaled(double *out, const double *in, size_t n, double k)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] * k;
}

/* Two empty runs of instruction counts (QEMU -icount) */
static void icount_runs(struct krun *a, struct krun *b)
{
	krun_init(a);
	krun_init(b);
	kenv_set(&a->guest_env, "icount", "shift=0");
	kenv_set(&b->guest_env, "icount", "shift=0");
}

static void constant(double *v, size_t n, double x)
{
	for (size_t i = 0; i < n; i++)
		v[i] = x;
}

static const struct kcmp_row *row(const struct kcmp *c, const char *id)
{
	for (size_t i = 0; i < c->n_rows; i++)
		if (strcmp(c->rows[i].id, id) == 0)
			return &c->rows[i];
	return NULL;
}

int main(void)
{
	/* the median, by selection, equals the sorted one */
	int ok = 1;
	for (size_t n = 1; n < 60; n++) {
		double v[60], s[60];
		for (size_t i = 0; i < n; i++)
			v[i] = s[i] = floor(uniform() * 20); /* with ties */
		qsort(s, n, sizeof(double), cmpd);
		double want = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
		ok &= kboot_median(v, n) == want;
	}
	T_CHECK(ok);

	/* the same data and seed give the same interval */
	double a[400], b[400], c2[400];
	for (int i = 0; i < 400; i++) {
		a[i] = timing(400);
		b[i] = timing(400);
	}
	struct kci x, y;
	T_CHECK(kboot_median_diff(a, 400, b, 400, 2000, 0.95, kboot_seed("k"), &x) == 0);
	T_CHECK(kboot_median_diff(a, 400, b, 400, 2000, 0.95, kboot_seed("k"), &y) == 0);
	T_CHECK(x.lo == y.lo && x.hi == y.hi && x.rel_lo == y.rel_lo);
	T_CHECK(x.lo <= x.diff && x.diff <= x.hi && x.has_rel);

	/* coverage: samples of one distribution, the interval holds 0 in
	 * about 95 of 100 trials; a 10 % shift is seen every time */
	int holds = 0, seen = 0;
	for (int t = 0; t < 100; t++) {
		for (int i = 0; i < 200; i++) {
			a[i] = timing(400);
			b[i] = timing(400);
			c2[i] = timing(440);
		}
		kboot_median_diff(a, 200, b, 200, 500, 0.95, kboot_seed("t") + (uint64_t)t, &x);
		holds += x.lo <= 0 && 0 <= x.hi;
		kboot_median_diff(a, 200, c2, 200, 500, 0.95, kboot_seed("t") + (uint64_t)t, &x);
		seen += x.lo > 0 && x.rel_lo > 0.05 && x.rel_hi < 0.15;
	}
	printf("# the interval held 0 in %d of 100 trials, saw a 10%% shift in %d\n", holds, seen);
	T_CHECK(holds >= 85 && holds <= 100);
	T_CHECK(seen == 100);

	/* verdicts on two runs built here */
	for (int i = 0; i < 400; i++) {
		a[i] = timing(400);
		b[i] = timing(400);
	}
	struct krun old, new_;
	krun_init(&old);
	krun_init(&new_);
	kenv_set(&old.env, "kpti", "yes");
	kenv_set(&new_.env, "kpti", "no");
	kenv_set(&old.env, "tsc.hz", "2596100000");
	kenv_set(&new_.env, "tsc.hz", "2596300000"); /* calibration jitter: no difference */
	kenv_set(&old.guest_env, "qemu.seconds", "1.0");
	kenv_set(&new_.guest_env, "qemu.seconds", "1.3");
	measured(&old, "same", "linux", a, 400);
	measured(&new_, "same", "linux", b, 400);
	measured(&old, "doubled", "linux", a, 400);
	scaled(c2, b, 400, 2.0);
	measured(&new_, "doubled", "linux", c2, 400);
	measured(&old, "small", "linux", a, 400);
	scaled(c2, a, 400, 1.03);
	measured(&new_, "small", "linux", c2, 400);
	struct kresult *nos = measured(&old, "nosamples", "linux", a, 400);
	kresult_set_samples(nos, NULL, 0);
	scaled(c2, b, 400, 1.5);
	nos = measured(&new_, "nosamples", "linux", c2, 400);
	kresult_set_samples(nos, NULL, 0);
	measured(&old, "gone", "linux", a, 10);
	measured(&new_, "new", "linux", b, 10);
	kresult_skip(krun_add(&old, "skip", "linux", "null"), "raised #UD");
	measured(&new_, "skip", "linux", b, 10);

	struct kcmp cmp;
	char err[512];
	struct kcmp_opts o = { 0, 0, -1 };
	T_CHECK(kcmp_build(&cmp, &old, &new_, "old.json", "new.json", &o, err, sizeof(err)) == 0);
	const struct kcmp_row *r = row(&cmp, "same");
	T_CHECK(r && r->verdict == KV_NO_CHANGE && strcmp(r->method, "samples") == 0);
	T_STREQ(r ? kcmp_verdict_text(r) : NULL, "no significant change");
	r = row(&cmp, "doubled");
	T_CHECK(r && r->verdict == KV_SIGNIFICANT && r->slower);
	T_STREQ(r ? kcmp_verdict_text(r) : NULL, "significant (slower)");
	T_CHECK(r && fabs(r->pct - 100) < 5 && r->pct_lo > 90 && r->pct_hi < 110);
	r = row(&cmp, "small"); /* real, but within the 5 % floor */
	T_CHECK(r && r->verdict == KV_NO_CHANGE && r->lo > 0 && strstr(r->why, "noise floor"));
	r = row(&cmp, "nosamples");
	T_CHECK(r && r->verdict == KV_SIGNIFICANT && strcmp(r->method, "quartiles") == 0);
	T_CHECK(row(&cmp, "gone")->verdict == KV_ONLY_OLD);
	T_CHECK(row(&cmp, "new")->verdict == KV_ONLY_NEW);
	r = row(&cmp, "skip");
	T_CHECK(r && r->verdict == KV_SKIPPED && strstr(r->why, "skipped in OLD: raised #UD"));
	/* the environment: KPTI differs; a jittered frequency and the
	 * run's duration do not count */
	T_EQ_U64(cmp.n_env, 1);
	T_STREQ(cmp.env[0].key, "kpti");
	T_STREQ(cmp.env[0].old, "yes");

	/* the exports */
	char *s;
	T_CHECK(kcmp_export_json(&cmp, &s) == 0);
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	T_CHECK(j && json_array_size(json_object_get(j, "rows")) == cmp.n_rows);
	T_CHECK(j && strcmp(json_string_value(json_object_get(j, "schema")), "kentry-comparison") == 0);
	json_decref(j);
	free(s);
	T_CHECK(kcmp_export_csv(&cmp, &s) == 0);
	T_CHECK(strncmp(s, "world,id,variant,op,unit,old_headline", 37) == 0);
	T_CHECK(strstr(s, "linux,doubled,,null,tsc-ticks,") != NULL);
	free(s);
	T_CHECK(kcmp_export_markdown(&cmp, &s) == 0);
	T_CHECK(strstr(s, "| kpti | yes | no |") != NULL);
	T_CHECK(strstr(s, "significant (slower)") != NULL);
	free(s);
	kcmp_free(&cmp);

	/* a lower noise floor makes the small change significant */
	o.threshold = 1;
	T_CHECK(kcmp_build(&cmp, &old, &new_, "old.json", "new.json", &o, err, sizeof(err)) == 0);
	T_CHECK(row(&cmp, "small")->verdict == KV_SIGNIFICANT);
	kcmp_free(&cmp);
	krun_free(&old);
	krun_free(&new_);

	/* runs in rounds: the headline (lower quartile of the round medians)
	 * is compared, resampling the rounds; three slow rounds of ten move
	 * neither the headline nor, much, its interval (a resample needs eight
	 * slow rounds of ten for its lower quartile to be slow) */
	krun_init(&old);
	krun_init(&new_);
	static const double ra_[10] = { 400, 401, 399, 402, 400, 398, 401, 400, 399, 400 };
	static const double rb_[10] = { 401, 400, 520, 530, 399, 401, 400, 515, 402, 400 };
	static const double rc_[10] = { 480, 482, 479, 481, 480, 478, 483, 480, 479, 481 };
	const double *rm[3] = { ra_, rb_, rc_ };
	const char *ids[3] = { "quiet", "busy", "slower" };
	for (int k = 0; k < 3; k++) {
		struct kresult *x = measured(&old, ids[k], "linux", a, 400);
		x->rounds = 10;
		x->round_medians = malloc(sizeof(ra_));
		memcpy(x->round_medians, ra_, sizeof(ra_));
		x->headline = 399;
		x = measured(&new_, ids[k], "linux", b, 400);
		x->rounds = 10;
		x->round_medians = malloc(sizeof(ra_));
		memcpy(x->round_medians, rm[k], sizeof(ra_));
		x->headline = k == 2 ? 479 : 400;
	}
	T_CHECK(kcmp_build(&cmp, &old, &new_, "a", "b", &o, err, sizeof(err)) == 0);
	r = row(&cmp, "quiet");
	T_CHECK(r && r->verdict == KV_NO_CHANGE && strcmp(r->method, "rounds") == 0);
	T_NEAR(r ? r->med_new - r->med_old : 0, 1, 1e-9); /* the headlines, not the medians */
	r = row(&cmp, "busy");
	T_CHECK(r && r->verdict == KV_NO_CHANGE && r->pct_hi < 2);
	r = row(&cmp, "slower");
	T_CHECK(r && r->verdict == KV_SIGNIFICANT && r->slower && r->pct_lo > 15);
	kcmp_free(&cmp);
	krun_free(&old);
	krun_free(&new_);

	/* instruction counts: deterministic, any difference is real */
	icount_runs(&old, &new_);
	double k100[30], k101[30];
	constant(k100, 30, 100);
	constant(k101, 30, 101);
	measured(&old, "syscall", "bare-metal", k100, 30);
	measured(&new_, "syscall", "bare-metal", k101, 30);
	measured(&old, "int-gate", "bare-metal", k100, 30);
	measured(&new_, "int-gate", "bare-metal", k100, 30);
	o.threshold = -1;
	T_CHECK(kcmp_build(&cmp, &old, &new_, "a", "b", &o, err, sizeof(err)) == 0);
	r = row(&cmp, "syscall");
	T_CHECK(r && r->verdict == KV_SIGNIFICANT && strcmp(r->unit, "instructions") == 0);
	T_CHECK(row(&cmp, "int-gate")->verdict == KV_NO_CHANGE);
	kcmp_free(&cmp);

	/* different units are refused, or forced and not judged */
	kenv_set(&new_.guest_env, "icount", "off");
	T_CHECK(kcmp_build(&cmp, &old, &new_, "a", "b", &o, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "instructions") && strstr(err, "TSC ticks") && strstr(err, "--force"));
	o.force = 1;
	T_CHECK(kcmp_build(&cmp, &old, &new_, "a", "b", &o, err, sizeof(err)) == 0);
	T_CHECK(cmp.forced && strstr(cmp.warning, "not comparable"));
	T_CHECK(row(&cmp, "syscall")->verdict == KV_NOT_COMPARABLE);
	kcmp_free(&cmp);
	krun_free(&new_);

	/* different worlds */
	krun_init(&new_);
	measured(&new_, "syscall", "linux", a, 50);
	o.force = 0;
	T_CHECK(kcmp_build(&cmp, &old, &new_, "a", "b", &o, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "no path is in both") != NULL);
	krun_free(&old);
	krun_free(&new_);

	/* a boot with --mitigations kpti (full, full+kpti) against a boot
	 * without (full): full against full, and full+kpti against OLD's full
	 * (the seed's with/without table); a variant OLD has is matched as is */
	icount_runs(&old, &new_);
	double c100[30], c111[30];
	constant(c100, 30, 100);
	constant(c111, 30, 111);
	kresult_set_variant(measured(&old, "syscall", "bare-metal", c100, 30), "full");
	kresult_set_variant(measured(&new_, "syscall", "bare-metal", c100, 30), "full");
	kresult_set_variant(measured(&new_, "syscall", "bare-metal", c111, 30), "full+kpti");
	kresult_set_variant(measured(&new_, "exc-pf", "bare-metal", c111, 30), "full+kpti");
	o.threshold = -1;
	T_CHECK(kcmp_build(&cmp, &old, &new_, "plain", "kpti", &o, err, sizeof(err)) == 0);
	T_EQ_U64(cmp.n_rows, 3);
	const struct kcmp_row *plain = NULL, *with = NULL, *lone = NULL;
	for (size_t i = 0; i < cmp.n_rows; i++) {
		const struct kcmp_row *x = &cmp.rows[i];
		if (!strcmp(x->id, "syscall") && !strcmp(x->variant, "full"))
			plain = x;
		else if (!strcmp(x->id, "syscall"))
			with = x;
		else
			lone = x;
	}
	T_CHECK(plain && plain->verdict == KV_NO_CHANGE && plain->old_variant == NULL);
	T_CHECK(with && with->verdict == KV_SIGNIFICANT && with->diff == 11 &&
		strcmp(with->variant, "full+kpti") == 0 && with->old_variant &&
		strcmp(with->old_variant, "full") == 0);
	T_CHECK(lone && lone->verdict == KV_ONLY_NEW && lone->old_variant == NULL);
	char *csv = NULL;
	T_CHECK(kcmp_export_csv(&cmp, &csv) == 0 && csv && strstr(csv, ",why,old_variant\n") &&
		strstr(csv, "syscall,full+kpti,") && strstr(csv, ",full\n"));
	free(csv);
	kcmp_free(&cmp);
	krun_free(&old);
	krun_free(&new_);

	/* gettimeofday's rows have one form, full, unnamed: NEW's
	 * "full+kpti" is set against OLD's unnamed row; a round trip's
	 * unnamed row is the minimal one and is never taken for "full" */
	icount_runs(&old, &new_);
	gtod_row(&old, "vdso", c100, 30);
	struct kresult *g = gtod_row(&new_, "vdso", c100, 30);
	kresult_set_variant(g, "full+kpti");
	T_CHECK(krun_find_base(&new_, g) == NULL); /* NEW has no plain vdso row */
	T_CHECK(krun_find_base(&old, g) == &old.r[old.n - 1]);
	measured(&old, "syscall", "bare-metal", c100, 30); /* round-trip, minimal */
	kresult_set_variant(measured(&new_, "syscall", "bare-metal", c111, 30), "full+kpti");
	T_CHECK(krun_find_base(&old, &new_.r[new_.n - 1]) == NULL);
	T_CHECK(kcmp_build(&cmp, &old, &new_, "plain", "kpti", &o, err, sizeof(err)) == 0);
	const struct kcmp_row *vd = NULL, *sc = NULL;
	for (size_t i = 0; i < cmp.n_rows; i++) {
		if (!strcmp(cmp.rows[i].id, "vdso") && cmp.rows[i].variant &&
		    !strcmp(cmp.rows[i].variant, "full+kpti"))
			vd = &cmp.rows[i];
		if (!strcmp(cmp.rows[i].id, "syscall") && cmp.rows[i].variant &&
		    !strcmp(cmp.rows[i].variant, "full+kpti"))
			sc = &cmp.rows[i];
	}
	T_CHECK(vd && vd->verdict == KV_NO_CHANGE && vd->diff == 0);
	T_CHECK(sc && sc->verdict == KV_ONLY_NEW);
	kcmp_free(&cmp);
	krun_free(&old);
	krun_free(&new_);
	return T_DONE();
}
