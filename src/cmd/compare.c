/* kentry compare: two saved runs, what changed beyond the noise. */
#include "cmd.h"
#include "results/compare.h"

#include <stdlib.h>

int cmd_compare(const struct kcli *c)
{
	struct koutputs outs = { 0 };
	outs.inputs = c->files;
	outs.n_inputs = c->n_files;
	koutputs_add(&outs, "--json", c->json);
	koutputs_add(&outs, "--csv", c->csv);
	koutputs_add(&outs, "--markdown", c->markdown);
	int rc = koutputs_plan(&outs);
	struct krun a, b;
	krun_init(&a);
	krun_init(&b);
	if (!rc)
		rc = load_run(c->files[0], &a);
	if (!rc)
		rc = load_run(c->files[1], &b);
	struct kcmp cmp;
	struct kcmp_opts o = { c->force, c->ns, c->threshold };
	char err[1024];
	if (!rc && kcmp_build(&cmp, &a, &b, c->files[0], c->files[1], &o, err, sizeof(err))) {
		fprintf(stderr, "kentry: %s\n", err);
		rc = KEXIT_USAGE;
	}
	if (rc) {
		krun_free(&a);
		krun_free(&b);
		koutputs_free(&outs);
		return rc;
	}
	static const struct {
		const char *opt;
		int (*fn)(const struct kcmp *, char **);
	} kinds[3] = { { "--json", kcmp_export_json }, { "--csv", kcmp_export_csv },
		       { "--markdown", kcmp_export_markdown } };
	for (int i = 0; i < 3; i++) {
		if (!koutputs_get(&outs, kinds[i].opt))
			continue;
		char *data = NULL;
		if (kinds[i].fn(&cmp, &data) != 0) {
			fprintf(stderr, "kentry: cannot serialise the comparison for %s\n",
				kinds[i].opt);
			rc = KEXIT_IO;
		} else if (koutputs_write(&outs, kinds[i].opt, data)) {
			rc = KEXIT_IO;
		}
		free(data);
	}
	if (cmp.forced)
		fprintf(stderr, "kentry: warning: %s\n", cmp.warning);
	if (!koutputs_stdout(&outs))
		kcmp_render(stdout, &cmp);
	kcmp_free(&cmp);
	krun_free(&a);
	krun_free(&b);
	koutputs_free(&outs);
	return rc;
}
