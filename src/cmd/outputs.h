/* kentry commands: the output files of one command, planned together before
 * anything runs, and standard output checked at the end (as coreutils do).
 * See results/output.h for how each file is written. */
#ifndef KENTRY_CMD_OUTPUTS_H
#define KENTRY_CMD_OUTPUTS_H

#include <stddef.h>
#include <stdio.h>
#include "results/output.h"

#define KOUTPUTS_MAX 4

struct koutputs {
	size_t n;
	struct {
		const char *opt;    /* "--json", "-o", ... */
		struct kout o;
	} e[KOUTPUTS_MAX];
	const char *const *inputs; /* files the command reads (never an output) */
	size_t n_inputs;
};

/* Adds an output (path NULL: none) to be planned. */
void koutputs_add(struct koutputs *s, const char *opt, const char *path);

/* Plans every output: an unwritable one is exit status 5, two naming the
 * same file (or an input) status 2, with the message on stderr. While a
 * file is still to be written, SIGPIPE is ignored: a closed pipe on
 * standard output must not lose it (kstdio_finish reports the pipe). */
int koutputs_plan(struct koutputs *s);

/* The planned output of opt, or NULL. */
const struct kout *koutputs_get(const struct koutputs *s, const char *opt);
/* Whether one of the outputs is standard output. */
int koutputs_stdout(const struct koutputs *s);

/* Writes the output of opt (when there is one): "kentry: wrote PATH" on
 * stderr, or the reason it could not be. Returns 0 or 5. */
int koutputs_write(const struct koutputs *s, const char *opt, const char *data);

void koutputs_free(struct koutputs *s);

/* At start: a closed standard input, output or error is opened on
 * /dev/null so that no file kentry opens takes its number (a closed stdout
 * is still reported at the end). */
void kstdio_init(void);
/* fflush that remembers why standard output failed first (stdio forgets
 * the reason once the buffer is dropped), for kstdio_finish. */
int kstdio_flush(FILE *f);
/* At the end: flushes standard output; on a write error (a full disk, a
 * closed pipe, a closed descriptor) prints "kentry: write error: REASON"
 * and returns 5 when rc was 0; otherwise returns rc. */
int kstdio_finish(int rc);

#endif
