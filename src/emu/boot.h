/* kentry boot: runs the bare-metal kernel under an emulator (QEMU or Bochs)
 * and turns its serial output (docs/serial-protocol.md) into the result
 * model. docs/boot.md. */
#ifndef KENTRY_EMU_BOOT_H
#define KENTRY_EMU_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include "core/result.h"
#include "linux/linux.h" /* kprogress_fn */

struct kst_report;   /* serial.h */
struct kfuzz_report; /* serial.h */
struct kexec_report; /* serial.h */

struct kboot_opts {
	const char *emulator;     /* "qemu" (NULL: the default) or "bochs" */
	const char *accel;        /* QEMU: "auto", "kvm" or "tcg" (validated by the caller) */
	const char *cpu;          /* "intel", "amd", "host", "auto" or a model name */
	int icount;               /* QEMU -icount shift=0: counts, not cycles */
	const char *ring3_if;     /* NULL: the kernel's default; "0" or "1": ring3_if=N */
	const char *variant;      /* NULL or "both": both; "minimal" or "full" */
	const char *mitigations;  /* NULL, or the kernel's mitigations= list (validated) */
	uint32_t touch_pages;     /* touch_pages=N (0: none) */
	/* the self-test instead of the measurement (kernel option selftest):
	 * its records go to selftest_report (serial.h), which the caller owns */
	int selftest;
	const char *selftest_cases;      /* NULL: every case; else "n,n" */
	struct kst_report *selftest_report;
	/* the fuzzer instead of the measurement (kernel option fuzz=N seed=S) */
	uint64_t fuzz_n, fuzz_seed;
	int fuzz_has_replay;             /* replay=fuzz_replay (one sequence) */
	uint64_t fuzz_replay;
	uint32_t fuzz_wd;                /* fuzz_wd=: the watchdog period, 0 the kernel's */
	struct kfuzz_report *fuzz_report;
	/* kentry exec: the Multiboot modules (the program, its argument
	 * block), the vsyscall page's mode, and the report that takes the
	 * program's output and end (the caller owns it) */
	const char *const *modules;
	size_t n_modules;
	const char *vsyscall;     /* vsyscall=MODE, NULL: the kernel's default */
	int op_gtod;              /* op=gettimeofday: the Linux gettimeofday paths
				   * (gtod.def) instead of the round trips */
	struct kexec_report *exec;
	int quiet;                /* no KVM fallback line on stderr (it is the program's) */
	const char *const *only;  /* NULL or bare-metal ids (validated) */
	size_t n_only;
	uint32_t samples;         /* 0: the kernel's default */
	uint32_t batch;           /* round trips per sample; 0: the kernel chooses */
	int quick;
	const char *kernel_path;  /* the kernel image to boot */
	const char *iso_path;     /* Bochs: the GRUB image (NULL: kentry-kernel.iso
				   * beside the kernel image, or $KENTRY_ISO) */
	const char *kvm_failed;   /* --accel auto: an earlier boot of the same run fell back
				   * to TCG for this reason (accel.fallback): go straight to
				   * TCG and record it again, without a second attempt */
	unsigned mode;            /* KBOOT_LONG or KBOOT_LEGACY32: which kernel that is
				   * (its ids are the expected ones); 0 means long */
	int fred;                 /* the long kernel's FRED mode (kernel option fred):
				   * its fred-* ids are expected too */
	double timeout_s;         /* whole-run limit; 0: default */
	int verbose;              /* echo the serial console to stderr */
	kprogress_fn progress;    /* may be NULL */
	void *progress_arg;
};

/* Which kernel: the long-mode one (build/kentry-kernel.elf) or the legacy
 * 32-bit one (build/kentry-kernel32.elf). A bit mask where several are
 * meant (kboot_mode_parse("all")). */
#define KBOOT_LONG     1u
#define KBOOT_LEGACY32 2u
/* Not a kernel: the long-mode kernel's FRED mode (kernel option fred,
 * kentry boot --fred), whose fred-* ids kboot_mode_ids adds to the long
 * kernel's when this bit is in the mask. */
#define KBOOT_FRED     4u
#define KBOOT_MODE_CHOICES "long, legacy32, all"
int kboot_mode_parse(const char *s, unsigned *mode); /* -1 when unknown */
const char *kboot_mode_name(unsigned mode);  /* "long", "legacy32", "all" */
const char *kboot_mode_image(unsigned mode); /* the image file name of one mode */

