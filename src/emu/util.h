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
/* Copies a serial line keeping printable ASCII only (a tab becomes a
 * space), without trailing blanks, at most out_len - 1 bytes. */
void sanitize(char *out, size_t out_len, const char *in);

#endif
