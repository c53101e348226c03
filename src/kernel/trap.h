/* kentry kernel: traps and ring-3 excursions. */
#ifndef KENTRY_KERNEL_TRAP_H
#define KENTRY_KERNEL_TRAP_H

#include <stdint.h>

/* The frame trap_common (entry.S) builds, lowest address first. */
struct ktrap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* One ring-3 excursion (entry.S reads and writes the first four fields
 * by offset: keep them first). */
struct kurun {
	uint64_t kernel_rsp;
	uint64_t result;     /* TSC delta the loop reported (status 0) */
	uint64_t active;
	uint64_t user_rflags; /* ring 3's RFLAGS at the done entry (status 0) */
	/* filled by trap_dispatch when a trap ends the excursion */
	uint64_t vector, error, rip, cs, cr2;
};
extern struct kurun kurun;

/* kuser_enter statuses */
#define KURUN_DONE            0
#define KURUN_FAULT(v)        (0x100u + (v)) /* exception v ended it */
#define KURUN_STRAY_SYSCALL   0x200u
#define KURUN_STRAY_SYSCALL32 0x201u
#define KURUN_STRAY_SYSENTER  0x202u

uint32_t kuser_enter(uint64_t rip, uint64_t cs, uint64_t rsp, uint64_t n);

/* A contained ring-0 probe (entry.S kprobe_run; entry.S reads the first
 * two fields by offset). */
struct kprobe_state {
	uint64_t armed, rsp;
	uint64_t vector, error, rip, cr2; /* the fault that ended the probe */
};
extern struct kprobe_state kprobe;
uint32_t kprobe_run(void (*fn)(void *), void *arg);
__attribute__((noreturn)) void kprobe_abort(uint32_t status);
/* RFLAGS ring 3 starts with: USER_RFLAGS_IF (default) or USER_RFLAGS. */
extern uint64_t kuser_rflags;
__attribute__((noreturn)) void kuser_abort(uint32_t status);
void trap_dispatch(struct ktrap_frame *f);
const char *trap_name(unsigned vec);

#endif
