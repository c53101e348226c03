/* kentry kernel: shared declarations of the C side. */
#ifndef KENTRY_KERNEL_KERNEL_H
#define KENTRY_KERNEL_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_PROTOCOL 1
#ifndef KENTRY_VERSION
#define KENTRY_VERSION "0.0.0"
#endif

/* console.c: COM1 16550, 115200 8N1, polled. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s);
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* %s %c %d %i %u %x %p with l/ll/z, width, 0-pad, and %f with .precision */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lib.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Comma-separated word lists of the command line (harden_off=,
 * mitigations=): the next word of *p and its length (NULL at the end),
 * a word's index in names (-1: none), a word copied for a message. */
const char *kword_next(const char **p, size_t *n);
int kword_index(const char *const *names, unsigned count, const char *w, size_t n);
void kword_copy(char *dst, size_t len, const char *w, size_t n);

/* excname.c (shared): "#UD invalid opcode" for vector 6, "interrupt" above 31 */
const char *trap_name(unsigned vec);

/* crash.c (shared): crash=ud|df|hang on the command line fails on purpose
 * (tests of the failure reporting); first_id names the path a hang is
 * reported in. Returns only for an unknown kind. */
void kcrash(const char *first_id);

/* report.c (shared by both kernels): TAP self-check lines, counted for
 * the plan and the end line; the env lines; one path after its probe; the
 * end line. */
void tap_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern unsigned tap_count, tap_failed;
extern unsigned kreport_measured, kreport_total; /* for the end line */
/* The env lines both kernels print, kernel.mode `mode` ("long" or
 * "legacy32") first, more() (the kernel's own lines; may be NULL) before
 * the last, cmdline. Sets kernel_tsc_hz. */
void kreport_env(const char *mode, void (*more)(void));
#include "core/measure.h"
/* What a probe decided for a path (either kernel's registry). */
enum pstate { PS_UNSELECTED, PS_MEASURE, PS_SKIP_EXPECTED, PS_SKIP_UNEXPECTED };
struct kpath_state {
	enum pstate state;
	char reason[200]; /* skipped: why */
	char note[400];   /* the CPU or emulator departs from the manuals, or "" */
};
/* A path's two ring-3 loops (the operation and the empty one) and how to
 * run one: run() does whatever the path needs around it (install its
 * stub, set a mode), runs loop n times from ring 3 and returns the run's
 * status, 0 (KURUN_DONE of either kernel) or what stopped it, with the
 * loop's TSC delta in *ticks. `failed` keeps the first status other than
 * 0 seen while measuring. */
struct kreport_loops {
	uint32_t (*run)(const void *path, void (*loop)(void), uint32_t n, uint64_t *ticks);
	const void *path;
	void (*op)(void), (*empty)(void);
	uint32_t failed;
	uint32_t batch; /* in: the batch to use (0: picked, or kcfg.batch); out: the one used */
};
/* One path after its probe: `progress <tok>`, then `result <tok> skipped`
 * with the probe's reason, or the measurement (core/measure.c's sampling
 * with batches of the two loops, kcfg.samples samples) and its
 * `result <tok> measured` and `samples` lines, then `note` lines for the
 * row's note and the probe's. A batch that fails ends the measurement;
 * describe() puts its status into words for the skip line. Returns 1 when
 * measured, 0 for an expected skip, -1 for an unexpected one or a failed
 * measurement. */
int kreport_path(const char *tok, const struct kpath_state *pr, const char *note,
		 struct kreport_loops *loops, void (*describe)(char *buf, size_t n, uint32_t status));
/* `end pass|fail`, isa-debug-exit, halt */
__attribute__((noreturn)) void kreport_end(int pass);

/* arch.c: GDT, IDT, TSS, MSRs and their self-checks. */
void arch_init(void);
void arch_selfcheck(void);
extern uint64_t kgdt[];
/* IDT and call-gate slots the paths install their stubs into */
void idt_set(unsigned vec, void (*handler)(void), unsigned type, unsigned dpl, unsigned ist);
void idt_set_generic(unsigned vec);
void callgate_set(unsigned sel, void (*target)(void));
void fast_msrs_stray(void); /* LSTAR/CSTAR/SYSENTER_EIP -> kstray_* */
void callgate_set_notpresent(unsigned sel, void (*target)(void));
const void *arch_tss(void);
/* lfence.c (shared by both kernels): AMD's LFENCE MSR, and what came of it */
void amd_lfence_serializing(void);
const char *lfence_msr_state(void);
const char *arch_ist_state(void); /* which of #DB, NMI, #DF, #MC have an IST */
/* Does SYSRET leave SS's attributes as they were (AMD's behaviour)? Tried
 * once from ring 3; patches the SYSRET SS fix-up in or out. */
