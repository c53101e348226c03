/* Unit tests of src/core/desc.c: every descriptor and MSR value the
 * bare-metal kernel installs, checked bit-exactly against constants worked
 * out by hand from the manuals (derivation in the comment above each). */
#include "core/desc.h"
#include "kernel/layout.h"
#include "unit/t.h"

/* Byte 5 of a segment descriptor (bits 47:40) is P | DPL<<1 | S... laid out
 * as P(7) DPL(6:5) S(4) TYPE(3:0); byte 6 (bits 55:48) is
 * G(7) D/B(6) L(5) AVL(4) LIMIT19:16(3:0). Limit 0xfffff with G = 1 is a
 * flat 4 GiB segment; base 0. */
static void test_segments(void)
{
	/* kernel 64-bit code: P=1 DPL=0 S=1 type=1011 (exec/read/accessed)
	 * -> byte5 0x9B; G=1 D=0 L=1 limit 0xF -> byte6 0xAF. Linux's
	 * __KERNEL_CS entry is the same value. */
	T_EQ_U64(kdesc_code64(0), 0x00af9b000000ffffull);
	/* user 64-bit code: DPL=3 -> byte5 1 11 1 1011 = 0xFB. */
	T_EQ_U64(kdesc_code64(3), 0x00affb000000ffffull);
	/* user 32-bit code (compatibility mode): G=1 D=1 L=0 -> byte6 0xCF. */
	T_EQ_U64(kdesc_code32(3), 0x00cffb000000ffffull);
	/* kernel data: type=0011 (read/write/accessed) -> byte5 1 00 1 0011 = 0x93. */
	T_EQ_U64(kdesc_data(0), 0x00cf93000000ffffull);
	/* user data: byte5 1 11 1 0011 = 0xF3. */
	T_EQ_U64(kdesc_data(3), 0x00cff3000000ffffull);
	/* a non-flat segment: base 0x12345678 splits into [39:16] = 0x345678
	 * and [63:56] = 0x12; limit 0xabcde into [15:0] = 0xbcde and [51:48] = 0xa;
	 * type 2, S 1, DPL 1, P 0 -> byte5 0 01 1 0010 = 0x32; flags 0. */
	T_EQ_U64(kdesc_segment(0x12345678u, 0xabcdeu, 2, 1, 1, 0, 0),
		 0x120a323456780000ull | 0xbcdeull);

	T_CHECK(kdesc_fits_role(kdesc_code64(0), KROLE_KERNEL_CODE64));
	T_CHECK(!kdesc_fits_role(kdesc_code64(3), KROLE_KERNEL_CODE64));
	T_CHECK(kdesc_fits_role(kdesc_code32(3), KROLE_USER_CODE32));
	T_CHECK(!kdesc_fits_role(kdesc_code32(3), KROLE_USER_CODE64));
	T_CHECK(kdesc_fits_role(kdesc_data(3), KROLE_USER_DATA));
	T_CHECK(!kdesc_fits_role(kdesc_code64(3), KROLE_USER_DATA));
	T_EQ_U64(kdesc_seg_type(kdesc_code64(0)), 0xb);
	T_EQ_U64(kdesc_seg_dpl(kdesc_data(3)), 3);
	T_EQ_U64(kdesc_seg_flags(kdesc_code32(3)), KDESC_FLAG_G | KDESC_FLAG_DB);
}

static void test_tss(void)
{
	uint64_t d[2];
	/* base 0xffff800012345678, limit 0x67 (104-byte TSS - 1), DPL 0:
	 * low: limit [15:0] 0x0067, base[23:0] 0x345678 at [39:16],
	 *      byte5 = P 1, DPL 00, S 0, type 1001 = 0x89, byte6 = 0x00,
	 *      byte7 = base[31:24] = 0x12 -> 0x1200_89_345678_0067;
	 * high: base[63:32] = 0xffff8000 in [31:0], the rest zero. */
	kdesc_tss64(0xffff800012345678ull, 0x67, 0, d);
	T_EQ_U64(d[0], 0x1200893456780067ull);
	T_EQ_U64(d[1], 0x00000000ffff8000ull);
	T_EQ_U64(kdesc_sys_base(d), 0xffff800012345678ull);
}

