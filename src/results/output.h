/* kentry results: output files that never replace what is not kentry's to
 * replace.
 *
 * Every output is planned before anything is measured (kout_plan), then
 * written (kout_write):
 *   "-"                          standard output;
 *   the file standard output or standard error already is (/dev/stdout,
 *   a shell redirection to the same file)        that descriptor;
 *   a character device or a FIFO  written through: opened O_WRONLY, no
 *                                 O_CREAT, no O_TRUNC, never renamed (a FIFO
 *                                 needs a reader within 1 s);
 *   a regular file, or a new one  replaced atomically: a temporary file in
 *                                 the target's own directory, written,
 *                                 fsync'd, renamed over it; a symbolic
 *                                 link is followed first, so the link stays
 *                                 and its target is replaced; the replaced
 *                                 file's permission bits (and owner, when
 *                                 root) are kept;
 *   a directory, a block device, a socket: refused.
 * The identity of an output (device and inode of the file, or of its
 * directory plus its name when it does not exist yet) lets two names for
 * the same file be found (kout_same). */
#ifndef KENTRY_RESULTS_OUTPUT_H
#define KENTRY_RESULTS_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

enum kout_kind {
	KOUT_STDOUT,   /* standard output */
	KOUT_STDERR,   /* standard error (it already is that file) */
	KOUT_THROUGH,  /* a character device or FIFO, written in place */
	KOUT_REPLACE,  /* a regular file, replaced atomically (or created) */
};

struct kout {
	const char *path;   /* as given */
	enum kout_kind kind;
	int is_chr;         /* KOUT_THROUGH: a character device */
	char *target;       /* KOUT_REPLACE: the resolved file (malloc'd) */
	char *dir;          /* KOUT_REPLACE: its directory (malloc'd) */
	int exists;         /* KOUT_REPLACE: the target exists now */
	mode_t mode;        /* KOUT_REPLACE: permission bits for the new file */
	uid_t uid;          /* KOUT_REPLACE: the replaced file's owner */
	gid_t gid;
	dev_t dev;          /* identity */
	ino_t ino;
	char *base;         /* identity of a file not there yet: its name in dev/ino */
};

/* Decides how path will be written and checks that it can be. Returns 0,
 * or -1 with "PATH: reason" in err. */
int kout_plan(struct kout *o, const char *path, char *err, size_t errlen);

/* Whether two planned outputs are the same file (two character devices
 * are not: writing twice to /dev/null or a terminal damages nothing). */
int kout_same(const struct kout *a, const struct kout *b);

/* Whether a planned output is the existing file at path (an input). */
int kout_is(const struct kout *o, const char *path);

/* Writes data whole, as planned (re-checking what the path is now). Returns
 * 0, or -1 with "PATH: reason" in err; a replaced file is then untouched. */
int kout_write(const struct kout *o, const char *data, size_t len, char *err,
	       size_t errlen);

void kout_free(struct kout *o);

#endif
