/* Unit tests of the legacy protected-mode encoders of src/core/desc.c and
 * of the legacy kernel's own layout (src/kernel32/layout32.h): every
 * descriptor, gate and MSR value the 32-bit kernel installs, checked
 * bit-exactly against constants worked out by hand from the Intel SDM
 * vol. 3A (figures 5-8, 6-2, 8-3, 8-4) and the AMD APM (SYSCALL). */
#include "core/desc.h"
#include "kernel32/layout32.h"
#include "unit/t.h"

static void test_tss32(void)
{
	/* base 0x12345678, limit 0x67, DPL 0: [15:0] limit 0x0067,
	 * [39:16] base 23:0 = 0x345678, byte5 = P 1, DPL 00, S 0,
	 * type 1001 (available 32-bit TSS) = 0x89, byte6 = G 0 ... limit
	 * 19:16 0 = 0x00, byte7 = base 31:24 = 0x12. */
	T_EQ_U64(kdesc_tss32(0x12345678u, 0x67, 0), 0x1200893456780067ull);
	/* DPL 3 (a far call from ring 3 may name it): byte5 = 1 11 0 1001 = 0xE9. */
	T_EQ_U64(kdesc_tss32(0x12345678u, 0x67, 3), 0x1200e93456780067ull);
	uint64_t d = kdesc_tss32(0x00102040u, 0x67, 0);
	T_EQ_U64(kdesc_seg_base(d), 0x00102040u);
	T_EQ_U64(kdesc_seg_limit(d), 0x67);
	T_EQ_U64(kdesc_seg_type(d), KDESC_SYS_TSS32_AVAIL);
	T_EQ_U64(kdesc_seg_s(d), 0);
	/* LTR or a task switch sets type bit 1: 9 -> 0xB. */
	T_EQ_U64(kdesc_seg_type(d | ((uint64_t)KDESC_TSS_BUSY_BIT << 40)),
		 KDESC_SYS_TSS32_BUSY);
}

static void test_gates32(void)
{
	/* call gate to 0x08:0x00101234, DPL 3, 3 parameters:
	 * [15:0] 0x1234, [31:16] 0x0008, [36:32] count 3, byte5 = P 1,
	 * DPL 11, 0, type 1100 = 0xEC, [63:48] offset 31:16 = 0x0010. */
	uint64_t g = kdesc_callgate32(0x08, 0x00101234u, 3, 3);
	T_EQ_U64(g, 0x0010ec0300081234ull);
	T_EQ_U64(kdesc_gate32_offset(g), 0x00101234u);
	T_EQ_U64(kdesc_gate32_selector(g), 0x08);
	T_EQ_U64(kdesc_gate32_count(g), 3);
	/* the count is 5 bits: 31 dwords at most */
	T_EQ_U64(kdesc_gate32_count(kdesc_callgate32(0x08, 0, 3, 31)), 31);
	T_EQ_U64(kdesc_callgate32(0x08, 0x00101234u, 3, 0), 0x0010ec0000081234ull);

	/* 32-bit interrupt gate DPL 3 to 0x08:0x00105678: byte5 1 11 0 1110 = 0xEE;
	 * the same bits as the low word of a 64-bit gate to that address. */
	T_EQ_U64(kdesc_idt_gate32(0x08, 0x00105678u, KDESC_SYS_INTGATE32, 3),
		 0x0010ee0000085678ull);
	uint64_t g64[2];
	kdesc_idt_gate(0x08, 0x00105678u, KDESC_SYS_INTGATE64, 3, 0, g64);
	T_EQ_U64(kdesc_idt_gate32(0x08, 0x00105678u, KDESC_SYS_INTGATE32, 3), g64[0]);
	/* trap gate DPL 3: 0xEF; interrupt gate DPL 0: 0x8E. */
	T_EQ_U64(kdesc_idt_gate32(0x08, 0x00102000u, KDESC_SYS_TRAPGATE32, 3),
		 0x0010ef0000082000ull);
	T_EQ_U64(kdesc_idt_gate32(0x08, 0xc0102000u, KDESC_SYS_INTGATE32, 0),
		 0xc0108e0000082000ull);

	/* task gate to TSS selector 0x30: [31:16] 0x0030, offsets 0,
	 * byte5 = P 1, DPL 11, 0, type 0101 = 0xE5; DPL 0 (a #DF gate): 0x85.
	 * The RPL bits of the selector are kept as given. */
	T_EQ_U64(kdesc_taskgate(0x30, 3), 0x0000e50000300000ull);
	T_EQ_U64(kdesc_taskgate(0x38, 0), 0x0000850000380000ull);
	T_EQ_U64(kdesc_gate32_selector(kdesc_taskgate(0x30, 3)), 0x30);
	T_EQ_U64(kdesc_seg_type(kdesc_taskgate(0x30, 3)), KDESC_SYS_TASKGATE);
}

static void test_msrs32(void)
{
	/* legacy STAR: SYSRET base 0x18 << 48 | SYSCALL CS 0x08 << 32 | EIP */
	T_EQ_U64(kmsr_star32(0x08, 0x18, 0x00101000u), 0x0018000800101000ull);
	T_EQ_U64(kmsr_star32(0x08, 0x18, 0), kmsr_star(0x08, 0x18));
}

