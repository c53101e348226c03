/* kentry kernel: random bytes for getrandom(2) and AT_RANDOM. RDRAND
 * where CPUID.1:ECX[30] says the CPU has it (retried, as Intel's DRNG
 * guide advises, since it may report no value for a moment); otherwise a
 * splitmix64 generator seeded with the TSC and the RTC's time at boot,
 * stirred with the TSC on every call: fine for a C library's hash seeds
 * and stack guards, not for keys, and `env random.source` says which. */
#include "linux.h"
#include "kernel.h"
#include "ktime.h"

static int have_rdrand;
static uint64_t state;

void krandom_init(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	have_rdrand = (c >> 30) & 1;
	uint64_t mono, real;
	ktime_now(&mono, &real);
	state = kvdso_rdtsc() ^ (real * 0x9e3779b97f4a7c15ull);
	kprintf("env random.source %s\n", krandom_source());
}

const char *krandom_source(void)
{
	return have_rdrand ? "rdrand"
			   : "splitmix64 seeded from the TSC and the RTC (no RDRAND: not for keys)";
}

static uint64_t next(void)
{
	if (have_rdrand) {
		for (unsigned i = 0; i < 10; i++) {
			uint64_t v;
			uint8_t ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
			if (ok)
				return v;
		}
	}
	state += 0x9e3779b97f4a7c15ull ^ kvdso_rdtsc();
	uint64_t z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void krandom_bytes(void *buf, uint64_t n)
{
	uint8_t *p = buf;
	while (n) {
		uint64_t v = next();
		for (unsigned i = 0; i < 8 && n; i++, n--)
			*p++ = (uint8_t)(v >> (8 * i));
	}
}
