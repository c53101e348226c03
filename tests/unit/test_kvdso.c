/* Unit tests of the vDSO images kentry builds for its kernel
 * (build/vdso/vdso64.so, vdso32.so from src/vdso/): kentry's own reader
 * (src/linux/vdso.c) finds every symbol Linux's vDSOs export, with the
 * versions glibc and musl ask for, inside the image; the images have one
 * loadable segment at 0 and nothing to relocate; the reader survives
 * every truncation of them; and the 64-bit image, mapped here below a
 * data page we fill in, computes the time from that page as the kernel
 * means it to (src/vdso/vdso_data.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "linux/vdso.h"
#include "vdso/vdso_data.h"
#include "unit/t.h"

static const char *const SYMS[] = { "__vdso_gettimeofday", "__vdso_clock_gettime",
				    "__vdso_time", "__vdso_getcpu", "__vdso_clock_getres" };
#define NSYMS (sizeof SYMS / sizeof SYMS[0])

static char *image(const char *name, size_t *len)
{
	const char *b = getenv("BUILD");
	char path[512];
	snprintf(path, sizeof(path), "%s/vdso/%s", b && *b ? b : "build", name);
	return t_slurp(path, len);
}

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ELF facts the kernel and the libcs rely on: one PT_LOAD at offset and
 * address 0, a PT_DYNAMIC, no PT_INTERP, no relocation tables. */
static void layout(const unsigned char *b, size_t len, int is64)
{
	T_CHECK(len > 64 && b[4] == (is64 ? 2 : 1));
	size_t phoff = is64 ? rd32(b + 32) : rd32(b + 28);
	unsigned phent = rd16(b + (is64 ? 54 : 42)), phnum = rd16(b + (is64 ? 56 : 44));
	int loads = 0, dyn = 0, interp = 0, load0 = 0;
	for (unsigned i = 0; i < phnum && phoff + (i + 1) * phent <= len; i++) {
		const unsigned char *ph = b + phoff + i * phent;
		uint32_t type = rd32(ph);
		uint32_t off = is64 ? rd32(ph + 8) : rd32(ph + 4);
		uint32_t va = is64 ? rd32(ph + 16) : rd32(ph + 8);
		loads += type == 1;
		load0 += type == 1 && off == 0 && va == 0;
		dyn += type == 2;
		interp += type == 3;
	}
	T_CHECK(loads == 1 && load0 == 1);
	T_CHECK(dyn == 1 && interp == 0);
}

static void symbols(const unsigned char *b, size_t len, int is64)
{
	struct kvdso v;
	char err[160] = "";
	int rc = kvdso_parse(b, len, &v, err, sizeof(err));
	T_CHECK(rc == 0);
	if (rc) {
		printf("# %s\n", err);
		return;
	}
	T_CHECK(v.is64 == is64);
	T_CHECK(v.hash && v.gnu_hash); /* musl reads DT_HASH, glibc either */
	for (size_t i = 0; i < NSYMS; i++) {
		const unsigned char *p = kvdso_sym(&v, SYMS[i], "LINUX_2.6");
		T_CHECK(p != NULL && p > b && p < b + len);
		if (!p)
			printf("#   %s@LINUX_2.6 missing\n", SYMS[i]);
	}
	if (is64) {
		/* and the names without the prefix, as Linux's */
		T_CHECK(kvdso_sym(&v, "clock_gettime", "LINUX_2.6") ==
			kvdso_sym(&v, "__vdso_clock_gettime", "LINUX_2.6"));
		T_CHECK(kvdso_sym(&v, "gettimeofday", "LINUX_2.6") ==
			kvdso_sym(&v, "__vdso_gettimeofday", "LINUX_2.6"));
	} else {
		T_CHECK(kvdso_sym(&v, "__kernel_vsyscall", "LINUX_2.5") != NULL);
		T_CHECK(kvdso_sym(&v, "__kernel_vsyscall", "LINUX_2.6") == NULL);
		T_CHECK(kvdso_sym(&v, "__vdso_clock_gettime64", "LINUX_2.6") != NULL);
	}
	T_CHECK(kvdso_sym(&v, "__vdso_gettimeofday", "LINUX_2.5") == NULL);
	/* nothing internal is exported */
	T_CHECK(kvdso_sym(&v, "__kentry_landing_pad", NULL) == NULL);
	T_CHECK(kvdso_sym(&v, "vvar_data", NULL) == NULL);

	/* every truncation: an error or a symbol inside the copy */
	int ok = 1;
	for (size_t l = 0; l <= len; l++) {
		unsigned char *c = malloc(l ? l : 1);
		memcpy(c, b, l);
		struct kvdso t;
		if (kvdso_parse(c, l, &t, err, sizeof(err)) == 0) {
			const unsigned char *p = kvdso_sym(&t, "__vdso_gettimeofday", "LINUX_2.6");
			if (p && (p < c || p >= c + l))
				ok = 0;
		}
		free(c);
	}
	T_CHECK(ok);
}