/* The legacy kernel's GDT (docs/kernel32.md): 0x08 kernel code32,
 * 0x10 kernel data, 0x18 user code32, 0x20 user data, then TSSes. */
static void legacy_gdt(uint64_t g[6])
{
	g[0] = 0;
	g[1] = kdesc_code32(0);
	g[2] = kdesc_data(0);
	g[3] = kdesc_code32(3);
	g[4] = kdesc_data(3);
	g[5] = kdesc_tss32(0x100000, 0x67, 0);
}

static void test_legacy_layout(void)
{
	uint64_t g[6];
	legacy_gdt(g);
	uint64_t star = kmsr_star32(0x08, 0x18, 0x101000);
	T_EQ_U64(kdesc_check_legacy_fast_layout(g, 6, star, 0x08), 0);
	T_CHECK(kdesc_fits_role(kdesc_code32(0), KROLE_KERNEL_CODE32));
	T_CHECK(!kdesc_fits_role(kdesc_code64(0), KROLE_KERNEL_CODE32));
	T_CHECK(!kdesc_fits_role(kdesc_code32(3), KROLE_KERNEL_CODE32));

	/* The long-mode rules on this GDT: the kernel code is not 64-bit and
	 * the +16 / +32 / +40 forms name the TSS or nothing. */
	T_CHECK(kdesc_check_fast_layout(g, 6, star, 0x08) ==
		(KLAYOUT_SYSCALL_CS | KLAYOUT_SYSRET_CS64 | KLAYOUT_SYSENTER_CS |
		 KLAYOUT_SYSEXIT_CS64 | KLAYOUT_SYSEXIT_SS64));
	/* A long-mode kernel code descriptor in slot 1 breaks both entries. */
	uint64_t h[6];
	for (int i = 0; i < 6; i++)
		h[i] = g[i];
	h[1] = kdesc_code64(0);
	T_EQ_U64(kdesc_check_legacy_fast_layout(h, 6, star, 0x08),
		 KLAYOUT_SYSCALL_CS | KLAYOUT_SYSENTER_CS);

	/* i386 Linux (GDT entries 12-15: kernel CS 0x60, kernel DS 0x68,
	 * user CS 0x73, user DS 0x7b; SYSENTER_CS = 0x60) fits SYSENTER and
	 * SYSEXIT; it never set STAR, so with STAR = 0 every SYSCALL/SYSRET
	 * rule names the null slot or slot 1 (reserved, zero). */
	uint64_t lx[16] = { 0 };
	lx[12] = kdesc_code32(0);
	lx[13] = kdesc_data(0);
	lx[14] = kdesc_code32(3);
	lx[15] = kdesc_data(3);
	T_EQ_U64(kdesc_check_legacy_fast_layout(lx, 16, 0, 0x60),
		 KLAYOUT_SYSCALL_CS | KLAYOUT_SYSCALL_SS | KLAYOUT_SYSRET_CS32 |
			 KLAYOUT_SYSRET_SS);
}

/* The layout the legacy kernel actually uses (src/kernel32/layout32.h),
 * so that a change there that breaks SYSEXIT or SYSRET fails here. */
static void test_kernel32_layout(void)
{
	uint64_t g[GDT_ENTRIES] = { 0 };
	g[SEL_KCODE / 8] = kdesc_code32(0);
	g[SEL_KDATA / 8] = kdesc_data(0);
	g[SEL_UCODE / 8] = kdesc_code32(3);
	g[SEL_UDATA / 8] = kdesc_data(3);
	g[SEL_TSS_MAIN / 8] = kdesc_tss32(0x100000, TSS_SIZE - 1, 0);
	g[SEL_TSS_TASK / 8] = kdesc_tss32(0x100100, TSS_SIZE - 1, 3);
	g[SEL_TSS_DF / 8] = kdesc_tss32(0x100200, TSS_SIZE - 1, 0);
	T_EQ_U64(kdesc_check_legacy_fast_layout(
			 g, GDT_ENTRIES, kmsr_star32(STAR_SYSCALL_CS, STAR_SYSRET_BASE, 0),
			 SYSENTER_CS_VAL),
		 0);
	T_EQ_U64(USER_CS, 0x1b);
	T_EQ_U64(USER_DS, 0x23);
	/* 32-bit TSS fields (SDM figure 8-2) */
	T_EQ_U64(TSS_CR3, 28);
	T_EQ_U64(TSS_EIP, 32);
	T_EQ_U64(TSS_ESP, 56);
	T_EQ_U64(TSS_CS, 76);
	T_EQ_U64(TSS_LDT, 96);
	T_EQ_U64(TSS_IOMAP, 102);
	T_CHECK(CGATE_NPARAM >= 1 && CGATE_NPARAM <= 31);
}

int main(void)
{
	test_tss32();
	test_gates32();
	test_msrs32();
	test_legacy_layout();
	test_kernel32_layout();
	return T_DONE();
}
