/* A static program for kentry's kernel (tests/programs/README.md): the
 * SSE registers XMM0-15 hold known values across a raw system call and
 * across a page fault the kernel resolves, as the x86-64 system-call ABI
 * and any fault require (the kernel keeps no FPU/SSE state of its own for
 * the program: it must not touch them). One line per case; exits with the
 * number of cases that found a register changed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* The whole SSE state goes in with fxrstor and comes back with fxsave:
 * XMM0-15 are bytes 160-415 of the 512-byte area (SDM vol. 1, 10.5.1). */
struct fxarea {
	uint8_t b[512];
} __attribute__((aligned(16)));
static struct fxarea in, out;
#define XMM_OFF 160
#define XMM_LEN 256
#define XMM_ALL "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
	"xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static int report(const char *what)
{
	int bad = 0;
	for (int i = XMM_OFF; i < XMM_OFF + XMM_LEN; i += 8)
		bad += memcmp(in.b + i, out.b + i, 8) != 0;
	printf("%s: %s (%d of 32 quadwords changed)\n", what, bad ? "XMM CHANGED" : "xmm kept", bad);
	return bad != 0;
}

static int across_syscall(long nr, long a0, long a1, long a2, const char *what)
{
	long ret;
	__asm__ volatile("fxrstor64 %[in]\n syscall\n fxsave64 %[out]"
			 : "=a"(ret), [out] "=m"(out)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), [in] "m"(in)
			 : "rcx", "r11", "memory", XMM_ALL);
	return report(what);
}

static int across_fault(volatile char *fresh, const char *what)
{
	__asm__ volatile("fxrstor64 %[in]\n movb $1, (%[p])\n fxsave64 %[out]"
			 : [out] "=m"(out)
			 : [p] "r"(fresh), [in] "m"(in)
			 : "memory", XMM_ALL);
	return report(what);
}

int main(void)
{
	__asm__ volatile("fxsave64 %0" : "=m"(in)); /* this state, with known XMM values */
	for (int i = 0; i < XMM_LEN; i++)
		in.b[XMM_OFF + i] = (uint8_t)(i * 7 + 1);
	struct timespec ts;
	int bad = 0;
	bad += across_syscall(SYS_getpid, 0, 0, 0, "getpid");
	bad += across_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, "clock_gettime");
	bad += across_syscall(SYS_write, 1, (long)"-\n", 2, "write");
	char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad += across_fault(p, "page fault");
	bad += across_syscall(SYS_mprotect, (long)p, 4096, PROT_READ, "mprotect");
	bad += across_syscall(SYS_munmap, (long)p, 8192, 0, "munmap");
	bad += across_syscall(SYS_brk, 0, 0, 0, "brk");
	return bad;
}
