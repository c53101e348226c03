/* Command-line parsing: every bad input is a one-line error and status 2,
 * found before anything is measured. */
#include "unit/t.h"
#include "cmd/cli.h"
#include "emu/boot.h"
#include "linux/linux.h"
#include "emu/boot.h"

#define ARGV(...) ((char *[]){ "kentry", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "kentry", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(c, ...) kcli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (c), err, sizeof(err))

int main(void)
{
	struct kcli c;
	char err[4096];
	uint32_t u;

	T_CHECK(kcli_parse(1, (char *[]){ "kentry", NULL }, &c, err, sizeof(err)) == 0);
	T_CHECK(c.cmd == KCMD_ALL);
	T_CHECK(c.op == KOP_NULL);
	T_STREQ(c.accel, "auto");

	T_CHECK(PARSE(&c, "bench", "--only", "syscall,vdso", "--op", "gettimeofday",
		      "--samples", "500", "--cpu", "1", "--quick") == 0);
	T_CHECK(c.cmd == KCMD_BENCH);
	T_EQ_U64(c.n_only, 2);
	T_STREQ(c.only[1], "vdso");
	T_CHECK(c.op == KOP_GETTIMEOFDAY);
	T_EQ_U64(c.samples, 500);
	T_CHECK(c.pin_cpu == 1);
	T_CHECK(c.quick == 1);

	T_CHECK(PARSE(&c, "bench", "--only=syscall", "--json=out.json") == 0);
	T_STREQ(c.json, "out.json");

	/* unknown id names the valid ones */
	T_CHECK(PARSE(&c, "bench", "--only", "syscall,bogus") == KEXIT_USAGE);
	T_CHECK(strstr(err, "unknown id 'bogus'") != NULL);
	T_CHECK(strstr(err, "int80-64") != NULL);
	T_CHECK(strchr(err, '\n') == NULL);
	/* a bare-metal id is not a Linux one */
	T_CHECK(PARSE(&c, "bench", "--only", "int-gate") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--only", "int-gate,syscall") == 0);
	T_CHECK(PARSE(&c, "boot", "--only", "vdso") == KEXIT_USAGE);
	T_CHECK(strstr(err, "compat-sysenter") != NULL);
	/* the bare command accepts ids of both worlds */
	T_CHECK(PARSE(&c, "--only", "vdso,int-gate") == 0);
	T_CHECK(PARSE(&c, "--only", ",") == KEXIT_USAGE);

	/* the kernel side's variant and ring 3's IF mode */
	T_CHECK(PARSE(&c, "boot", "--variant", "full", "--ring3-if", "0") == 0);
	T_STREQ(c.variant, "full");
	T_CHECK(c.ring3_if == 0);
	T_CHECK(PARSE(&c, "boot") == 0);
	T_CHECK(c.variant == NULL && c.ring3_if == -1);
	T_CHECK(PARSE(&c, "boot", "--variant", "hardened") == KEXIT_USAGE);
	T_CHECK(strstr(err, "minimal, full, both") != NULL);
	T_CHECK(PARSE(&c, "boot", "--ring3-if", "2") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--variant", "full") == KEXIT_USAGE);

	/* mitigations (the kernel's names, auto, all) and touched pages */
	T_CHECK(PARSE(&c, "boot", "--mitigations", "kpti,kpti-pcid,verw") == 0);
	T_STREQ(c.mitigations, "kpti,kpti-pcid,verw");
	T_CHECK(PARSE(&c, "boot", "--mitigations", "auto") == 0);
	T_CHECK(PARSE(&c, "boot", "--mitigations", "all,swapgs,ibrs,ibpb,rsb,bhb") == 0);
	T_CHECK(PARSE(&c, "boot", "--mitigations", "kpti,retpoline") == KEXIT_USAGE);
	T_CHECK(strstr(err, "'retpoline'") != NULL && strstr(err, "kpti, kpti-pcid, swapgs") != NULL);
	T_CHECK(PARSE(&c, "boot", "--mitigations", "kpti,") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--mitigations", "") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--mitigations", "kpti") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--variant", "minimal", "--mitigations", "kpti") == KEXIT_USAGE);
	T_CHECK(strstr(err, "full variant") != NULL);
	T_CHECK(PARSE(&c, "boot", "--variant", "full", "--mitigations", "kpti") == 0);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--mitigations", "kpti") == 0);
	T_CHECK(PARSE(&c, "boot", "--touch-pages", "64") == 0);
	T_CHECK(c.touch_pages == 64);
	T_CHECK(PARSE(&c, "boot", "--touch-pages", "256") == 0);
	T_CHECK(PARSE(&c, "boot", "--touch-pages", "257") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--touch-pages", "-1") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--touch-pages", "4") == KEXIT_USAGE);
	{
		char v[256];
		kboot_mitigation_variants("verw,kpti", v, sizeof(v));
		T_STREQ(v, "full+kpti,full+verw,full+all");
		kboot_mitigation_variants("bhb", v, sizeof(v));
		T_STREQ(v, "full+bhb");
		kboot_mitigation_variants("auto", v, sizeof(v));
		T_STREQ(v, "");
		kboot_mitigation_variants("all", v, sizeof(v));
		T_CHECK(strncmp(v, "full+kpti,full+kpti-pcid,full+swapgs,", 37) == 0 &&
			strstr(v, ",full+bhb,full+all") != NULL);
	}

	/* the self-test and the fuzzer */
	T_CHECK(PARSE(&c, "boot", "--selftest") == 0);
	T_CHECK(c.selftest == 1 && c.n_models == 2);
	T_STREQ(c.models[0], "intel");
	T_STREQ(c.models[1], "amd");
	T_CHECK(PARSE(&c, "boot", "--selftest", "--case", "2,9", "--cpu", "EPYC") == 0);
	T_STREQ(c.cases, "2,9");
	T_CHECK(c.n_models == 1);
	T_STREQ(c.models[0], "EPYC");
	T_CHECK(PARSE(&c, "boot", "--selftest", "--case", "2,,9") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--case", "99") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--case", "19") == KEXIT_USAGE);
	T_CHECK(strstr(err, "0 to 18") != NULL);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--case", "13") == 0);
	T_CHECK(c.fred == 0);
	/* the FRED cases ask for the FRED mode */
	T_CHECK(PARSE(&c, "boot", "--selftest", "--case", "0,14") == 0);
	T_CHECK(c.fred == 1);
	T_CHECK(PARSE(&c, "boot", "--case", "2") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--selftest") != NULL);
	T_CHECK(PARSE(&c, "boot", "--fuzz", "1000", "--seed", "7", "--cpu", "intel,amd") == 0);
	T_CHECK(c.fuzz_n == 1000 && c.seed == 7 && c.has_seed && c.replay == -1 && c.n_models == 2);
	T_CHECK(PARSE(&c, "boot", "--seed", "7", "--replay", "12") == 0);
	T_CHECK(c.replay == 12 && c.n_models == 1);
	T_CHECK(PARSE(&c, "boot", "--replay", "12") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--seed", "7") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--fuzz", "0") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--fuzz", "-3") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--fuzz", "5") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--fuzz", "5", "--only", "syscall") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--cpu", "intel,amd") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--selftest and --fuzz") != NULL);
	T_CHECK(PARSE(&c, "bench", "--selftest") == KEXIT_USAGE);

	/* bad numbers */
	T_CHECK(PARSE(&c, "bench", "--samples", "abc") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--samples") != NULL);
	T_CHECK(PARSE(&c, "bench", "--samples", "-5") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--samples", "5") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--samples", "99999999999999999999") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--cpu", "x") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--samples") == KEXIT_USAGE);
	T_CHECK(strstr(err, "needs a value") != NULL);

	/* single calls, fixed batches, rounds */
	T_CHECK(PARSE(&c, "bench", "--batch", "1", "--rounds", "20") == 0);
	T_EQ_U64(c.batch, 1);
	T_EQ_U64(c.rounds, 20);
	T_CHECK(PARSE(&c, "bench") == 0);
	T_EQ_U64(c.batch, 0); /* chosen per path */
	T_EQ_U64(c.rounds, 0);
	T_CHECK(PARSE(&c, "boot", "--batch", "1") == 0);
	T_EQ_U64(c.batch, 1);
	T_CHECK(PARSE(&c, "boot", "--rounds", "3") == KEXIT_USAGE); /* Linux world only */
	T_CHECK(PARSE(&c, "bench", "--batch", "0") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--batch") != NULL && strstr(err, "single calls") != NULL);
	T_CHECK(PARSE(&c, "bench", "--batch", "4097") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "--rounds", "0") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--rounds") != NULL);
	T_CHECK(PARSE(&c, "bench", "--rounds", "1001") == KEXIT_USAGE);

	/* unknown options, commands and values */
	T_CHECK(PARSE(&c, "bench", "--frobnicate") == KEXIT_USAGE);
	T_CHECK(strstr(err, "unknown option '--frobnicate'") != NULL);
	T_CHECK(PARSE(&c, "-x") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "frob") == KEXIT_USAGE);
	T_CHECK(strstr(err, "valid commands are") != NULL);
	T_CHECK(PARSE(&c, "bench", "--op", "read") == KEXIT_USAGE);
	T_CHECK(strstr(err, "null, gettimeofday") != NULL);
	T_CHECK(PARSE(&c, "boot", "--accel", "hvf") == KEXIT_USAGE);
	T_CHECK(strstr(err, "auto, kvm, tcg") != NULL);
	T_CHECK(PARSE(&c, "bench", "--accel", "tcg") == KEXIT_USAGE);
	T_CHECK(strstr(err, "does not apply") != NULL);
	T_CHECK(PARSE(&c, "bench", "--quick=yes") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "bench", "stray") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--icount", "--accel", "kvm") == KEXIT_USAGE);

	/* boot: --cpu is a QEMU model */
	T_CHECK(PARSE(&c, "boot", "--cpu", "amd", "--icount", "--accel", "tcg") == 0);
	T_STREQ(c.guest_cpu, "amd");
	T_CHECK(c.icount == 1);
	T_CHECK(PARSE(&c, "--guest-cpu", "intel", "--cpu", "0") == 0);
	T_STREQ(c.guest_cpu, "intel");
	T_CHECK(c.pin_cpu == 0);

	/* boot: the emulator */
	T_CHECK(PARSE(&c, "boot") == 0);
	T_STREQ(c.emulator, "qemu");
	T_CHECK(PARSE(&c, "boot", "--emulator", "bochs", "--cpu", "ryzen", "--quick") == 0);
	T_STREQ(c.emulator, "bochs");
	T_STREQ(c.guest_cpu, "ryzen");
	T_CHECK(PARSE(&c, "--emulator=bochs", "--guest-cpu", "amd") == 0);
	T_CHECK(PARSE(&c, "boot", "--emulator", "vbox") == KEXIT_USAGE);
	T_CHECK(strstr(err, "unknown --emulator 'vbox': valid values are qemu, bochs") != NULL);
	T_CHECK(PARSE(&c, "boot", "--emulator", "bochs", "--accel", "tcg") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--accel is QEMU's") != NULL);
	T_CHECK(PARSE(&c, "bench", "--emulator", "bochs") == KEXIT_USAGE);

	/* show --serial */
	T_CHECK(PARSE(&c, "show", "--serial", "sol.log", "--json", "r.json") == 0);
	T_STREQ(c.serial, "sol.log");
	T_STREQ(c.files[0], "sol.log");
	T_CHECK(PARSE(&c, "show", "--serial", "sol.log", "r.json") == KEXIT_USAGE);
	T_CHECK(strstr(err, "not both") != NULL);
	T_CHECK(PARSE(&c, "show", "--serial") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--serial", "x") == KEXIT_USAGE);

	/* exports: one file named twice, or the input as an output, is for
	 * the command to refuse, by the files themselves (outputs.c, tested
	 * in tests/integration/outputs.sh and show_invalid.sh) */
	T_CHECK(PARSE(&c, "bench", "--json", "a", "--csv", "a") == 0);
	T_CHECK(PARSE(&c, "show", "r.json", "--json", "r.json") == 0);
	T_CHECK(PARSE(&c, "show", "--serial", "sol.log", "--csv", "sol.log") == 0);
	T_CHECK(PARSE(&c, "show") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "show", "r.json", "--csv", "r.csv") == 0);
	T_STREQ(c.files[0], "r.json");
	T_CHECK(PARSE(&c, "compare", "a.json") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "compare", "a.json", "b.json") == 0);
	T_CHECK(PARSE(&c, "compare", "a.json", "b.json", "c.json") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "list", "--world", "mars") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "list", "--world", "bare-metal") == 0);

	/* help and version */
	T_CHECK(PARSE(&c, "--help") == 0);
	T_CHECK(c.cmd == KCMD_HELP);
	T_CHECK(PARSE(&c, "bench", "--help") == 0);
	T_STREQ(c.help_topic, "bench");
	T_CHECK(PARSE(&c, "--version") == 0);
	T_CHECK(c.cmd == KCMD_VERSION);

	/* numbers */
	T_CHECK(kcli_parse_u32("42", 0, 100, &u) == 0 && u == 42);
	T_CHECK(kcli_parse_u32("101", 0, 100, &u) != 0);
	T_CHECK(kcli_parse_u32("", 0, 100, &u) != 0);
	T_CHECK(kcli_parse_u32("4 ", 0, 100, &u) != 0);
	T_CHECK(kcli_parse_u32("+4", 0, 100, &u) != 0);
	/* --mode: which kernels boot */
	T_CHECK(PARSE(&c, "boot", "--quick") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LONG);
	T_CHECK(PARSE(&c, "--quick") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LONG | KBOOT_LEGACY32);
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LEGACY32);
	T_CHECK(PARSE(&c, "boot", "--mode=all") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LONG | KBOOT_LEGACY32);
	T_CHECK(PARSE(&c, "--mode", "long") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LONG);
	/* without --mode, the ids say which kernels */
	T_CHECK(PARSE(&c, "boot", "--only", "legacy-task-gate") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LEGACY32);
	T_CHECK(PARSE(&c, "boot", "--only", "legacy-task-gate,syscall") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LONG | KBOOT_LEGACY32);
	T_CHECK(PARSE(&c, "--only", "vdso,legacy-int80") == 0);
	T_EQ_U64(c.boot_modes, KBOOT_LEGACY32);
	/* an id of the other kernel, a bad mode, --kernel with two kernels */
	T_CHECK(PARSE(&c, "boot", "--mode", "long", "--only", "legacy-int80") == KEXIT_USAGE);
	T_CHECK(strstr(err, "legacy32") != NULL && strchr(err, '\n') == NULL);
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy") == KEXIT_USAGE);
	T_CHECK(strstr(err, "long, legacy32, all") != NULL);
	T_CHECK(PARSE(&c, "boot", "--mode", "all", "--kernel", "k.elf") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--mode long or --mode legacy32") != NULL);
	T_CHECK(PARSE(&c, "--kernel", "k.elf") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--kernel", "k.elf") == 0);
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32", "--kernel", "k.elf") == 0);
	T_CHECK(PARSE(&c, "bench", "--mode", "long") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--mode") == KEXIT_USAGE);
	/* the legacy kernel has the minimal variant only, and no self-test or
	 * fuzzer: asking for them of it alone is a usage error */
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32", "--variant", "full") == KEXIT_USAGE);
	T_CHECK(strstr(err, "minimal variant only") != NULL);
	T_CHECK(PARSE(&c, "boot", "--mode", "all", "--variant", "full") == 0);
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32", "--variant", "minimal") == 0);
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32", "--ring3-if", "0") == 0);
	/* nor mitigations or touching loops: refused for it alone, the
	 * long-mode kernel's with --mode all */
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32", "--mitigations", "kpti") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--mitigations") != NULL && strstr(err, "legacy") != NULL);
	T_CHECK(PARSE(&c, "boot", "--mode", "legacy32", "--touch-pages", "8") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--touch-pages") != NULL);
	T_CHECK(PARSE(&c, "boot", "--mode", "all", "--mitigations", "kpti", "--touch-pages", "8") == 0);
	/* a Linux process gets its KPTI twin: gettimeofday and exec take
	 * mitigations; the gettimeofday loops have no touching twins */
	T_CHECK(PARSE(&c, "boot", "--op", "gettimeofday", "--mitigations", "kpti") == 0);
	T_CHECK(c.mitigations && strcmp(c.mitigations, "kpti") == 0);
	T_CHECK(PARSE(&c, "boot", "--op", "gettimeofday", "--touch-pages", "8") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--touch-pages") != NULL && strstr(err, "--op gettimeofday") != NULL);
	T_CHECK(PARSE(&c, "exec", "--mitigations", "kpti,verw", "prog") == 0);
	T_CHECK(c.mitigations && strcmp(c.mitigations, "kpti,verw") == 0);
	T_CHECK(PARSE(&c, "exec", "--mitigations", "kpti,nope", "prog") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "exec", "--touch-pages", "8", "prog") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--only", "legacy-int-gate", "--mitigations", "kpti") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--mode", "legacy32") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--selftest") != NULL && strstr(err, "legacy") != NULL);
	T_CHECK(PARSE(&c, "boot", "--fuzz", "10", "--mode", "all") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest", "--only", "legacy-int80") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--selftest") == 0);

	/* --fred: the long kernel's FRED mode; a fred-* id asks for it too */
	T_CHECK(PARSE(&c, "boot", "--fred") == 0);
	T_CHECK(c.fred == 1 && c.boot_modes == KBOOT_LONG);
	T_CHECK(PARSE(&c, "boot") == 0);
	T_CHECK(c.fred == 0);
	T_CHECK(PARSE(&c, "boot", "--only", "syscall,fred-syscall") == 0);
	T_CHECK(c.fred == 1 && c.boot_modes == KBOOT_LONG);
	T_CHECK(PARSE(&c, "--fred") == 0);
	T_CHECK(c.fred == 1);
	T_CHECK(PARSE(&c, "boot", "--fred", "--mode", "legacy32") == KEXIT_USAGE);
	T_CHECK(strstr(err, "--fred") && strstr(err, "legacy") && strchr(err, '\n') == NULL);
	T_CHECK(PARSE(&c, "boot", "--fred", "--mode", "all") == 0);
	T_CHECK(PARSE(&c, "bench", "--fred") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--fred=yes") == KEXIT_USAGE);
	T_CHECK(PARSE(&c, "boot", "--only", "fred-nope") == KEXIT_USAGE);

	return T_DONE();
}
