/* kentry compare: two saved runs side by side. */
#include "cli.h"
#include "results/json.h"
#include "results/table.h"

int cmd_compare(const struct kcli *c)
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

