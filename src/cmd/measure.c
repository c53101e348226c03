/* kentry bench, kentry boot and plain kentry: measuring both worlds.
 *
 * Everything that can be checked is checked before anything runs (output
 * files, --cpu, numeric environment variables, the emulator, the kernel
 * image and the CPU model); result files are written before the final
 * table, so a reader that closes standard output early loses nothing. */
#include "cmd.h"
#include "emu/boot.h"
#include "results/analyze.h"
#include "results/table.h"
#include "results/text.h"
#include "linux/pin.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SAMPLES 1000u
#define QUICK_SAMPLES 100u
#define BOOT_TIMEOUT_MAX 86400.0
#define SPAN_MS 3000u /* the Linux world's rounds spread over at least 3 s */

static size_t world_only(const struct kcli *c, int bare, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_only; i++) {
		int in = !bare ? klinux_path_index(c->only[i]) >= 0
		       : c->op == KOP_GETTIMEOFDAY ? kboot_gtod_index(c->only[i]) >= 0
						   : kboot_id_index(c->only[i]) >= 0;
		if (in)
			out[n++] = c->only[i];
	}
	return n;
}

static const char *op_name(int op)
{
	return op == KOP_GETTIMEOFDAY ? "gettimeofday" : "null";
}

static int wants_linux(const struct kcli *c)
{
	return c->cmd == KCMD_BENCH || c->cmd == KCMD_ALL;
}

static int wants_boot(const struct kcli *c)
{
	return c->cmd == KCMD_BOOT || c->cmd == KCMD_ALL;
}

/* The boot options of the command line for one kernel (mode), the same
 * for the checks before the run and for the run: the bare-metal ids of
 * --only that kernel measures, the kernel image and the boot image (from
 * the libexec directory unless given). */
void boot_opts(const struct kcli *c, const char *libexec, unsigned mode, double timeout,
	       struct boot_setup *b)
{
	struct kboot_opts *o = &b->o;
	memset(o, 0, sizeof(*o));
	if (c->kernel)
		snprintf(b->kernel, sizeof(b->kernel), "%s", c->kernel);
	else
		snprintf(b->kernel, sizeof(b->kernel), "%s/%s", libexec, kboot_mode_image(mode));
	const char *env_iso = getenv("KENTRY_ISO");
	if (env_iso && *env_iso)
		snprintf(b->iso, sizeof(b->iso), "%s", env_iso);
	else
		snprintf(b->iso, sizeof(b->iso), "%s/kentry-kernel.iso", libexec);
	const char *all[KCLI_MAX_ONLY];
	size_t n_all = world_only(c, 1, all), n_only = 0;
	for (size_t i = 0; i < n_all; i++)
		if (c->op == KOP_GETTIMEOFDAY ? mode == KBOOT_LONG /* gtod.def's ids: the long kernel's */
					      : (kboot_id_mode((size_t)kboot_id_index(all[i])) & mode))
			b->only[n_only++] = all[i];
	o->emulator = c->emulator;
	o->accel = c->accel;
	o->cpu = c->guest_cpu;
	o->icount = c->icount;
	o->only = n_only ? b->only : NULL;
	o->n_only = n_only;
	o->samples = c->samples;
	o->batch = c->batch;
	o->ring3_if = c->ring3_if < 0 ? NULL : c->ring3_if ? "1" : "0";
	/* the legacy kernel has the minimal variant only (no mitigations, no
	 * touching loops): nothing to choose */
	o->variant = mode == KBOOT_LEGACY32 ? NULL : c->variant;
	o->op_gtod = c->op == KOP_GETTIMEOFDAY;
	o->mitigations = mode == KBOOT_LEGACY32 ? NULL : c->mitigations;
	o->touch_pages = mode == KBOOT_LEGACY32 ? 0 : c->touch_pages;
	o->quick = c->quick;
	o->kernel_path = b->kernel;
	o->iso_path = b->iso;
	o->mode = mode;
	o->fred = mode == KBOOT_LONG && c->fred;
	o->timeout_s = timeout;
	o->verbose = c->verbose;
}

