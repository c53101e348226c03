/* Unit tests of the vDSO ELF reader (src/linux/vdso.c): the live image,
 * then truncated, corrupted and hostile copies of it. Every malformed copy
 * must give an error or a result inside the copy, never a crash or an
 * out-of-bounds read (this test also runs under ASan+UBSan, where the
 * copies are exact-size heap blocks so any overread is caught). */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "linux/vdso.h"
#include "unit/t.h"

static const char *const SYMS[] = { "__vdso_gettimeofday", "__vdso_clock_gettime",
				    "__vdso_time", "__vdso_getcpu",
				    "__vdso_clock_getres" };
#define NSYMS (sizeof SYMS / sizeof SYMS[0])

/* Parses buf[0..len) and looks every symbol up; any pointer returned must
 * lie inside the buffer. Returns 1 when that holds. */
static int exercise(const unsigned char *buf, size_t len, int *parsed)
{
	struct kvdso v;
	char err[128];
	*parsed = 0;
	if (kvdso_parse(buf, len, &v, err, sizeof err) != 0)
		return err[0] != '\0';
	*parsed = 1;
	for (size_t i = 0; i < NSYMS; i++) {
		for (int withver = 0; withver < 2; withver++) {
			const unsigned char *p =
				kvdso_sym(&v, SYMS[i], withver ? "LINUX_2.6" : NULL);
			if (p && (p < buf || p >= buf + len))
				return 0;
		}
	}
	(void)kvdso_sym(&v, "", "LINUX_2.6");
	(void)kvdso_sym(&v, "no_such_symbol_at_all", NULL);
	return 1;
}

