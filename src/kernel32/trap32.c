/* kentry legacy kernel: what happens on a trap that is not a measured
 * path, and the #DF task's report.
 *
 * The same three cases as the long-mode kernel (src/kernel/trap.c):
 *  1. #GP in ring 0 on an instruction of kfixup_table32 (rdmsr_safe,
 *     wrmsr_safe): resume at its fixup;
 *  2. a ring-3 excursion is running: record the trap and end the
 *     excursion, whatever ring or task it happened in (a task switch that
 *     faults, a SYSEXIT that faults in ring 0, a fault inside the handler
 *     task: the probe ends with the fault, paths32.c repairs the task
 *     state);
 *  3. anything else is a kernel bug: print the frame, `end fail`.
 * #DF never comes here: it is a task gate (kdf_report32). */
#include "kernel32.h"
#include "cpu.h"
#include "cpu32.h"

struct kurun32 kurun32;
uint32_t kuser32_eflags = USER_EFLAGS_IF;
_Static_assert(__builtin_offsetof(struct kurun32, user_eflags) == 36, "entry32.S URUN_USER_EFLAGS");

extern const uint32_t kfixup_table32[];
void kuser_abort32(uint32_t status) __attribute__((noreturn));
void kdf_report32(void) __attribute__((noreturn));

void trap_dispatch32(struct ktrap_frame32 *f)
{
	if (f->vector == VEC_GP && (f->cs & 3) == 0) {
		for (const uint32_t *e = kfixup_table32; e[0]; e += 2) {
			if (f->eip == e[0]) {
				f->eip = e[1];
				return;
			}
		}
	}
	if (kurun32.active && f->vector != VEC_NMI && f->vector != VEC_MC) {
		kurun32.vector = f->vector;
		kurun32.error = f->error;
		kurun32.eip = f->eip;
		kurun32.cs = f->cs;
		kurun32.cr2 = f->vector == VEC_PF ? read_cr2_32() : 0;
		kuser_abort32(KURUN_FAULT(f->vector));
	}
	int user = (f->cs & 3) == 3;
	kprintf("\n# FATAL: %s (vector %u) error=0x%x\n", trap_name(f->vector), f->vector,
		f->error);
	kprintf("# eip=%08x cs=%04x eflags=%08x esp=%08x ss=%04x cr2=%08x tr=%04x\n", f->eip,
		f->cs, f->eflags, user ? f->esp : (uint32_t)(uintptr_t)(&f->esp),
		user ? f->ss : SEL_KDATA, read_cr2_32(), str32());
	kprintf("# eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x\n", f->eax,
		f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp);
	kprintf("# during ring-3 excursion: %s\n", kurun32.active ? "yes" : "no");
	kernel_fail_end("unexpected trap in the kernel");
}

/* Runs in the #DF task (entry32.S kdf_task_entry32), on its own stack:
 * the interrupted task's state is in the TSS named by the back-link. */
void kdf_report32(void)
{
	uint16_t link = ktss_df.link;
	const struct tss32 *old = link == SEL_TSS_TASK ? &ktss_task : &ktss_main;
	kprintf("\n# FATAL: #DF double fault (vector 8) delivered through the task gate to "
		"TSS 0x%x; back-link 0x%x, TR 0x%x, NT %s\n",
		SEL_TSS_DF, link, str32(), (read_eflags() & EFLAGS_NT) ? "set" : "clear");
	kprintf("# interrupted task: eip=%08x cs=%04x eflags=%08x esp=%08x ss=%04x "
		"cr2=%08x\n",
		old->eip, old->cs, old->eflags, old->esp, old->ss, read_cr2_32());
	kprintf("# during ring-3 excursion: %s\n", kurun32.active ? "yes" : "no");
	kernel_fail_end("double fault");
}
