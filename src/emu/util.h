/* kentry emu: small helpers shared by the emulator runners and the serial
 * parser (allocation that exits on failure, clocks, bounded text). */
#ifndef KENTRY_EMU_UTIL_H
#define KENTRY_EMU_UTIL_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
double now_s(void);
/* Appends printf output to a fixed buffer, truncating quietly. */
void bufcat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The last lines of a stream (error messages show them): a ring of `cap`
 * copies, the oldest dropped first. */
struct kring {
	char **line;
	size_t cap, n, pos;
};
void kring_init(struct kring *r, size_t cap);
void kring_push(struct kring *r, const char *line);
const char *kring_get(const struct kring *r, size_t k); /* k-th oldest, k < n */
void kring_free(struct kring *r);

/* Copies a serial line keeping printable ASCII only (a tab becomes a
 * space), without trailing blanks, at most out_len - 1 bytes. */
void sanitize(char *out, size_t out_len, const char *in);

#endif
