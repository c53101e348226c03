/* kentry commands: one file per command (measure.c, list.c, show.c,
 * compare.c, plot.c), what they share in common.c, output files and
 * standard output in outputs.c. */
#ifndef KENTRY_CMD_CMD_H
#define KENTRY_CMD_CMD_H

#include <stddef.h>
#include <stdio.h>
#include "cli.h"
#include "outputs.h"
#include "core/result.h"

struct progress {
	int on;
	const char *world;
};
void progress_cb(void *arg, const char *id, size_t index, size_t total, const char *state);
void progress_done(struct progress *p);

/* The directory holding kentry-helper32 and kentry-kernel.elf. */
void find_libexec(char *out, size_t n);
void stamp(struct krun *run);
/* The run exports of c (--json, --csv, --markdown), added to outs. */
void plan_run_outputs(const struct kcli *c, struct koutputs *outs);
/* Writes them; 0 or 5. */
int write_run_outputs(const struct koutputs *outs, const struct krun *run);
void print_world(FILE *f, const struct krun *run, const char *world, const char *title);
/* Loads a result file: 0, or the exit status (3 missing or unreadable, 6
 * malformed) with the message printed. */
int load_run(const char *path, struct krun *run);

/* The kernel image kentry boot runs: --kernel, else the libexec one. */
void kernel_image_path(const struct kcli *c, char *out, size_t n);

int cmd_measure(const struct kcli *c);
int cmd_selftest(const struct kcli *c);
int cmd_fuzz(const struct kcli *c);
int cmd_list(const struct kcli *c);
int cmd_show(const struct kcli *c);
int cmd_compare(const struct kcli *c);
int cmd_plot(const struct kcli *c);

#endif
