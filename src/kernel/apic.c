/* kentry kernel: the interrupt controllers.
 *
 * Ring 3 runs with RFLAGS.IF = 1 (what a real kernel's entries pay for:
 * iretq and sysret restore IF, sysexit needs sti), so every interrupt
 * source is masked where it starts instead of at the CPU:
 *   - the 8259 PICs are reprogrammed to vectors 0x20-0x2f (away from the
 *     exceptions, in case anything ever gets through) and fully masked;
 *   - the local APIC stays software-enabled (the self-tests use its timer
 *     and NMIs) with every LVT entry masked, TPR 0, and a spurious vector
 *     whose stub only returns;
 *   - the I/O APIC's redirection entries are masked at reset and stay so,
 *     except one the self-test routes on purpose (apic_pit_nmi).
 * Nothing therefore arrives during a measurement; `env kernel.interrupts`
 * says what was masked and TAP lines read the masks back.
 *
 * The xAPIC registers are MMIO at IA32_APIC_BASE (normally 0xfee00000),
 * mapped by vm.c as an uncached supervisor page; in x2APIC mode the same
 * registers are MSRs 0x800 + offset/16. Both are handled. */
#include "apic.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"
#include "vm.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2 (1ull << 10)

/* xAPIC register offsets (SDM vol. 3 table 11-1) */
#define A_ID      0x020
#define A_VERSION 0x030
#define A_TPR     0x080
#define A_EOI     0x0b0
#define A_SVR     0x0f0
#define A_ICR_LO  0x300
#define A_ICR_HI  0x310
#define A_LVT_CMCI 0x2f0
#define A_LVT_TIMER 0x320
#define A_LVT_THERMAL 0x330
#define A_LVT_PERF 0x340
#define A_LVT_LINT0 0x350
#define A_LVT_LINT1 0x360
#define A_LVT_ERROR 0x370
#define A_TIMER_INIT 0x380
#define A_TIMER_CUR 0x390
#define A_TIMER_DIV 0x3e0

#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)

struct kapic kapic;

