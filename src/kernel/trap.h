/* kentry kernel: traps and ring-3 excursions. */
#ifndef KENTRY_KERNEL_TRAP_H
#define KENTRY_KERNEL_TRAP_H

#include <stdint.h>
#include "regs.h"

/* One ring-3 excursion (entry.S reads and writes the first four fields
 * by offset: keep them first). */
struct kurun {
	uint64_t kernel_rsp;
	uint64_t result;     /* TSC delta the loop reported (status 0) */
	uint64_t active;
	uint64_t user_rflags; /* ring 3's RFLAGS at the done entry (status 0) */
	/* filled by trap_dispatch when a trap ends the excursion */
	uint64_t vector, error, rip, cs, cr2;
	struct kregs frame; /* the registers at that trap */
	uint64_t bad_exit_eretu; /* KURUN_BAD_RETURN: 1 when FRED's ERETU raised it */
};
extern struct kurun kurun;

/* kuser_enter statuses */
#define KURUN_DONE            0
#define KURUN_FAULT(v)        (0x100u + (v)) /* exception v ended it */
#define KURUN_STRAY_SYSCALL   0x200u
#define KURUN_STRAY_SYSCALL32 0x201u
#define KURUN_STRAY_SYSENTER  0x202u
#define KURUN_TIMEOUT         0x203u /* the watchdog timer ended a runaway excursion */
#define KURUN_MITIG_BROKEN    0x204u /* a mitigation's state was wrong afterwards (mitig.c) */
#define KURUN_BAD_RETURN(v)   (0x300u + (v)) /* the IRETQ back to ring 3 raised v */

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
/* FRED's done event (fred.c): ends the excursion with status 0, result
 * and RFLAGS as kdone_entry records them under the IDT. */
__attribute__((noreturn)) void kuser_done(uint64_t result, uint64_t rflags);
/* Everything that is not an entry from user space through a full stub:
 * kentry_dispatch hands it KK_IDT frames and ring-0 exceptions. */
void trap_dispatch(struct kregs *f);

#endif
