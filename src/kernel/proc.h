/* kentry kernel: the Linux process (proc.c): one at a time, one thread,
 * on the one CPU. Its address space (vm.h), its memory areas (the ELF's
 * segments, brk, mmap, the stack: faulted in page by page on first
 * touch), what the system calls keep for it (TLS, the tid address, rseq,
 * signal dispositions), and how it ended. exec.c loads and runs it;
 * linux.c serves its system calls. */
#ifndef KENTRY_KERNEL_PROC_H
#define KENTRY_KERNEL_PROC_H

#include <stdint.h>
#include "regs.h"
#include "vm.h"

#define PROT_READ_  1u
#define PROT_WRITE_ 2u
#define PROT_EXEC_  4u

#define VMA_ANON   0u  /* zero-filled on first touch */
#define VMA_STACK  1u  /* the stack: anonymous, listed as such */
#define VMA_BRK    2u  /* the program break */
#define VMA_FIXED  4u  /* mapped whole at exec (ELF segments, vDSO, vvar): no faulting in */

#define KPROC_MAX_VMA 64

struct kvma {
	uint64_t start, end;   /* page-aligned, [start, end) */
	uint32_t prot, flags;
};

struct kproc {
	int active;            /* a process exists (its space may be current) */
	struct kvm_space mm;
	struct kvm_space mm_twin; /* its KPTI user tables, when a KPTI set runs (kproc_kpti) */
	int is32;              /* an i386 program */
	uint64_t task_size;    /* TASK_SIZE64 or TASK_SIZE32: user pointers stay below */
	struct kvma vma[KPROC_MAX_VMA];
	unsigned nvma;
	uint64_t brk_start, brk;
	uint64_t mmap_top;
	uint64_t vdso64, vdso32; /* where each vDSO is mapped, 0: not in this process */
	uint64_t landing;        /* the 32-bit vDSO's return point for sysenter and
				  * 32-bit syscall (after __kernel_vsyscall's int $0x80) */
	/* kept for system calls */
	uint64_t fs_base, gs_base;
	uint64_t tls[3];         /* set_thread_area descriptors (GDT slots SEL_TLS0..) */
	uint64_t tid_addr, robust_head, robust_len;
	uint64_t rseq, rseq_len;
	uint32_t rseq_sig;
	uint64_t sig_handler[65]; /* rt_sigaction dispositions (never delivered) */
	uint64_t sigmask;
	int fd_closed[3];
	char exe[256];           /* readlink("/proc/self/exe") */
	uint64_t start_mono_ns;  /* for the CPU-time clocks */
	/* how it ended */
	int ended;               /* 1 exited, 2 killed */
	int status;              /* exit status, or the signal */
	char why[256];           /* killed: what happened, in words */
};
extern struct kproc kproc;

/* A fresh process with an empty space; 0, or -1 when out of memory. */
int kproc_new(int is32);
/* Frees its space and every frame it holds (not while it is current). */
void kproc_free(void);
/* Once the program is mapped: the KPTI twin of its space (kvm_pti_build)
 * when the boot measures a KPTI set (the kernel's space has its twin),
 * checked (TAP lines: kpti_check_space); from then on every map, unmap and
 * protect reaches both. 0 (also when no KPTI set runs), or -1. */
int kproc_kpti(const char *what);

/* Memory areas. kproc_map: [start, end) must be free; 0 or -1 (too many
 * areas). */
int kproc_map(uint64_t start, uint64_t end, uint32_t prot, uint32_t flags);
/* Removes whatever is mapped in [start, end) (pages freed). */
int kproc_unmap(uint64_t start, uint64_t end);
/* New protection for [start, end): -ENOMEM unless all of it is mapped. */
int kproc_protect(uint64_t start, uint64_t end, uint32_t prot);
/* The highest free gap of len bytes below top (and at or above floor);
 * 0 when none. */
uint64_t kproc_gap(uint64_t len, uint64_t floor, uint64_t top);
int kproc_range_free(uint64_t start, uint64_t end);
/* The leaf flags of a protection. */
uint64_t kproc_pte_flags(uint32_t prot);
/* brk(2). */
uint64_t kproc_brk(uint64_t want);

/* trap.c: a #PF that the process's memory resolves (first touch of an
 * area, the vsyscall page emulated): 1 handled (return to the faulting
 * instruction), 0 not (a fault the program dies of, or, in ring 0, one
 * the exception table recovers). */
int kproc_fault(struct kregs *f);

/* The process ends: exit status, or killed by a signal (why: what
 * happened). Ends the ring-3 excursion: never returns. */
__attribute__((noreturn)) void kproc_exit(int status);
__attribute__((noreturn, format(printf, 2, 3))) void kproc_kill(int sig, const char *fmt, ...);
/* KURUN status of an excursion ended by kproc_exit/kproc_kill */
#define KURUN_PROC_END 0x400u

const char *ksig_name(int sig);

#endif
