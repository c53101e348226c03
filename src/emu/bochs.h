/* kentry emu: the Bochs runner (bochs.c). Bochs has no Multiboot loader:
 * it boots the GRUB image (build/kentry-kernel.iso) from a CD-ROM, with a
 * second drive, the run disk (rundisk.h), holding the kernel and its
 * command line. Its TSC advances one tick per instruction, so every figure
 * is a deterministic instruction count. The configuration is built by a
 * pure function, unit-tested (tests/unit/test_bochs.c). */
#ifndef KENTRY_EMU_BOCHS_H
#define KENTRY_EMU_BOCHS_H

#include <stddef.h>
#include "boot.h"

struct kbochs_cfg {
	const char *cpu;       /* the Bochs model */
	unsigned long ips;     /* instructions per emulated second */
	unsigned megs;         /* guest memory */
	const char *bios, *vgabios;
	const char *iso;       /* the GRUB image, on the first IDE channel's master (CD-ROM) */
	const char *disk;      /* the run disk, its slave; NULL: none */
	const char *serial;    /* where COM1's bytes go (a path) */
	const char *log;       /* where Bochs's log goes (a path) */
	const char *display;   /* "nogui" or "term" */
	long long time0;       /* the RTC's start (Unix seconds); 0: a fixed
				* 2024-01-01, so measuring runs do not depend on the day */
};

/* The bochsrc text (pure). */
void kbochs_config(const struct kbochs_cfg *c, char *buf, size_t len);

/* The vendor of a Bochs CPU model (its CPUID vendor string), NULL when
 * kentry does not know the model. */
const char *kbochs_model_vendor(const char *model);

/* The Bochs model for --cpu `want` given the models this Bochs knows
 * (`models`: one per line; NULL: unknown, Bochs judges) and the host's
 * vendor (for auto). Returns 0, or 2 with a message. */
int kbochs_resolve_cpu(const char *want, const char *models, const char *host_vendor, char *out,
		       size_t len, char *err, size_t errlen);

/* "Bochs x86 Emulator 2.7" -> "2.7"; "unknown" when absent (pure). */
void kbochs_parse_version(const char *text, char *out, size_t len);
/* The model names after "Supported CPU models:", one per line, as a
 * malloc'd string; NULL when there are none (pure). */
char *kbochs_parse_models(const char *text);

int kbochs_validate(const struct kboot_opts *o, char *err, size_t errlen);
int kbochs_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen);

#endif
