/* kentry kernel: GDT, TSS, IDT and the fast-system-call MSRs.
 *
 * Every descriptor and MSR value comes from the core encoders
 * (core/desc.c, unit-tested on the host) and is read back from the live
 * CPU state in arch_selfcheck(). Layout and reasons: layout.h and
 * docs/kernel.md. */
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "trap.h"
#include "harden.h"
#include "kpatch.h"
#include "core/cpuinfo.h"
#include "core/desc.h"

/* Build-time checks of the selector arithmetic SYSRET and SYSEXIT
 * hard-wire (core/desc.h): the layout in layout.h must satisfy them. */
_Static_assert(KSEL_SYSCALL_CS(STAR_SYSCALL_CS) == SEL_KCODE, "SYSCALL CS");
_Static_assert(KSEL_SYSCALL_SS(STAR_SYSCALL_CS) == SEL_KDATA, "SYSCALL SS");
_Static_assert(KSEL_SYSRET_CS32(STAR_SYSRET_BASE) == SEL_UCODE32, "SYSRETL CS");
_Static_assert(KSEL_SYSRET_SS(STAR_SYSRET_BASE) == SEL_UDATA, "SYSRET SS");
_Static_assert(KSEL_SYSRET_CS64(STAR_SYSRET_BASE) == SEL_UCODE64, "SYSRETQ CS");
_Static_assert(KSEL_SYSENTER_CS(SYSENTER_CS_VAL) == SEL_KCODE, "SYSENTER CS");
_Static_assert(KSEL_SYSENTER_SS(SYSENTER_CS_VAL) == SEL_KDATA, "SYSENTER SS");
_Static_assert(KSEL_SYSEXIT_CS32(SYSENTER_CS_VAL) == SEL_UCODE32, "SYSEXITL CS");
_Static_assert(KSEL_SYSEXIT_SS32(SYSENTER_CS_VAL) == SEL_UDATA, "SYSEXITL SS");
_Static_assert(KSEL_SYSEXIT_CS64(SYSENTER_CS_VAL) == SEL_UCODE64, "SYSEXITQ CS");
_Static_assert(KSEL_SYSEXIT_SS64(SYSENTER_CS_VAL) == SEL_UDATA64, "SYSEXITQ SS");
_Static_assert(SEL_TSS / 8 + 2 <= SEL_CGATE / 8, "TSS takes two slots");
_Static_assert(SEL_CGATE_IRET / 8 + 2 <= GDT_ENTRIES, "GDT too small");

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == TSS_SIZE, "TSS size");
_Static_assert(__builtin_offsetof(struct tss64, rsp) == TSS_RSP0, "TSS.RSP0");
_Static_assert(__builtin_offsetof(struct tss64, ist) == TSS_IST(1), "TSS.IST1");
_Static_assert(__builtin_offsetof(struct tss64, iomap_base) == TSS_IOMAP, "TSS.IOMAP");

/* GDT, IDT and TSS are per-CPU entry data: the CPU reads them on every
 * entry, so a KPTI user page table must map them (kernel.ld). */
#define ENTRY_DATA __attribute__((section(".entry.data")))
uint64_t kgdt[GDT_ENTRIES] __attribute__((aligned(16))) ENTRY_DATA;
static uint64_t kidt[256][2] __attribute__((aligned(16))) ENTRY_DATA;
static struct tss64 ktss __attribute__((aligned(16))) ENTRY_DATA;

extern char ktrap_stubs[];
extern char kentry_stack_top[], kist_df_top[], kist_nmi_top[], kist_mc_top[],
	kist_db_top[];
extern void kdone_entry(void), kstray_syscall(void), kstray_syscall32(void),
	kstray_sysenter(void), kspurious_entry(void);

#define FMASK_VALUE 0x47700u /* TF IF DF IOPL NT AC, as Linux */

static uint64_t star_value(void)
{
	return kmsr_star(STAR_SYSCALL_CS, STAR_SYSRET_BASE);
}

void idt_set(unsigned vec, void (*handler)(void), unsigned type, unsigned dpl,
	     unsigned ist)
{
	kdesc_idt_gate(SEL_KCODE, (uint64_t)(uintptr_t)handler, type, dpl, ist, kidt[vec]);
}

/* #DB, NMI, #DF and #MC get stacks of their own: each can arrive at any
 * instruction, including the first ones of an entry stub that still runs
 * on a stack ring 3 chose (SYSCALL does not switch stacks; MOV SS delays
 * a #DB onto the first kernel instruction; an NMI ignores IF). On an IST
 * stack they never push onto such a stack. harden_off=ist_* takes one away
 * (tests only). */