/* The kernels this run boots, in order. */
static const unsigned boot_modes[] = { KBOOT_LONG, KBOOT_LEGACY32 };
#define N_BOOT_MODES (sizeof(boot_modes) / sizeof(boot_modes[0]))

/* "QEMU" or "Bochs", for titles. */
static const char *emulator_name(const struct kcli *c)
{
	return strcmp(c->emulator, "bochs") == 0 ? "Bochs" : "QEMU";
}

/* Every check that needs no measurement, before any. */
static int preflight(const struct kcli *c, const char *libexec, double *timeout)
{
	char err[2048];
	if (wants_linux(c) && c->pin_cpu >= 0) {
		/* pinned now rather than after the boot checks: a CPU this
		 * process may not use names the ones it may */
		char why[320];
		if (kpin_to(c->pin_cpu, why, sizeof(why)) != 0) {
			fprintf(stderr, "kentry: cannot pin to CPU %d: %s\n", c->pin_cpu, why);
			return KEXIT_USAGE;
		}
	}
	if (!wants_boot(c))
		return 0;
	int rc = kcli_env_number("KENTRY_BOOT_TIMEOUT", 1, BOOT_TIMEOUT_MAX, timeout, err,
				 sizeof(err));
	if (rc) {
		fprintf(stderr, "kentry: %s seconds\n", err);
		return rc;
	}
	for (size_t m = 0; m < N_BOOT_MODES; m++) {
		if (!(c->boot_modes & boot_modes[m]))
			continue;
		struct boot_setup b;
		boot_opts(c, libexec, boot_modes[m], *timeout, &b);
		if (c->n_only && b.o.n_only == 0)
			continue; /* no path of this kernel asked for: it will not boot */
		/* the emulator's own checks (emu/boot.c): the program, the
		 * images, the accelerator, the CPU model against its list */
		rc = kboot_validate(&b.o, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "kentry boot: %s\n", err);
			return rc;
		}
	}
	return 0;
}

static int run_linux(const struct kcli *c, struct krun *run, const char *libexec,
		     struct progress *pg, FILE *rep)
{
	const char *only[KCLI_MAX_ONLY];
	size_t n_only = world_only(c, 0, only);
	if (c->n_only && n_only == 0)
		return 0;
	/* Pinned, the TSC of one core is read at both ends of every sample.
	 * A CPU asked for with --cpu that cannot be had is an error; the
	 * default CPU that cannot be had is a warning and a run recorded as
	 * not pinned (cpu.pinned "no"), never a run that claims it was. */
	int cpu = c->pin_cpu, asked = cpu >= 0;
	if (!asked) {
		cpu = sched_getcpu();
		if (cpu < 0)
			cpu = 0;
	}
	char why[320];
	if (kpin_to(cpu, why, sizeof(why)) != 0) {
		if (asked) {
			fprintf(stderr, "kentry: cannot pin to CPU %d: %s\n", cpu, why);
			return KEXIT_USAGE;
		}
		fprintf(stderr, "kentry: warning: not pinned (%s): a migration may land inside "
				"a sample\n", why);
		cpu = -1;
	}
	klinux_environment(&run->env, cpu);
	if (cpu < 0)
		kenv_set(&run->env, "cpu.pin_error", why);
	krender_env(rep, &run->env, "Linux world: this machine");
	fprintf(rep, "\n");
	kstdio_flush(rep);

	struct klinux_opts o = { 0 };
	o.op = (enum klinux_op)c->op;
	o.samples = c->samples ? c->samples : c->quick ? QUICK_SAMPLES : DEFAULT_SAMPLES;
	o.rounds = c->rounds;
	o.batch = c->batch;
	o.span_ms = c->quick ? 0 : SPAN_MS;
	o.quick = c->quick;
	o.cpu = cpu;
	o.only = n_only ? only : NULL;
	o.n_only = n_only;
	o.libexec_dir = libexec;
	o.progress = progress_cb;
	o.progress_arg = pg;
	pg->world = "linux";
	int rc = klinux_bench(&o, run);
	progress_done(pg);
	return rc ? KEXIT_FAIL : 0;
}

