/* Unit tests of the executable checker kentry exec and kentry's kernel
 * share (src/core/elf.c): well-formed static programs of both classes
 * and a static-pie pass with the right description; each malformation
 * is refused with a message naming it; every truncation and random
 * corruption of a real program gives an answer, never a read outside the
 * image (run under ASan+UBSan too). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"
#include "unit/t.h"

static void w16(unsigned char *p, uint64_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void w32(unsigned char *p, uint64_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
static void w64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i)); }

struct seg {
	uint32_t type, flags;
	uint64_t off, va, fsz, msz;
};

/* An ELF image of len bytes: header, program headers at 64 (52), segs. */
static unsigned char *mk(int is64, unsigned type, unsigned machine, uint64_t entry,
			 const struct seg *s, unsigned n, size_t len)
{
	unsigned char *b = calloc(1, len);
	memcpy(b, "\177ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	w16(b + 16, type);
	w16(b + 18, machine);
	w32(b + 20, 1);
	unsigned ph = is64 ? 64 : 52, pe = is64 ? 56 : 32;
	if (is64) {
		w64(b + 24, entry);
		w64(b + 32, ph);
		w16(b + 52, 64);
		w16(b + 54, pe);
		w16(b + 56, n);
	} else {
		w32(b + 24, entry);
		w32(b + 28, ph);
		w16(b + 40, 52);
		w16(b + 42, pe);
		w16(b + 44, n);
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned char *p = b + ph + i * pe;
		w32(p, s[i].type);
		if (is64) {
			w32(p + 4, s[i].flags);
			w64(p + 8, s[i].off);
			w64(p + 16, s[i].va);
			w64(p + 24, s[i].va);
			w64(p + 32, s[i].fsz);
			w64(p + 40, s[i].msz);
			w64(p + 48, 0x1000);
		} else {
			w32(p + 4, s[i].off);
			w32(p + 8, s[i].va);
			w32(p + 12, s[i].va);
			w32(p + 16, s[i].fsz);
			w32(p + 20, s[i].msz);
			w32(p + 24, s[i].flags);
			w32(p + 28, 0x1000);
		}
	}
	return b;
}

static int refused(const unsigned char *b, size_t len, const char *want)
{
	struct kelf e;
	char err[256];
	int rc = kelf_check(b, len, &e, err, sizeof(err));
	if (rc == 0 || !strstr(err, want)) {
		printf("#   wanted a refusal with '%s', got %s'%s'\n", want, rc ? "" : "a pass ", err);
		return 0;
	}
	return 1;
}

int main(void)
{
	struct kelf e;
	char err[256];
	/* a good 64-bit static program: text R X at 0x401000, data RW */
	struct seg g64[] = { { 1, 5, 0, 0x400000, 0x2000, 0x2000 },
			     { 1, 6, 0x2000, 0x402000, 0x100, 0x5000 },
			     { 0x6474e551, 6, 0, 0, 0, 0 } };
	unsigned char *b = mk(1, 2, 62, 0x401000, g64, 3, 0x3000);
	T_CHECK(kelf_check(b, 0x3000, &e, err, sizeof(err)) == 0);
	T_CHECK(e.is64 && !e.pie && e.nseg == 2 && e.entry == 0x401000);
	T_EQ_U64(e.lo, 0x400000);
	T_EQ_U64(e.hi, 0x407000);
	T_EQ_U64(e.phdr_vaddr, 0x400040);
	T_CHECK(!e.exec_stack);

	/* refusals of the 64-bit one, one field at a time */
	unsigned char *c = malloc(0x3000);
#define VARIANT(stmt, want)                                          \
	do {                                                        \
		memcpy(c, b, 0x3000);                               \
		stmt;                                               \
		T_CHECK(refused(c, 0x3000, want));                  \
	} while (0)
	VARIANT(c[1] = 'X', "not an ELF file");
	VARIANT(memcpy(c, "#!/bin/sh\n", 10), "script");
	VARIANT(c[4] = 3, "unknown ELF class 3");
	VARIANT(c[5] = 2, "not little-endian");
	VARIANT(c[6] = 0, "unknown ELF version");
	VARIANT(w16(c + 16, 1), "object file");
	VARIANT(w16(c + 16, 4), "core dump");
	VARIANT(w16(c + 18, 183), "wrong machine: a 64-bit program for AArch64 (e_machine 183)");
	VARIANT(w16(c + 18, 3), "wrong machine: a 64-bit program for i386");
	VARIANT(w16(c + 56, 0), "no program headers");
	VARIANT(w16(c + 54, 32), "program header entries of 32 bytes");
	VARIANT(w16(c + 56, 500), "absurd number of program headers");
	VARIANT(w64(c + 32, 0x2fe0), "truncated: the program headers end");
	VARIANT(w64(c + 64 + 8, 0x2f00), "truncated: segment 0");
	VARIANT(w64(c + 64 + 56 + 40, 1ull << 40), "absurd size");
	VARIANT(w64(c + 64 + 56 + 16, 0x400800), "segments 0 and 1 overlap");
	VARIANT(w64(c + 64 + 16, 0x100000), "lies in the kernel's range");
	VARIANT(w64(c + 64 + 16, 0x7ffffff00000ull), "beyond the program's part of the 64-bit address space");
	VARIANT(w64(c + 64 + 56 + 16, 0xfffffffffffff000ull), "wraps around");
	VARIANT(w64(c + 24, 0x402000), "entry point 0x402000 is outside every executable segment");
	VARIANT((w32(c + 64 + 112, 3), w64(c + 64 + 112 + 8, 0x2000), w64(c + 64 + 112 + 32, 10),
		 memcpy(c + 0x2000, "/lib/ld.so", 11)),
		"dynamically linked (it asks for the interpreter /lib/ld.so)");
	VARIANT(w32(c + 64, 0x6474e551), "entry point"); /* no text segment left: the entry has nowhere */
	VARIANT((w32(c + 64, 0), w32(c + 64 + 56, 0)), "no loadable segment");
	/* fsz > msz, explicitly */
	VARIANT((w64(c + 64 + 56 + 32, 0x200), w64(c + 64 + 56 + 40, 0x100)), "exceeds its memory size");

	/* every truncation: an answer, never a read past the copy */
	int ok = 1;
	for (size_t l = 0; l < 0x3000; l += (l < 300 ? 1 : 97)) {
		unsigned char *t = malloc(l ? l : 1);
		memcpy(t, b, l);
		int rc = kelf_check(t, l, &e, err, sizeof(err));
		if (rc == 0 && l < 0x2100)
			ok = 0; /* the data segment's bytes end at 0x2100 */
		if (rc && !err[0])
			ok = 0;
		free(t);
	}
	T_CHECK(ok);
	/* random corruption: an answer every time (ASan watches the reads) */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	ok = 1;
	for (int it = 0; it < 20000; it++) {
		memcpy(c, b, 0x3000);
		for (int k = 0; k < 4; k++) {
			x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
			uint64_t r = x * 0x2545f4914f6cdd1dull;
			c[r % 232] = (unsigned char)(r >> 32);
		}
		int rc = kelf_check(c, 0x3000, &e, err, sizeof(err));
		if (rc && !err[0])
			ok = 0;
		if (rc == 0 && (e.lo < KELF_USER_MIN || e.hi > KELF_TOP64 || e.nseg == 0))
			ok = 0;
	}
	T_CHECK(ok);
	free(c);
	free(b);

	/* a good 32-bit one at 0x08048000 */
	struct seg g32[] = { { 1, 5, 0, 0x08048000, 0x1000, 0x1000 },
			     { 1, 6, 0x1000, 0x08049000, 0x10, 0x2000 } };
	b = mk(0, 2, 3, 0x08048100, g32, 2, 0x1100);
	T_CHECK(kelf_check(b, 0x1100, &e, err, sizeof(err)) == 0);
	T_CHECK(!e.is64 && e.nseg == 2 && e.entry == 0x08048100);
	T_EQ_U64(e.hi, 0x0804b000);
	T_EQ_U64(e.phdr_vaddr, 0x08048034);
	w16(b + 18, 62);
	T_CHECK(refused(b, 0x1100, "x32-ABI program"));
	w16(b + 18, 40);
	T_CHECK(refused(b, 0x1100, "wrong machine: a 32-bit program for ARM"));
	free(b);
	struct seg hi32[] = { { 1, 5, 0, 0xf7800000, 0x1000, 0x1000 } };
	b = mk(0, 2, 3, 0xf7800000, hi32, 1, 0x1000);
	T_CHECK(refused(b, 0x1000, "32-bit address space"));
	free(b);

	/* a static-pie (ET_DYN, no interpreter): placed at ELF_ET_DYN_BASE */
	struct seg pie[] = { { 1, 5, 0, 0, 0x1000, 0x1000 }, { 6, 4, 64, 64, 112, 112 } };
	b = mk(1, 3, 62, 0x100, pie, 2, 0x1000);
	T_CHECK(kelf_check(b, 0x1000, &e, err, sizeof(err)) == 0);
	T_CHECK(e.pie && e.bias == KELF_DYN_BASE64 && e.entry == KELF_DYN_BASE64 + 0x100);
	T_EQ_U64(e.phdr_vaddr, KELF_DYN_BASE64 + 64); /* PT_PHDR, biased */
	free(b);

	/* an executable stack asked for */
	struct seg xs[] = { { 1, 5, 0, 0x400000, 0x1000, 0x1000 }, { 0x6474e551, 7, 0, 0, 0, 0 } };
	b = mk(1, 2, 62, 0x400100, xs, 2, 0x1000);
	T_CHECK(kelf_check(b, 0x1000, &e, err, sizeof(err)) == 0 && e.exec_stack);
	free(b);
	T_CHECK(refused((const unsigned char *)"\177EL", 3, "not an ELF file"));
	T_CHECK(refused((const unsigned char *)"\177ELF\2\1\1", 7, "truncated"));
	return T_DONE();
}