static unsigned generic_ist(unsigned vec)
{
	switch (vec) {
	case VEC_DF: return kharden_on(KH(IST_DF)) ? IST_DF : 0;
	case VEC_NMI: return kharden_on(KH(IST_NMI)) ? IST_NMI : 0;
	case VEC_MC: return kharden_on(KH(IST_MC)) ? IST_MC : 0;
	case VEC_DB: return kharden_on(KH(IST_DB)) ? IST_DB : 0;
	}
	return 0;
}

const char *arch_ist_state(void)
{
	static char buf[96];
	ksnprintf(buf, sizeof(buf), "#DB %s, NMI %s, #DF %s, #MC %s",
		  generic_ist(VEC_DB) ? "IST4" : "none", generic_ist(VEC_NMI) ? "IST2" : "none",
		  generic_ist(VEC_DF) ? "IST1" : "none", generic_ist(VEC_MC) ? "IST3" : "none");
	return buf;
}

/* The generic gate of a vector: interrupt gate to its ktrap_stubs entry,
 * DPL 0 (so `int n` from ring 3 is a #GP, not an entry) except #BP, which
 * ring 3 reaches with int3 (a DPL 0 gate would turn it into #GP). */
void idt_set_generic(unsigned vec)
{
	kdesc_idt_gate(SEL_KCODE, (uint64_t)(uintptr_t)(ktrap_stubs + 16 * vec),
		       KDESC_SYS_INTGATE64, vec == VEC_BP ? 3 : 0, generic_ist(vec),
		       kidt[vec]);
}

/* Installs a DPL 3 call gate at `sel`, or (target NULL) an all-zero,
 * not-present slot: a far call to it then ends the excursion with #NP. */
void callgate_set(unsigned sel, void (*target)(void))
{
	uint64_t *slot = &kgdt[sel / 8];
	if (target) {
		kdesc_callgate64(SEL_KCODE, (uint64_t)(uintptr_t)target, 3, slot);
	} else {
		slot[0] = 0;
		slot[1] = 0;
	}
}

/* A call gate at `sel` with its present bit clear: a far call to it
 * raises #NP (self-test case 7). */
void callgate_set_notpresent(unsigned sel, void (*target)(void))
{
	callgate_set(sel, target);
	kgdt[sel / 8] &= ~(1ull << 47);
}

const void *arch_tss(void)
{
	return &ktss;
}

void fast_msrs_stray(void)
{
	wrmsr(KMSR_LSTAR, (uint64_t)(uintptr_t)kstray_syscall);
	wrmsr(KMSR_CSTAR, (uint64_t)(uintptr_t)kstray_syscall32);
	wrmsr(KMSR_SYSENTER_EIP, (uint64_t)(uintptr_t)kstray_sysenter);
}

static void load_gdt_and_segments(void)
{
	struct dtr d = { sizeof(kgdt) - 1, (uint64_t)(uintptr_t)kgdt };
	lgdt(&d);
	/* Reload CS with a far return (no far jmp to an immediate in
	 * 64-bit mode), then the data selectors. */
	__asm__ volatile("pushq %[cs]\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %[ds], %%eax\n\t"
			 "movl %%eax, %%ss\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs"
			 :
			 : [cs] "i"(SEL_KCODE), [ds] "i"(SEL_KDATA)
			 : "rax", "memory");
}

void arch_init(void)
{
	kgdt[0] = 0;
	kgdt[SEL_KCODE / 8] = kdesc_code64(0);
	kgdt[SEL_KDATA / 8] = kdesc_data(0);
	kgdt[SEL_UCODE32 / 8] = kdesc_code32(3);
	kgdt[SEL_UDATA / 8] = kdesc_data(3);
	kgdt[SEL_UCODE64 / 8] = kdesc_code64(3);
	kgdt[SEL_UDATA64 / 8] = kdesc_data(3);
	kdesc_tss64((uint64_t)(uintptr_t)&ktss, sizeof(ktss) - 1, 0, &kgdt[SEL_TSS / 8]);
	callgate_set(SEL_CGATE, 0);
	callgate_set(SEL_CGATE_IRET, 0);
	load_gdt_and_segments();

	ktss.rsp[0] = (uint64_t)(uintptr_t)kentry_stack_top;
	ktss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)kist_df_top;
	ktss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)kist_nmi_top;
	ktss.ist[IST_MC - 1] = (uint64_t)(uintptr_t)kist_mc_top;
	ktss.ist[IST_DB - 1] = (uint64_t)(uintptr_t)kist_db_top;
	ktss.iomap_base = sizeof(ktss); /* no I/O bitmap: ring 3 I/O is #GP */
	ltr(SEL_TSS);

	for (unsigned v = 0; v < 256; v++)
		idt_set_generic(v);
	idt_set(VEC_DONE, kdone_entry, KDESC_SYS_INTGATE64, 3, 0);
	idt_set(VEC_APIC_SPURIOUS, kspurious_entry, KDESC_SYS_INTGATE64, 0, 0);
	struct dtr i = { sizeof(kidt) - 1, (uint64_t)(uintptr_t)kidt };
	lidt(&i);

	wrmsr(KMSR_EFER, rdmsr(KMSR_EFER) | KEFER_SCE);
	wrmsr(KMSR_STAR, star_value());
	wrmsr(KMSR_FMASK, FMASK_VALUE);
	wrmsr(KMSR_SYSENTER_CS, kmsr_sysenter_cs(SYSENTER_CS_VAL));
	wrmsr(KMSR_SYSENTER_ESP, (uint64_t)(uintptr_t)kentry_stack_top);
	fast_msrs_stray();

	amd_lfence_serializing();
}

