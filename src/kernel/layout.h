/* kentry kernel: the fixed layout every other file agrees on (GDT
 * selectors, IDT vectors, memory map). Included from C and from .S.
 * docs/kernel.md has the same tables with the reasoning. */
#ifndef KENTRY_KERNEL_LAYOUT_H
#define KENTRY_KERNEL_LAYOUT_H

/* ---- GDT (selectors without RPL) --------------------------------------
 * The order is dictated by SYSRET and SYSEXIT, which compute selectors
 * from one base instead of reading them (see core/desc.h):
 *   STAR[47:32] = 0x08: SYSCALL  CS 0x08, SS 0x10
 *   STAR[63:48] = 0x18: SYSRETL  CS 0x18 (32-bit), SYSRETQ CS 0x28, SS 0x20
 *   SYSENTER_CS = 0x08: SYSENTER CS 0x08, SS 0x10
 *                       SYSEXITL CS 0x18, SS 0x20; SYSEXITQ CS 0x28, SS 0x30
 * 0x30 is therefore a second user data descriptor. */
#define GDT_NULL        0x00
#define SEL_KCODE       0x08  /* 64-bit code, DPL 0 */
#define SEL_KDATA       0x10  /* data, DPL 0 */
#define SEL_UCODE32     0x18  /* 32-bit code, DPL 3 (compatibility mode) */
#define SEL_UDATA       0x20  /* data, DPL 3 */
#define SEL_UCODE64     0x28  /* 64-bit code, DPL 3 */
#define SEL_UDATA64     0x30  /* data, DPL 3: SS of 64-bit SYSEXIT */
#define SEL_TSS         0x38  /* 16-byte 64-bit TSS descriptor (0x38, 0x40) */
#define SEL_CGATE       0x48  /* 16-byte call gate, DPL 3 -> callgate_lretq */
#define SEL_CGATE_IRET  0x58  /* 16-byte call gate, DPL 3 -> callgate_iretq */
#define SEL_TLS0        0x68  /* three TLS slots 0x68, 0x70, 0x78: a Linux process's
			       * set_thread_area descriptors (linux_proc.c), empty otherwise */
#define GDT_ENTRIES     16    /* 8-byte slots */

#define RPL3            3
#define USER_CS32       (SEL_UCODE32 | RPL3) /* 0x1b */
#define USER_DS         (SEL_UDATA | RPL3)   /* 0x23 */
#define USER_CS64       (SEL_UCODE64 | RPL3) /* 0x2b */
#define USER_DS64       (SEL_UDATA64 | RPL3) /* 0x33 */

#define STAR_SYSCALL_CS SEL_KCODE
#define STAR_SYSRET_BASE SEL_UCODE32
#define SYSENTER_CS_VAL SEL_KCODE

/* ---- IDT vectors -------------------------------------------------------
 * 0..31 exceptions; the ones below are used by ring-3 code. */
#define VEC_DE          0
#define VEC_DB          1
#define VEC_NMI         2
#define VEC_BP          3     /* DPL 3: int3 from ring 3 must reach it */
#define VEC_UD          6
#define VEC_DF          8
#define VEC_GP          13
#define VEC_PF          14
#define VEC_MC          18
#define VEC_INT80       0x80  /* compat-int80: interrupt gate, DPL 3 */
#define VEC_INTGATE     0x81  /* int-gate: interrupt gate, DPL 3 */
#define VEC_TRAPGATE    0x82  /* trap-gate: trap gate, DPL 3 */
#define VEC_INT_SYSRET  0x83  /* int-gate/sysretq: interrupt gate, DPL 3 */
#define VEC_DONE        0x8f  /* ring-3 loop hands its TSC delta back (DPL 3) */
#define VEC_PIC_BASE    0x20  /* 8259 PICs remapped here (0x20-0x2f), all masked */
#define VEC_APIC_TIMER  0x40  /* local APIC timer (masked except in self-tests) */
#define VEC_APIC_SPURIOUS 0xff /* local APIC spurious vector: the stub only returns */

/* IST slots (TSS.IST1..7) */
#define IST_DF          1
#define IST_NMI         2
#define IST_MC          3
#define IST_DB          4

