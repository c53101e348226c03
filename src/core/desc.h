/* kentry core: x86-64 descriptor and fast-system-call MSR encoders.
 *
 * Pure functions, no libc, built twice: hosted (unit-tested bit-exactly in
 * tests/unit/test_desc.c against constants derived by hand from the Intel
 * SDM vol. 3A ch. 3.4.5, 5.8.3.1, 6.14.1, 7.2.3 and the AMD APM vol. 2
 * ch. 4.8, 6.1) and freestanding (the bare-metal kernel builds its GDT,
 * IDT, TSS descriptor and MSR values with these and reads them back).
 *
 * Descriptor words are little-endian uint64_t as they sit in the table.
 * 16-byte system descriptors (TSS, call gate, IDT gate) are two words,
 * out[0] = low 8 bytes, out[1] = high 8 bytes. */
#ifndef KENTRY_CORE_DESC_H
#define KENTRY_CORE_DESC_H

#include <stddef.h>
#include <stdint.h>

/* Segment descriptor type field (bits 43:40), S = 1 (code/data). */
#define KDESC_TYPE_DATA_RW   0x2u   /* read/write */
#define KDESC_TYPE_CODE_XR   0xAu   /* execute/read */
#define KDESC_TYPE_ACCESSED  0x1u   /* set up front so the CPU never writes the GDT */

/* System descriptor / gate types (S = 0) in IA-32e mode. */
#define KDESC_SYS_TSS64_AVAIL 0x9u
#define KDESC_SYS_TSS64_BUSY  0xBu
#define KDESC_SYS_CALLGATE64  0xCu
#define KDESC_SYS_INTGATE64   0xEu
#define KDESC_SYS_TRAPGATE64  0xFu

/* System descriptor / gate types (S = 0) in legacy protected mode
 * (SDM vol. 3A table 3-2). The TSS types have the same numbers as the
 * IA-32e ones above (IA-32e redefines them as 64-bit TSS types); the task
 * gate and the 16-bit forms exist only outside IA-32e mode. */
#define KDESC_SYS_TSS32_AVAIL 0x9u
#define KDESC_SYS_TSS32_BUSY  0xBu
#define KDESC_SYS_TASKGATE    0x5u
#define KDESC_SYS_CALLGATE32  0xCu
#define KDESC_SYS_INTGATE32   0xEu
#define KDESC_SYS_TRAPGATE32  0xFu
#define KDESC_TSS_BUSY_BIT    0x2u   /* the type bit a task switch or LTR sets */

/* Flag nibble (bits 55:52): G, D/B, L, AVL. */
#define KDESC_FLAG_G  0x8u
#define KDESC_FLAG_DB 0x4u
#define KDESC_FLAG_L  0x2u

/* MSR numbers (SDM vol. 4, AMD APM vol. 2 A.2). */
#define KMSR_SYSENTER_CS  0x174u
#define KMSR_SYSENTER_ESP 0x175u
#define KMSR_SYSENTER_EIP 0x176u
#define KMSR_EFER         0xC0000080u
#define KMSR_STAR         0xC0000081u
#define KMSR_LSTAR        0xC0000082u
#define KMSR_CSTAR        0xC0000083u
#define KMSR_FMASK        0xC0000084u
#define KMSR_AMD_DE_CFG   0xC0011029u /* bit 1: LFENCE is dispatch serializing */

#define KEFER_SCE (1u << 0)
#define KEFER_LME (1u << 8)
#define KEFER_LMA (1u << 10)
#define KEFER_NXE (1u << 11)

/* Selector arithmetic the fast system call instructions hard-wire
 * (selectors without RPL; the CPU ORs RPL 3 into the user ones).
 *
 *   SYSCALL  (SDM SYSCALL; APM SYSCALL): CS = STAR[47:32], SS = STAR[47:32] + 8
 *   SYSRET   64-bit (REX.W): CS = STAR[63:48] + 16, SS = STAR[63:48] + 8
 *   SYSRET   32-bit:         CS = STAR[63:48],      SS = STAR[63:48] + 8
 *   SYSENTER (SDM SYSENTER): CS = SYSENTER_CS, SS = SYSENTER_CS + 8
 *   SYSEXIT  32-bit:         CS = SYSENTER_CS + 16, SS = SYSENTER_CS + 24
 *   SYSEXIT  64-bit (REX.W): CS = SYSENTER_CS + 32, SS = SYSENTER_CS + 40
 *
 * The CPU loads fixed flat descriptors for these and does not read the
 * GDT, so a wrong layout is only noticed later (an iret or an interrupt
 * reloading the selector). Hence the build-time and run-time checks. */
