/* kentry kernels: LFENCE made dispatch-serializing on AMD, as Linux does
 * (MSR C001_1029 bit 1), so that lfence;rdtsc;lfence orders the TSC reads
 * (core/tsc.h). Shared by the long-mode and the legacy 32-bit kernel: the
 * MSR is the same in both modes. It may be absent (older families,
 * emulators): #GP-safe access (rdmsr_safe/wrmsr_safe, each kernel's own
 * fixup table). The outcome is the `env cpu.lfence_serializing_msr` line. */
#include "kernel.h"
#include "cpu.h"
#include "core/cpuinfo.h"
#include "core/desc.h"

static char lfence_state[80] = "not attempted";

const char *lfence_msr_state(void)
{
	return lfence_state;
}

void amd_lfence_serializing(void)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	if (strcmp(ci.vendor, "AuthenticAMD") != 0 && strcmp(ci.vendor, "HygonGenuine") != 0) {
		ksnprintf(lfence_state, sizeof(lfence_state), "n/a (not AMD)");
		return;
	}
	uint64_t v;
	if (rdmsr_safe(KMSR_AMD_DE_CFG, &v) != 0) {
		ksnprintf(lfence_state, sizeof(lfence_state),
			  "unavailable (rdmsr C001_1029 raised #GP)");
		return;
	}
	if (v & 2) {
		ksnprintf(lfence_state, sizeof(lfence_state), "already set");
		return;
	}
	if (wrmsr_safe(KMSR_AMD_DE_CFG, v | 2) != 0) {
		ksnprintf(lfence_state, sizeof(lfence_state),
			  "unavailable (wrmsr C001_1029 raised #GP)");
		return;
	}
	uint64_t w = 0;
	int ok = rdmsr_safe(KMSR_AMD_DE_CFG, &w) == 0 && (w & 2);
	ksnprintf(lfence_state, sizeof(lfence_state), ok ? "set" : "write ignored");
}
