/* kentry core: decoding CPUID into the facts kentry reports.
 *
 * The decoders take raw register values so that they can be unit-tested
 * against known vectors; kcpuinfo_read() fills them from the live CPU.
 * Freestanding-safe (no libc). */
#ifndef KENTRY_CORE_CPUINFO_H
#define KENTRY_CORE_CPUINFO_H

#include <stdint.h>

enum ktsc_freq_method {
	KTSC_FREQ_NONE = 0,
	KTSC_FREQ_CPUID_15H,     /* crystal clock x TSC/crystal ratio */
	KTSC_FREQ_CPUID_15H_16H, /* ratio from 0x15, crystal derived from 0x16 base */
	KTSC_FREQ_CPUID_16H,     /* processor base frequency */
	KTSC_FREQ_HYPERVISOR,    /* leaf 0x40000010 EAX, TSC kHz (VMware/KVM/QEMU) */
	KTSC_FREQ_CALIBRATED,    /* measured against a reference clock */
};

const char *ktsc_freq_method_name(enum ktsc_freq_method m);

/* Decode leaf 0x15 (eax = denominator, ebx = numerator, ecx = crystal Hz)
 * and, optionally, leaf 0x16 (eax16 = base MHz). Returns the TSC frequency
 * in Hz, or 0 when these leaves do not give it; sets *method. */
uint64_t ktsc_freq_from_cpuid(uint32_t max_leaf, uint32_t eax15, uint32_t ebx15,
			      uint32_t ecx15, uint32_t eax16,
			      enum ktsc_freq_method *method);

struct kcpuinfo {
	char vendor[13];          /* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];           /* brand string, leading spaces stripped */
	char hv_signature[13];    /* CPUID 0x40000000 EBX:ECX:EDX, "" if none */
	uint32_t max_leaf, max_ext_leaf, hv_max_leaf;
	uint32_t family, model, stepping; /* display family/model (SDM rules) */
	int hypervisor_bit;       /* CPUID.1:ECX[31] */
	int has_rdtscp, has_pcid, has_invariant_tsc, has_sep, has_syscall;
	int has_lm, has_fsgsbase, has_smep, has_smap, has_umip;
	uint64_t tsc_hz_cpuid;    /* 0 when CPUID does not give it */
	enum ktsc_freq_method tsc_method;
};

/* Display family/model/stepping from CPUID.1:EAX, per Intel SDM vol. 2A
 * (CPUID) and AMD APM vol. 3 (E.3.2): extended family is added only when
 * the base family is 0xF; extended model is prepended when the base family
 * is 0x6 (Intel) or 0xF. */
void kcpuinfo_decode_signature(uint32_t eax1, uint32_t *family, uint32_t *model,
			       uint32_t *stepping);

void kcpuinfo_read(struct kcpuinfo *ci);

#endif