/* ---- SYSRET and a null SS --------------------------------------------------
 * An interrupt or exception from ring 3 loads SS with a null selector. AMD
 * documents that SYSRET then loads only the SS selector (STAR + 8 | 3),
 * keeping the null descriptor's attributes: back in 32-bit code the stack
 * is unusable (Linux: X86_BUG_SYSRET_SS_ATTRS, set for AMD and Hygon, and
 * the fix-up in __switch_to that reloads a kernel SS). Intel documents that
 * SYSRET loads fixed flat attributes. Rather than trusting the vendor
 * string, the kernel tries: ksysret_ss_probe (entry.S) loads a null SS and
 * SYSRETs to 32-bit code that pushes, pops and ends the excursion; a fault
 * there means the attributes were kept. The fix-up (full.S, int-gate/
 * sysretq's exit) stays only then, unless harden_off=sysret_ss. */
extern uint32_t ksysret_ss_probe(uint64_t eip, uint64_t esp);
extern void u32_sysret_ss_probe(void);
extern char user_stack_top[];
static char sysret_ss_state[160] = "not probed";

void arch_probe_sysret_ss(void)
{
	uint32_t st = ksysret_ss_probe((uint64_t)(uintptr_t)u32_sysret_ss_probe,
				       (uint64_t)(uintptr_t)user_stack_top);
	int kept = st != 0;
	int fix = kept && kharden_on(KH(SYSRET_SS));
	kpatch_apply_late(KF_SYSRET_SS, fix);
	if (!kept)
		ksnprintf(sysret_ss_state, sizeof(sysret_ss_state),
			  "SYSRET loads SS's attributes (probed): no fix-up");
	else
		ksnprintf(sysret_ss_state, sizeof(sysret_ss_state),
			  "SYSRET keeps a null SS's attributes (probed: %s in 32-bit code): fix-up %s",
			  trap_name(st >= 0x100 && st < 0x120 ? st - 0x100 : 255),
			  fix ? "on" : "OFF (harden_off=sysret_ss)");
}

const char *arch_sysret_ss_state(void)
{
	return sysret_ss_state;
}

