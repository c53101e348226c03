/* kentry kernel: the invariants no ring-3 program may change, taken before
 * and after each self-test run and fuzz sequence: the GDT, the IDT, the
 * TSS, the entry MSRs (STAR, LSTAR, CSTAR, FMASK, SYSENTER_CS/ESP/EIP,
 * EFER), CR0, CR3, CR4 and DR7. */
#include "events.h"
#include "cpu.h"
#include "kernel.h"
#include "core/desc.h"

static const uint32_t msrs[8] = {
	KMSR_STAR, KMSR_LSTAR, KMSR_CSTAR, KMSR_FMASK, KMSR_SYSENTER_CS, KMSR_SYSENTER_ESP,
	KMSR_SYSENTER_EIP, KMSR_EFER,
};
static const char *const msr_names[8] = {
	"STAR", "LSTAR", "CSTAR", "FMASK", "SYSENTER_CS", "SYSENTER_ESP", "SYSENTER_EIP", "EFER",
};

void kinv_take(struct kinv *v)
{
	struct dtr d;
	/* word copies: lib.c's memcpy goes byte by byte, and the fuzzer takes
	 * this twice per sequence */
	for (unsigned i = 0; i < 13; i++)
		v->gdt[i] = kgdt[i];
	sidt(&d);
	const uint64_t *idt = (const uint64_t *)(uintptr_t)d.base;
	for (unsigned i = 0; i < 512; i++)
		v->idt[i] = idt[i];
	memcpy(v->tss, arch_tss(), sizeof(v->tss));
	for (unsigned i = 0; i < 8; i++)
		v->msr[i] = rdmsr(msrs[i]);
	v->cr0 = read_cr0();
	v->cr3 = read_cr3();
	v->cr4 = read_cr4();
	__asm__ volatile("mov %%dr7, %0" : "=r"(v->dr7));
}

const char *kinv_diff(const struct kinv *a, const struct kinv *b)
{
	static char buf[120];
	for (unsigned i = 0; i < 13; i++)
		if (a->gdt[i] != b->gdt[i]) {
			ksnprintf(buf, sizeof(buf), "GDT slot 0x%x changed: %lx -> %lx", i * 8,
				  a->gdt[i], b->gdt[i]);
			return buf;
		}
	for (unsigned i = 0; i < 512; i++)
		if (a->idt[i] != b->idt[i]) {
			ksnprintf(buf, sizeof(buf), "IDT vector 0x%x changed", i / 2);
			return buf;
		}
	if (memcmp(a->tss, b->tss, sizeof(a->tss)))
		return "the TSS changed";
	for (unsigned i = 0; i < 8; i++)
		if (a->msr[i] != b->msr[i]) {
			ksnprintf(buf, sizeof(buf), "MSR %s changed: %lx -> %lx", msr_names[i],
				  a->msr[i], b->msr[i]);
			return buf;
		}
	if (a->cr0 != b->cr0)
		return "CR0 changed";
	if (a->cr3 != b->cr3)
		return "CR3 changed";
	if (a->cr4 != b->cr4)
		return "CR4 changed";
	if (a->dr7 != b->dr7)
		return "DR7 changed";
	return NULL;
}
