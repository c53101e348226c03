/* kentry emu: small helpers (see util.h). */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "kentry: out of memory\n");
		exit(70);
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "kentry: out of memory\n");
		exit(70);
	}
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bufcat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void kring_init(struct kring *r, size_t cap)
{
	r->line = xmalloc(cap * sizeof(char *));
	for (size_t i = 0; i < cap; i++)
		r->line[i] = NULL;
	r->cap = cap;
	r->n = r->pos = 0;
}

void kring_push(struct kring *r, const char *line)
{
	free(r->line[r->pos]);
	r->line[r->pos] = xstrdup(line);
	r->pos = (r->pos + 1) % r->cap;
	if (r->n < r->cap)
		r->n++;
}

const char *kring_get(const struct kring *r, size_t k)
{
	return r->line[(r->pos + r->cap - r->n + k) % r->cap];
}

void kring_free(struct kring *r)
{
	if (r->line)
		for (size_t i = 0; i < r->cap; i++)
			free(r->line[i]);
	free(r->line);
	r->line = NULL;
	r->n = r->pos = 0;
}

/* Copies a serial line keeping printable ASCII only (a tab becomes a
 * space), without trailing blanks, at most out_len - 1 bytes. */
void sanitize(char *out, size_t out_len, const char *in)
{
	size_t n = 0;
	for (; *in && n + 1 < out_len; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '\t')
			c = ' ';
		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

