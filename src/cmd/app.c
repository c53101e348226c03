/* kentry: from the parsed command line to the command that runs. */
#include "cmd.h"

#include <stdio.h>

static int run(const struct kcli *c)
{
	switch (c->cmd) {
	case KCMD_HELP:
		kcli_usage(c->help_topic);
		return 0;
	case KCMD_VERSION:
		printf("kentry %s (result schema %d)\n", KENTRY_VERSION, KENTRY_SCHEMA_VERSION);
		return 0;
	case KCMD_LIST:
		return cmd_list(c);
	case KCMD_SHOW:
		return cmd_show(c);
	case KCMD_COMPARE:
		return cmd_compare(c);
	case KCMD_PLOT:
		return cmd_plot(c);
	case KCMD_EXEC:
		return cmd_exec(c);
	default:
		return cmd_measure(c);
	}
}

int kentry_main(int argc, char **argv)
{
	kstdio_init();
	struct kcli c;
	char err[4096];
	int rc = kcli_parse(argc, argv, &c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "kentry: %s\n", err);
		return rc;
	}
	/* every command: a failed write to standard output is an error */
	return kstdio_finish(run(&c));
}

