/* kentry emu: the serial-protocol parser (docs/serial-protocol.md), shared
 * by every way the kernel's console reaches the host. */
#ifndef KENTRY_EMU_SERIAL_H
#define KENTRY_EMU_SERIAL_H

#include <stddef.h>
#include "core/result.h"
#include "linux/linux.h" /* kprogress_fn */
#include "util.h"        /* struct kring */

#define KSERIAL_TAIL 10
#define KSERIAL_LINE_MAX 1024

/* The self-test's records (docs/serial-protocol.md): one row per run. */
struct kst_row {
	unsigned ncase;
	char *path;      /* "<id>@full" or "-" */
	char *verdict;   /* "pass", "fail" or "skip" */
	char *expected, *observed;
};
struct kst_case {
	unsigned n;
	char *title;     /* with the bug or CVE behind it in [...] */
};
struct kst_report {
	struct kst_row *rows;
	size_t n;
	struct kst_case *cases;
	size_t ncases;
	int end_seen;    /* set by kboot_run: the kernel finished (end line) */
	int tap_failed;  /* ... and this many of its self-checks failed */
};
void kst_report_free(struct kst_report *r);

/* The fuzzer's records (docs/serial-protocol.md). */
struct kfuzz_count {
	char *what;     /* "#GP general protection", "syscall", ... */
	uint64_t count;
};
struct kfuzz_report {
	int done;                 /* the "fuzz done" line came */
	uint64_t seed, ran, ticks, hz;
	struct kfuzz_count *vectors, *entries;
	size_t nvectors, nentries;
	int end_seen, tap_failed; /* set by kboot_run, as for kst_report */
	int broken;
	uint64_t broken_seq;
	char *broken_what;
	char **lines;             /* "fuzz seq" lines: what a replay shows */
	size_t nlines;
	size_t lines_dropped;     /* seq lines past KFUZZ_MAX_LINES, not kept */
};
#define KFUZZ_MAX_LINES 65536
void kfuzz_report_free(struct kfuzz_report *r);

/* What the kernel says about the program it ran (kentry exec;
 * docs/serial-protocol.md, "Running a program"). */
struct kexec_report {
	/* each `out <fd> <hex>` record, decoded, as it comes */
	void (*out)(void *arg, int fd, const unsigned char *buf, size_t n);
	void *arg;
	size_t out_bytes;
	int ended;       /* 0 no exit record, 1 exited (status), 2 killed (signal) */
	int status;      /* the exit status, or the signal */
	char *signame;   /* killed: "SIGSEGV" */
	char *why;       /* killed: what happened */
	char *refused;   /* `exec refused <why>`: the kernel would not run it */
	int end_seen, tap_failed; /* set by kboot_run, as for kst_report */
};
void kexec_report_free(struct kexec_report *r);

/* Feed whole lines (without the
 * newline). */
struct kserial {
	struct krun *run;
	int header_seen, end_seen, end_pass;
	int tap_ok, tap_not_ok, tap_plan;
	char last_progress[64];
	struct kring tail;       /* the last console lines */
	char *first_failure;     /* first "not ok" line, if any */
	/* run bookkeeping: */
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
	char boot_error[160];    /* "kentry-kernel: ..." before the header: the
				  * boot stub's reason for halting (boot.S) */
	struct kst_report *selftest; /* collects selftest records when not NULL */
	struct kfuzz_report *fuzz;   /* collects fuzz records when not NULL */
	struct kexec_report *exec;   /* takes out/exit/exec records when not NULL */
	char mitig_variants[256]; /* kserial_finish: the mitigated variants asked for
				   * ("full+kpti,...", kboot_mitigation_variants), when
				   * the kernel does not say (kernel.mitigation_variants) */
	unsigned variants;       /* kserial_finish: variants expected (kboot_variant_mask);
				  * 0 means the minimal one only, as does the legacy
				  * kernel (it has no other) */
	unsigned mode;           /* the kernel booted (KBOOT_LONG, KBOOT_LEGACY32, with
				  * KBOOT_FRED for the FRED mode): its ids are the
				  * expected ones; 0: the kernel's own `env kernel.mode`
				  * and `env kernel.fred` lines, else long */
	int op_gtod;             /* the gettimeofday paths (gtod.def): op "gettimeofday",
				  * their rows expected and ordered */
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
 * (expect NULL: every id of the kernel's mode) as skipped with missing_reason (NULL:
 * "kernel printed no result"), puts the results in registry order, fills
 * ns from the guest's tsc.hz, or, when the TSC counted instructions
 * (count_note not NULL: QEMU -icount, Bochs), notes that on every measured
 * result instead. */
void kserial_finish(struct kserial *s, const char *const *expect, size_t n_expect,
		    const char *count_note, const char *missing_reason);
/* The last console lines, oldest first, each as "\n  | line". */
void kserial_tail(const struct kserial *s, char *buf, size_t len);

#endif
