/* kentry plot: saved runs as an SVG chart. */
#include "cmd.h"
#include "results/plot_svg.h"
#include "results/text.h"

#include <stdlib.h>
#include <string.h>

/* "runs/a.json" -> "a" */
static const char *default_label(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');
	snprintf(buf, n, "%s", slash ? slash + 1 : path);
	size_t l = strlen(buf);
	if (l > 5 && strcmp(buf + l - 5, ".json") == 0)
		buf[l - 5] = '\0';
	return buf;
}

int cmd_plot(const struct kcli *c)
{
	struct koutputs outs = { 0 };
	outs.inputs = c->files;
	outs.n_inputs = c->n_files;
	koutputs_add(&outs, "-o", c->output);
	int rc = koutputs_plan(&outs);
	struct krun runs[KCLI_MAX_FILES];
	struct kplot_run pr[KCLI_MAX_FILES];
	char labels[KCLI_MAX_FILES][256];
	size_t loaded = 0;
	for (size_t i = 0; !rc && i < c->n_files; i++) {
		rc = load_run(c->files[i], &runs[i]);
		if (rc)
			break;
		loaded++;
		pr[i].run = &runs[i];
		pr[i].label = c->n_labels ? c->labels[i]
					  : default_label(c->files[i], labels[i], sizeof(labels[i]));
	}
	if (!rc) {
		struct kplot_opts o = { strcmp(c->kind, "dist") == 0, c->log, c->world, c->title };
		char *svg = NULL, err[512];
		if (kplot_svg(pr, c->n_files, &o, &svg, err, sizeof(err)) != 0) {
			fprintf(stderr, "kentry: plot: %s\n", err);
			rc = KEXIT_FAIL;
		} else {
			rc = koutputs_write(&outs, "-o", svg);
		}
		free(svg);
	}
	for (size_t i = 0; i < loaded; i++)
		krun_free(&runs[i]);
	koutputs_free(&outs);
	return rc;
}
