/* kentry core: descriptor and MSR encoders. See desc.h. */
#include "desc.h"

/* Segment descriptor, SDM vol. 3A figure 3-8:
 *   [15:0]  limit 15:0        [39:16] base 23:0
 *   [43:40] type              [44]    S
 *   [46:45] DPL               [47]    P
 *   [51:48] limit 19:16       [55:52] AVL, L, D/B, G
 *   [63:56] base 31:24 */
uint64_t kdesc_segment(uint32_t base, uint32_t limit, uint32_t type, uint32_t s,
		       uint32_t dpl, uint32_t present, uint32_t flags)
{
	uint64_t d = 0;
	d |= (uint64_t)(limit & 0xffffu);
	d |= (uint64_t)(base & 0xffffffu) << 16;
	d |= (uint64_t)(type & 0xfu) << 40;
	d |= (uint64_t)(s & 1u) << 44;
	d |= (uint64_t)(dpl & 3u) << 45;
	d |= (uint64_t)(present & 1u) << 47;
	d |= (uint64_t)((limit >> 16) & 0xfu) << 48;
	d |= (uint64_t)(flags & 0xfu) << 52;
	d |= (uint64_t)((base >> 24) & 0xffu) << 56;
	return d;
}

uint64_t kdesc_code64(uint32_t dpl)
{
	return kdesc_segment(0, 0xfffff, KDESC_TYPE_CODE_XR | KDESC_TYPE_ACCESSED, 1,
			     dpl, 1, KDESC_FLAG_G | KDESC_FLAG_L);
}

uint64_t kdesc_code32(uint32_t dpl)
{
	return kdesc_segment(0, 0xfffff, KDESC_TYPE_CODE_XR | KDESC_TYPE_ACCESSED, 1,
			     dpl, 1, KDESC_FLAG_G | KDESC_FLAG_DB);
}

uint64_t kdesc_data(uint32_t dpl)
{
	return kdesc_segment(0, 0xfffff, KDESC_TYPE_DATA_RW | KDESC_TYPE_ACCESSED, 1,
			     dpl, 1, KDESC_FLAG_G | KDESC_FLAG_DB);
}

/* 64-bit TSS descriptor, SDM figure 7-4: the low word is a segment
 * descriptor with S = 0, the high word holds base 63:32 in [31:0], and
 * its bits [44:40] (type of a would-be second descriptor) must be zero. */
void kdesc_tss64(uint64_t base, uint32_t limit, uint32_t dpl, uint64_t out[2])
{
	out[0] = kdesc_segment((uint32_t)base, limit, KDESC_SYS_TSS64_AVAIL, 0, dpl, 1, 0);
	out[1] = base >> 32;
}

/* Gate layout shared by 64-bit call gates (SDM figure 5-9) and IDT gates
 * (SDM figure 6-8):
 *   [15:0]  offset 15:0        [31:16] segment selector
 *   [34:32] IST (IDT only; call gates: reserved, 0)
 *   [43:40] type  [44] 0  [46:45] DPL  [47] P  [63:48] offset 31:16
 *   high word: [31:0] offset 63:32, [44:40] must be 0, rest reserved. */
static void gate(uint16_t sel, uint64_t offset, uint32_t type, uint32_t dpl,
		 uint32_t ist, uint64_t out[2])
{
	uint64_t lo = 0;
	lo |= offset & 0xffffu;
	lo |= (uint64_t)sel << 16;
	lo |= (uint64_t)(ist & 7u) << 32;
	lo |= (uint64_t)(type & 0xfu) << 40;
	lo |= (uint64_t)(dpl & 3u) << 45;
	lo |= (uint64_t)1u << 47;
	lo |= ((offset >> 16) & 0xffffu) << 48;
	out[0] = lo;
	out[1] = offset >> 32;
}

void kdesc_callgate64(uint16_t sel, uint64_t offset, uint32_t dpl, uint64_t out[2])
{
	gate(sel, offset, KDESC_SYS_CALLGATE64, dpl, 0, out);
}

void kdesc_idt_gate(uint16_t sel, uint64_t offset, uint32_t type, uint32_t dpl,
		    uint32_t ist, uint64_t out[2])
{
	gate(sel, offset, type, dpl, ist, out);
}

uint64_t kdesc_tss32(uint32_t base, uint32_t limit, uint32_t dpl)
{
	return kdesc_segment(base, limit, KDESC_SYS_TSS32_AVAIL, 0, dpl, 1, 0);
}

/* 8-byte gate (SDM figures 5-8, 6-2, 8-4):
 *   [15:0]  offset 15:0        [31:16] segment selector
 *   [36:32] parameter count (call gates; 0 otherwise), [39:37] 0
 *   [43:40] type  [44] 0  [46:45] DPL  [47] P  [63:48] offset 31:16 */
