/* kentry show: print or convert a saved run, or read a captured serial
 * console of the bare-metal kernel (--serial). */
#include "cmd.h"
#include "emu/capture.h"
#include "results/analyze.h"
#include "results/json.h"
#include "results/table.h"

#include <string.h>

/* A captured serial console: the same result model as kentry boot. */
static int load_serial(const struct kcli *c, struct krun *run)
{
	char err[1024];
	struct kcapture_info info;
	krun_init(run);
	if (kcapture_load(c->serial, run, &info, err, sizeof(err))) {
		fprintf(stderr, "kentry: %s\n", err);
		krun_free(run);
		return KEXIT_DATA;
	}
	if (info.runs > 1)
		fprintf(stderr, "kentry show: %s holds %zu kernel runs; reading the last whole one "
				"(lines %zu-%zu)\n",
			c->serial, info.runs, info.first, info.last);
	stamp(run);
	kanalyze(run);
	return 0;
}

int cmd_show(const struct kcli *c)
{
	struct krun run;
	char err[1024];
	if (c->serial) {
		int rc = load_serial(c, &run);
		if (rc)
			return rc;
	} else if (kjson_load(c->files[0], &run, err, sizeof(err))) {
		fprintf(stderr, "kentry: %s\n", err);
		return KEXIT_DATA;
	}
	int rc = check_outputs(c);
	if (rc) {
		krun_free(&run);
		return rc;
	}
	if (c->serial) {
		printf("kentry %s: the serial console captured in %s\n\n", KENTRY_VERSION, c->serial);
		krender_env(stdout, &run.guest_env, "Bare-metal world: the machine of that run");
	} else {
		printf("kentry %s results from %s\n\n", run.kentry_version,
		       run.created ? run.created : "?");
		krender_env(stdout, &run.env, "Linux world: the machine of that run");
		printf("\n");
		print_world(&run, "linux", "Linux world");
		krender_env(stdout, &run.guest_env, "Bare-metal world");
	}
	if (run.guest_env.n)
		printf("\n");
	print_world(&run, "bare-metal", "Bare-metal world, round trips to an empty handler");
	rc = write_outputs(c, &run);
	krun_free(&run);
	return rc;
}