/* The bare-metal path ids of both kernels, in registry order (each
 * kernel's own order, the long-mode kernel's first). */
size_t kboot_id_count(void);
const char *kboot_id(size_t i);
const char *kboot_id_summary(size_t i);
int kboot_id_index(const char *id); /* -1 when unknown */
unsigned kboot_id_mode(size_t i);   /* KBOOT_LONG or KBOOT_LEGACY32 */
/* A legacy id's long-mode counterpart (the same mechanism or the same
 * instructions in IA-32e mode), or NULL with *why_none saying why there is
 * none; a fred-* id's IDT counterpart; NULL and NULL for the other
 * long-mode ids. */
const char *kboot_id_counterpart(size_t i, const char **why_none);
/* 1 for the long-mode kernel's fred-* ids (its FRED mode: --fred). */
int kboot_id_fred(size_t i);
/* The ids one kernel (mode mask) measures, in order; returns how many. */
size_t kboot_mode_ids(unsigned mode, const char **out, size_t max);

/* The gettimeofday paths of `kentry boot --op gettimeofday` (one row per
 * path and variant, src/kernel/gtod.def), with the Linux world's ids. */
size_t kboot_gtod_count(void);
const char *kboot_gtod_id(size_t i);
const char *kboot_gtod_variant(size_t i); /* NULL: the path's only form */
const char *kboot_gtod_summary(size_t i);
int kboot_gtod_index(const char *id);      /* its first row, -1 when unknown */

/* The variants of every bare-metal path: 0 the minimal one (no variant
 * name, the default form), 1 "full". kboot_variant_mask("minimal"|"full"|
 * "both"|NULL) gives a mask of them (bit v), NULL and "both" all. */
#define KBOOT_NVARIANTS 2
const char *kboot_variant_name(unsigned v); /* NULL (minimal), "full" */
unsigned kboot_variant_mask(const char *variant);

/* The kernel's mitigations (src/kernel/mitig.h), for --mitigations: 0
 * when every comma-separated word of list is one of them, "auto" or
 * "all"; else -1 with the bad word in bad. */
const char *kboot_mitigation_choices(void); /* "kpti, kpti-pcid, ..." */
int kboot_mitigations_valid(const char *list, char *bad, size_t badlen);
/* The variants a list asks for, in the kernel's order ("full+kpti", ...,
 * "full+all" with two or more), as one comma-separated string in buf; ""
 * for auto (the kernel decides and says so in kernel.mitigation_variants). */
void kboot_mitigation_variants(const char *list, char *buf, size_t len);
#define KBOOT_TOUCH_MAX 256u /* src/kernel/layout.h USER_TOUCH_MAX */

/* The emulators kentry can boot its kernel under, for error messages. */
extern const char *const kboot_emulator_choices; /* "qemu, bochs" */
int kboot_emulator_known(const char *name);
/* Valid --cpu values, for error messages (each emulator's own list is
 * named by its validation message). */
extern const char *const kboot_cpu_choices;

/* The per-emulator validation hook, run before anything runs (no guest
 * boots, no result file is planned to appear): checks everything a boot
 * with these options needs, each emulator its own way (qemu.c, bochs.c):
 * the emulator program ($KENTRY_QEMU or $KENTRY_BOCHS named when it is
 * wrong, else on PATH), the kernel image (and for Bochs the GRUB image, its
 * BIOS files and mtools), the accelerator (QEMU: a /dev/kvm that opens for
 * --accel kvm), and the CPU model against the emulator's own list (asked
 * once per process; kboot_run reuses the answer). Returns 0, or a kentry
 * exit status (2 a bad option, 3 a missing program, image or device) with
 * a one-line message in err. kboot_run makes the same checks first. */
int kboot_validate(const struct kboot_opts *o, char *err, size_t errlen);

/* Boots the kernel and appends one result per id (world "bare-metal") to
 * run, with ns filled from the guest's TSC frequency when known (QEMU
 * without -icount), the facts of the run (emulator, its version and model)
 * and the guest's env lines in run->guest_env. Returns 0 on success. On
 * failure returns a kentry exit status (2: bad model; 3: emulator, kernel or
 * boot image missing; 4: guest failed/hung/triple-faulted) and writes a
 * one-paragraph message, with the last serial lines, to err. */
int kboot_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen);

#endif