/* When both kernels run, the second one's guest environment goes under
 * "legacy32." so that nothing of the first is overwritten (the same
 * emulator, CPU model and guest facts, seen from the other kernel). */
static void prefix_guest_env(struct krun *guest, const char *prefix)
{
	for (size_t i = 0; i < guest->guest_env.n; i++) {
		char *k = guest->guest_env.e[i].key;
		size_t n = strlen(prefix) + strlen(k) + 2;
		char *p = malloc(n);
		if (!p)
			continue;
		snprintf(p, n, "%s.%s", prefix, k);
		free(k);
		guest->guest_env.e[i].key = p;
	}
}

/* Boots one kernel (mode) and merges its results into run; kvm_failed:
 * why KVM could not be used by an earlier boot of this run, or NULL. */
static int boot_one(const struct kcli *c, unsigned mode, struct krun *run, const char *libexec,
		    struct progress *pg, double timeout, const char *kvm_failed)
{
	struct boot_setup b;
	boot_opts(c, libexec, mode, timeout, &b);
	struct kboot_opts o = b.o;
	const char *const *only = b.o.only;
	size_t n_only = b.o.n_only;
	if (c->n_only && n_only == 0)
		return 0;
	o.kvm_failed = kvm_failed;
	o.progress = progress_cb;
	o.progress_arg = pg;
	pg->world = mode == KBOOT_LEGACY32 ? "bare-metal legacy32" : "bare-metal";
	char err[8192];
	struct krun guest;
	krun_init(&guest);
	int rc = kboot_run(&o, &guest, err, sizeof(err));
	progress_done(pg);
	if (rc)
		fprintf(stderr, "kentry boot: %s\n", err);
	if (rc && !kenv_get(&guest.guest_env, "kernel.version")) {
		/* the kernel never said a word: no table of identical failed
		 * rows, nothing of this kernel in a result file */
		krun_free(&guest);
		return rc;
	}
	if (mode == KBOOT_LEGACY32 && (c->boot_modes & KBOOT_LONG))
		prefix_guest_env(&guest, "legacy32");
	krun_merge(run, &guest);
	krun_free(&guest);
	if (rc) {
		/* keep the document whole: every requested id of this kernel
		 * gets a result, skipped with the reason the guest gave none */
		char first[256];
		snprintf(first, sizeof(first), "%.255s", err);
		char *nl = strchr(first, '\n');
		if (nl)
			*nl = '\0';
		unsigned variants = mode == KBOOT_LEGACY32 ? 1 : kboot_variant_mask(c->variant);
		int gtod = c->op == KOP_GETTIMEOFDAY;
		const char *ids[KCLI_MAX_ONLY];
		/* gettimeofday: a row per (id, variant) of gtod.def, the --only ones */
		size_t n = gtod	    ? kboot_gtod_count()
			   : n_only ? n_only
				    : kboot_mode_ids(mode | (o.fred ? KBOOT_FRED : 0), ids, KCLI_MAX_ONLY);
		for (size_t i = 0; i < n; i++) {
			const char *id = gtod ? kboot_gtod_id(i) : n_only ? only[i] : ids[i];
			int wanted = !gtod || n_only == 0;
			for (size_t k = 0; !wanted && k < n_only; k++)
				wanted = strcmp(only[k], id) == 0;
			for (unsigned v = 0; v < (gtod ? 1u : KBOOT_NVARIANTS); v++) {
				const char *var = gtod ? kboot_gtod_variant(i) : kboot_variant_name(v);
				if (!wanted || (!gtod && !((variants >> v) & 1)) ||
				    krun_find_variant(run, id, "bare-metal", var))
					continue;
				struct kresult *r = krun_add(run, id, "bare-metal",
							     gtod ? "gettimeofday" : "round-trip");
				kresult_set_variant(r, var);
				kresult_skip(r, "bare-metal world did not complete: %s", first);
			}
		}
	}
	return rc;
}