#define KSEL_SYSCALL_CS(star_k)   ((star_k) + 0)
#define KSEL_SYSCALL_SS(star_k)   ((star_k) + 8)
#define KSEL_SYSRET_CS32(star_u)  ((star_u) + 0)
#define KSEL_SYSRET_SS(star_u)    ((star_u) + 8)
#define KSEL_SYSRET_CS64(star_u)  ((star_u) + 16)
#define KSEL_SYSENTER_CS(cs)      ((cs) + 0)
#define KSEL_SYSENTER_SS(cs)      ((cs) + 8)
#define KSEL_SYSEXIT_CS32(cs)     ((cs) + 16)
#define KSEL_SYSEXIT_SS32(cs)     ((cs) + 24)
#define KSEL_SYSEXIT_CS64(cs)     ((cs) + 32)
#define KSEL_SYSEXIT_SS64(cs)     ((cs) + 40)

/* Generic 8-byte code/data segment descriptor.
 * type: 4 bits, s: 1 = code/data, dpl: 0..3, flags: G|DB|L|AVL nibble. */
uint64_t kdesc_segment(uint32_t base, uint32_t limit, uint32_t type, uint32_t s,
		       uint32_t dpl, uint32_t present, uint32_t flags);

/* Flat segments as a long-mode kernel uses them (base 0, limit 4 GiB,
 * G = 1, accessed bit preset). */
uint64_t kdesc_code64(uint32_t dpl); /* L = 1, D = 0 (required with L = 1) */
uint64_t kdesc_code32(uint32_t dpl); /* L = 0, D = 1: compatibility mode */
uint64_t kdesc_data(uint32_t dpl);   /* read/write, B = 1 */

/* 16-byte 64-bit TSS descriptor (SDM 7.2.3, type 9 available). */
void kdesc_tss64(uint64_t base, uint32_t limit, uint32_t dpl, uint64_t out[2]);

/* 16-byte 64-bit call gate (SDM 5.8.3.1, type 0xC): target selector and
 * offset, gate DPL (who may call through it). */
void kdesc_callgate64(uint16_t sel, uint64_t offset, uint32_t dpl, uint64_t out[2]);

/* 16-byte IDT gate (SDM 6.14.1): type KDESC_SYS_INTGATE64 (IF cleared on
 * entry) or KDESC_SYS_TRAPGATE64 (IF kept), dpl (who may use `int n`),
 * ist 0..7 (0: no stack switch unless the privilege changes). */
void kdesc_idt_gate(uint16_t sel, uint64_t offset, uint32_t type, uint32_t dpl,
		    uint32_t ist, uint64_t out[2]);

/* ---- Legacy protected mode (the 32-bit kernel, src/kernel32): 8-byte
 * system descriptors and gates, one uint64_t each. ---------------------- */

/* 32-bit TSS descriptor (SDM figure 8-3): a segment descriptor with S = 0,
 * type 9 (available; the CPU sets bit 1 when the task is busy), G = 0,
 * byte-granular limit (>= 0x67 for a 32-bit TSS). */
uint64_t kdesc_tss32(uint32_t base, uint32_t limit, uint32_t dpl);

/* 32-bit call gate (SDM figure 5-8, type 0xC): target selector and
 * offset, gate DPL, and the parameter count (bits 36:32, 0..31 dwords the
 * CPU copies from the caller's stack to the new one on a privilege
 * change, SDM 5.8.5). */
uint64_t kdesc_callgate32(uint16_t sel, uint32_t offset, uint32_t dpl, uint32_t nparam);

/* 32-bit IDT interrupt or trap gate (SDM figure 6-2, type
 * KDESC_SYS_INTGATE32 or KDESC_SYS_TRAPGATE32). */
uint64_t kdesc_idt_gate32(uint16_t sel, uint32_t offset, uint32_t type, uint32_t dpl);

/* Task gate (SDM figure 8-4, type 5), in the GDT, an LDT or the IDT:
 * bits 31:16 name a TSS descriptor; the offset fields are unused. Its DPL
 * (not the TSS descriptor's) decides who may use it. */
uint64_t kdesc_taskgate(uint16_t tss_sel, uint32_t dpl);

