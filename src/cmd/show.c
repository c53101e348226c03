/* kentry show: print or convert a saved run. */
#include "cmd.h"
#include "results/json.h"
#include "results/table.h"

int cmd_show(const struct kcli *c)
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