/* The 64-bit image at a page below which we put a data page of our own:
 * its functions must compute the time from that page. */
static void computes(const unsigned char *b, size_t len)
{
	size_t size = (len + 4095) & ~(size_t)4095;
	unsigned char *m = mmap(NULL, 4096 + size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	memcpy(m + 4096, b, len);
	struct kvdso_data *d = (struct kvdso_data *)m;
	d->tsc_base = kvdso_rdtsc();
	d->real_ns = 1000000000ull * 1700000000ull + 123456789ull; /* 2023-11-14 22:13:20.123456789 */
	d->mono_ns = 5000000000ull;
	d->mult = 1u << 31; /* 0.5 ns per tick */
	d->shift = 32;
	d->clock_ok = 1;
	d->cpu = 0;
	d->seq = 2;
	T_CHECK(mprotect(m + 4096, size, PROT_READ | PROT_EXEC) == 0);
	struct kvdso v;
	char err[128];
	if (kvdso_parse(m + 4096, len, &v, err, sizeof(err))) {
		T_CHECK(0);
		return;
	}
	int (*gtod)(struct timeval *, void *) = kvdso_sym(&v, "__vdso_gettimeofday", "LINUX_2.6");
	int (*cgt)(clockid_t, struct timespec *) = kvdso_sym(&v, "__vdso_clock_gettime", "LINUX_2.6");
	long (*tm)(long *) = kvdso_sym(&v, "__vdso_time", "LINUX_2.6");
	struct timeval tv;
	struct timespec ts;
	T_CHECK(gtod(&tv, NULL) == 0);
	T_CHECK(tv.tv_sec == 1700000000 && tv.tv_usec >= 123456 && tv.tv_usec < 900000);
	T_CHECK(cgt(CLOCK_MONOTONIC, &ts) == 0);
	T_CHECK(ts.tv_sec == 5 && ts.tv_nsec < 800000000);
	T_CHECK(tm(NULL) == 1700000000);
	/* 2^32 ticks later: 2^31 ns on the monotonic clock */
	d->tsc_base -= 1ull << 32;
	T_CHECK(cgt(CLOCK_MONOTONIC, &ts) == 0);
	T_CHECK(ts.tv_sec == 7 && ts.tv_nsec >= 147483648 && ts.tv_nsec < 947483648);
	munmap(m, 4096 + size);
}

int main(void)
{
	size_t l64 = 0, l32 = 0;
	char *i64 = image("vdso64.so", &l64), *i32 = image("vdso32.so", &l32);
	T_CHECK(i64 != NULL && i32 != NULL);
	if (!i64 || !i32)
		return T_DONE();
	layout((unsigned char *)i64, l64, 1);
	layout((unsigned char *)i32, l32, 0);
	symbols((unsigned char *)i64, l64, 1);
	symbols((unsigned char *)i32, l32, 0);
	/* the scaling: (delta * mult) >> shift without overflow */
	T_EQ_U64(kvdso_scale(1ull << 40, 1u << 31, 32), 1ull << 39);
	T_EQ_U64(kvdso_scale(3000000000ull * 86400 * 365, 1431655765u, 32),
		 (uint64_t)((unsigned __int128)(3000000000ull * 86400 * 365) * 1431655765u >> 32));
	T_EQ_U64(kvdso_scale(12345678901ull, 4000000000u, 30),
		 (uint64_t)((unsigned __int128)12345678901ull * 4000000000u >> 30));
	computes((unsigned char *)i64, l64);
	free(i64);
	free(i32);
	return T_DONE();
}
