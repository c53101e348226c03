/* kentry legacy kernel: GDT, IDT, the fast-system-call MSRs, the 8259s.
 *
 * Every descriptor and MSR value comes from the core encoders
 * (core/desc.c, unit-tested in tests/unit/test_desc32.c) and is read back
 * from the live CPU state in arch32_selfcheck(). Layout and reasons:
 * layout32.h and docs/kernel32.md. The TSSes are task32.c's. */
#include "kernel32.h"
#include "cpu.h"
#include "cpu32.h"
#include "core/cpuinfo.h"
#include "core/tsc.h"
#include "core/desc.h"

_Static_assert(KSEL_SYSCALL_CS(STAR_SYSCALL_CS) == SEL_KCODE, "SYSCALL CS");
_Static_assert(KSEL_SYSCALL_SS(STAR_SYSCALL_CS) == SEL_KDATA, "SYSCALL SS");
_Static_assert(KSEL_SYSRET_CS32(STAR_SYSRET_BASE) == SEL_UCODE, "SYSRET CS");
_Static_assert(KSEL_SYSRET_SS(STAR_SYSRET_BASE) == SEL_UDATA, "SYSRET SS");
_Static_assert(KSEL_SYSENTER_CS(SYSENTER_CS_VAL) == SEL_KCODE, "SYSENTER CS");
_Static_assert(KSEL_SYSENTER_SS(SYSENTER_CS_VAL) == SEL_KDATA, "SYSENTER SS");
_Static_assert(KSEL_SYSEXIT_CS32(SYSENTER_CS_VAL) == SEL_UCODE, "SYSEXIT CS");
_Static_assert(KSEL_SYSEXIT_SS32(SYSENTER_CS_VAL) == SEL_UDATA, "SYSEXIT SS");
_Static_assert(SEL_TASKGATE / 8 < GDT_ENTRIES, "GDT too small");

uint64_t kgdt32[GDT_ENTRIES] __attribute__((aligned(16)));
uint64_t kidt32[256] __attribute__((aligned(16)));
int k32_sysenter_msrs, k32_syscall_enabled;

extern char ktrap_stubs32[], kentry_stack32_top[];
extern void kdone_entry32(void), kstray_syscall32(void), kstray_sysenter32(void);

