/* kentry core: decoding CPUID into the facts kentry reports.
 *
 * The decoders take raw register values so that they can be unit-tested
 * against known vectors; kcpuinfo_read() fills them from the live CPU.
 * Freestanding-safe (no libc). */
#ifndef KENTRY_CORE_CPUINFO_H
#define KENTRY_CORE_CPUINFO_H

#include <stdint.h>

/* Where the TSC frequency came from, in the order kentry prefers them:
 *   1. leaf 0x15 when it states the crystal frequency (ECX != 0): the SDM's
 *      exact TSC = crystal x EBX / EAX;
 *   2. under a hypervisor, its timing leaf 0x40000010 (EAX = TSC kHz);
 *   3. a measurement against a reference clock (CLOCK_MONOTONIC_RAW in the
 *      Linux world, the 8254 PIT in the kernel);
 *   4. leaf 0x16's processor base frequency, a nominal figure that is not
 *      the TSC's on many CPUs: only when nothing else is known.
 * A CPUID figure that disagrees with the measurement by more than
 * KTSC_FREQ_TOLERANCE is not used: the measurement is, and the
 * disagreement is reported. */
enum ktsc_freq_method {
	KTSC_FREQ_NONE = 0,
	KTSC_FREQ_CPUID_15H,     /* crystal clock x TSC/crystal ratio */
	KTSC_FREQ_HYPERVISOR,    /* leaf 0x40000010 EAX, TSC kHz (VMware/KVM/QEMU) */
	KTSC_FREQ_MEASURED,      /* measured against a reference clock */
	KTSC_FREQ_CPUID_16H,     /* processor base frequency (nominal) */
};

#define KTSC_FREQ_TOLERANCE 0.005 /* 0.5 % */

/* "cpuid-0x15", "cpuid-0x40000010", "measured", "cpuid-0x16", "none". */
const char *ktsc_freq_method_name(enum ktsc_freq_method m);

/* The raw CPUID registers the TSC frequency is decided from (0 where the
 * leaf does not exist), so that the decision can be unit-tested against
 * fixtures of real and made-up CPUs. */
struct ktsc_cpuid {
	uint32_t max_leaf;        /* CPUID.0:EAX */
	uint32_t eax15, ebx15, ecx15; /* leaf 0x15: ratio denominator, numerator, crystal Hz */
	uint32_t eax16;           /* leaf 0x16: base MHz in bits 15:0 */
	int hypervisor;           /* CPUID.1:ECX[31] */
	uint32_t hv_max_leaf;     /* CPUID.0x40000000:EAX */
	uint32_t eax_hv10;        /* leaf 0x40000010: TSC kHz */
};

/* The decision, with what it was decided from. */
struct ktsc_freq {
	uint64_t hz;                       /* the frequency to use; 0 if unknown */
	enum ktsc_freq_method method;
	uint64_t cpuid_hz;                 /* the first CPUID figure in the order above, 0 if none */
	enum ktsc_freq_method cpuid_method;
	uint64_t measured_hz;              /* the caller's measurement, 0 if none */
	int disagree;                      /* cpuid_hz and measured_hz differ by > 0.5 % */
	double diff;                       /* (cpuid_hz - measured_hz) / measured_hz */
};

/* Decides the TSC frequency from CPUID and an optional measurement
 * (measured_hz 0: none), in the order above. */
void ktsc_freq_decide(const struct ktsc_cpuid *c, uint64_t measured_hz,
		      struct ktsc_freq *out);

struct kcpuinfo {
	char vendor[13];          /* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];           /* brand string, leading spaces stripped */
	char hv_signature[13];    /* CPUID 0x40000000 EBX:ECX:EDX, "" if none */
	uint32_t max_leaf, max_ext_leaf, hv_max_leaf;
	uint32_t family, model, stepping; /* display family/model (SDM rules) */
	int hypervisor_bit;       /* CPUID.1:ECX[31] */
	int has_rdtscp, has_pcid, has_invariant_tsc, has_sep, has_syscall;
	int has_lm, has_fsgsbase, has_smep, has_smap, has_umip;
	int has_fred, has_lkgs;   /* CPUID.(EAX=7,ECX=1):EAX[17], [18] */
	struct ktsc_cpuid tsc;    /* the leaves the TSC frequency is decided from */
};

/* Display family/model/stepping from CPUID.1:EAX, per Intel SDM vol. 2A
 * (CPUID) and AMD APM vol. 3 (E.3.2): extended family is added only when
 * the base family is 0xF; extended model is prepended when the base family
 * is 0x6 (Intel) or 0xF. */
void kcpuinfo_decode_signature(uint32_t eax1, uint32_t *family, uint32_t *model,
			       uint32_t *stepping);

void kcpuinfo_read(struct kcpuinfo *ci);

#endif
