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

/* IA32_SYSENTER_CS: [15:0] kernel CS selector (SYSENTER uses it with the
 * RPL bits cleared, SS = CS + 8; SYSEXIT derives the user selectors from
 * it); bits 63:16 reserved, written as 0. */
uint64_t kmsr_sysenter_cs(uint16_t kernel_cs);

/* What each kind of GDT slot must hold for the fast system calls. */
enum kdesc_role {
	KROLE_KERNEL_CODE64, /* present, DPL 0, code, L = 1 */
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

#endif
