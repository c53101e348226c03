/* kentry bench, kentry boot and plain kentry: measuring both worlds. */
#include "cmd.h"
#include "emu/boot.h"
#include "results/analyze.h"
#include "results/table.h"
#include "linux/pin.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SAMPLES 1000u
#define QUICK_SAMPLES 100u
#define SPAN_MS 3000u /* the Linux world's rounds spread over at least 3 s */

static size_t world_only(const struct kcli *c, int bare, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_only; i++) {
		int in = bare ? kboot_id_index(c->only[i]) >= 0 : klinux_path_index(c->only[i]) >= 0;
		if (in)
			out[n++] = c->only[i];
	}
	return n;
}

static const char *op_name(int op)
{
	return op == KOP_GETTIMEOFDAY ? "gettimeofday" : "null";
}

static int run_linux(const struct kcli *c, struct krun *run, const char *libexec,
		     struct progress *pg)
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
	krender_env(stdout, &run->env, "Linux world: this machine");
	printf("\n");
	fflush(stdout);

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

/* The boot options of the command line (kernel and boot image from the
 * libexec directory unless given). */
static void boot_opts(const struct kcli *c, const char *libexec, const char **only,
		      size_t n_only, char *kernel, size_t klen, char *iso, size_t ilen,
		      struct kboot_opts *o)
{
	if (c->kernel)
		snprintf(kernel, klen, "%s", c->kernel);
	else
		snprintf(kernel, klen, "%s/kentry-kernel.elf", libexec);
	const char *env_iso = getenv("KENTRY_ISO");
	if (env_iso && *env_iso)
		snprintf(iso, ilen, "%s", env_iso);
	else
		snprintf(iso, ilen, "%s/kentry-kernel.iso", libexec);
	memset(o, 0, sizeof(*o));
	o->emulator = c->emulator;
	o->accel = c->accel;
	o->cpu = c->guest_cpu;
	o->icount = c->icount;
	o->only = n_only ? only : NULL;
	o->n_only = n_only;
	o->samples = c->samples;
	o->batch = c->batch;
	o->quick = c->quick;
	o->kernel_path = kernel;
	o->iso_path = iso;
	o->verbose = c->verbose;
}

static int run_boot(const struct kcli *c, struct krun *run, const char *libexec,
		    struct progress *pg)
{
	const char *only[KCLI_MAX_ONLY];
	size_t n_only = world_only(c, 1, only);
	if (c->n_only && n_only == 0)
		return 0;
	char kernel[PATH_MAX + 32], iso[PATH_MAX + 32];
	struct kboot_opts o;
	boot_opts(c, libexec, only, n_only, kernel, sizeof(kernel), iso, sizeof(iso), &o);
	o.progress = progress_cb;
	o.progress_arg = pg;
	pg->world = "bare-metal";
	char err[8192];
	struct krun guest;
	krun_init(&guest);
	int rc = kboot_run(&o, &guest, err, sizeof(err));
	progress_done(pg);
	krun_merge(run, &guest);
	krun_free(&guest);
	if (rc) {
		fprintf(stderr, "kentry boot: %s\n", err);
		/* keep the document whole: every requested bare-metal id gets a
		 * result, skipped with the reason the guest gave none */
		char first[256];
		strncpy(first, err, sizeof(first) - 1);
		first[sizeof(first) - 1] = '\0';
		char *nl = strchr(first, '\n');
		if (nl)
			*nl = '\0';
		for (size_t i = 0; i < kboot_id_count(); i++) {
			const char *id = kboot_id(i);
			int wanted = n_only == 0;
			for (size_t k = 0; k < n_only; k++)
				if (strcmp(only[k], id) == 0)
					wanted = 1;
			if (wanted && !krun_find(run, id, "bare-metal"))
				kresult_skip(krun_add(run, id, "bare-metal", "round-trip"),
					     "bare-metal world did not complete: %s", first);
		}
	}
	return rc;
}

int cmd_measure(const struct kcli *c)
{
	int rc = check_outputs(c);
	if (rc)
		return rc;
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));
	struct progress pg = { c->progress < 0 ? isatty(2) : c->progress, "" };
	struct krun run;
	krun_init(&run);
	stamp(&run);
	if (c->cmd == KCMD_BOOT || c->cmd == KCMD_ALL) {
		/* the emulator's own checks (its CPU models) before anything runs */
		const char *only[KCLI_MAX_ONLY];
		char kernel[PATH_MAX + 32], iso[PATH_MAX + 32], err[1024];
		struct kboot_opts o;
		boot_opts(c, libexec, only, world_only(c, 1, only), kernel, sizeof(kernel), iso,
			  sizeof(iso), &o);
		if (kboot_validate(&o, err, sizeof(err))) {
			fprintf(stderr, "kentry: %s\n", err);
			krun_free(&run);
			return KEXIT_USAGE;
		}
	}
	printf("kentry %s\n\n", KENTRY_VERSION);
	fflush(stdout);

	int lrc = 0, brc = 0;
	if (c->cmd == KCMD_BENCH || c->cmd == KCMD_ALL)
		lrc = run_linux(c, &run, libexec, &pg);
	if (lrc == KEXIT_USAGE) {
		krun_free(&run);
		return lrc;
	}
	if (c->cmd == KCMD_ALL) {
		kanalyze(&run);
		char title[96];
		snprintf(title, sizeof(title), "Linux world, op %s", op_name(c->op));
		print_world(&run, "linux", title);
		fflush(stdout);
	}
	if (c->cmd == KCMD_BOOT || c->cmd == KCMD_ALL)
		brc = run_boot(c, &run, libexec, &pg);

	kanalyze(&run);
	if (c->cmd == KCMD_BENCH) {
		char title[96];
		snprintf(title, sizeof(title), "Linux world, op %s", op_name(c->op));
		print_world(&run, "linux", title);
	}
	if (c->cmd != KCMD_BENCH) {
		char title[96];
		snprintf(title, sizeof(title), "Bare-metal world: kentry's kernel under %s",
			 strcmp(c->emulator, "bochs") == 0 ? "Bochs" : "QEMU");
		krender_env(stdout, &run.guest_env, title);
		printf("\n");
		print_world(&run, "bare-metal", "Bare-metal world, round trips to an empty handler");
	}
	fflush(stdout);
	int wrc = write_outputs(c, &run);
	krun_free(&run);
	if (brc)
		return brc;
	if (lrc)
		return lrc;
	return wrc;
}

