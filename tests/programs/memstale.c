/* A static program for kentry's kernel whose memory changes under it
 * (tests/programs/README.md): what ring 3 sees after munmap and mprotect
 * must be what the process's space says, on whichever page tables ring 3
 * runs (with KPTI: the process's user tables, which must follow).
 *   memstale work     brk, mmap, mprotect, munmap and page faults, a
 *                     checksum of what it read back; exits 0
 *   memstale unmap    writes a page, unmaps it, reads it: must die of
 *                     SIGSEGV; prints "stale read" and exits 3 if the read
 *                     succeeds
 *   memstale protect  writes a page, makes it read-only, writes again:
 *                     must die of SIGSEGV; "stale write", 4, otherwise */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile uint64_t *page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap failed\n");
		_exit(1);
	}
	volatile uint64_t *q = p;
	for (unsigned i = 0; i < 512; i++)
		q[i] = 0x5a5a000000000000ull | i;
	return q;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "work";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "unmap")) {
		volatile uint64_t *q = page();
		munmap((void *)q, 4096);
		printf("reading after munmap\n");
		uint64_t v = q[8];
		printf("stale read 0x%llx\n", (unsigned long long)v);
		return 3;
	}
	if (!strcmp(mode, "protect")) {
		volatile uint64_t *q = page();
		mprotect((void *)q, 4096, PROT_READ);
		printf("writing after mprotect(PROT_READ): %llx\n", (unsigned long long)q[8]);
		q[8] = 1;
		printf("stale write\n");
		return 4;
	}
	/* work: every kind of change, read back */
	uint64_t sum = 0;
	for (unsigned r = 0; r < 8; r++) {
		volatile uint64_t *q = page();
		sum += q[r] + q[511];
		mprotect((void *)q, 4096, PROT_READ);
		sum += q[r * 3];
		mprotect((void *)q, 4096, PROT_READ | PROT_WRITE);
		q[r] = r;
		sum += q[r];
		munmap((void *)q, 4096);
	}
	char *b = sbrk(0);
	if (sbrk(3 * 4096) == (void *)-1) {
		printf("sbrk failed\n");
		return 1;
	}
	for (unsigned i = 0; i < 3 * 4096; i += 512)
		b[i] = (char)i;
	for (unsigned i = 0; i < 3 * 4096; i += 512)
		sum += (unsigned char)b[i];
	sbrk(-2 * 4096);
	printf("work done: checksum 0x%llx\n", (unsigned long long)sum);
	return 0;
}
