/* kentry core: CPUID decoding. See cpuinfo.h. */
#include "cpuinfo.h"
#include "tsc.h"

const char *ktsc_freq_method_name(enum ktsc_freq_method m)
{
	switch (m) {
	case KTSC_FREQ_CPUID_15H: return "cpuid-0x15";
	case KTSC_FREQ_CPUID_15H_16H: return "cpuid-0x15+0x16";
	case KTSC_FREQ_CPUID_16H: return "cpuid-0x16";
	case KTSC_FREQ_HYPERVISOR: return "cpuid-0x40000010";
	case KTSC_FREQ_CALIBRATED: return "calibrated";
	case KTSC_FREQ_NONE: break;
	}
	return "none";
}

uint64_t ktsc_freq_from_cpuid(uint32_t max_leaf, uint32_t eax15, uint32_t ebx15,
			      uint32_t ecx15, uint32_t eax16,
			      enum ktsc_freq_method *method)
{
	*method = KTSC_FREQ_NONE;
	if (max_leaf >= 0x15 && eax15 != 0 && ebx15 != 0) {
		/* SDM: TSC Hz = ECX * EBX / EAX when ECX (crystal Hz) is
		 * enumerated. */
		if (ecx15 != 0) {
			*method = KTSC_FREQ_CPUID_15H;
			return (uint64_t)ecx15 * ebx15 / eax15;
		}
		/* Crystal not enumerated: the SDM's fallback derives it from
		 * the base frequency of leaf 0x16:
		 * crystal = base * 1e6 * EAX / EBX, so TSC = base * 1e6. Only
		 * the ratio's presence is learned; the result is the base. */
		if (max_leaf >= 0x16 && (eax16 & 0xffff) != 0) {
			*method = KTSC_FREQ_CPUID_15H_16H;
			return (uint64_t)(eax16 & 0xffff) * 1000000u;
		}
	}
	if (max_leaf >= 0x16 && (eax16 & 0xffff) != 0) {
		*method = KTSC_FREQ_CPUID_16H;
		return (uint64_t)(eax16 & 0xffff) * 1000000u;
	}
	return 0;
}

void kcpuinfo_decode_signature(uint32_t eax1, uint32_t *family, uint32_t *model,
			       uint32_t *stepping)
{
	uint32_t base_family = (eax1 >> 8) & 0xf;
	uint32_t base_model = (eax1 >> 4) & 0xf;
	uint32_t ext_family = (eax1 >> 20) & 0xff;
	uint32_t ext_model = (eax1 >> 16) & 0xf;
	*stepping = eax1 & 0xf;
	*family = base_family == 0xf ? base_family + ext_family : base_family;
	*model = (base_family == 0x6 || base_family == 0xf)
			 ? (ext_model << 4) | base_model
			 : base_model;
}

static void copy_regs(char *dst, const uint32_t *regs, int count)
{
	for (int i = 0; i < count; i++)
		for (int b = 0; b < 4; b++)
			dst[i * 4 + b] = (char)((regs[i] >> (8 * b)) & 0xff);
	dst[count * 4] = '\0';
}

void kcpuinfo_read(struct kcpuinfo *ci)
{
	uint32_t r[4], v[3];
	char *p = (char *)ci;
	for (unsigned i = 0; i < sizeof(*ci); i++)
		p[i] = 0;

	kcpuid(0, 0, r);
	ci->max_leaf = r[0];
	v[0] = r[1]; v[1] = r[3]; v[2] = r[2];
	copy_regs(ci->vendor, v, 3);

	uint32_t ecx1 = 0, edx1 = 0;
	if (ci->max_leaf >= 1) {
		kcpuid(1, 0, r);
		kcpuinfo_decode_signature(r[0], &ci->family, &ci->model, &ci->stepping);
		ecx1 = r[2];
		edx1 = r[3];
	}
	ci->hypervisor_bit = (ecx1 >> 31) & 1;
	ci->has_pcid = (ecx1 >> 17) & 1;
	ci->has_sep = (edx1 >> 11) & 1;
	if (ci->max_leaf >= 7) {
		kcpuid(7, 0, r);
		ci->has_fsgsbase = r[1] & 1;
		ci->has_smep = (r[1] >> 7) & 1;
		ci->has_smap = (r[1] >> 20) & 1;
		ci->has_umip = (r[2] >> 2) & 1;
	}

	kcpuid(0x80000000u, 0, r);
	ci->max_ext_leaf = r[0];
	if (ci->max_ext_leaf >= 0x80000001u) {
		kcpuid(0x80000001u, 0, r);
		ci->has_syscall = (r[3] >> 11) & 1;
		ci->has_rdtscp = (r[3] >> 27) & 1;
		ci->has_lm = (r[3] >> 29) & 1;
	}
	if (ci->max_ext_leaf >= 0x80000004u) {
		char raw[49];
		for (uint32_t i = 0; i < 3; i++) {
			kcpuid(0x80000002u + i, 0, r);
			copy_regs(raw + 16 * i, r, 4);
		}
		int s = 0;
		while (raw[s] == ' ')
			s++;
		int d = 0;
		while (raw[s] && d < 48)
			ci->brand[d++] = raw[s++];
		while (d > 0 && ci->brand[d - 1] == ' ')
			d--;
		ci->brand[d] = '\0';
	}
	if (ci->max_ext_leaf >= 0x80000007u) {
		kcpuid(0x80000007u, 0, r);
		ci->has_invariant_tsc = (r[3] >> 8) & 1;
	}

	if (ci->hypervisor_bit) {
		kcpuid(0x40000000u, 0, r);
		ci->hv_max_leaf = r[0];
		copy_regs(ci->hv_signature, r + 1, 3);
	}

	uint32_t a15 = 0, b15 = 0, c15 = 0, a16 = 0;
	if (ci->max_leaf >= 0x15) {
		kcpuid(0x15, 0, r);
		a15 = r[0]; b15 = r[1]; c15 = r[2];
	}
	if (ci->max_leaf >= 0x16) {
		kcpuid(0x16, 0, r);
		a16 = r[0];
	}
	ci->tsc_hz_cpuid = ktsc_freq_from_cpuid(ci->max_leaf, a15, b15, c15, a16,
						&ci->tsc_method);
	/* Hypervisor timing leaf (VMware's convention, also offered by KVM
	 * and QEMU with "vmware-cpuid-freq"): EAX = TSC frequency in kHz. */
	if (ci->tsc_hz_cpuid == 0 && ci->hv_max_leaf >= 0x40000010u) {
		kcpuid(0x40000010u, 0, r);
		if (r[0] != 0) {
			ci->tsc_hz_cpuid = (uint64_t)r[0] * 1000u;
			ci->tsc_method = KTSC_FREQ_HYPERVISOR;
		}
	}
}
