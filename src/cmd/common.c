/* kentry commands: what several commands share (progress, the libexec
 * directory, stamping a run, a run's export files, printing a world). */
#include "cmd.h"
#include "results/json.h"
#include "results/export.h"
#include "results/table.h"
#include "results/pairs.h"
#include "emu/boot.h"
#include "results/text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void progress_cb(void *arg, const char *id, size_t index, size_t total,
		 const char *state)
{
	struct progress *p = arg;
	if (!p->on)
		return;
	if (total)
		fprintf(stderr, "\r\033[K  %s [%zu/%zu] %s: %s", p->world, index + 1, total, id,
			state);
	else
		fprintf(stderr, "\r\033[K  %s %s: %s", p->world, id, state);
	fflush(stderr);
}

void progress_done(struct progress *p)
{
	if (p->on) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}

/* The directory holding kentry-helper32 and kentry-kernel.elf: the
 * KENTRY_LIBEXEC variable, else the directory of the kentry binary (the
 * build tree), else ../libexec/kentry beside it (an installed kentry). */
void find_libexec(char *out, size_t n)
{
	const char *env = getenv("KENTRY_LIBEXEC");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		snprintf(out, n, ".");
		return;
	}
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char probe[PATH_MAX + 64];
	struct stat st;
	snprintf(probe, sizeof(probe), "%s/kentry-kernel.elf", exe);
	if (stat(probe, &st) == 0) {
		snprintf(out, n, "%s", exe);
		return;
	}
	snprintf(probe, sizeof(probe), "%s/kentry-helper32", exe);
	if (stat(probe, &st) == 0) {
		snprintf(out, n, "%s", exe);
		return;
	}
	if (snprintf(out, n, "%s/../libexec/kentry", exe) >= (int)n)
		snprintf(out, n, ".");
}

void stamp(struct krun *run)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	run->created = strdup(buf);
	run->kentry_version = strdup(KENTRY_VERSION);
}

void plan_run_outputs(const struct kcli *c, struct koutputs *outs)
{
	koutputs_add(outs, "--json", c->json);
	koutputs_add(outs, "--csv", c->csv);
	koutputs_add(outs, "--markdown", c->markdown);
}

int write_run_outputs(const struct koutputs *outs, const struct krun *run)
{
	static const struct {
		const char *opt;
		int (*fn)(const struct krun *, char **);
	} kinds[3] = { { "--json", kexport_json }, { "--csv", kexport_csv },
		       { "--markdown", kexport_markdown } };
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		if (!koutputs_get(outs, kinds[i].opt))
			continue;
		char *data = NULL;
		if (kinds[i].fn(run, &data) != 0) {
			fprintf(stderr, "kentry: cannot serialise the results for %s\n", kinds[i].opt);
			rc = KEXIT_IO;
		} else if (koutputs_write(outs, kinds[i].opt, data) != 0) {
			rc = KEXIT_IO;
		}
		free(data);
	}
	return rc;
}

void print_world(FILE *f, const struct krun *run, const char *world, const char *title)
{
	int any = 0;
	for (size_t i = 0; i < run->n; i++)
		if (strcmp(run->r[i].world, world) == 0)
			any = 1;
	if (!any)
		return;
	fprintf(f, "%s\n", title);
	krender_table(f, run, world);
	fprintf(f, "\n");
}


int load_run(const char *path, struct krun *run)
{
	char err[2048];
	int rc = kjson_load(path, run, NULL, err, sizeof(err));
	if (rc == KINPUT_OK)
		return 0;
	fprintf(stderr, "kentry: %s\n", err);
	return rc == KINPUT_UNREADABLE ? KEXIT_MISSING : KEXIT_DATA;
}

void emulator_line(const struct kenv *env, char *out, size_t n)
{
	const char *e = kenv_get(env, "emulator"), *v = kenv_get(env, "emulator.version");
	if (e && strcmp(e, "bochs") == 0)
		snprintf(out, n, "Bochs %s (counts instructions)", v ? v : "?");
	else
		snprintf(out, n, "QEMU %s, accel %s, icount %s", v ? v : "?",
			 kenv_get(env, "accel") ? kenv_get(env, "accel") : "?",
			 kenv_get(env, "icount") ? kenv_get(env, "icount") : "off");
}

/* The fred-* paths beside their IDT counterparts, when the run has results
 * of the FRED mode: both were measured in the same boot, on the same CPU
 * model, so the difference is what FRED changes at the entry (under Bochs
 * or --icount a difference of instructions). One block per variant. */
