/* kentry emu: one emulator run under kentry's control, shared by the QEMU
 * and the Bochs runner: start the emulator, read the kernel's serial
 * console live, watch the emulator's own messages, enforce the time limits,
 * decide how the run ended, and turn that into results plus, on failure, a
 * kentry exit status and a one-paragraph message. The emulators differ only
 * in what they are given here (command line, descriptors, a line watcher
 * and a few traits). */
#ifndef KENTRY_EMU_RUN_H
#define KENTRY_EMU_RUN_H

#include <stddef.h>
#include "boot.h"
#include "serial.h"

/* How a run ended. */
enum kemu_end {
	KEMU_EXITED,  /* the emulator exited by itself (status in st) */
	KEMU_STOPPED, /* kentry stopped it after the kernel's end line */
	KEMU_TIMEOUT, /* the whole-run limit passed, or no exit after the end line */
	KEMU_NOLIFE,  /* no kernel header within the sign-of-life limit */
	KEMU_EMUERR,  /* the emulator reported an error that ends the run */
	KEMU_RESET,   /* the emulator reported a triple fault */
	KEMU_HALTED,  /* the CPU halted for good without an end line */
	KEMU_NOSTART, /* the kernel's boot stub said why it cannot start */
	KEMU_SPAWN,   /* the emulator could not be started */
};

/* What a line watcher makes of one line of the emulator's messages. */
enum kemu_event {
	KEV_NONE,  /* nothing to act on (kept for error messages) */
	KEV_QUIET, /* noise: not kept */
	KEV_ERROR, /* an error that ends the run (text in `what`) */
	KEV_RESET, /* a triple fault */
	KEV_HALT,  /* the CPU halted for good (no interrupt can wake it) */
};

/* A channel: kentry reads parent_fd; the emulator gets child_fd as the
 * descriptor numbers in as[] (-1 ends the list). */
enum kchan_role {
	KCHAN_SERIAL, /* the kernel's serial console */
	KCHAN_LINES,  /* the emulator's messages, line by line to the watcher */
	KCHAN_DRAIN,  /* read and dropped (a terminal the emulator draws on) */
};
#define KEMU_MAX_CHAN 4
struct kchan {
	enum kchan_role role;
	int parent_fd, child_fd;
	int as[3];
	int tag;          /* given to the watcher */
	int noecho;       /* lines not echoed by --verbose (a terminal's drawing) */
};

/* What differs between emulators in judging the end of a run. */
struct kemu_traits {
	const char *name;     /* "QEMU", "Bochs" */
	const char *prefix;   /* for its messages in error text: "qemu", "bochs" */
	int exit_pass;        /* exit status after `end pass`; -1: kentry stops it */
	int exit_fail;        /* after `end fail`; -1: kentry stops it */
	int exit_reset;       /* status of a triple fault; -1: reported as an event */
	int exit_noboot;      /* status when it could not load the image; -1: none */
	double end_grace_s;   /* after `end`: how long it may take to exit (exit_pass >= 0) */
	const char *end_hint; /* why it may not have exited after `end` */
};

#define KEMU_TAIL 8
struct kemu_run {
	/* in */
	const struct kemu_traits *t;
	char **argv;
	struct kchan chan[KEMU_MAX_CHAN];
	size_t n_chan;
	const char *const *env; /* set in the emulator's environment (may be NULL) */
	double limit_s;         /* the whole run */
	double life_s;          /* sign of life (the kernel's header); 0: none */
	/* sees each message line; may advance *line past a prefix; may write
	 * or extend `what` (the error text) at any time */
	enum kemu_event (*watch)(void *ctx, int tag, char **line, char *what, size_t len);
	void *ctx;
	const struct kboot_opts *o;
	/* out */
	struct krun run;
	struct kserial ser;
	int st;                 /* wait status */
	enum kemu_end end;
	double elapsed;
	char what[256];         /* the error, reset or halt text */
	struct kring tail;      /* the emulator's last message lines */
};

/* A fresh run (everything zero, argv and channels to be filled). */
void kemu_init(struct kemu_run *r, const struct kemu_traits *t, const struct kboot_opts *o,
	       double limit_s);
/* Runs it to its end; the emulator is always killed and reaped, and
 * every channel closed, when this returns. */
void kemu_go(struct kemu_run *r);
void kemu_free(struct kemu_run *r);

/* The emulator's last message lines, "\n  prefix: line" each; noise
 * (lines containing "warning:") left out when anything else is there. */
void kemu_tail(const struct kemu_run *r, char *buf, size_t len);
/* "QEMU exit status 33", "Bochs killed by signal 9", ... */
void kemu_status_text(const struct kemu_run *r, char *buf, size_t len);

/* Judges the run: 0 when it passed, else a kentry exit status with the
 * message in err; *missing gets the reason for ids without a result. */
int kemu_judge(const struct kemu_run *r, char *err, size_t errlen, const char **missing);

/* Finishes the results (missing ids, order, ns or the counting note,
 * emulator notes) and moves them into out; when the image was the other
 * kernel (kemu_judge's status 3) only its environment is kept. */
void kemu_finish(struct kemu_run *r, const struct kboot_opts *o, const char *count_note,
		 const char *missing, struct krun *out);

#endif
