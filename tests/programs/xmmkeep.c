/* A static program for kentry's kernel (tests/programs/README.md): the
 * SSE registers XMM0-15 hold known values across a raw system call and
 * across a page fault the kernel resolves, as the x86-64 system-call ABI
 * and any fault require (the kernel keeps no FPU/SSE state of its own for
 * the program: it must not touch them). One line per case; exits with the
 * number of cases that found a register changed. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#define LOAD(p) \
	"movdqu 0(" p "), %%xmm0\n movdqu 16(" p "), %%xmm1\n movdqu 32(" p "), %%xmm2\n" \
	"movdqu 48(" p "), %%xmm3\n movdqu 64(" p "), %%xmm4\n movdqu 80(" p "), %%xmm5\n" \
	"movdqu 96(" p "), %%xmm6\n movdqu 112(" p "), %%xmm7\n movdqu 128(" p "), %%xmm8\n" \
	"movdqu 144(" p "), %%xmm9\n movdqu 160(" p "), %%xmm10\n movdqu 176(" p "), %%xmm11\n" \
	"movdqu 192(" p "), %%xmm12\n movdqu 208(" p "), %%xmm13\n movdqu 224(" p "), %%xmm14\n" \
	"movdqu 240(" p "), %%xmm15\n"
#define STORE(p) \
	"movdqu %%xmm0, 0(" p ")\n movdqu %%xmm1, 16(" p ")\n movdqu %%xmm2, 32(" p ")\n" \
	"movdqu %%xmm3, 48(" p ")\n movdqu %%xmm4, 64(" p ")\n movdqu %%xmm5, 80(" p ")\n" \
	"movdqu %%xmm6, 96(" p ")\n movdqu %%xmm7, 112(" p ")\n movdqu %%xmm8, 128(" p ")\n" \
	"movdqu %%xmm9, 144(" p ")\n movdqu %%xmm10, 160(" p ")\n movdqu %%xmm11, 176(" p ")\n" \
	"movdqu %%xmm12, 192(" p ")\n movdqu %%xmm13, 208(" p ")\n movdqu %%xmm14, 224(" p ")\n" \
	"movdqu %%xmm15, 240(" p ")\n"
#define XMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
	"xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static uint64_t in[32], out[32];

static int report(const char *what)
{
	int bad = 0;
	for (int i = 0; i < 32; i++)
		bad += in[i] != out[i];
	printf("%s: %s (%d of 32 quadwords changed)\n", what, bad ? "XMM CHANGED" : "xmm kept", bad);
	return bad != 0;
}

static int across_syscall(long nr, long a0, long a1, long a2, const char *what)
{
	long ret;
	__asm__ volatile(LOAD("%[in]") "syscall\n" STORE("%[out]")
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", XMM_CLOBBERS);
	return report(what);
}

static int across_fault(volatile char *fresh, const char *what)
{
	__asm__ volatile(LOAD("%[in]") "movb $1, (%[p])\n" STORE("%[out]")
			 :
			 : [p] "r"(fresh), [in] "r"(in), [out] "r"(out)
			 : "memory", XMM_CLOBBERS);
	return report(what);
}

int main(void)
{
	for (int i = 0; i < 32; i++)
		in[i] = 0x0101010101010101ull * (uint64_t)(i + 1) ^ 0x8000000000000000ull;
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
