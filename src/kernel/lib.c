/* kentry kernel: the few libc functions the compiler may call on its own
 * (memset/memcpy for struct initialisation and copies) plus strings. */
#include "kernel.h"

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	if (p < q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

const char *kword_next(const char **p, size_t *n)
{
	const char *w = *p;
	if (!*w)
		return 0;
	const char *e = w;
	while (*e && *e != ',')
		e++;
	*n = (size_t)(e - w);
	*p = *e ? e + 1 : e;
	return w;
}

int kword_index(const char *const *names, unsigned count, const char *w, size_t n)
{
	for (unsigned k = 0; k < count; k++)
		if (strlen(names[k]) == n && !strncmp(names[k], w, n))
			return (int)k;
	return -1;
}

void kword_copy(char *dst, size_t len, const char *w, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, w, n);
	dst[n] = 0;
}