static int run_boot(const struct kcli *c, struct krun *run, const char *libexec,
		    struct progress *pg, double timeout)
{
	if (run->env.n == 0) {
		/* the host's facts beside the guest's: the machine the
		 * emulator ran on */
		klinux_environment(&run->env, -1);
		kenv_unset(&run->env, "cpu.pinned");
	}
	int rc = 0;
	for (size_t m = 0; m < N_BOOT_MODES; m++) {
		if (!(c->boot_modes & boot_modes[m]))
			continue;
		/* KVM found unusable by the first boot is not tried again */
		const char *kvm_failed = kenv_get(&run->guest_env, "accel.fallback");
		int r = boot_one(c, boot_modes[m], run, libexec, pg, timeout, kvm_failed);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

static void print_linux(const struct kcli *c, const struct krun *run, FILE *rep)
{
	char title[96];
	snprintf(title, sizeof(title), "Linux world, op %s", op_name(c->op));
	print_world(rep, run, "linux", title);
}

int cmd_measure(const struct kcli *c)
{
	if (c->cmd == KCMD_BOOT && c->selftest)
		return cmd_selftest(c);
	if (c->cmd == KCMD_BOOT && (c->fuzz_n || c->replay >= 0))
		return cmd_fuzz(c);
	struct koutputs outs = { 0 };
	plan_run_outputs(c, &outs);
	int rc = koutputs_plan(&outs);
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));
	double timeout = 0;
	if (!rc)
		rc = preflight(c, libexec, &timeout);
	if (rc) {
		koutputs_free(&outs);
		return rc;
	}
	/* with a result on standard output, the report goes to stderr */
	FILE *rep = koutputs_stdout(&outs) ? stderr : stdout;
	struct progress pg = { c->progress < 0 ? isatty(2) : c->progress, "" };
	struct krun run;
	krun_init(&run);
	stamp(&run);
	fprintf(rep, "kentry %s\n\n", KENTRY_VERSION);
	kstdio_flush(rep);

	int lrc = 0, brc = 0;
	if (wants_linux(c))
		lrc = run_linux(c, &run, libexec, &pg, rep);
	if (lrc == KEXIT_USAGE) {
		krun_free(&run);
		koutputs_free(&outs);
		return lrc;
	}
	if (c->cmd == KCMD_ALL) {
		kanalyze(&run);
		print_linux(c, &run, rep);
		kstdio_flush(rep);
	}
	if (wants_boot(c))
		brc = run_boot(c, &run, libexec, &pg, timeout);
	kanalyze(&run);

	/* the files first: whatever happens to standard output now */
	int wrc = 0;
	if (run.n)
		wrc = write_run_outputs(&outs, &run);
	else if (outs.n)
		fprintf(stderr, "kentry: no results: no file written\n");

	if (c->cmd == KCMD_BENCH)
		print_linux(c, &run, rep);
	if (c->cmd != KCMD_BENCH && run.guest_env.n) {
		char title[96];
		if (c->cmd == KCMD_BOOT) {
			snprintf(title, sizeof(title), "Host: the machine %s ran on", emulator_name(c));
			krender_env(rep, &run.env, title);
			fprintf(rep, "\n");
		}
		snprintf(title, sizeof(title), "Bare-metal world: kentry's kernel%s under %s",
			 kenv_get(&run.guest_env, "legacy32.kernel.mode") ? "s" : "",
			 emulator_name(c));
		krender_env(rep, &run.guest_env, title);
		fprintf(rep, "\n");
		if (c->op == KOP_GETTIMEOFDAY)
			print_world(rep, &run, "bare-metal",
				    "Bare-metal world, gettimeofday through every Linux path on kentry's kernel");
		else
			print_bare_metal(rep, &run);
	}
	kstdio_flush(rep);
	krun_free(&run);
	koutputs_free(&outs);
	if (brc)
		return brc;
	if (lrc)
		return lrc;
	return wrc;
}