uint32_t kdesc_seg_base(uint64_t d);   /* 32-bit base of an 8-byte descriptor */
uint32_t kdesc_seg_limit(uint64_t d);  /* 20-bit limit field (G not applied) */
uint32_t kdesc_gate32_offset(uint64_t g);
uint16_t kdesc_gate32_selector(uint64_t g);
uint32_t kdesc_gate32_count(uint64_t g); /* call gates: parameter dwords */

/* Field extraction, used by the run-time self-checks and the tests. */
uint32_t kdesc_seg_type(uint64_t d);
uint32_t kdesc_seg_dpl(uint64_t d);
uint32_t kdesc_seg_present(uint64_t d);
uint32_t kdesc_seg_s(uint64_t d);
uint32_t kdesc_seg_flags(uint64_t d);
uint64_t kdesc_gate_offset(const uint64_t g[2]);
uint16_t kdesc_gate_selector(const uint64_t g[2]);
uint32_t kdesc_gate_ist(const uint64_t g[2]);
uint64_t kdesc_sys_base(const uint64_t d[2]);

/* STAR: [31:0] legacy SYSCALL EIP (unused in long mode, 0),
 * [47:32] SYSCALL CS (kernel code), [63:48] SYSRET base (user 32-bit code). */
uint64_t kmsr_star(uint16_t syscall_cs, uint16_t sysret_base);
/* STAR for legacy-mode SYSCALL (AMD APM vol. 3 SYSCALL): the same
 * selector halves, and [31:0] the 32-bit entry EIP, which legacy mode uses
 * instead of LSTAR/CSTAR. */
uint64_t kmsr_star32(uint16_t syscall_cs, uint16_t sysret_base, uint32_t eip);

/* IA32_SYSENTER_CS: [15:0] kernel CS selector (SYSENTER uses it with the
 * RPL bits cleared, SS = CS + 8; SYSEXIT derives the user selectors from
 * it); bits 63:16 reserved, written as 0. */
uint64_t kmsr_sysenter_cs(uint16_t kernel_cs);

/* What each kind of GDT slot must hold for the fast system calls. */
enum kdesc_role {
	KROLE_KERNEL_CODE64, /* present, DPL 0, code, L = 1 */
	KROLE_KERNEL_CODE32, /* present, DPL 0, code, L = 0, D = 1 */
	KROLE_KERNEL_DATA,   /* present, DPL 0, writable data */
	KROLE_USER_CODE32,   /* present, DPL 3, code, L = 0, D = 1 */
	KROLE_USER_CODE64,   /* present, DPL 3, code, L = 1 */
	KROLE_USER_DATA,     /* present, DPL 3, writable data */
};
/* 1 when descriptor d fits the role. */
int kdesc_fits_role(uint64_t d, enum kdesc_role role);

/* Checks a GDT (n 8-byte words) against the selector arithmetic of
 * SYSCALL/SYSRET (STAR values) and SYSENTER/SYSEXIT (SYSENTER_CS).
 * Returns 0 when every selector the instructions derive names a descriptor
 * of the right kind, else a bitmask of KLAYOUT_* failures. */
#define KLAYOUT_SYSCALL_CS   (1u << 0)
#define KLAYOUT_SYSCALL_SS   (1u << 1)
#define KLAYOUT_SYSRET_CS32  (1u << 2)
#define KLAYOUT_SYSRET_SS    (1u << 3)
#define KLAYOUT_SYSRET_CS64  (1u << 4)
#define KLAYOUT_SYSENTER_CS  (1u << 5)
#define KLAYOUT_SYSENTER_SS  (1u << 6)
#define KLAYOUT_SYSEXIT_CS32 (1u << 7)
#define KLAYOUT_SYSEXIT_SS32 (1u << 8)
#define KLAYOUT_SYSEXIT_CS64 (1u << 9)
#define KLAYOUT_SYSEXIT_SS64 (1u << 10)
uint32_t kdesc_check_fast_layout(const uint64_t *gdt, size_t n, uint64_t star,
				 uint16_t sysenter_cs);
/* The same for legacy protected mode, where SYSCALL/SYSEXIT land in 32-bit
 * kernel code and only the 32-bit return forms exist: SYSCALL CS/SS
 * (STAR[47:32], +8), SYSRET CS/SS (STAR[63:48], +8), SYSENTER CS/SS
 * (SYSENTER_CS, +8), SYSEXIT CS/SS (+16, +24). The KLAYOUT_*64 bits are
 * never set. */
uint32_t kdesc_check_legacy_fast_layout(const uint64_t *gdt, size_t n, uint64_t star,
					uint16_t sysenter_cs);

#endif
