/* kentry: what each command does, on top of the parsed command line. */
#include "boot.h"
#include "cli.h"
#include "render.h"
#include "linux/linux.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SAMPLES 1000u
#define QUICK_SAMPLES 100u

struct progress {
	int on;
	const char *world;
};

static void progress_cb(void *arg, const char *id, size_t index, size_t total,
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

static void progress_done(struct progress *p)
{
	if (p->on) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}

/* The directory holding kentry-helper32 and kentry-kernel.elf: the
 * KENTRY_LIBEXEC variable, else the directory of the kentry binary (the
 * build tree), else ../libexec/kentry beside it (an installed kentry). */
static void find_libexec(char *out, size_t n)
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

static void stamp(struct krun *run)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	run->created = strdup(buf);
	run->kentry_version = strdup(KENTRY_VERSION);
}

static int check_outputs(const struct kcli *c)
{
	const char *outs[3] = { c->json, c->csv, c->markdown };
	for (int i = 0; i < 3; i++) {
		char err[4400];
		if (outs[i] && kio_check_writable(outs[i], err, sizeof(err))) {
			fprintf(stderr, "kentry: cannot write output: %s\n", err);
			return KEXIT_IO;
		}
	}
	return 0;
}

static int write_outputs(const struct kcli *c, const struct krun *run)
{
	struct {
		const char *path;
		int (*fn)(const struct krun *, char **);
	} outs[3] = { { c->json, kexport_json }, { c->csv, kexport_csv },
		      { c->markdown, kexport_markdown } };
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		if (!outs[i].path)
			continue;
		char *data = NULL, err[4400];
		if (outs[i].fn(run, &data) != 0) {
			fprintf(stderr, "kentry: cannot serialise results for %s\n", outs[i].path);
			rc = KEXIT_IO;
		} else if (kio_write_atomic(outs[i].path, data, err, sizeof(err)) != 0) {
			fprintf(stderr, "kentry: cannot write output: %s\n", err);
			rc = KEXIT_IO;
		} else {
			fprintf(stderr, "kentry: wrote %s\n", outs[i].path);
		}
		free(data);
	}
	return rc;
}

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
	int cpu = c->pin_cpu;
	if (cpu < 0) {
		cpu = sched_getcpu();
		if (cpu < 0)
			cpu = 0;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, "kentry: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return KEXIT_USAGE;
	}
	klinux_environment(&run->env, cpu);
	krender_env(stdout, &run->env, "Linux world: this machine");
	printf("\n");
	fflush(stdout);

	struct klinux_opts o = { 0 };
	o.op = (enum klinux_op)c->op;
	o.samples = c->samples ? c->samples : c->quick ? QUICK_SAMPLES : DEFAULT_SAMPLES;
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