/* ---- Memory -------------------------------------------------------------
 * The kernel is linked and identity-mapped at 1 MiB (supervisor pages).
 * Ring-3 code, data and stack live in one 2 MiB window mapped with 4 KiB
 * pages marked U/S; USER_NP_PAGE inside it is deliberately not present
 * (exc-pf loads from it). Everything is below 4 GiB so 32-bit ring-3 code
 * can reach its own text and data. */
#define KERNEL_LOAD     0x00100000
#define USER_BASE       0x00400000  /* 2 MiB window, 4 KiB pages */
#define USER_WINDOW     0x00200000
#define USER_NP_PAGE    0x005ff000  /* last page of the window: never present */
#define USER_FUZZ_PAGE  0x005fe000  /* the fuzzer's code page (user R+X, kernel writes it
				     * through its identity alias) */
#define IDENTITY_TOP    0x40000000  /* 1 GiB identity-mapped for the kernel */
/* --touch-pages N (boot option touch_pages=N): N read-only user pages from
 * here, inside the window, that the touching loops read once each per
 * round trip (user.S); the pages are the free memory under them. */
#define USER_TOUCH_BASE 0x00480000
#define USER_TOUCH_MAX  256
/* The self-test's page just below the canonical boundary (user R+X,
 * mapped only by the self-test): a 2-byte syscall at its last two bytes
 * makes RCX = 0x800000000000, the first non-canonical address. */
#define USER_CANON_PAGE 0x00007ffffffff000
#define USER_CANON_EDGE 0x00007ffffffffffe

/* ---- Upper half (shared by every address space) ------------------------
 * The kernel image stays at its identity addresses below USER_MIN; what
 * the kernel reaches besides its image lives in the upper half, which every
 * process's page tables share (vm.c):
 *   KDIRECT_BASE   physical memory below 4 GiB (the Multiboot memory map's
 *                  RAM), supervisor RW NX: page tables, frames, modules;
 *   KMMIO_BASE     device registers (local and I/O APIC, framebuffer),
 *                  supervisor RW NX, uncached where the device needs it;
 *   VSYSCALL_ADDR  the Linux vsyscall page (vsyscall.c). */
#define KDIRECT_BASE    0xffff800000000000ull
#define KDIRECT_SIZE    0x100000000ull      /* 4 GiB */
#define KMMIO_BASE      0xffffc00000000000ull
#define KMMIO_SIZE      0x40000000ull       /* 1 GiB of address space */
#define VSYSCALL_ADDR   0xffffffffff600000ull

/* ---- A Linux process's address space (proc.c, exec.c) --------------------
 * [0, USER_MIN): the kernel image and low memory, supervisor only, shared
 * with the kernel's space; [USER_MIN, task size): the program's. Static
 * executables link at 0x400000 (x86-64) and 0x08048000 (i386). Fixed
 * places (no address-space randomisation): the stack at the top, the vvar
 * page and the vDSO below it, mmap() below those, growing down. */
#define USER_MIN        0x00400000ull
#define TASK_SIZE64     0x00007ffffffff000ull /* Linux's TASK_SIZE_MAX (4-level) */
#define TASK_SIZE32     0xffffe000ull         /* Linux's IA32_PAGE_OFFSET */
#define STACK_TOP64     TASK_SIZE64
#define STACK_TOP32     TASK_SIZE32
#define STACK_MAX       0x00800000ull         /* 8 MiB, RLIMIT_STACK */
#define VDSO64_BASE     0x00007ffff7ffb000ull /* vvar at VDSO64_BASE - 4 KiB */
#define VDSO32_BASE     0xf7ffb000ull         /* vvar at VDSO32_BASE - 4 KiB */
#define MMAP_TOP64      0x00007ffff7000000ull
#define MMAP_TOP32      0xf7000000ull

/* TSS field offsets (SDM figure 7-11). */
#define TSS_RSP0        4
#define TSS_IST(n)      (36 + 8 * ((n) - 1))
#define TSS_IOMAP       102
#define TSS_SIZE        104

/* User RFLAGS at ring-3 entry: bit 1 (reserved, always 1), IOPL = 0 (so
 * cli #GPs), and IF = 1 (USER_RFLAGS_IF, the default: every interrupt
 * source is masked at the PIC and APIC instead, apic.c) or IF = 0 (boot
 * option ring3_if=0, the mode the minimal icount budgets were set in). */
#define USER_RFLAGS     0x2
#define RFLAGS_IF       0x200
#define USER_RFLAGS_IF  (USER_RFLAGS | RFLAGS_IF)

#endif
