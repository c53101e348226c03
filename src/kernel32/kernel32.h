/* kentry legacy kernel: declarations of the C side. The serial console,
 * TAP, env/result/end records and the command line are shared with the
 * long-mode kernel (src/kernel/kernel.h). */
#ifndef KENTRY_KERNEL32_KERNEL32_H
#define KENTRY_KERNEL32_KERNEL32_H

#include <stdint.h>
#include "kernel.h" /* src/kernel: console, lib, tap, report, kcfg */
#include "layout32.h"

/* The 32-bit TSS (SDM vol. 3A figure 8-2). */
struct __attribute__((packed)) tss32 {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
	uint16_t trap, iomap;
};

/* arch32.c: GDT, IDT, MSRs, PIC; self-checks */
extern uint64_t kgdt32[GDT_ENTRIES];
extern uint64_t kidt32[256];
void arch32_init(void);
void arch32_selfcheck(void);
void idt32_set(unsigned vec, uint64_t gate);
void idt32_set_generic(unsigned vec);
uint64_t idt32_generic(unsigned vec);
void fast32_stray(void);          /* SYSENTER_EIP, STAR's EIP -> kstray_* */
extern int k32_sysenter_msrs;     /* SYSENTER_* MSRs could be written */
extern int k32_syscall_enabled;   /* EFER.SCE set and STAR written */
void k32_set_syscall_eip(uint32_t eip); /* STAR[31:0] */
const char *k32_syscall_state(void);    /* how EFER.SCE/STAR went, for reasons */
const char *arch32_interrupts_state(void); /* `env kernel.interrupts` */

/* task32.c: the TSSes and hardware task switching */
extern struct tss32 ktss_main, ktss_task, ktss_df;
void task32_init(void); /* needs kvm32_cr3 (vm32_init first) */
void task32_prepare(void (*entry)(void)); /* the handler task starts at entry */
int task32_recover(char *what, size_t n); /* 1 when it had to repair TR/busy/NT */
void task32_selfcheck(void);
void task32_check_after(const char *id, void (*entry)(void), void (*resume)(void));

/* vm32.c: 32-bit paging (no PAE) */
extern uint32_t kvm32_cr3;
void vm32_init(void);
void vm32_selfcheck(void);

/* trap32.c / entry32.S: traps and ring-3 excursions */
struct ktrap_frame32 {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* pushal */
	uint32_t vector, error;
	uint32_t eip, cs, eflags, esp, ss; /* pushed by the CPU (esp, ss from ring 3 only) */
};
struct kurun32 {
	uint32_t kernel_esp;   /* entry32.S uses the first three by offset */
	uint32_t result_lo, result_hi;
	uint32_t active;
	uint32_t vector, error, eip, cs, cr2;
	uint32_t user_eflags;  /* ring 3's EFLAGS when the loop ended (entry32.S) */
};
extern struct kurun32 kurun32;
/* EFLAGS ring 3 starts with: USER_EFLAGS_IF (default) or USER_EFLAGS */
extern uint32_t kuser32_eflags;
#define KURUN_DONE            0
#define KURUN_FAULT(v)        (0x100u + (v))
#define KURUN_STRAY_SYSCALL   0x200u
#define KURUN_STRAY_SYSENTER  0x202u
uint32_t kuser_enter32(uint32_t eip, uint32_t cs, uint32_t esp, uint32_t n);
void trap_dispatch32(struct ktrap_frame32 *f);

/* paths32.c */
void paths32_probe_all(void);
unsigned paths32_measure_all(unsigned *total, int *all_expected);

#endif
