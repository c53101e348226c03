/* kentry legacy kernel: the fixed layout every other file agrees on (GDT
 * selectors, TSS fields, IDT vectors, memory map). Included from C and
 * from .S. docs/kernel32.md has the same tables with the reasoning. */
#ifndef KENTRY_KERNEL32_LAYOUT32_H
#define KENTRY_KERNEL32_LAYOUT32_H

/* ---- GDT (selectors without RPL), 8-byte slots ----------------------------
 * The first five are dictated by SYSENTER/SYSEXIT and by legacy-mode
 * SYSCALL/SYSRET, which compute selectors from one base:
 *   SYSENTER_CS = 0x08: SYSENTER CS 0x08, SS 0x10; SYSEXIT CS 0x18, SS 0x20
 *   STAR[47:32] = 0x08: SYSCALL  CS 0x08, SS 0x10
 *   STAR[63:48] = 0x18: SYSRET   CS 0x18, SS 0x20 (legacy mode: no +16 form)
 * Then the TSSes and the gates that exist only in legacy mode. */
#define SEL_KCODE       0x08  /* 32-bit code, DPL 0 */
#define SEL_KDATA       0x10  /* data, DPL 0 */
#define SEL_UCODE       0x18  /* 32-bit code, DPL 3 */
#define SEL_UDATA       0x20  /* data, DPL 3 */
#define SEL_TSS_MAIN    0x28  /* 32-bit TSS of the kernel and its ring-3 loops (TR) */
#define SEL_TSS_TASK    0x30  /* 32-bit TSS of the task-switch handler task */
#define SEL_TSS_DF      0x38  /* 32-bit TSS of the #DF task (IDT vector 8) */
#define SEL_CGATE       0x40  /* 32-bit call gate, count 0, DPL 3 (legacy-call-gate) */
#define SEL_CGATE_PARAM 0x48  /* 32-bit call gate, count CGATE_NPARAM (legacy-call-gate-params) */
#define SEL_TASKGATE    0x50  /* task gate -> SEL_TSS_TASK, DPL 3 (legacy-task-call-gate) */
#define GDT_ENTRIES     11

#define RPL3            3
#define USER_CS         (SEL_UCODE | RPL3) /* 0x1b */
#define USER_DS         (SEL_UDATA | RPL3) /* 0x23 */

#define STAR_SYSCALL_CS  SEL_KCODE
#define STAR_SYSRET_BASE SEL_UCODE
#define SYSENTER_CS_VAL  SEL_KCODE

/* Dwords the CPU copies from the caller's stack to the kernel stack
 * through SEL_CGATE_PARAM (the gate's count field, SDM 5.8.5). */
#define CGATE_NPARAM    3

/* ---- 32-bit TSS (SDM vol. 3A figure 8-2), byte offsets ------------------ */
#define TSS_LINK        0x00  /* previous task link (back-link), written by CALL/INT switches */
#define TSS_ESP0        0x04
#define TSS_SS0         0x08
#define TSS_CR3         0x1c  /* loaded on every switch INTO the task, never saved */
#define TSS_EIP         0x20
#define TSS_EFLAGS      0x24
#define TSS_EAX         0x28
#define TSS_ESP         0x38
#define TSS_ES          0x48
#define TSS_CS          0x4c
#define TSS_SS          0x50
#define TSS_DS          0x54
#define TSS_FS          0x58
#define TSS_GS          0x5c
#define TSS_LDT         0x60
#define TSS_IOMAP       0x66  /* I/O map base (16 bits, after the T flag word) */
#define TSS_SIZE        104

/* ---- IDT vectors (8-byte gates) ------------------------------------------ */
#define VEC_DE          0
#define VEC_NMI         2
#define VEC_BP          3     /* DPL 3: int3 from ring 3 must reach it */
#define VEC_UD          6
#define VEC_DF          8     /* task gate -> SEL_TSS_DF, permanently */
#define VEC_GP          13
#define VEC_PF          14
#define VEC_MC          18
#define VEC_INT80       0x80  /* legacy-int80: trap gate, DPL 3 (as i386 Linux) */
#define VEC_INTGATE     0x81  /* legacy-int-gate: interrupt gate, DPL 3 */
#define VEC_TRAPGATE    0x82  /* legacy-trap-gate: trap gate, DPL 3 */
#define VEC_TASKGATE    0x84  /* legacy-task-gate: task gate, DPL 3 */
#define VEC_DONE        0x8f  /* ring-3 loop hands its TSC delta back (DPL 3) */
#define PIC_BASE        0x20  /* the 8259s are remapped here and masked */

/* ---- Memory ----------------------------------------------------------------
 * The same map as the long-mode kernel, with 32-bit paging (no PAE):
 * 0-4 MiB one 4 MiB supervisor page (the kernel at 1 MiB), 4-8 MiB a page
 * table of 4 KiB pages holding the ring-3 window (text U/S read-only, data
 * and stack U/S writable, USER_NP_PAGE not present) and supervisor pages
 * above it, then 4 MiB supervisor pages up to 1 GiB. */
#define KERNEL_LOAD     0x00100000
#define USER_BASE       0x00400000
#define USER_WINDOW     0x00200000
#define USER_NP_PAGE    0x005ff000
#define IDENTITY_TOP    0x40000000

/* Ring-3 EFLAGS at entry: bit 1, IOPL = 0 (so cli #GPs), NT = 0; IF = 1
 * by default (ring3_if=1: every interrupt source is masked where it starts,
 * so nothing arrives), IF = 0 with ring3_if=0. */
#define USER_EFLAGS     0x2
#define USER_EFLAGS_IF  0x202

#endif
