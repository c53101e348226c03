/* The TSC frequency decision (core/cpuinfo.c ktsc_freq_decide) against
 * CPUID fixtures: leaf 0x15 with and without the crystal frequency, leaf
 * 0x16 alone, the hypervisor leaf, nothing at all; with and without a
 * measurement, agreeing and disagreeing. Then the environment keys the
 * Linux world writes from a decision (linux/env.c kenv_set_tsc). */
#include "unit/t.h"
#include "core/cpuinfo.h"
#include "core/result.h"
#include "linux/env.h"

#include <string.h>

/* A CPU that states its crystal: 0x15 EAX=2, EBX=216, ECX=24 MHz, so the
 * TSC is 24 MHz x 216 / 2 = 2.592 GHz exactly; 0x16 says 2.6 GHz base. */
static const struct ktsc_cpuid crystal = { 0x16, 2, 216, 24000000, 2600, 0, 0, 0 };
/* The common client case: the ratio without the crystal (ECX = 0), and a
 * base frequency in 0x16 that is nominal, not the TSC's. */
static const struct ktsc_cpuid ratio_only = { 0x16, 2, 284, 0, 3400, 0, 0, 0 };
/* Only leaf 0x16 (0x15 all zero). */
static const struct ktsc_cpuid only16 = { 0x16, 0, 0, 0, 3000, 0, 0, 0 };
/* A KVM guest whose hypervisor offers the timing leaf 0x40000010. */
static const struct ktsc_cpuid kvm_leaf = { 0x0d, 0, 0, 0, 0, 1, 0x40000010u, 2596136 };
/* An AMD guest like the development machine: no 0x15/0x16 content, the
 * hypervisor's leaves stop at 0x40000001. */
static const struct ktsc_cpuid nothing = { 0x1c, 0, 0, 0, 0, 1, 0x40000001u, 0 };

