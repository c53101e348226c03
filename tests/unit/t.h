/* kentry's tiny unit-test helper: TAP output, one line per check.
 *
 *   T_CHECK(cond)          ok when cond is true
 *   T_EQ_U64(a, b)         ok when a == b (prints both in hex otherwise)
 *   T_NEAR(a, b, eps)      ok when |a - b| <= eps
 *   T_STREQ(a, b)          ok when both strings are equal (NULL-safe)
 *   return T_DONE();       prints the plan, returns 1 if any check failed
 *   t_slurp(path, &len)    a whole file, NUL-terminated (NULL when unreadable)
 */
#ifndef KENTRY_TESTS_T_H
#define KENTRY_TESTS_T_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_count, t_failed;

static inline void t_report(int ok, const char *file, int line, const char *what)
{
	t_count++;
	if (!ok)
		t_failed++;
	printf("%sok %d - %s (%s:%d)\n", ok ? "" : "not ", t_count, what, file, line);
}

#define T_CHECK(cond) t_report(!!(cond), __FILE__, __LINE__, #cond)

#define T_EQ_U64(a, b)                                                              \
	do {                                                                        \
		uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);                \
		t_report(t_a_ == t_b_, __FILE__, __LINE__, #a " == " #b);           \
		if (t_a_ != t_b_)                                                   \
			printf("#   got 0x%016llx, want 0x%016llx\n",               \
			       (unsigned long long)t_a_, (unsigned long long)t_b_); \
	} while (0)

#define T_NEAR(a, b, eps)                                                         \
	do {                                                                      \
		double t_a_ = (double)(a), t_b_ = (double)(b);                    \
		double t_d_ = t_a_ > t_b_ ? t_a_ - t_b_ : t_b_ - t_a_;            \
		t_report(t_d_ <= (eps), __FILE__, __LINE__, #a " ~= " #b);        \
		if (!(t_d_ <= (eps)))                                             \
			printf("#   got %.9g, want %.9g\n", t_a_, t_b_);          \
	} while (0)

#define T_STREQ(a, b)                                                             \
	do {                                                                      \
		const char *t_a_ = (a), *t_b_ = (b);                              \
		int t_ok_ = (t_a_ == NULL && t_b_ == NULL) ||                     \
			    (t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0);            \
		t_report(t_ok_, __FILE__, __LINE__, #a " eq " #b);                \
		if (!t_ok_)                                                       \
			printf("#   got \"%s\", want \"%s\"\n", t_a_ ? t_a_ : "(null)", \
			       t_b_ ? t_b_ : "(null)");                           \
	} while (0)

/* A whole file in memory, NUL-terminated; NULL (and a comment) when it
 * cannot be read: the tests run from the repository root. */
static inline char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("# cannot open %s (run the tests from the repo root)\n", path);
		*len = 0;
		return NULL;
	}
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap + 1);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#define T_DONE() (printf("1..%d\n", t_count), t_failed ? 1 : 0)

#endif
