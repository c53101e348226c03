/* kentry show: print or convert a saved run, or a captured serial console
 * of the bare-metal kernel (--serial). Both inputs go the same way once
 * read: the result model checked (results/validate.h), the exports planned
 * before reading and written before the table, every string from the file
 * escaped when printed. */
#include "cmd.h"
#include "emu/capture.h"
#include "results/analyze.h"
#include "results/table.h"
#include "results/text.h"

#include <string.h>

/* A captured serial console into the result model of kentry boot: 0, or
 * the exit status (3 missing or unreadable, 6 refused) with the message
 * printed. */
static int load_serial(const char *path, struct krun *run)
{
	char err[2048];
	struct kcapture_info info;
	krun_init(run);
	int rc = kcapture_load(path, run, &info, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "kentry: %s\n", err);
		krun_free(run);
		return rc; /* 3 unreadable, 6 refused, as for a result file */
	}
	if (info.runs > 1)
		fprintf(stderr, "kentry show: %s holds %zu kernel runs; reading the last whole one "
				"(lines %zu-%zu)\n",
			ktext_arg(path), info.runs, info.first, info.last);
	stamp(run);
	kanalyze(run);
	return 0;
}

static void print_run(const struct krun *run)
{
	printf("kentry %s results from %s\n\n", ktext_short(run->kentry_version, 40),
	       ktext_short(run->created ? run->created : "?", 60));
	int linux_world = 0;
	for (size_t i = 0; i < run->n; i++)
		linux_world |= strcmp(run->r[i].world, "linux") == 0;
	const char *emu = kenv_get(&run->guest_env, "emulator");
	char host[96];
	snprintf(host, sizeof(host), linux_world ? "Linux world: the machine of that run"
						 : "Host: the machine %s ran on",
		 !emu ? "the emulator" : !strcmp(emu, "bochs") ? "Bochs" : "QEMU");
	krender_env(stdout, &run->env, host);
	if (run->env.n)
		printf("\n");
	print_world(stdout, run, "linux", "Linux world");
	krender_env(stdout, &run->guest_env, "Bare-metal world");
}

int cmd_show(const struct kcli *c)
{
	struct koutputs outs = { 0 };
	outs.inputs = c->files; /* the result file or the capture */
	outs.n_inputs = c->n_files;
	plan_run_outputs(c, &outs);
	int rc = koutputs_plan(&outs);
	struct krun run;
	if (!rc)
		rc = c->serial ? load_serial(c->serial, &run) : load_run(c->files[0], &run);
	if (rc) {
		koutputs_free(&outs);
		return rc;
	}
	rc = write_run_outputs(&outs, &run);
	if (!koutputs_stdout(&outs)) {
		if (c->serial) {
			printf("kentry %s: the serial console captured in %s\n\n", KENTRY_VERSION,
			       ktext_arg(c->serial));
			krender_env(stdout, &run.guest_env,
				    "Bare-metal world: the machine of that run");
		} else {
			print_run(&run);
		}
		if (run.guest_env.n)
			printf("\n");
		print_bare_metal(stdout, &run);
	}
	krun_free(&run);
	koutputs_free(&outs);
	return rc;
}