static void test_gates(void)
{
	uint64_t g[2];
	/* 64-bit call gate to 0x08:0x0000000100203040, DPL 3:
	 * [15:0] 0x3040, [31:16] selector 0x0008, [39:32] 0,
	 * byte5 = P 1, DPL 11, 0, type 1100 = 0xEC, [63:48] offset[31:16] 0x0020;
	 * high = offset[63:32] = 0x1. */
	kdesc_callgate64(0x08, 0x0000000100203040ull, 3, g);
	T_EQ_U64(g[0], 0x0020ec0000083040ull);
	T_EQ_U64(g[1], 0x1);
	T_EQ_U64(kdesc_gate_offset(g), 0x0000000100203040ull);
	T_EQ_U64(kdesc_gate_selector(g), 0x08);

	/* interrupt gate, DPL 0, IST 1, to 0x08:0xffffffff80101234:
	 * [15:0] 0x1234, sel 0x0008, byte4 = IST 1, byte5 = 1 00 0 1110 = 0x8E,
	 * [63:48] 0x8010; high 0xffffffff. */
	kdesc_idt_gate(0x08, 0xffffffff80101234ull, KDESC_SYS_INTGATE64, 0, 1, g);
	T_EQ_U64(g[0], 0x80108e0100081234ull);
	T_EQ_U64(g[1], 0x00000000ffffffffull);
	T_EQ_U64(kdesc_gate_ist(g), 1);

	/* interrupt gate DPL 3 (usable by `int n` from ring 3), no IST,
	 * to 0x08:0x00105678: byte5 = 1 11 0 1110 = 0xEE. */
	kdesc_idt_gate(0x08, 0x00105678, KDESC_SYS_INTGATE64, 3, 0, g);
	T_EQ_U64(g[0], 0x0010ee0000085678ull);
	T_EQ_U64(g[1], 0);

	/* trap gate DPL 3 to 0x08:0x00102000: byte5 = 1 11 0 1111 = 0xEF. */
	kdesc_idt_gate(0x08, 0x00102000, KDESC_SYS_TRAPGATE64, 3, 0, g);
	T_EQ_U64(g[0], 0x0010ef0000082000ull);
	T_EQ_U64(g[1], 0);
}

/* The kentry kernel's GDT (docs/kernel.md), selectors without RPL:
 * 0x08 kernel code64, 0x10 kernel data, 0x18 user code32, 0x20 user data,
 * 0x28 user code64, 0x30 user data (second copy for 64-bit SYSEXIT's SS),
 * 0x38 TSS (16 bytes). */
static void kentry_gdt(uint64_t g[9])
{
	g[0] = 0;
	g[1] = kdesc_code64(0);
	g[2] = kdesc_data(0);
	g[3] = kdesc_code32(3);
	g[4] = kdesc_data(3);
	g[5] = kdesc_code64(3);
	g[6] = kdesc_data(3);
	kdesc_tss64(0x100000, 0x67, 0, &g[7]);
}

