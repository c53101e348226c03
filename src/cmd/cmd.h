/* kentry commands: one file per command (measure.c, list.c, show.c,
 * compare.c), what they share in common.c. */
#ifndef KENTRY_CMD_CMD_H
#define KENTRY_CMD_CMD_H

#include <stddef.h>
#include "cli.h"
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
int check_outputs(const struct kcli *c);
int write_outputs(const struct kcli *c, const struct krun *run);
void print_world(const struct krun *run, const char *world, const char *title);

int cmd_measure(const struct kcli *c);
int cmd_list(const struct kcli *c);
int cmd_show(const struct kcli *c);
int cmd_compare(const struct kcli *c);

#endif