static int run_boot(const struct kcli *c, struct krun *run, const char *libexec,
		    struct progress *pg)
{
	const char *only[KCLI_MAX_ONLY];
	size_t n_only = world_only(c, 1, only);
	if (c->n_only && n_only == 0)
		return 0;
	char kernel[PATH_MAX + 32];
	if (c->kernel)
		snprintf(kernel, sizeof(kernel), "%s", c->kernel);
	else
		snprintf(kernel, sizeof(kernel), "%s/kentry-kernel.elf", libexec);
	struct kboot_opts o = { 0 };
	o.accel = c->accel;
	o.cpu = c->guest_cpu;
	o.icount = c->icount;
	o.only = n_only ? only : NULL;
	o.n_only = n_only;
	o.samples = c->samples;
	o.quick = c->quick;
	o.kernel_path = kernel;
	o.verbose = c->verbose;
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

static void print_world(const struct krun *run, const char *world, const char *title)
{
	int any = 0;
	for (size_t i = 0; i < run->n; i++)
		if (strcmp(run->r[i].world, world) == 0)
			any = 1;
	if (!any)
		return;
	printf("%s\n", title);
	krender_table(stdout, run, world);
	printf("\n");
}

static int cmd_measure(const struct kcli *c)
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
		krender_env(stdout, &run.guest_env, "Bare-metal world: kentry's kernel under QEMU");
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

static int cmd_list(const struct kcli *c)
{
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));
	if (!c->world || strcmp(c->world, "linux") == 0) {
		printf("%-20s %-11s %s\n", "id", "world", "available here");
		for (size_t i = 0; i < klinux_path_count(); i++) {
			char why[512];
			int ok = klinux_probe(i, (enum klinux_op)c->op, libexec, why, sizeof(why));
			printf("%-20s %-11s %s%s\n", klinux_path_id(i), "linux",
			       ok ? "yes" : "no: ", ok ? "" : why);
			printf("%-20s %-11s   %s\n", "", "", klinux_path_summary(i));
		}
	}
	if (!c->world || strcmp(c->world, "bare-metal") == 0) {
		char kernel[PATH_MAX + 32];
		snprintf(kernel, sizeof(kernel), "%s/kentry-kernel.elf", libexec);
		struct stat st;
		int have = stat(kernel, &st) == 0;
		if (!c->world)
			printf("\n");
		printf("%-20s %-11s %s\n", "id", "world", "available here");
		for (size_t i = 0; i < kboot_id_count(); i++) {
			printf("%-20s %-11s %s\n", kboot_id(i), "bare-metal",
			       have ? "decided in the guest by trying (kentry boot)"
				    : "no: kernel image not built (run make)");
			printf("%-20s %-11s   %s\n", "", "", kboot_id_summary(i));
		}
	}
	return 0;
}

static int cmd_show(const struct kcli *c)
{
	struct krun run;
	char err[1024];
	if (kjson_load(c->files[0], &run, err, sizeof(err))) {
		fprintf(stderr, "kentry: %s\n", err);
		return KEXIT_DATA;
	}
	int rc = check_outputs(c);
	if (rc) {
		krun_free(&run);
		return rc;
	}
	printf("kentry %s results from %s\n\n", run.kentry_version, run.created ? run.created : "?");
	krender_env(stdout, &run.env, "Linux world: the machine of that run");
	printf("\n");
	print_world(&run, "linux", "Linux world");
	krender_env(stdout, &run.guest_env, "Bare-metal world");
	if (run.guest_env.n)
		printf("\n");
	print_world(&run, "bare-metal", "Bare-metal world, round trips to an empty handler");
	rc = write_outputs(c, &run);
	krun_free(&run);
	return rc;
}

static int cmd_compare(const struct kcli *c)
{
	struct krun a, b;
	char err[1024];
	if (kjson_load(c->files[0], &a, err, sizeof(err))) {
		fprintf(stderr, "kentry: %s\n", err);
		return KEXIT_DATA;
	}
	if (kjson_load(c->files[1], &b, err, sizeof(err))) {
		fprintf(stderr, "kentry: %s\n", err);
		krun_free(&a);
		return KEXIT_DATA;
	}
	krender_compare(stdout, &a, &b, c->files[0], c->files[1]);
	krun_free(&a);
	krun_free(&b);
	return 0;
}

int kentry_main(int argc, char **argv)
{
	struct kcli c;
	char err[4096];
	int rc = kcli_parse(argc, argv, &c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "kentry: %s\n", err);
		return rc;
	}
	switch (c.cmd) {
	case KCMD_HELP:
		kcli_usage(c.help_topic);
		return 0;
	case KCMD_VERSION:
		printf("kentry %s (result schema %d)\n", KENTRY_VERSION, KENTRY_SCHEMA_VERSION);
		return 0;
	case KCMD_LIST:
		return cmd_list(&c);
	case KCMD_SHOW:
		return cmd_show(&c);
	case KCMD_COMPARE:
		return cmd_compare(&c);
	default:
		return cmd_measure(&c);
	}
}
