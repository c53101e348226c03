/* Environment readers against fixture trees (tests/fixtures/env/). */
#include "unit/t.h"
#include "core/result.h"
#include "linux/env.h"

#include <stdlib.h>

int main(void)
{
	char v[512];
	const char *src;

	/* pure readers */
	const char *ci = "processor\t: 0\nvendor_id\t: GenuineIntel\nmicrocode\t: 0xf0 \n";
	T_CHECK(kenv_cpuinfo_field(ci, "microcode", v, sizeof(v)) == 0);
	T_STREQ(v, "0xf0");
	T_CHECK(kenv_cpuinfo_field(ci, "micro", v, sizeof(v)) == -1);
	T_CHECK(kenv_cpuinfo_field("", "microcode", v, sizeof(v)) == -1);

	T_CHECK(kenv_cmdline_value("a vsyscall=none b", "vsyscall", v, sizeof(v)) != NULL);
	T_STREQ(v, "none");
	T_CHECK(kenv_cmdline_value("a vsyscall=none vsyscall=xonly", "vsyscall", v, sizeof(v)) != NULL);
	T_STREQ(v, "xonly"); /* last one wins */
	T_CHECK(kenv_cmdline_value("nopti quiet", "nopti", v, sizeof(v)) != NULL);
	T_STREQ(v, "");
	T_CHECK(kenv_cmdline_value("nopti_x quiet", "nopti", v, sizeof(v)) == NULL);
	T_CHECK(kenv_cmdline_value("quiet -- vsyscall=none", "vsyscall", v, sizeof(v)) == NULL);

	kenv_mitigation_switches("root=/dev/sda pti=on quiet mitigations=off nospectre_v2 "
				 "spectre_v2=retpoline foo=bar -- mds=off", v, sizeof(v));
	T_STREQ(v, "pti=on mitigations=off nospectre_v2 spectre_v2=retpoline");
	kenv_mitigation_switches("quiet", v, sizeof(v));
	T_STREQ(v, "");

	T_STREQ(kenv_vsyscall_mode("x\nffffffffff600000-ffffffffff601000 --xp 0 0:0 0 [vsyscall]\n",
				   "quiet", &src), "xonly");
	T_STREQ(src, "/proc/self/maps");
	T_STREQ(kenv_vsyscall_mode("ffffffffff600000-ffffffffff601000 r-xp 0 0:0 0 [vsyscall]",
				   "", &src), "emulate");
	T_STREQ(kenv_vsyscall_mode("nothing here\n", "", &src), "none");
	T_STREQ(kenv_vsyscall_mode("", "vsyscall=native", &src), "native");
	T_STREQ(src, "kernel command line");
	T_STREQ(kenv_vsyscall_mode(NULL, NULL, &src), "none");

	T_STREQ(kenv_kpti("Mitigation: PTI\n", NULL), "yes");
	T_STREQ(kenv_kpti("Not affected\n", "fpu pti"), "no");
	T_STREQ(kenv_kpti(NULL, "fpu pti sse"), "yes");
	T_STREQ(kenv_kpti(NULL, "fpu ptix sse"), "no");
	T_STREQ(kenv_kpti(NULL, NULL), "unknown");

	/* FRED in use: the cpuinfo flag, a word of its own */
	T_STREQ(kenv_fred("fpu sep fred lkgs"), "on");
	T_STREQ(kenv_fred("fred"), "on");
	T_STREQ(kenv_fred("fpu freddy sep"), "off");
	T_STREQ(kenv_fred("fpu sep"), "off");
	T_STREQ(kenv_fred(NULL), "unknown");

	/* whole collection over fixture trees */
	struct kenv e = { 0 };
	kenv_collect(&e, "tests/fixtures/env/intel-kpti");
	T_STREQ(kenv_get(&e, "cpu.microcode"), "0x2f");
	T_STREQ(kenv_get(&e, "kpti"), "yes");
	T_STREQ(kenv_get(&e, "vsyscall.mode"), "emulate");
	T_STREQ(kenv_get(&e, "vsyscall.source"), "kernel command line");
	T_STREQ(kenv_get(&e, "kernel.release"), "4.14.13-1-ARCH");
	T_STREQ(kenv_get(&e, "kernel.cmdline_mitigations"),
		"vsyscall=emulate spectre_v2=retpoline pti=on");
	T_STREQ(kenv_get(&e, "vulnerabilities.meltdown"), "Mitigation: PTI");
	T_STREQ(kenv_get(&e, "vulnerabilities.spectre_v2"),
		"Mitigation: Full generic retpoline, IBPB: conditional, IBRS_FW");
	T_STREQ(kenv_get(&e, "seccomp"), "filter");
	T_CHECK(kenv_get(&e, "cpu.vendor") != NULL); /* live CPUID */
	kenv_free(&e);

	kenv_collect(&e, "tests/fixtures/env/amd-vm");
	T_STREQ(kenv_get(&e, "kpti"), "no");
	T_STREQ(kenv_get(&e, "vsyscall.mode"), "none"); /* the switch after -- is init's */
	T_STREQ(kenv_get(&e, "kernel.cmdline_mitigations"), "mitigations=auto,nosmt nopti");
	T_STREQ(kenv_get(&e, "vulnerabilities.spec_store_bypass"), "Vulnerable");
	T_STREQ(kenv_get(&e, "seccomp"), "none");
	T_STREQ(kenv_get(&e, "cpu.microcode"), "0xffffffff");
	kenv_free(&e);

	/* a kernel that uses FRED, asked for on its command line */
	kenv_collect(&e, "tests/fixtures/env/intel-fred");
	T_STREQ(kenv_get(&e, "kernel.fred"), "on");
	T_STREQ(kenv_get(&e, "kernel.cmdline_fred"), "fred=on");
	T_STREQ(kenv_get(&e, "kpti"), "no");
	T_CHECK(kenv_get(&e, "cpu.fred") != NULL); /* live CPUID */
	kenv_free(&e);
	kenv_collect(&e, "tests/fixtures/env/intel-kpti");
	T_STREQ(kenv_get(&e, "kernel.fred"), "off");
	T_STREQ(kenv_get(&e, "kernel.cmdline_fred"), "none");
	kenv_free(&e);

	/* a tree with nothing in it: every fact still has a value */
	kenv_collect(&e, "tests/fixtures/env/does-not-exist");
	T_STREQ(kenv_get(&e, "kpti"), "unknown");
	T_STREQ(kenv_get(&e, "cpu.microcode"), "unknown");
	T_STREQ(kenv_get(&e, "kernel.release"), "unknown");
	T_CHECK(kenv_get(&e, "vulnerabilities") != NULL);
	kenv_free(&e);

	/* the live machine: a TSC frequency from somewhere */
	const char *method = NULL;
	double hz = klinux_tsc_hz(&method);
	T_CHECK(hz > 1e8 && hz < 1e10);
	T_CHECK(method != NULL);
	return T_DONE();
}
