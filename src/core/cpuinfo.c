/* kentry core: CPUID decoding. See cpuinfo.h. */
#include "cpuinfo.h"
#include "tsc.h"

const char *ktsc_freq_method_name(enum ktsc_freq_method m)
{
	switch (m) {
	case KTSC_FREQ_CPUID_15H: return "cpuid-0x15";
	case KTSC_FREQ_HYPERVISOR: return "cpuid-0x40000010";
	case KTSC_FREQ_MEASURED: return "measured";
	case KTSC_FREQ_CPUID_16H: return "cpuid-0x16";
	case KTSC_FREQ_NONE: break;
	}
	return "none";
}

/* The CPUID figure that comes before the measurement, if any. */
static uint64_t cpuid_exact(const struct ktsc_cpuid *c, enum ktsc_freq_method *m)
{
	/* SDM vol. 2A, CPUID leaf 15H: TSC Hz = ECX * EBX / EAX, defined only
	 * when ECX (the nominal crystal frequency) is enumerated; EBX = 0
	 * means the ratio is not enumerated either. */
	if (c->max_leaf >= 0x15 && c->eax15 && c->ebx15 && c->ecx15) {
		*m = KTSC_FREQ_CPUID_15H;
		return (uint64_t)c->ecx15 * c->ebx15 / c->eax15;
	}
	/* The hypervisor timing leaf (VMware's convention; KVM/QEMU offer it
	 * with vmware-cpuid-freq): EAX = the TSC frequency the guest sees,
	 * in kHz. Only meaningful under a hypervisor that has the leaf. */
	if (c->hypervisor && c->hv_max_leaf >= 0x40000010u && c->eax_hv10) {
		*m = KTSC_FREQ_HYPERVISOR;
		return (uint64_t)c->eax_hv10 * 1000u;
	}
	*m = KTSC_FREQ_NONE;
	return 0;
}

void ktsc_freq_decide(const struct ktsc_cpuid *c, uint64_t measured_hz,
		      struct ktsc_freq *out)
{
	struct ktsc_freq f = { 0 };
	f.measured_hz = measured_hz;
	f.cpuid_hz = cpuid_exact(c, &f.cpuid_method);
	/* Leaf 0x16 EAX[15:0] is the processor base frequency in MHz: the
	 * TSC runs at it on many Intel CPUs, but not on all, so it comes
	 * after the measurement. */
	uint64_t base = c->max_leaf >= 0x16 ? (uint64_t)(c->eax16 & 0xffff) * 1000000u : 0;
	if (!f.cpuid_hz && base) {
		f.cpuid_hz = base;
		f.cpuid_method = KTSC_FREQ_CPUID_16H;
	}
	if (f.cpuid_hz && measured_hz) {
		f.diff = ((double)f.cpuid_hz - (double)measured_hz) / (double)measured_hz;
		f.disagree = f.diff > KTSC_FREQ_TOLERANCE || f.diff < -KTSC_FREQ_TOLERANCE;
	}
	if (f.cpuid_hz && f.cpuid_method != KTSC_FREQ_CPUID_16H &&
	    (!measured_hz || !f.disagree)) {
		f.hz = f.cpuid_hz;
		f.method = f.cpuid_method;
	} else if (measured_hz) {
		f.hz = measured_hz;
		f.method = KTSC_FREQ_MEASURED;
	} else if (f.cpuid_hz) {
		f.hz = f.cpuid_hz;
		f.method = f.cpuid_method;
	}
	*out = f;
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
		uint32_t subleaves = r[0];
		if (subleaves >= 1) {
			kcpuid(7, 1, r);
			ci->has_fred = (r[0] >> 17) & 1;
			ci->has_lkgs = (r[0] >> 18) & 1;
		}
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

	ci->tsc.max_leaf = ci->max_leaf;
	ci->tsc.hypervisor = ci->hypervisor_bit;
	ci->tsc.hv_max_leaf = ci->hv_max_leaf;
	if (ci->max_leaf >= 0x15) {
		kcpuid(0x15, 0, r);
		ci->tsc.eax15 = r[0];
		ci->tsc.ebx15 = r[1];
		ci->tsc.ecx15 = r[2];
	}
	if (ci->max_leaf >= 0x16) {
		kcpuid(0x16, 0, r);
		ci->tsc.eax16 = r[0];
	}
	if (ci->hypervisor_bit && ci->hv_max_leaf >= 0x40000010u) {
		kcpuid(0x40000010u, 0, r);
		ci->tsc.eax_hv10 = r[0];
	}
}
