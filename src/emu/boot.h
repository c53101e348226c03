/* kentry boot: runs the bare-metal kernel under an emulator (QEMU) and turns its serial
 * output (docs/serial-protocol.md) into the result model. */
#ifndef KENTRY_EMU_BOOT_H
#define KENTRY_EMU_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include "core/result.h"
#include "linux/linux.h" /* kprogress_fn */

struct kboot_opts {
	const char *accel;        /* "auto", "kvm" or "tcg" (validated by the caller) */
	const char *cpu;          /* "intel", "amd", "host" or a QEMU model name */
	int icount;               /* QEMU -icount shift=0: counts, not cycles */
	const char *const *only;  /* NULL or bare-metal ids (validated) */
	size_t n_only;
	uint32_t samples;         /* 0: the kernel's default */
	uint32_t batch;           /* round trips per sample; 0: the kernel chooses */
	int quick;
	const char *kernel_path;  /* the kernel image to boot */
	double timeout_s;         /* whole-run limit; 0: default */
	int verbose;              /* echo the serial console to stderr */
	kprogress_fn progress;    /* may be NULL */
	void *progress_arg;
};

/* The bare-metal path ids, in the kernel's order. */
size_t kboot_id_count(void);
const char *kboot_id(size_t i);
const char *kboot_id_summary(size_t i);
int kboot_id_index(const char *id); /* -1 when unknown */

/* Valid --cpu shorthands, for error messages. */
extern const char *const kboot_cpu_choices;

/* Boots the kernel and appends one result per id (world "bare-metal") to
 * run, with ns filled from the guest's TSC frequency when known, the
 * guest's env lines in run->guest_env (plus accel, qemu.cpu, icount,
 * accel.fallback). Returns 0 on success. On failure returns a kentry exit
 * status (3: QEMU or kernel missing; 4: guest failed/hung/triple-faulted)
 * and writes a one-paragraph message, with the last serial lines, to err. */
int kboot_run(const struct kboot_opts *o, struct krun *run, char *err,
	      size_t errlen);

#endif