static uint64_t gate32(uint16_t sel, uint32_t offset, uint32_t type, uint32_t dpl,
		       uint32_t count)
{
	uint64_t g = 0;
	g |= offset & 0xffffu;
	g |= (uint64_t)sel << 16;
	g |= (uint64_t)(count & 0x1fu) << 32;
	g |= (uint64_t)(type & 0xfu) << 40;
	g |= (uint64_t)(dpl & 3u) << 45;
	g |= (uint64_t)1u << 47;
	g |= (uint64_t)(offset >> 16) << 48;
	return g;
}

uint64_t kdesc_callgate32(uint16_t sel, uint32_t offset, uint32_t dpl, uint32_t nparam)
{
	return gate32(sel, offset, KDESC_SYS_CALLGATE32, dpl, nparam);
}

uint64_t kdesc_idt_gate32(uint16_t sel, uint32_t offset, uint32_t type, uint32_t dpl)
{
	return gate32(sel, offset, type, dpl, 0);
}

uint64_t kdesc_taskgate(uint16_t tss_sel, uint32_t dpl)
{
	return gate32(tss_sel, 0, KDESC_SYS_TASKGATE, dpl, 0);
}

uint32_t kdesc_seg_base(uint64_t d)
{
	return (uint32_t)((d >> 16) & 0xffffffu) | (uint32_t)((d >> 56) & 0xffu) << 24;
}

uint32_t kdesc_seg_limit(uint64_t d)
{
	return (uint32_t)(d & 0xffffu) | (uint32_t)((d >> 48) & 0xfu) << 16;
}

uint32_t kdesc_gate32_offset(uint64_t g)
{
	return (uint32_t)(g & 0xffffu) | (uint32_t)(g >> 48) << 16;
}

uint16_t kdesc_gate32_selector(uint64_t g)
{
	return (uint16_t)(g >> 16);
}

uint32_t kdesc_gate32_count(uint64_t g)
{
	return (uint32_t)(g >> 32) & 0x1fu;
}

uint32_t kdesc_seg_type(uint64_t d) { return (uint32_t)(d >> 40) & 0xfu; }
uint32_t kdesc_seg_s(uint64_t d) { return (uint32_t)(d >> 44) & 1u; }
uint32_t kdesc_seg_dpl(uint64_t d) { return (uint32_t)(d >> 45) & 3u; }
uint32_t kdesc_seg_present(uint64_t d) { return (uint32_t)(d >> 47) & 1u; }
uint32_t kdesc_seg_flags(uint64_t d) { return (uint32_t)(d >> 52) & 0xfu; }

uint64_t kdesc_gate_offset(const uint64_t g[2])
{
	return (g[0] & 0xffffu) | ((g[0] >> 48) << 16) | (g[1] << 32);
}

uint16_t kdesc_gate_selector(const uint64_t g[2])
{
	return (uint16_t)(g[0] >> 16);
}

uint32_t kdesc_gate_ist(const uint64_t g[2])
{
	return (uint32_t)(g[0] >> 32) & 7u;
}

uint64_t kdesc_sys_base(const uint64_t d[2])
{
	return ((d[0] >> 16) & 0xffffffu) | (((d[0] >> 56) & 0xffu) << 24) |
	       ((d[1] & 0xffffffffu) << 32);
}

uint64_t kmsr_star(uint16_t syscall_cs, uint16_t sysret_base)
{
	return ((uint64_t)sysret_base << 48) | ((uint64_t)syscall_cs << 32);
}

uint64_t kmsr_star32(uint16_t syscall_cs, uint16_t sysret_base, uint32_t eip)
{
	return kmsr_star(syscall_cs, sysret_base) | eip;
}

uint64_t kmsr_sysenter_cs(uint16_t kernel_cs)
{
	return (uint64_t)(kernel_cs & 0xfffcu);
}

int kdesc_fits_role(uint64_t d, enum kdesc_role role)
{
	if (!kdesc_seg_present(d) || !kdesc_seg_s(d))
		return 0;
	uint32_t type = kdesc_seg_type(d), flags = kdesc_seg_flags(d);
	int code = (type & 0x8u) != 0;
	int writable = !code && (type & 0x2u);
	int l = (flags & KDESC_FLAG_L) != 0, db = (flags & KDESC_FLAG_DB) != 0;
	switch (role) {
	case KROLE_KERNEL_CODE64:
		return code && l && !db && kdesc_seg_dpl(d) == 0;
	case KROLE_KERNEL_CODE32:
		return code && !l && db && kdesc_seg_dpl(d) == 0;
	case KROLE_KERNEL_DATA:
		return writable && kdesc_seg_dpl(d) == 0;
	case KROLE_USER_CODE32:
		return code && !l && db && kdesc_seg_dpl(d) == 3;
	case KROLE_USER_CODE64:
		return code && l && !db && kdesc_seg_dpl(d) == 3;
	case KROLE_USER_DATA:
		return writable && kdesc_seg_dpl(d) == 3;
	}
	return 0;
}

