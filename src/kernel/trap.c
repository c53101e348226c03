/* kentry kernel: what happens on a trap that is not a measured path.
 *
 * Three cases, in order:
 *  1. a page fault a Linux process's memory resolves (proc.c: a page
 *     touched for the first time, the vsyscall page emulated); a #GP or
 *     #PF in ring 0 on an instruction of the exception table (rdmsr_safe,
 *     wrmsr_safe, the user copies of uaccess.S): resume at its fixup;
 *  2. a ring-3 excursion is in progress (probe or measurement): record
 *     the trap and end the excursion, whatever ring it happened in
 *     (e.g. a SYSEXIT that #GPs in ring 0 ends the probe just as a #UD in
 *     ring 3 does). This is what makes probing safe;
 *  3. anything else is a kernel bug: print the frame and end the run with
 *     `end fail`. #DF, NMI and #MC arrive on IST stacks, so even a broken
 *     stack gets here instead of triple-faulting. */
#include "trap.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"
#include "events.h"
#include "harden.h"
#include "proc.h"

struct kurun kurun;
struct kprobe_state kprobe;
uint64_t kuser_rflags = USER_RFLAGS_IF;

extern const uint64_t __kfixup_start[], __kfixup_end[];

extern char kexit_iretq[], kexit_iretq_mitig[], kfred_eretu[];

void trap_dispatch(struct kregs *f)
{
	/* NMIs (always), and #DB / timer while a self-test or fuzz run is
	 * armed: events.c */
	if (kevent_trap(f))
		return;
	/* The local APIC's spurious vector, as FRED delivers it (under the
	 * IDT its gate is kspurious_entry, which only returns): nothing. */
	if (f->vector == VEC_APIC_SPURIOUS)
		return;
	/* The IRETQ of the full paths' exit faulted (a non-canonical RIP, a
	 * bad CS or SS the dispatcher put in the frame): in ring 0, on the
	 * kernel stack, with the iret frame it was popping at f->rsp. It is a
	 * fault on the way back to user space, reported as such (Linux's
	 * bad_iret delivers SIGSEGV). The mitigated copy's IRETQ the same.
	 * FRED's ERETU the same: it checks the frame before changing
	 * anything, and its #GP(0) arrives in ring 0 at kfred_eretu with RSP
	 * at the frame's error-code slot. */
	int eretu = f->rip == (uint64_t)(uintptr_t)kfred_eretu;
	if ((f->cs & 3) == 0 &&
	    (eretu || f->rip == (uint64_t)(uintptr_t)kexit_iretq ||
	     f->rip == (uint64_t)(uintptr_t)kexit_iretq_mitig) &&
	    kurun.active && f->vector < 32) {
		const uint64_t *ir = (const uint64_t *)(uintptr_t)(f->rsp + (eretu ? 8 : 0));
		kurun.bad_exit_eretu = (uint64_t)eretu;
		kurun.vector = f->vector;
		kurun.error = f->error;
		kurun.rip = ir[0];
		kurun.cs = ir[1];
		kurun.cr2 = 0;
		kurun.frame = *f;
		kuser_abort(KURUN_BAD_RETURN((uint32_t)f->vector));
	}
	/* A double fault during a ring-3 excursion (a hardening step switched
	 * off for a test lets ring 3 put the kernel on a bad stack, or the
	 * FRED self-test breaks the event stack on purpose): it arrived on
	 * its IST stack (FRED: stack level 3), so the excursion can still be
	 * ended and the failure reported (crash=df, outside any excursion,
	 * stays fatal). */
	if (f->vector == VEC_DF && kurun.active && (kharden_off || kev.df_ends_run)) {
		kev.df_frame = (uint64_t)(uintptr_t)f;
		kev.df_ss = f->ss;
		kev.df_cs = f->cs;
		kurun.vector = f->vector;
		kurun.error = f->error;
		kurun.rip = f->rip;
		kurun.cs = f->cs;
		kurun.cr2 = read_cr2();
		kuser_abort(KURUN_FAULT(VEC_DF));
	}
	/* a process's memory faulted in on first touch, also when the
	 * kernel's copy from or to user memory touches it first (proc.c) */
	if (f->vector == 14 && kproc_fault(f))
		return;
	/* a ring-0 #GP (an absent MSR) or #PF (a user copy that met an
	 * unmapped page) at an instruction of the exception table */
	if ((f->vector == 13 || f->vector == 14) && (f->cs & 3) == 0) {
		for (const uint64_t *e = __kfixup_start; e < __kfixup_end; e += 2) {
			if (f->rip == e[0]) {
				f->rip = e[1];
				return;
			}
		}
	}
	if (kprobe.armed && (f->cs & 3) == 0 && f->vector < 32 && f->vector != 2 &&
	    f->vector != 8 && f->vector != 18) {
		kprobe.vector = f->vector;
		kprobe.error = f->error;
		kprobe.rip = f->rip;
		kprobe.cr2 = f->vector == 14 ? read_cr2() : 0;
		kprobe_abort(KURUN_FAULT((uint32_t)f->vector));
	}
	if (kurun.active && f->vector != 2 && f->vector != 8 && f->vector != 18) {
		kurun.vector = f->vector;
		kurun.error = f->error;
		kurun.rip = f->rip;
		kurun.cs = f->cs;
		kurun.cr2 = f->vector == 14 ? read_cr2() : 0;
		kurun.frame = *f;
		kuser_abort(KURUN_FAULT((uint32_t)f->vector));
	}
	kprintf("\n# FATAL: %s (vector %lu) error=0x%lx\n", trap_name((unsigned)f->vector),
		(unsigned long)f->vector, (unsigned long)f->error);
	kprintf("# rip=%016lx cs=%04lx rflags=%08lx rsp=%016lx ss=%04lx cr2=%016lx\n",
		f->rip, f->cs, f->rflags, f->rsp, f->ss, read_cr2());
	kprintf("# rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx,
		f->rdx);
	kprintf("# rsi=%016lx rdi=%016lx rbp=%016lx r11=%016lx\n", f->rsi, f->rdi, f->rbp,
		f->r11);
	kprintf("# during ring-3 excursion: %s\n", kurun.active ? "yes" : "no");
	kernel_fail_end("unexpected trap in the kernel");
}