static uint32_t a(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

void idt32_set(unsigned vec, uint64_t gate)
{
	kidt32[vec] = gate;
}

/* The resting gate of a vector: a 32-bit interrupt gate to its generic
 * stub, DPL 0 (so `int n` from ring 3 is a #GP, not an entry) except #BP
 * (int3 from ring 3) and VEC_DONE; #DF is a task gate to TSS_DF. */
uint64_t idt32_generic(unsigned vec)
{
	if (vec == VEC_DF)
		return kdesc_taskgate(SEL_TSS_DF, 0);
	if (vec == VEC_DONE)
		return kdesc_idt_gate32(SEL_KCODE, a(kdone_entry32), KDESC_SYS_INTGATE32, 3);
	return kdesc_idt_gate32(SEL_KCODE, a(ktrap_stubs32 + 16 * vec), KDESC_SYS_INTGATE32,
				vec == VEC_BP ? 3 : 0);
}

void idt32_set_generic(unsigned vec)
{
	kidt32[vec] = idt32_generic(vec);
}

static uint64_t star_value(uint32_t eip)
{
	return kmsr_star32(STAR_SYSCALL_CS, STAR_SYSRET_BASE, eip);
}

void k32_set_syscall_eip(uint32_t eip)
{
	if (k32_syscall_enabled)
		wrmsr(KMSR_STAR, star_value(eip));
}

void fast32_stray(void)
{
	if (k32_sysenter_msrs)
		wrmsr(KMSR_SYSENTER_EIP, a(kstray_sysenter32));
	k32_set_syscall_eip(a(kstray_syscall32));
}

static char syscall_state[96] = "not attempted";

/* Remaps the two 8259s to PIC_BASE (away from the exception vectors the
 * BIOS leaves them on) and masks every line: the kernel takes no
 * interrupts, although ring 3 runs with IF = 1 (ring3_if=1, the default). */
static void pic_mask_all(void)
{
	outb(0x20, 0x11);            /* ICW1: edge, cascade, ICW4 follows */
	outb(0xa0, 0x11);
	outb(0x21, PIC_BASE);        /* ICW2: vector base */
	outb(0xa1, PIC_BASE + 8);
	outb(0x21, 0x04);            /* ICW3: slave on IRQ2 */
	outb(0xa1, 0x02);
	outb(0x21, 0x01);            /* ICW4: 8086 mode */
	outb(0xa1, 0x01);
	outb(0x21, 0xff);            /* OCW1: mask all */
	outb(0xa1, 0xff);
}

/* The local APIC: firmware (UEFI above all) may leave it enabled, even
 * with its timer running, and this kernel uses none of it. Clearing
 * IA32_APIC_BASE's global enable (bit 11, with the x2APIC bit 10: a
 * transition the SDM allows from either mode, 10.4.3 and 10.12.5) turns
 * it off; the 8259s, masked, are then the only interrupt controller, and
 * nothing reaches the CPU but NMI. (The long-mode kernel keeps its APIC
 * on with every LVT entry masked, for its self-test's timer and NMIs.) */
#define KMSR_APIC_BASE 0x1bu
#define APIC_BASE_EN   (1ull << 11)
#define APIC_BASE_X2   (1ull << 10)
static char intr_state[160] = "not set up";
static int lapic_present;
static uint64_t lapic_base_after;

static void lapic_disable(void)
{
	uint32_t r[4];
	kcpuid(1, 0, r);
	lapic_present = (r[3] >> 9) & 1;
	uint64_t b;
	if (!lapic_present) {
		ksnprintf(intr_state, sizeof(intr_state),
			  "8259 PICs remapped to 0x%x and masked; no local APIC (CPUID.1:EDX[9] = 0)",
			  PIC_BASE);
	} else if (rdmsr_safe(KMSR_APIC_BASE, &b) != 0 ||
		   wrmsr_safe(KMSR_APIC_BASE, b & ~(APIC_BASE_EN | APIC_BASE_X2)) != 0 ||
		   rdmsr_safe(KMSR_APIC_BASE, &lapic_base_after) != 0) {
		lapic_base_after = APIC_BASE_EN;
		ksnprintf(intr_state, sizeof(intr_state),
			  "8259 PICs remapped to 0x%x and masked; local APIC: IA32_APIC_BASE access "
			  "raised #GP",
			  PIC_BASE);
	} else {
		ksnprintf(intr_state, sizeof(intr_state),
			  "8259 PICs remapped to 0x%x and masked; local APIC globally disabled "
			  "(IA32_APIC_BASE 0x%llx, was 0x%llx)",
			  PIC_BASE, (unsigned long long)lapic_base_after, (unsigned long long)b);
	}
}

const char *arch32_interrupts_state(void)
{
	return intr_state;
}

/* SYSENTER MSRs (CPUID SEP) and legacy SYSCALL: EFER.SCE and STAR. Both
 * through #GP-safe accessors: a CPU without the MSRs is reported by the
 * probes, not a crash. */
static void fast_msrs(const struct kcpuinfo *ci)
{
	k32_sysenter_msrs =
		ci->has_sep && wrmsr_safe(KMSR_SYSENTER_CS, kmsr_sysenter_cs(SYSENTER_CS_VAL)) == 0 &&
		wrmsr_safe(KMSR_SYSENTER_ESP, a(kentry_stack32_top)) == 0 &&
		wrmsr_safe(KMSR_SYSENTER_EIP, a(kstray_sysenter32)) == 0;
	uint64_t efer;
	if (rdmsr_safe(KMSR_EFER, &efer) != 0) {
		ksnprintf(syscall_state, sizeof(syscall_state), "no EFER (rdmsr #GP)");
	} else if (wrmsr_safe(KMSR_EFER, efer | KEFER_SCE) != 0) {
		ksnprintf(syscall_state, sizeof(syscall_state), "EFER.SCE write raised #GP");
	} else if (rdmsr_safe(KMSR_EFER, &efer) != 0 || !(efer & KEFER_SCE)) {
		ksnprintf(syscall_state, sizeof(syscall_state), "EFER.SCE does not stick");
	} else if (wrmsr_safe(KMSR_STAR, star_value(a(kstray_syscall32))) != 0) {
		ksnprintf(syscall_state, sizeof(syscall_state), "STAR write raised #GP");
	} else {
		k32_syscall_enabled = 1;
		ksnprintf(syscall_state, sizeof(syscall_state), "EFER.SCE set, STAR written");
	}
}

const char *k32_syscall_state(void)
{
	return syscall_state;
}

void arch32_init(void)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);

	kgdt32[0] = 0;
	kgdt32[SEL_KCODE / 8] = kdesc_code32(0);
	kgdt32[SEL_KDATA / 8] = kdesc_data(0);
	kgdt32[SEL_UCODE / 8] = kdesc_code32(3);
	kgdt32[SEL_UDATA / 8] = kdesc_data(3);
	task32_init();
	kgdt32[SEL_CGATE / 8] = 0;       /* gates: not present until a path installs them */
	kgdt32[SEL_CGATE_PARAM / 8] = 0;
	kgdt32[SEL_TASKGATE / 8] = 0;
	struct dtr32 d = { sizeof(kgdt32) - 1, a(kgdt32) };
	lgdt32(&d);
	__asm__ volatile("ljmp %[cs], $1f\n"
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
			 : "eax", "memory");
	ltr32(SEL_TSS_MAIN);

	for (unsigned v = 0; v < 256; v++)
		idt32_set_generic(v);
	struct dtr32 i = { sizeof(kidt32) - 1, a(kidt32) };
	lidt32(&i);

	pic_mask_all();
	lapic_disable();
	fast_msrs(&ci);
	amd_lfence_serializing();
}