static uint32_t apic_read(uint32_t reg)
{
	if (kapic.x2)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *(volatile uint32_t *)(uintptr_t)(kapic.regs + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (kapic.x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		*(volatile uint32_t *)(uintptr_t)(kapic.regs + reg) = v;
}

/* 8259: ICW1 (edge, cascade, ICW4), ICW2 vector base, ICW3 wiring, ICW4
 * 8086 mode, then OCW1 = every line masked. */
static void pic_remap_and_mask(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE);
	outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static uint32_t cpuid_edx1(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

void apic_init(void)
{
	pic_remap_and_mask();
	kapic.pic_masked = 1;
	if (!(cpuid_edx1() & (1u << 9))) {
		ksnprintf(kapic.state, sizeof(kapic.state), "PIC masked; no local APIC (CPUID)");
		return;
	}
	uint64_t b = rdmsr(MSR_APIC_BASE);
	kapic.x2 = (b & APIC_BASE_X2) != 0;
	kapic.base = b & 0xfffff000ull;
	if (!(b & APIC_BASE_ENABLE)) {
		wrmsr(MSR_APIC_BASE, b | APIC_BASE_ENABLE);
		b = rdmsr(MSR_APIC_BASE);
	}
	/* in the MMIO window of the upper half, which every address space
	 * shares (a process's may use the identity address) */
	if (!kapic.x2 && !(kapic.regs = kvm_map_io(kapic.base, 4096,
						   PTE_W | PTE_PCD | PTE_PWT | PTE_NX_IF))) {
		ksnprintf(kapic.state, sizeof(kapic.state), "PIC masked; local APIC not mapped");
		return;
	}
	kvm_flush();
	kapic.present = 1;
	kapic.id = kapic.x2 ? apic_read(A_ID) : apic_read(A_ID) >> 24;
	kapic.lvts = ((apic_read(A_VERSION) >> 16) & 0xff) + 1;
	apic_write(A_TPR, 0);
	apic_write(A_LVT_TIMER, LVT_MASKED | VEC_APIC_TIMER);
	apic_write(A_TIMER_INIT, 0);
	apic_write(A_LVT_LINT0, LVT_MASKED);
	apic_write(A_LVT_LINT1, LVT_MASKED);
	apic_write(A_LVT_ERROR, LVT_MASKED | VEC_APIC_SPURIOUS);
	if (kapic.lvts >= 5)
		apic_write(A_LVT_PERF, LVT_MASKED);
	if (kapic.lvts >= 6)
		apic_write(A_LVT_THERMAL, LVT_MASKED);
	if (kapic.lvts >= 7)
		apic_write(A_LVT_CMCI, LVT_MASKED);
	/* software-enable with the spurious vector (bit 8) */
	apic_write(A_SVR, (1u << 8) | VEC_APIC_SPURIOUS);
	ksnprintf(kapic.state, sizeof(kapic.state),
		  "PIC masked (vectors 0x%x-0x%x); local APIC %s at 0x%lx, id %u, %u LVT entries masked",
		  VEC_PIC_BASE, VEC_PIC_BASE + 15, kapic.x2 ? "x2APIC" : "xAPIC", kapic.base,
		  kapic.id, kapic.lvts);
}

int apic_all_masked(void)
{
	if (inb(0x21) != 0xff || inb(0xa1) != 0xff)
		return 0;
	if (!kapic.present)
		return 1;
	int ok = (apic_read(A_LVT_TIMER) & LVT_MASKED) && (apic_read(A_LVT_LINT0) & LVT_MASKED) &&
		 (apic_read(A_LVT_LINT1) & LVT_MASKED) && (apic_read(A_LVT_ERROR) & LVT_MASKED);
	if (kapic.lvts >= 5)
		ok = ok && (apic_read(A_LVT_PERF) & LVT_MASKED);
	if (kapic.lvts >= 6)
		ok = ok && (apic_read(A_LVT_THERMAL) & LVT_MASKED);
	return ok && apic_read(A_TIMER_INIT) == 0;
}

void apic_eoi(void)
{
	apic_write(A_EOI, 0);
}

/* Timer: divide by 1, `count` bus ticks, periodic or one-shot, on
 * VEC_APIC_TIMER. Under QEMU the APIC bus clock is 1 GHz of virtual time
 * (with -icount shift=0: one instruction per ns). */
void apic_timer_start(uint32_t count, int periodic)
{
	if (!kapic.present)
		return;
	apic_write(A_TIMER_DIV, 0xb); /* divide by 1 */
	apic_write(A_LVT_TIMER, VEC_APIC_TIMER | (periodic ? LVT_PERIODIC : 0));
	apic_write(A_TIMER_INIT, count);
}

void apic_timer_stop(void)
{
	if (!kapic.present)
		return;
	apic_write(A_LVT_TIMER, LVT_MASKED | VEC_APIC_TIMER);
	apic_write(A_TIMER_INIT, 0);
}

/* An NMI to this CPU through the ICR: "no shorthand" with our own APIC id
 * (the "self" shorthand is valid with fixed delivery only). */
void apic_self_nmi(void)
{
	if (!kapic.present)
		return;
	if (kapic.x2) {
		wrmsr(0x830, ((uint64_t)kapic.id << 32) | (4u << 8));
		return;
	}
	apic_write(A_ICR_HI, kapic.id << 24);
	apic_write(A_ICR_LO, 4u << 8); /* delivery mode NMI, edge, physical */
}

uint32_t apic_timer_current(void)
{
	return kapic.present ? apic_read(A_TIMER_CUR) : 0;
}

/* ---- Asynchronous NMIs: the PIT through the I/O APIC ----------------------------
 * A self-NMI sent from the timer handler is delivered right there, in
 * ring 0. To have NMIs arrive at any instruction (the first one of an entry
 * stub included) they must come from outside the CPU: PIT channel 0 (ISA
 * IRQ 0, I/O APIC pin 2 on PCs and QEMU's pc machine) in rate-generator
 * mode, its redirection entry set to NMI delivery. Used by self-test case
 * 10 only; the entry is masked again afterwards (its reset state). */
#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_PIT_PIN 2

static uint64_t ioapic; /* its registers in the MMIO window, 0 until mapped */

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)ioapic = reg;
	*(volatile uint32_t *)(uintptr_t)(ioapic + 0x10) = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)(uintptr_t)ioapic = reg;
	return *(volatile uint32_t *)(uintptr_t)(ioapic + 0x10);
}

int apic_pit_nmi(int on, unsigned divisor)
{
	if (!kapic.present || kapic.x2)
		return 0;
	if (!ioapic) {
		if (!(ioapic = kvm_map_io(IOAPIC_BASE, 4096, PTE_W | PTE_PCD | PTE_PWT | PTE_NX_IF)))
			return 0;
		kvm_flush();
		/* version register: a missing I/O APIC reads all ones */
		if (ioapic_read(1) == 0xffffffffu)
			return 0;
	}
	uint32_t lo = 0x10 + 2 * IOAPIC_PIT_PIN;
	if (!on) {
		ioapic_write(lo, 1u << 16); /* masked */
		outb(0x43, 0x30);           /* PIT ch 0: mode 0, one terminal count, quiet */
		outb(0x40, 0xff);
		outb(0x40, 0xff);
		return 1;
	}
	ioapic_write(lo + 1, kapic.id << 24);
	ioapic_write(lo, 4u << 8); /* NMI delivery, physical, edge, unmasked */
	outb(0x43, 0x34);          /* PIT ch 0: lo/hi, mode 2 (rate generator) */
	outb(0x40, (uint8_t)divisor);
	outb(0x40, (uint8_t)(divisor >> 8));
	return 1;
}