void arch_probe_sysret_ss(void);
const char *arch_sysret_ss_state(void);

/* vm.c */
void vm_init(void);
void vm_selfcheck(void);

/* report.c: the TSC frequency the env lines give (0: unknown) */
extern uint64_t kernel_tsc_hz;

/* tscfreq.c */
uint64_t pit_measure_tsc_hz(void);

/* report.c: prints `# fatal: why`, `end fail`, exits QEMU, halts. */
void kernel_fail_end(const char *why) __attribute__((noreturn));

/* cmdline.c (shared by both kernels): the command line */
struct kconfig {
	uint32_t samples;
	uint32_t batch;     /* batch=<n>: round trips per sample (1: single); 0: chosen */
	int quick;
	char only[512];
	char cmdline[512];
	char crash[16]; /* crash=ud|df|hang: deliberate failure (tests) */
	int ring3_if;   /* ring3_if=0|1: RFLAGS.IF in ring 3 (default 1) */
	unsigned variants; /* variant=minimal|full|both: bit 0 minimal, bit 1 full */
	int selftest;      /* selftest[=n,n]: run the hostile-ring-3 cases instead */
	uint32_t cases;    /* selftest=n,n: bit n (0 = every case) */
	uint64_t fuzz_n, fuzz_seed; /* fuzz=N seed=S */
	int64_t fuzz_replay;        /* replay=K, -1 when absent */
	uint32_t fuzz_wd;           /* fuzz_wd=T: the fuzzer's watchdog period in APIC
				     * bus ticks (default 2000000; one instruction
				     * each under -icount shift=0) */
	char harden_bad[32]; /* an unknown word in harden_off=, reported */
	int fred;            /* fred: the FRED mode (fred.c): the fred-* paths run */
	unsigned modules;    /* Multiboot modules: a program to run (exec.c) */
	int op_gtod;         /* op=gettimeofday: the Linux gettimeofday paths (gtod.c) */
	int vsyscall;        /* vsyscall=none|xonly|emulate|native (vsyscall.h), -1: default */
	char bad_option[64]; /* a boot option with a value it does not take, reported */
	char mitig_bad[32];  /* an unknown word in mitigations=, reported */
	uint32_t touch_pages; /* touch_pages=N: ring 3 reads N pages per round trip */
};
extern struct kconfig kcfg;
void kcfg_copy_cmdline(uint32_t magic, uint32_t info); /* Multiboot EAX, EBX */
/* The words both kernels know; any other word goes to own() (may be NULL) */
void kcfg_parse(void (*own)(const char *w, size_t n));
int kcfg_selected(const char *id);
int kcfg_case_selected(unsigned n);
/* main.c: the end line of a run that measures nothing (self-test, fuzzer,
 * a program), the isa-debug-exit write, the halt */
void kernel_end(int pass, unsigned passed, unsigned total) __attribute__((noreturn));

/* paths.c */
void paths_init(void);
void paths_probe_all(void);
void describe_status(char *buf, size_t n, uint32_t status);
int kpath_index(const char *id);
unsigned kpath_count(void);
const char *kpath_id(unsigned k);
int kpath_full_ok(unsigned k);
const char *kpath_full_reason(unsigned k);
void kpath_install_full(unsigned k);
/* The full variant of path k (set -1), or its mitigated copy with
 * mitigation set `set` applied (mitig.h kmsets). */
void kpath_install_set(unsigned k, int set);
/* After a ring-3 batch: st, or KURUN_MITIG_BROKEN (describe_status says
 * what) when the running mitigation set's state did not hold. */
uint32_t kpath_mitig_checked(uint32_t st);
void (*kpath_full_stub(unsigned k))(void); /* the stub kpath_install_full installs */
void kpath_uninstall(unsigned k);
int kpath_is_exception(unsigned k);
int kpath_is_fred(unsigned k);
unsigned kpath_mode(unsigned k);
uint64_t kpath_clobbers(unsigned k);
unsigned kpath_full_stubs(void (*const **out)(void));
unsigned paths_measure_all(unsigned *total, int *all_expected);
/* paths.c: what the vendor means (AuthenticAMD or HygonGenuine: AMD's rules) */
int kpath_vendor_amd(void);

#endif