void arch32_selfcheck(void)
{
	struct dtr32 d;
	sgdt32(&d);
	tap_check(d.base == a(kgdt32) && d.limit == sizeof(kgdt32) - 1,
		  "GDTR holds the kernel GDT (%u slots)", (unsigned)GDT_ENTRIES);
	tap_check(kgdt32[SEL_KCODE / 8] == 0x00cf9b000000ffffull &&
			  kgdt32[SEL_KDATA / 8] == 0x00cf93000000ffffull &&
			  kgdt32[SEL_UCODE / 8] == 0x00cffb000000ffffull &&
			  kgdt32[SEL_UDATA / 8] == 0x00cff3000000ffffull,
		  "GDT slots 0x08-0x20: flat 32-bit code and data, DPL 0 and 3");
	tap_check(kgdt32[SEL_CGATE / 8] == 0 && kgdt32[SEL_CGATE_PARAM / 8] == 0 &&
			  kgdt32[SEL_TASKGATE / 8] == 0,
		  "GDT gate slots 0x%x-0x%x empty (not present) until a path installs them",
		  SEL_CGATE, SEL_TASKGATE);

	uint64_t star = 0, secs = 0, seip = 0, sesp = 0, efer = 0;
	if (k32_syscall_enabled)
		star = rdmsr(KMSR_STAR);
	if (k32_sysenter_msrs) {
		secs = rdmsr(KMSR_SYSENTER_CS);
		sesp = rdmsr(KMSR_SYSENTER_ESP);
		seip = rdmsr(KMSR_SYSENTER_EIP);
	}
	uint32_t bad = kdesc_check_legacy_fast_layout(
		kgdt32, GDT_ENTRIES, star_value(0), (uint16_t)kmsr_sysenter_cs(SYSENTER_CS_VAL));
	tap_check(bad == 0,
		  "GDT satisfies legacy SYSCALL/SYSRET and SYSENTER/SYSEXIT selector arithmetic (failures 0x%x)",
		  bad);
	if (k32_sysenter_msrs)
		tap_check(secs == kmsr_sysenter_cs(SYSENTER_CS_VAL) &&
				  sesp == a(kentry_stack32_top) &&
				  seip == a(kstray_sysenter32),
			  "SYSENTER_CS/ESP/EIP read back (idle: stray-entry stub)");
	else
		tap_check(1, "SYSENTER MSRs not written: CPUID reports no SEP or they raised #GP "
			     "(legacy-sysenter is probed anyway)");
	if (k32_syscall_enabled)
		tap_check(star == star_value(a(kstray_syscall32)),
			  "STAR reads back 0x%016llx (legacy EIP: stray-entry stub)",
			  (unsigned long long)star);
	else
		tap_check(1, "legacy SYSCALL not set up: %s (legacy-syscall is probed anyway)",
			  syscall_state);
	if (rdmsr_safe(KMSR_EFER, &efer) == 0)
		tap_check(!(efer & (KEFER_LME | KEFER_LMA)),
			  "EFER.LME and LMA clear: legacy protected mode, not IA-32e (0x%llx)",
			  (unsigned long long)efer);
	else
		tap_check(1, "no EFER MSR: a CPU without long mode runs this kernel too");

	struct dtr32 i;
	sidt32(&i);
	tap_check(i.base == a(kidt32) && i.limit == 256 * 8 - 1, "IDTR holds the 256-entry IDT");
	int idt_ok = 1;
	for (unsigned v = 0; v < 256; v++)
		if (kidt32[v] != idt32_generic(v))
			idt_ok = 0;
	tap_check(idt_ok, "IDT: 256 resting gates (32-bit interrupt gates DPL 0, #BP and 0x%x DPL 3)",
		  VEC_DONE);
	tap_check(kdesc_seg_type(kidt32[VEC_DF]) == KDESC_SYS_TASKGATE &&
			  kdesc_gate32_selector(kidt32[VEC_DF]) == SEL_TSS_DF &&
			  kdesc_seg_present(kidt32[VEC_DF]),
		  "IDT: #DF (vector 8) is a task gate to TSS 0x%x", SEL_TSS_DF);
	tap_check(inb(0x21) == 0xff && inb(0xa1) == 0xff &&
			  (!lapic_present || !(lapic_base_after & APIC_BASE_EN)),
		  "every interrupt source masked: PIC IMR 0x%02x/0x%02x, local APIC %s",
		  inb(0x21), inb(0xa1),
		  !lapic_present ? "absent" : (lapic_base_after & APIC_BASE_EN) ? "still enabled"
										: "globally disabled");
}
