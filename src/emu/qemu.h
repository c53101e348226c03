/* kentry emu: the QEMU runner (qemu.c). The command line is built by a
 * pure function so that the exact lines, KVM ones included, are unit-tested
 * (tests/unit/test_qemu.c): a KVM host is not needed to know what kentry
 * asks of QEMU there. */
#ifndef KENTRY_EMU_QEMU_H
#define KENTRY_EMU_QEMU_H

#include <stddef.h>
#include "boot.h"

struct kqemu_cmd {
	const char *qemu;   /* the program */
	const char *kernel; /* the Multiboot image, loaded by QEMU itself (-kernel) */
	const char *append; /* the kernel command line; NULL or "": none */
	const char *cpu;    /* the -cpu value (resolved: kqemu_resolve_cpu) */
	int kvm;            /* -accel kvm, else tcg */
	int icount;         /* -icount shift=0 (TCG only) */
	const char *initrd; /* Multiboot modules, QEMU's -initrd list (commas doubled in
			     * paths, no spaces); NULL: none */
};

#define KQEMU_ARGV_MAX 40
/* Fills argv (KQEMU_ARGV_MAX slots) with the command line, NULL-terminated;
 * returns the number of words. */
size_t kqemu_argv(const struct kqemu_cmd *c, const char **argv);

/* The QEMU -cpu value for --cpu `want` under KVM (kvm = 1) or TCG, given
 * the model names QEMU knows (`models`: one per line; NULL: unknown, QEMU
 * judges). Returns 0, or 2 with a message for an unknown model; `note`
 * gets a remark for the run's environment (or ""). */
int kqemu_resolve_cpu(const char *want, const char *models, int kvm, char *out, size_t len,
		      char *note, size_t notelen, char *err, size_t errlen);

int kqemu_validate(const struct kboot_opts *o, char *err, size_t errlen);
int kqemu_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen);

#endif