void arch_selfcheck(void)
{
	struct dtr d;
	sgdt(&d);
	tap_check(d.base == (uint64_t)(uintptr_t)kgdt && d.limit == sizeof(kgdt) - 1,
		  "GDTR holds the kernel GDT (%u slots)", (unsigned)GDT_ENTRIES);
	tap_check(kgdt[SEL_KCODE / 8] == 0x00af9b000000ffffull &&
			  kgdt[SEL_KDATA / 8] == 0x00cf93000000ffffull &&
			  kgdt[SEL_UCODE32 / 8] == 0x00cffb000000ffffull &&
			  kgdt[SEL_UDATA / 8] == 0x00cff3000000ffffull &&
			  kgdt[SEL_UCODE64 / 8] == 0x00affb000000ffffull &&
			  kgdt[SEL_UDATA64 / 8] == 0x00cff3000000ffffull,
		  "GDT code/data slots 0x08-0x30 hold the expected descriptors");

	uint64_t star = rdmsr(KMSR_STAR);
	uint64_t secs = rdmsr(KMSR_SYSENTER_CS);
	uint32_t bad = kdesc_check_fast_layout(kgdt, GDT_ENTRIES, star, (uint16_t)secs);
	tap_check(bad == 0,
		  "GDT satisfies SYSCALL/SYSRET (STAR) and SYSENTER/SYSEXIT selector arithmetic (failures 0x%x)",
		  bad);
	tap_check(star == star_value(), "STAR reads back 0x%016lx", star);
	tap_check(rdmsr(KMSR_LSTAR) == (uint64_t)(uintptr_t)kstray_syscall &&
			  rdmsr(KMSR_CSTAR) == (uint64_t)(uintptr_t)kstray_syscall32,
		  "LSTAR/CSTAR read back (idle: stray-entry stubs)");
	tap_check(rdmsr(KMSR_FMASK) == FMASK_VALUE, "FMASK reads back 0x%x", FMASK_VALUE);
	tap_check(secs == kmsr_sysenter_cs(SYSENTER_CS_VAL) &&
			  rdmsr(KMSR_SYSENTER_ESP) == (uint64_t)(uintptr_t)kentry_stack_top &&
			  rdmsr(KMSR_SYSENTER_EIP) == (uint64_t)(uintptr_t)kstray_sysenter,
		  "SYSENTER_CS/ESP/EIP read back");
	uint64_t efer = rdmsr(KMSR_EFER);
	tap_check((efer & (KEFER_SCE | KEFER_LME | KEFER_LMA)) ==
			  (KEFER_SCE | KEFER_LME | KEFER_LMA),
		  "EFER.SCE, LME and LMA set (0x%lx)", efer);

	uint64_t tss_expect[2];
	kdesc_tss64((uint64_t)(uintptr_t)&ktss, sizeof(ktss) - 1, 0, tss_expect);
	uint64_t *t = &kgdt[SEL_TSS / 8];
	tap_check(str() == SEL_TSS && kdesc_seg_type(t[0]) == KDESC_SYS_TSS64_BUSY &&
			  (t[0] & ~(0xfull << 40)) == (tss_expect[0] & ~(0xfull << 40)) &&
			  t[1] == tss_expect[1],
		  "TR = 0x%x, TSS descriptor encoded and marked busy by LTR", (unsigned)str());
	tap_check(ktss.rsp[0] == (uint64_t)(uintptr_t)kentry_stack_top &&
			  ktss.ist[IST_DF - 1] == (uint64_t)(uintptr_t)kist_df_top &&
			  ktss.ist[IST_NMI - 1] == (uint64_t)(uintptr_t)kist_nmi_top &&
			  ktss.ist[IST_MC - 1] == (uint64_t)(uintptr_t)kist_mc_top &&
			  ktss.ist[IST_DB - 1] == (uint64_t)(uintptr_t)kist_db_top &&
			  (ktss.rsp[0] & 15) == 0,
		  "TSS RSP0 and IST1-4 (#DF, NMI, #MC, #DB) set, 16-byte aligned");

	struct dtr i;
	sidt(&i);
	tap_check(i.base == (uint64_t)(uintptr_t)kidt && i.limit == 256 * 16 - 1,
		  "IDTR holds the 256-entry IDT");
	uint64_t g[2];
	int idt_ok = 1;
	for (unsigned v = 0; v < 256; v++) {
		if (v == VEC_DONE || v == VEC_APIC_SPURIOUS)
			continue;
		kdesc_idt_gate(SEL_KCODE, (uint64_t)(uintptr_t)(ktrap_stubs + 16 * v),
			       KDESC_SYS_INTGATE64, v == VEC_BP ? 3 : 0, generic_ist(v), g);
		if (g[0] != kidt[v][0] || g[1] != kidt[v][1])
			idt_ok = 0;
	}
	tap_check(idt_ok, "IDT: generic interrupt gates (DPL 0, #BP DPL 3) on every vector but 0x%x and 0x%x",
		  VEC_DONE, VEC_APIC_SPURIOUS);
	tap_check(kdesc_gate_ist(kidt[VEC_DF]) == IST_DF &&
			  kdesc_gate_ist(kidt[VEC_NMI]) == IST_NMI &&
			  kdesc_gate_ist(kidt[VEC_MC]) == IST_MC &&
			  kdesc_gate_ist(kidt[VEC_DB]) == IST_DB,
		  "IDT: #DF, NMI, #MC and #DB use IST stacks 1, 2, 3, 4 (%s)", arch_ist_state());
	kdesc_idt_gate(SEL_KCODE, (uint64_t)(uintptr_t)kdone_entry, KDESC_SYS_INTGATE64, 3,
		       0, g);
	tap_check(g[0] == kidt[VEC_DONE][0] && g[1] == kidt[VEC_DONE][1] &&
			  kdesc_seg_dpl(kidt[VEC_DONE][0]) == 3,
		  "IDT: vector 0x%x (ring-3 loop done) is a DPL 3 interrupt gate",
		  VEC_DONE);

	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	tap_check((cr0 & 0x80010003u) == 0x80010003u && !(cr0 & 0xc),
		  "CR0: PG, WP, MP, PE set; EM, TS clear (0x%lx)", cr0);
	tap_check((cr4 & 0x620) == 0x620, "CR4: PAE, OSFXSR, OSXMMEXCPT set (0x%lx)", cr4);
}