static void test_msrs_and_layout(void)
{
	/* STAR = SYSRET base << 48 | SYSCALL CS << 32, EIP half unused:
	 * kentry: 0x18 << 48 | 0x08 << 32 = 0x0018000800000000. */
	T_EQ_U64(kmsr_star(0x08, 0x18), 0x0018000800000000ull);
	/* Linux: __USER32_CS (0x23, RPL included) and __KERNEL_CS (0x10). */
	T_EQ_U64(kmsr_star(0x10, 0x23), 0x0023001000000000ull);

	/* Selector arithmetic of the instructions (SDM/APM). */
	T_EQ_U64(KSEL_SYSRET_CS64(0x18), 0x28);
	T_EQ_U64(KSEL_SYSRET_SS(0x18), 0x20);
	T_EQ_U64(KSEL_SYSEXIT_CS32(0x08), 0x18);
	T_EQ_U64(KSEL_SYSEXIT_SS32(0x08), 0x20);
	T_EQ_U64(KSEL_SYSEXIT_CS64(0x08), 0x28);
	T_EQ_U64(KSEL_SYSEXIT_SS64(0x08), 0x30);

	uint64_t g[9];
	kentry_gdt(g);
	T_EQ_U64(kdesc_check_fast_layout(g, 9, kmsr_star(0x08, 0x18), 0x08), 0);
	/* RPL bits in STAR are ignored by the slot lookup (the CPU ORs 3 in). */
	T_EQ_U64(kdesc_check_fast_layout(g, 9, kmsr_star(0x08, 0x1b), 0x08), 0);

	/* Without the second user data slot, 64-bit SYSEXIT's SS (0x30)
	 * would name whatever follows: here the TSS. */
	uint64_t h[9];
	for (int i = 0; i < 9; i++)
		h[i] = g[i];
	kdesc_tss64(0x100000, 0x67, 0, &h[6]);
	T_EQ_U64(kdesc_check_fast_layout(h, 9, kmsr_star(0x08, 0x18), 0x08),
		 KLAYOUT_SYSEXIT_SS64);

	/* Linux's x86-64 GDT: 1 kernel32 CS, 2 kernel CS, 3 kernel DS,
	 * 4 user32 CS, 5 user DS, 6 user CS, 7 null, 8-9 TSS. With
	 * SYSENTER_CS = 0x10 everything but 64-bit SYSEXIT's SS (0x38, the
	 * null slot) fits: Linux never uses 64-bit SYSEXIT. */
	uint64_t lx[10] = { 0, kdesc_code32(0), kdesc_code64(0), kdesc_data(0),
			    kdesc_code32(3), kdesc_data(3), kdesc_code64(3), 0 };
	kdesc_tss64(0x200000, 0x67, 0, &lx[8]);
	T_EQ_U64(kdesc_check_fast_layout(lx, 10, kmsr_star(0x10, 0x23), 0x10),
		 KLAYOUT_SYSEXIT_SS64);

	/* Swapping user code32 and code64 breaks both SYSRET and SYSEXIT. */
	h[3] = g[5];
	h[5] = g[3];
	h[6] = g[6];
	T_EQ_U64(kdesc_check_fast_layout(h, 9, kmsr_star(0x08, 0x18), 0x08),
		 KLAYOUT_SYSRET_CS32 | KLAYOUT_SYSRET_CS64 | KLAYOUT_SYSEXIT_CS32 |
			 KLAYOUT_SYSEXIT_CS64);
	/* A selector outside the table fails rather than reading past it. */
	T_EQ_U64(kdesc_check_fast_layout(g, 4, kmsr_star(0x08, 0x18), 0x08),
		 KLAYOUT_SYSRET_SS | KLAYOUT_SYSRET_CS64 | KLAYOUT_SYSEXIT_SS32 |
			 KLAYOUT_SYSEXIT_CS64 | KLAYOUT_SYSEXIT_SS64);
}

/* The layout the kernel actually uses (src/kernel/layout.h), so a change
 * there that breaks SYSRET/SYSEXIT fails on the host too. */
static void test_kernel_layout(void)
{
	uint64_t g[GDT_ENTRIES] = { 0 };
	g[SEL_KCODE / 8] = kdesc_code64(0);
	g[SEL_KDATA / 8] = kdesc_data(0);
	g[SEL_UCODE32 / 8] = kdesc_code32(3);
	g[SEL_UDATA / 8] = kdesc_data(3);
	g[SEL_UCODE64 / 8] = kdesc_code64(3);
	g[SEL_UDATA64 / 8] = kdesc_data(3);
	kdesc_tss64(0x100000, 0x67, 0, &g[SEL_TSS / 8]);
	kdesc_callgate64(SEL_KCODE, 0x105930, 3, &g[SEL_CGATE / 8]);
	kdesc_callgate64(SEL_KCODE, 0x105a20, 3, &g[SEL_CGATE_IRET / 8]);
	T_EQ_U64(kdesc_check_fast_layout(g, GDT_ENTRIES,
					 kmsr_star(STAR_SYSCALL_CS, STAR_SYSRET_BASE),
					 (uint16_t)kmsr_sysenter_cs(SYSENTER_CS_VAL)),
		 0);
	/* SYSENTER_CS holds the bare selector: 0x08 -> 0x0000000000000008;
	 * RPL bits are cleared (the CPU would ignore them). */
	T_EQ_U64(kmsr_sysenter_cs(SYSENTER_CS_VAL), 0x8);
	T_EQ_U64(kmsr_sysenter_cs(0x0b), 0x8);
	T_EQ_U64(kmsr_star(STAR_SYSCALL_CS, STAR_SYSRET_BASE), 0x0018000800000000ull);
	T_EQ_U64(USER_CS64, 0x2b);
	T_EQ_U64(USER_CS32, 0x1b);
	T_EQ_U64(USER_DS, 0x23);
	T_EQ_U64(USER_DS64, 0x33);
}

int main(void)
{
	test_kernel_layout();
	test_segments();
	test_tss();
	test_gates();
	test_msrs_and_layout();
	return T_DONE();
}