/* Exact-size heap copy so that ASan sees any overread. */
static unsigned char *copy_of(const unsigned char *src, size_t len)
{
	unsigned char *p = malloc(len ? len : 1);
	if (len)
		memcpy(p, src, len);
	return p;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void put32(unsigned char *p, uint32_t x)
{
	memcpy(p, &x, 4);
}
static void put64(unsigned char *p, uint64_t x)
{
	memcpy(p, &x, 8);
}

int main(void)
{
	const void *live;
	size_t len;
	char err[128] = "";
	int rc = kvdso_live(&live, &len, err, sizeof err);
	T_CHECK(rc == 0);
	if (rc != 0) {
		printf("# no live vDSO: %s\n", err);
		return T_DONE();
	}
	T_CHECK(len >= 4096 && len % 4096 == 0);

	/* Live image, in place. */
	struct kvdso v;
	T_CHECK(kvdso_parse(live, len, &v, err, sizeof err) == 0);
	T_CHECK(v.is64 == (sizeof(void *) == 8));
	void *gtod = kvdso_sym(&v, "__vdso_gettimeofday", "LINUX_2.6");
	void *cgt = kvdso_sym(&v, "__vdso_clock_gettime", "LINUX_2.6");
	void *tm = kvdso_sym(&v, "__vdso_time", "LINUX_2.6");
	T_CHECK(gtod != NULL);
	T_CHECK(cgt != NULL);
	T_CHECK(tm != NULL);
	T_CHECK(kvdso_sym(&v, "__vdso_gettimeofday", "LINUX_9.9") == NULL);
	T_CHECK(kvdso_sym(&v, "__vdso_nonexistent", "LINUX_2.6") == NULL);
	T_CHECK(kvdso_sym(&v, "__vdso_gettimeofday", NULL) == gtod);

	/* The symbols found work. */
	if (gtod && tm) {
		struct timeval tv = { 0, 0 };
		int (*g)(struct timeval *, void *) = (int (*)(struct timeval *, void *))gtod;
		time_t (*t)(time_t *) = (time_t (*)(time_t *))tm;
		T_CHECK(g(&tv, NULL) == 0);
		time_t now = time(NULL);
		T_CHECK(tv.tv_sec >= now - 2 && tv.tv_sec <= now + 2);
		T_CHECK(t(NULL) >= now - 2);
	}

	/* A heap copy gives the same offsets. */
	unsigned char *full = copy_of(live, len);
	struct kvdso c;
	T_CHECK(kvdso_parse(full, len, &c, err, sizeof err) == 0);
	unsigned char *cg = kvdso_sym(&c, "__vdso_gettimeofday", "LINUX_2.6");
	T_CHECK(cg && gtod && cg - full == (unsigned char *)gtod - (unsigned char *)live);

	/* GNU hash path alone: hide DT_HASH from the parsed copy. */
	if (c.gnu_hash) {
		struct kvdso g = c;
		g.hash = 0;
		g.nbucket = 0;
		T_CHECK(kvdso_sym(&g, "__vdso_gettimeofday", "LINUX_2.6") == cg);
		T_CHECK(kvdso_sym(&g, "__vdso_nope", NULL) == NULL);
	}

	/* Truncated copies: every length from 0 to full. */
	int all_ok = 1, parsed, nparsed = 0;
	for (size_t l = 0; l <= len; l++) {
		unsigned char *b = copy_of(full, l);
		if (!exercise(b, l, &parsed))
			all_ok = 0;
		nparsed += parsed;
		free(b);
	}
	T_CHECK(all_ok);
	printf("# truncated: %d of %zu lengths parsed\n", nparsed, len + 1);

	/* Corrupted copies: random byte flips, fixed seed. */
	all_ok = 1;
	nparsed = 0;
	for (int it = 0; it < 20000; it++) {
		unsigned char *b = copy_of(full, len);
		int flips = 1 + (int)(rng() % 8);
		/* Most of the structure lives in the first ~1.5 KiB: aim there
		 * half the time so the flips hit headers and tables. */
		for (int k = 0; k < flips; k++) {
			size_t at = (rng() & 1) ? rng() % (len < 1536 ? len : 1536) : rng() % len;
			b[at] ^= (unsigned char)(1u << (rng() % 8));
			if (rng() % 4 == 0)
				b[at] = (unsigned char)rng();
		}
		if (!exercise(b, len, &parsed))
			all_ok = 0;
		nparsed += parsed;
		free(b);
	}
	T_CHECK(all_ok);
	printf("# corrupted: %d of 20000 parsed\n", nparsed);

	/* Hostile copies: targeted fields set to extreme values. */
	int is64 = c.is64;
	size_t phoff_at = is64 ? 32 : 28, shoff_at = is64 ? 40 : 32;
	size_t phnum_at = is64 ? 56 : 44, phent_at = is64 ? 54 : 42;
	const uint64_t evil[] = { 0, 1, len - 1, len, len + 1, 0x7fffffffull,
				  0xffffffffull, 0x7fffffffffffffffull,
				  0xffffffffffffffffull, 0xfffffffffffffff0ull };
	all_ok = 1;
	for (size_t e = 0; e < sizeof evil / sizeof evil[0]; e++) {
		size_t fields[] = { phoff_at, shoff_at };
		for (size_t f = 0; f < 2; f++) {
			unsigned char *b = copy_of(full, len);
			if (is64)
				put64(b + fields[f], evil[e]);
			else
				put32(b + fields[f], (uint32_t)evil[e]);
			if (!exercise(b, len, &parsed))
				all_ok = 0;
			free(b);
		}
		unsigned char *b = copy_of(full, len);
		b[phnum_at] = 0xff;
		b[phnum_at + 1] = 0xff;
		if (!exercise(b, len, &parsed))
			all_ok = 0;
		free(b);
		b = copy_of(full, len);
		b[phent_at] = (unsigned char)evil[e];
		b[phent_at + 1] = (unsigned char)(evil[e] >> 8);
		if (!exercise(b, len, &parsed))
			all_ok = 0;
		free(b);
	}
	T_CHECK(all_ok);

	/* Every word of the program headers and of the dynamic section set to
	 * each extreme value in turn (offsets, sizes, d_ptr past the end). */
	size_t phoff = 0, phnum = 0, phent = 0;
	memcpy(&phoff, full + phoff_at, is64 ? 8 : 4);
	phnum = full[phnum_at] | full[phnum_at + 1] << 8;
	phent = full[phent_at] | full[phent_at + 1] << 8;
	size_t word = is64 ? 8 : 4;
	size_t dyn_lo = 0, dyn_hi = 0;
	for (size_t i = 0; i < phnum; i++) {
		const unsigned char *ph = full + phoff + i * phent;
		uint32_t type;
		memcpy(&type, ph, 4);
		if (type == 2) {
			uint64_t o = 0, s = 0;
			memcpy(&o, ph + (is64 ? 8 : 4), word);
			memcpy(&s, ph + (is64 ? 32 : 16), word);
			dyn_lo = (size_t)o;
			dyn_hi = (size_t)(o + s);
		}
	}
	T_CHECK(dyn_hi > dyn_lo && dyn_hi <= len);
	all_ok = 1;
	int tried = 0;
	for (size_t at = phoff; at + word <= phoff + phnum * phent; at += 4) {
		for (size_t e = 0; e < sizeof evil / sizeof evil[0]; e++) {
			unsigned char *b = copy_of(full, len);
			put32(b + at, (uint32_t)evil[e]);
			if (!exercise(b, len, &parsed))
				all_ok = 0;
			free(b);
			tried++;
		}
	}
	for (size_t at = dyn_lo; at + word <= dyn_hi; at += word) {
		for (size_t e = 0; e < sizeof evil / sizeof evil[0]; e++) {
			unsigned char *b = copy_of(full, len);
			if (is64)
				put64(b + at, evil[e]);
			else
				put32(b + at, (uint32_t)evil[e]);
			if (!exercise(b, len, &parsed))
				all_ok = 0;
			free(b);
			tried++;
		}
	}
	T_CHECK(all_ok);
	printf("# hostile header/dynamic words: %d copies\n", tried);

	/* Hash table: bucket and chain entries out of range, chains that loop,
	 * bucket and chain counts huge. */
	if (c.hash) {
		all_ok = 1;
		size_t h = c.hash;
		size_t nwords = 2 + c.nbucket + c.nchain;
		for (size_t k = 0; k < nwords; k++) {
			const uint32_t vals[] = { 0xffffffffu, (uint32_t)c.nchain,
						  (uint32_t)c.nchain + 1, 1, (uint32_t)k };
			for (size_t e = 0; e < 5; e++) {
				unsigned char *b = copy_of(full, len);
				put32(b + h + 4 * k, vals[e]);
				if (!exercise(b, len, &parsed))
					all_ok = 0;
				free(b);
			}
		}
		/* Every chain entry points at itself: a cycle. */
		unsigned char *b = copy_of(full, len);
		for (size_t k = 0; k < c.nchain; k++)
			put32(b + h + 8 + 4 * c.nbucket + 4 * k, (uint32_t)k);
		for (size_t k = 0; k < c.nbucket; k++)
			put32(b + h + 8 + 4 * k, 1);
		if (!exercise(b, len, &parsed))
			all_ok = 0;
		free(b);
		T_CHECK(all_ok);
	}

	/* String table without any NUL: names cannot be read. */
	{
		unsigned char *b = copy_of(full, len);
		memset(b + c.strtab, 'A', c.strsz);
		struct kvdso s;
		int ok = kvdso_parse(b, len, &s, err, sizeof err) != 0 ||
			 kvdso_sym(&s, "__vdso_gettimeofday", "LINUX_2.6") == NULL;
		T_CHECK(ok);
		free(b);
	}

	/* Version definitions whose vd_next loops back on itself, and whose
	 * vd_aux points far away. */
	if (c.verdef) {
		unsigned char *b = copy_of(full, len);
		put32(b + c.verdef + 16, 0); /* no next: only the base entry */
		T_CHECK(exercise(b, len, &parsed));
		free(b);
		b = copy_of(full, len);
		for (size_t d = c.verdef; d + 20 <= len && d < c.verdef + 200; d += 4)
			put32(b + d, 0);
		T_CHECK(exercise(b, len, &parsed));
		free(b);
		b = copy_of(full, len);
		put32(b + c.verdef + 12, 0xfffffff0u);
		put32(b + c.verdef + 16, 0x7ffffff0u);
		T_CHECK(exercise(b, len, &parsed));
		free(b);
	}

	/* Symbol table whose entries all point past the end. */
	{
		unsigned char *b = copy_of(full, len);
		for (size_t i = 1; i < c.nsyms; i++) {
			unsigned char *s = b + c.symtab + i * c.syment;
			if (is64)
				put64(s + 8, 0xfffffffffffff000ull);
			else
				put32(s + 4, 0xfffff000u);
			put32(s, 0xfffffff0u);
		}
		T_CHECK(exercise(b, len, &parsed));
		free(b);
	}

	/* A parsed image whose length is then claimed larger than the copy
	 * is the caller's bug, not tested; but NULL and tiny inputs are. */
	T_CHECK(kvdso_parse(NULL, 100, &c, err, sizeof err) != 0);
	T_CHECK(kvdso_parse(full, 3, &c, NULL, 0) != 0);
	T_CHECK(kvdso_sym(NULL, "x", NULL) == NULL);

	free(full);
	return T_DONE();
}