/* The bare-metal ids `want` picks, each with its counterpart: n. */
static size_t counterpart_pairs(struct kpair *pairs, size_t max, int (*want)(size_t))
{
	size_t n = 0;
	for (size_t i = 0; i < kboot_id_count() && n < max; i++) {
		if (!want(i))
			continue;
		pairs[n].id = kboot_id(i);
		pairs[n].counterpart = kboot_id_counterpart(i, &pairs[n].why_none);
		n++;
	}
	return n;
}

static int is_legacy32(size_t i)
{
	return kboot_id_mode(i) == KBOOT_LEGACY32;
}

void print_fred_beside(FILE *f, const struct krun *run)
{
	struct kpair pairs[64];
	size_t n = counterpart_pairs(pairs, 64, kboot_id_fred);
	const char *units = kunit_words(krun_bare_unit(run));
	static const char *const variants[] = { NULL, "full" };
	for (size_t v = 0; v < 2; v++) {
		int any = 0;
		for (size_t i = 0; i < run->n && !any; i++) {
			int k = kboot_id_index(run->r[i].id);
			any = k >= 0 && kboot_id_fred((size_t)k) && run->r[i].status == KR_MEASURED &&
			      (variants[v] ? run->r[i].variant && !strcmp(run->r[i].variant, variants[v])
					   : !run->r[i].variant);
		}
		if (!any)
			continue;
		fprintf(f, "FRED beside the IDT on this CPU model, %s variants (headline figures, %s)\n",
			variants[v] ? variants[v] : "minimal", units);
		struct kpair_view view = { "FRED path", "IDT path", "FRED-IDT", "FRED/IDT",
					   variants[v] };
		krender_pairs_view(f, run, "bare-metal", pairs, n, &view);
		fprintf(f, "\n");
	}
}

/* The bare-metal world's table, then the fred-* paths beside their IDT
 * counterparts when the run has FRED figures, then, when the run has
 * results of both kernels (kentry boot --mode all, or a saved run of one),
 * the legacy kernel's paths beside their long-mode counterparts. */
void print_bare_metal(FILE *f, const struct krun *run)
{
	unsigned modes = 0;
	for (size_t i = 0; i < run->n; i++) {
		int k = kboot_id_index(run->r[i].id);
		if (k >= 0 && strcmp(run->r[i].world, "bare-metal") == 0)
			modes |= kboot_id_mode((size_t)k);
	}
	int both = modes == (KBOOT_LONG | KBOOT_LEGACY32);
	print_world(f, run, "bare-metal",
		    both ? "Bare-metal world, round trips from ring 3 into kentry's kernels"
			 : "Bare-metal world, round trips from ring 3 into kentry's kernel");
	print_fred_beside(f, run);
	if (!both)
		return;
	struct kpair pairs[64];
	size_t n = counterpart_pairs(pairs, 64, is_legacy32);
	fprintf(f, "Legacy 32-bit kernel beside long mode, per mechanism (minimal variants, headline figures, %s)\n",
		kunit_words(krun_bare_unit(run)));
	krender_pairs(f, run, "bare-metal", pairs, n, "legacy path", "long-mode path",
		      "legacy/long");
	fprintf(f, "\n");
}

void mitigations_line(FILE *f, const struct kenv *env)
{
	const char *list = kenv_get(env, "kernel.mitigations");
	if (!list)
		return;
	const char *vars = kenv_get(env, "kernel.mitigation_variants");
	const char *last = vars ? strrchr(vars, ',') : NULL;
	const char *set = last ? last + 1 : vars;
	char key[80];
	snprintf(key, sizeof(key), "variant.%s", set ? set : "");
	const char *what = set ? kenv_get(env, key) : NULL;
	if (!set || !strcmp(set, "none") || (what && !strncmp(what, "skipped", 7))) {
		fprintf(f, "  mitigations %s: none of them runs here, the full paths ran plain", list);
		if (what) {
			fprintf(f, " (");
			ktext_fputs(f, what);
			fprintf(f, ")");
		}
		fprintf(f, "\n");
		return;
	}
	fprintf(f, "  mitigations %s: every full path ran as %s", list, set);
	if (what) {
		fprintf(f, " (");
		ktext_fputs(f, what);
		fprintf(f, ")");
	}
	fprintf(f, "\n");
}