static int slot_fits(const uint64_t *gdt, size_t n, uint32_t sel, enum kdesc_role role)
{
	size_t i = (sel & 0xfff8u) / 8;
	if (i == 0 || i >= n || (sel & 4u)) /* null slot, outside, or LDT */
		return 0;
	return kdesc_fits_role(gdt[i], role);
}

struct layout_rule {
	uint32_t sel;
	enum kdesc_role role;
	uint32_t bit;
};

static uint32_t check_rules(const uint64_t *gdt, size_t n, const struct layout_rule *rule,
			    size_t count)
{
	uint32_t bad = 0;
	for (size_t i = 0; i < count; i++)
		if (!slot_fits(gdt, n, rule[i].sel, rule[i].role))
			bad |= rule[i].bit;
	return bad;
}

uint32_t kdesc_check_fast_layout(const uint64_t *gdt, size_t n, uint64_t star,
				 uint16_t sysenter_cs)
{
	uint32_t k = (uint32_t)(star >> 32) & 0xffffu;
	uint32_t u = (uint32_t)(star >> 48) & 0xffffu;
	uint32_t c = sysenter_cs;
	const struct layout_rule rule[] = {
		{ KSEL_SYSCALL_CS(k), KROLE_KERNEL_CODE64, KLAYOUT_SYSCALL_CS },
		{ KSEL_SYSCALL_SS(k), KROLE_KERNEL_DATA, KLAYOUT_SYSCALL_SS },
		{ KSEL_SYSRET_CS32(u), KROLE_USER_CODE32, KLAYOUT_SYSRET_CS32 },
		{ KSEL_SYSRET_SS(u), KROLE_USER_DATA, KLAYOUT_SYSRET_SS },
		{ KSEL_SYSRET_CS64(u), KROLE_USER_CODE64, KLAYOUT_SYSRET_CS64 },
		{ KSEL_SYSENTER_CS(c), KROLE_KERNEL_CODE64, KLAYOUT_SYSENTER_CS },
		{ KSEL_SYSENTER_SS(c), KROLE_KERNEL_DATA, KLAYOUT_SYSENTER_SS },
		{ KSEL_SYSEXIT_CS32(c), KROLE_USER_CODE32, KLAYOUT_SYSEXIT_CS32 },
		{ KSEL_SYSEXIT_SS32(c), KROLE_USER_DATA, KLAYOUT_SYSEXIT_SS32 },
		{ KSEL_SYSEXIT_CS64(c), KROLE_USER_CODE64, KLAYOUT_SYSEXIT_CS64 },
		{ KSEL_SYSEXIT_SS64(c), KROLE_USER_DATA, KLAYOUT_SYSEXIT_SS64 },
	};
	return check_rules(gdt, n, rule, sizeof(rule) / sizeof(rule[0]));
}

uint32_t kdesc_check_legacy_fast_layout(const uint64_t *gdt, size_t n, uint64_t star,
					uint16_t sysenter_cs)
{
	uint32_t k = (uint32_t)(star >> 32) & 0xffffu;
	uint32_t u = (uint32_t)(star >> 48) & 0xffffu;
	uint32_t c = sysenter_cs;
	const struct layout_rule rule[] = {
		{ KSEL_SYSCALL_CS(k), KROLE_KERNEL_CODE32, KLAYOUT_SYSCALL_CS },
		{ KSEL_SYSCALL_SS(k), KROLE_KERNEL_DATA, KLAYOUT_SYSCALL_SS },
		{ KSEL_SYSRET_CS32(u), KROLE_USER_CODE32, KLAYOUT_SYSRET_CS32 },
		{ KSEL_SYSRET_SS(u), KROLE_USER_DATA, KLAYOUT_SYSRET_SS },
		{ KSEL_SYSENTER_CS(c), KROLE_KERNEL_CODE32, KLAYOUT_SYSENTER_CS },
		{ KSEL_SYSENTER_SS(c), KROLE_KERNEL_DATA, KLAYOUT_SYSENTER_SS },
		{ KSEL_SYSEXIT_CS32(c), KROLE_USER_CODE32, KLAYOUT_SYSEXIT_CS32 },
		{ KSEL_SYSEXIT_SS32(c), KROLE_USER_DATA, KLAYOUT_SYSEXIT_SS32 },
	};
	return check_rules(gdt, n, rule, sizeof(rule) / sizeof(rule[0]));
}