int main(void)
{
	struct ktsc_freq f;

	/* 1. leaf 0x15 with ECX: used, whatever 0x16 says */
	ktsc_freq_decide(&crystal, 0, &f);
	T_EQ_U64(f.hz, 2592000000ull);
	T_CHECK(f.method == KTSC_FREQ_CPUID_15H);
	T_STREQ(ktsc_freq_method_name(f.method), "cpuid-0x15");
	T_CHECK(!f.disagree);
	/* ... and when the measurement agrees (within 0.5 %) */
	ktsc_freq_decide(&crystal, 2591000000ull, &f);
	T_EQ_U64(f.hz, 2592000000ull);
	T_CHECK(f.method == KTSC_FREQ_CPUID_15H);
	T_CHECK(!f.disagree);
	T_EQ_U64(f.measured_hz, 2591000000ull);
	/* ... but a measurement 4 % away wins and the disagreement is kept */
	ktsc_freq_decide(&crystal, 2700000000ull, &f);
	T_EQ_U64(f.hz, 2700000000ull);
	T_CHECK(f.method == KTSC_FREQ_MEASURED);
	T_CHECK(f.disagree);
	T_EQ_U64(f.cpuid_hz, 2592000000ull);
	T_CHECK(f.cpuid_method == KTSC_FREQ_CPUID_15H);
	T_NEAR(f.diff, -0.04, 1e-9);
	/* 0.5 % exactly is still agreement; just above is not */
	ktsc_freq_decide(&crystal, 2579104478ull, &f); /* 2.592 / 1.005 */
	T_CHECK(!f.disagree && f.method == KTSC_FREQ_CPUID_15H);
	ktsc_freq_decide(&crystal, 2578000000ull, &f);
	T_CHECK(f.disagree && f.method == KTSC_FREQ_MEASURED);

	/* 2. leaf 0x15 without ECX is not a frequency: the measurement
	 * comes first, 0x16's base only without one */
	ktsc_freq_decide(&ratio_only, 3408000000ull, &f);
	T_EQ_U64(f.hz, 3408000000ull);
	T_CHECK(f.method == KTSC_FREQ_MEASURED);
	T_EQ_U64(f.cpuid_hz, 3400000000ull);
	T_CHECK(f.cpuid_method == KTSC_FREQ_CPUID_16H);
	T_CHECK(!f.disagree); /* 0.23 % */
	ktsc_freq_decide(&ratio_only, 0, &f);
	T_EQ_U64(f.hz, 3400000000ull);
	T_CHECK(f.method == KTSC_FREQ_CPUID_16H);

	/* 3. 0x16 alone: last; a base 10 % off the measurement is reported */
	ktsc_freq_decide(&only16, 2700000000ull, &f);
	T_EQ_U64(f.hz, 2700000000ull);
	T_CHECK(f.method == KTSC_FREQ_MEASURED);
	T_CHECK(f.disagree);
	T_CHECK(f.cpuid_method == KTSC_FREQ_CPUID_16H);
	ktsc_freq_decide(&only16, 0, &f);
	T_EQ_U64(f.hz, 3000000000ull);
	T_CHECK(f.method == KTSC_FREQ_CPUID_16H);
	T_STREQ(ktsc_freq_method_name(f.method), "cpuid-0x16");
	/* leaves above the maximum leaf are not read */
	struct ktsc_cpuid low = only16;
	low.max_leaf = 0x0d;
	ktsc_freq_decide(&low, 0, &f);
	T_EQ_U64(f.hz, 0);
	T_CHECK(f.method == KTSC_FREQ_NONE);

	/* 4. the hypervisor leaf, in kHz */
	ktsc_freq_decide(&kvm_leaf, 2597000000ull, &f);
	T_EQ_U64(f.hz, 2596136000ull);
	T_CHECK(f.method == KTSC_FREQ_HYPERVISOR);
	T_STREQ(ktsc_freq_method_name(f.method), "cpuid-0x40000010");
	ktsc_freq_decide(&kvm_leaf, 0, &f);
	T_EQ_U64(f.hz, 2596136000ull);
	/* a hypervisor leaf 1 % off the measurement gives way to it */
	ktsc_freq_decide(&kvm_leaf, 2570000000ull, &f);
	T_EQ_U64(f.hz, 2570000000ull);
	T_CHECK(f.method == KTSC_FREQ_MEASURED && f.disagree);
	T_CHECK(f.cpuid_method == KTSC_FREQ_HYPERVISOR);
	/* without the hypervisor bit, or below the maximum leaf, 0x40000010
	 * means nothing */
	struct ktsc_cpuid bare = kvm_leaf;
	bare.hypervisor = 0;
	ktsc_freq_decide(&bare, 0, &f);
	T_EQ_U64(f.hz, 0);
	bare = kvm_leaf;
	bare.hv_max_leaf = 0x40000001u;
	ktsc_freq_decide(&bare, 2600000000ull, &f);
	T_CHECK(f.method == KTSC_FREQ_MEASURED);
	T_EQ_U64(f.cpuid_hz, 0);
	/* 0x15 with ECX comes before the hypervisor leaf */
	struct ktsc_cpuid both = kvm_leaf;
	both.max_leaf = 0x15;
	both.eax15 = 2;
	both.ebx15 = 216;
	both.ecx15 = 24000000;
	ktsc_freq_decide(&both, 0, &f);
	T_CHECK(f.method == KTSC_FREQ_CPUID_15H);

	/* 5. nothing from CPUID: the measurement, or nothing at all */
	ktsc_freq_decide(&nothing, 2596100000ull, &f);
	T_EQ_U64(f.hz, 2596100000ull);
	T_CHECK(f.method == KTSC_FREQ_MEASURED);
	T_EQ_U64(f.cpuid_hz, 0);
	T_CHECK(!f.disagree);
	ktsc_freq_decide(&nothing, 0, &f);
	T_EQ_U64(f.hz, 0);
	T_CHECK(f.method == KTSC_FREQ_NONE);
	T_STREQ(ktsc_freq_method_name(f.method), "none");

	/* The environment keys: the measurement named as the Linux world
	 * names it, the CPUID figure beside it, a warning on disagreement. */
	struct kenv e = { 0 };
	ktsc_freq_decide(&crystal, 2700000000ull, &f);
	kenv_set_tsc(&e, &f, "calibrated (CLOCK_MONOTONIC_RAW)");
	T_STREQ(kenv_get(&e, "tsc.hz"), "2700000000");
	T_STREQ(kenv_get(&e, "tsc.method"), "calibrated (CLOCK_MONOTONIC_RAW)");
	T_STREQ(kenv_get(&e, "tsc.measured_hz"), "2700000000");
	T_STREQ(kenv_get(&e, "tsc.cpuid_hz"), "2592000000");
	T_STREQ(kenv_get(&e, "tsc.cpuid_method"), "cpuid-0x15");
	const char *w = kenv_get(&e, "tsc.warning");
	T_CHECK(w && strstr(w, "cpuid-0x15 says 2.592 GHz") && strstr(w, "-4.0 %") &&
		strstr(w, "the measurement is used"));
	if (w)
		printf("# warning: %s\n", w);
	kenv_free(&e);
	ktsc_freq_decide(&crystal, 2591000000ull, &f);
	kenv_set_tsc(&e, &f, "calibrated (CLOCK_MONOTONIC_RAW)");
	T_STREQ(kenv_get(&e, "tsc.method"), "cpuid-0x15");
	T_CHECK(kenv_get(&e, "tsc.warning") == NULL);
	kenv_free(&e);

	/* The live machine: a frequency from somewhere, and a measurement
	 * within 0.5 % of it whenever CPUID's figure was the one used. */
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	double m = klinux_tsc_measure();
	T_CHECK(m > 1e8 && m < 1e10);
	ktsc_freq_decide(&ci.tsc, (uint64_t)m, &f);
	T_CHECK(f.hz > 0);
	T_CHECK(f.method == KTSC_FREQ_MEASURED || !f.disagree);
	printf("# live: %s %.0f Hz (measured %.0f Hz)\n", ktsc_freq_method_name(f.method),
	       (double)f.hz, m);
	return T_DONE();
}
