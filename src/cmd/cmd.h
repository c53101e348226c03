/* kentry commands: one file per command (measure.c, list.c, show.c,
 * compare.c, plot.c), what they share in common.c, output files and
 * standard output in outputs.c. */
#ifndef KENTRY_CMD_CMD_H
#define KENTRY_CMD_CMD_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include "cli.h"
#include "emu/boot.h"
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
/* The bare-metal table, and the legacy kernel's paths beside their
 * long-mode counterparts when the run has results of both kernels. */
void print_bare_metal(FILE *f, const struct krun *run);
/* The fred-* paths beside their IDT counterparts (the same boot), per
 * variant, when the run has measured FRED results (print_bare_metal
 * prints it). */
void print_fred_beside(FILE *f, const struct krun *run);
/* Loads a result file: 0, or the exit status (3 missing or unreadable, 6
 * malformed) with the message printed. */
int load_run(const char *path, struct krun *run);

/* One line naming the emulator of a bare-metal run from its guest
 * environment: "QEMU 7.2.22, accel tcg, icount shift=0" or "Bochs 2.7
 * (counts instructions)". */
struct kenv;
void emulator_line(const struct kenv *env, char *out, size_t n);
/* "  mitigations LIST: every full path ran with ..." for the self-test and
 * fuzz reports, when the guest ran with mitigations (nothing otherwise). */
void mitigations_line(FILE *f, const struct kenv *env);

/* The boot options of the command line for one kernel (mode: KBOOT_LONG
 * or KBOOT_LEGACY32; measure.c): kernel and boot image from the libexec
 * directory unless given, the bare-metal ids of --only that kernel
 * measures; timeout 0: the emulator's default limit. */
struct boot_setup {
	struct kboot_opts o;
	const char *only[KCLI_MAX_ONLY];
	char kernel[PATH_MAX + 32], iso[PATH_MAX + 32];
};
void boot_opts(const struct kcli *c, const char *libexec, unsigned mode, double timeout,
	       struct boot_setup *b);

int cmd_measure(const struct kcli *c);
int cmd_selftest(const struct kcli *c);
int cmd_fuzz(const struct kcli *c);
int cmd_list(const struct kcli *c);
int cmd_show(const struct kcli *c);
int cmd_compare(const struct kcli *c);
int cmd_plot(const struct kcli *c);
int cmd_exec(const struct kcli *c);

#endif
