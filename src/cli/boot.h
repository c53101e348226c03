/* kentry boot: runs the bare-metal kernel under QEMU and turns its serial
 * output (docs/serial-protocol.md) into the result model. */
#ifndef KENTRY_CLI_BOOT_H
#define KENTRY_CLI_BOOT_H

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

/* Serial parser, exposed for unit tests. Feed whole lines (without the
 * newline). */
struct kserial {
	struct krun *run;
	int header_seen, end_seen, end_pass;
	int tap_ok, tap_not_ok, tap_plan;
	char last_progress[64];
	char **tail;             /* ring of the last console lines */
	size_t tail_n, tail_pos;
	char *first_failure;     /* first "not ok" line, if any */
	/* Added by boot.c (compatible): */
	char *failures;          /* every "not ok" line, joined by "; " */
	unsigned end_measured, end_total; /* from "end <v> <m>/<t>" */
	int protocol;            /* from the header */
	int malformed;           /* malformed records seen */
	size_t lines;            /* lines fed */
	size_t n_progress;       /* progress lines seen */
	kprogress_fn progress;   /* called on each progress line; may be NULL */
	void *progress_arg;
	const char *const *only; /* for progress index/total; NULL: every id */
	size_t n_only;
	struct { char *id, *text; } *pending; /* notes before their result */
	size_t n_pending;
	char *partial;           /* kserial_feed: the line being assembled */
	size_t partial_n;
	int partial_cut;         /* the last line came without its \n */
	int echo;                /* kserial_feed: echo each line to stderr */
};
void kserial_init(struct kserial *s, struct krun *run);
/* Returns 0 when the line was understood or ignored as console text, -1 on
 * a malformed record (the message goes to the console tail as well). */
int kserial_line(struct kserial *s, const char *line);
void kserial_free(struct kserial *s);
/* Feeds raw serial bytes: splits lines at \n, drops NUL bytes, truncates
 * very long lines; kserial_flush passes on a last line without \n. */
void kserial_feed(struct kserial *s, const char *data, size_t n);
void kserial_flush(struct kserial *s);
/* After the last line: adds every expected id the kernel did not print
 * (expect NULL: every registry id) as skipped with missing_reason (NULL:
 * "kernel printed no result"), puts the results in registry order, fills
 * ns from the guest's tsc.hz, or with icount notes the unit instead. */
void kserial_finish(struct kserial *s, const char *const *expect, size_t n_expect,
		    int icount, const char *missing_reason);
/* The last console lines, oldest first, each as "\n  | line". */
void kserial_tail(const struct kserial *s, char *buf, size_t len);

#endif
