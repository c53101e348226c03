/* The exact QEMU command lines kentry runs (src/emu/qemu.c), KVM ones
 * included: this machine's /dev/kvm cannot run a guest, so these lines are
 * what makes the KVM path certain. Also the --cpu resolution against a
 * model list like `qemu-system-x86_64 -cpu help` prints, and the kernel
 * command line of a run. */
#include "t.h"
#include "emu/emu.h"
#include "emu/qemu.h"

#include <stdlib.h>

/* The words of argv joined by single spaces. */
static void joined(const char **argv, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; argv[i]; i++) {
		strncat(buf, i ? " " : "", len - strlen(buf) - 1);
		strncat(buf, argv[i], len - strlen(buf) - 1);
	}
}

static const char *const FIXED = "-nodefaults -display none -monitor none -serial stdio "
				 "-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 "
				 "-m 128M -smp 1";

static void expect_line(const struct kqemu_cmd *c, const char *want)
{
	const char *argv[KQEMU_ARGV_MAX];
	char got[2048];
	size_t n = kqemu_argv(c, argv);
	T_CHECK(n < KQEMU_ARGV_MAX && argv[n] == NULL);
	joined(argv, got, sizeof(got));
	T_STREQ(got, want);
}

int main(void)
{
	char want[2048];

	/* KVM, the default model (--accel kvm or auto, no --cpu) */
	struct kqemu_cmd c = { "/usr/bin/qemu-system-x86_64", "/k/kentry-kernel.elf", "quick",
			       "host", 1, 0, NULL };
	snprintf(want, sizeof(want),
		 "/usr/bin/qemu-system-x86_64 -kernel /k/kentry-kernel.elf -append quick %s "
		 "-accel kvm -cpu host",
		 FIXED);
	expect_line(&c, want);

	/* KVM with a named model and a longer command line */
	c.cpu = "Skylake-Client";
	c.append = "samples=500 only=syscall,sysenter";
	snprintf(want, sizeof(want),
		 "/usr/bin/qemu-system-x86_64 -kernel /k/kentry-kernel.elf -append samples=500 "
		 "only=syscall,sysenter %s -accel kvm -cpu Skylake-Client",
		 FIXED);
	expect_line(&c, want);
	/* the command line is one word, whatever its spaces */
	const char *argv[KQEMU_ARGV_MAX];
	kqemu_argv(&c, argv);
	T_STREQ(argv[4], "samples=500 only=syscall,sysenter");

	/* KVM never gets -icount, even if asked (the CLI refuses the pair) */
	c.icount = 1;
	c.append = NULL;
	snprintf(want, sizeof(want),
		 "/usr/bin/qemu-system-x86_64 -kernel /k/kentry-kernel.elf %s -accel kvm "
		 "-cpu Skylake-Client",
		 FIXED);
	expect_line(&c, want);

	/* Multiboot modules (kentry exec): -initrd after -append */
	c.append = "vsyscall=native";
	c.initrd = "/tmp/r/prog,/tmp/r/args";
	snprintf(want, sizeof(want),
		 "/usr/bin/qemu-system-x86_64 -kernel /k/kentry-kernel.elf -append vsyscall=native "
		 "-initrd /tmp/r/prog,/tmp/r/args %s -accel kvm -cpu Skylake-Client",
		 FIXED);
	expect_line(&c, want);
	c.initrd = NULL;
	c.append = NULL;

	/* TCG with -icount, no command line */
	c.kvm = 0;
	c.cpu = "max";
	snprintf(want, sizeof(want),
		 "/usr/bin/qemu-system-x86_64 -kernel /k/kentry-kernel.elf %s -accel tcg -cpu max "
		 "-icount shift=0",
		 FIXED);
	expect_line(&c, want);

	/* --cpu resolution */
	const char *models = "486\nEPYC\nEPYC-Rome\nHaswell\nSkylake-Client\nmax\nhost\nqemu64\n";
	char cpu[64], note[160], err[512];
	T_CHECK(kqemu_resolve_cpu(NULL, models, 1, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "host");
	T_STREQ(note, "");
	T_CHECK(kqemu_resolve_cpu("auto", models, 0, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "max");
	T_CHECK(kqemu_resolve_cpu("host", models, 0, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "max");
	T_CHECK(strstr(note, "needs KVM") != NULL);
	T_CHECK(kqemu_resolve_cpu("host", models, 1, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "host");
	T_CHECK(kqemu_resolve_cpu("intel", models, 1, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "Skylake-Client");
	T_CHECK(kqemu_resolve_cpu("amd", models, 1, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "EPYC");
	T_CHECK(kqemu_resolve_cpu("epyc-rome", models, 1, cpu, sizeof(cpu), note, sizeof(note),
				  err, sizeof(err)) == 0);
	T_STREQ(cpu, "EPYC-Rome");
	T_CHECK(kqemu_resolve_cpu("Pentium9", models, 1, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 2);
	T_CHECK(strstr(err, "unknown QEMU CPU model 'Pentium9'") != NULL);
	/* without a list (QEMU could not say), the model goes to QEMU as given */
	T_CHECK(kqemu_resolve_cpu("Pentium9", NULL, 1, cpu, sizeof(cpu), note, sizeof(note), err,
				  sizeof(err)) == 0);
	T_STREQ(cpu, "Pentium9");
	/* an older QEMU without Skylake: the next Intel model */
	T_CHECK(kqemu_resolve_cpu("intel", "Haswell\nEPYC\n", 1, cpu, sizeof(cpu), note,
				  sizeof(note), err, sizeof(err)) == 0);
	T_STREQ(cpu, "Haswell");

	/* the kernel command line of a run */
	static const char *const only[] = { "syscall", "exc-pf" };
	struct kboot_opts o = { 0 };
	char line[256];
	unsetenv("KENTRY_BOOT_APPEND");
	kboot_cmdline(&o, line, sizeof(line));
	T_STREQ(line, "");
	o.samples = 500;
	o.only = only;
	o.n_only = 2;
	o.quick = 1;
	kboot_cmdline(&o, line, sizeof(line));
	T_STREQ(line, "samples=500 only=syscall,exc-pf quick");
	setenv("KENTRY_BOOT_APPEND", "crash=ud", 1);
	kboot_cmdline(&o, line, sizeof(line));
	T_STREQ(line, "samples=500 only=syscall,exc-pf quick crash=ud");
	unsetenv("KENTRY_BOOT_APPEND");

	/* the time limit */
	unsetenv("KENTRY_BOOT_TIMEOUT");
	struct kboot_opts l = { 0 };
	T_NEAR(kboot_limit(&l, 60, 30), 60, 0);
	l.quick = 1;
	T_NEAR(kboot_limit(&l, 60, 30), 30, 0);
	l.samples = 1000;
	T_NEAR(kboot_limit(&l, 60, 30), 150, 1e-9);
	l.timeout_s = 7;
	T_NEAR(kboot_limit(&l, 60, 30), 7, 0);
	return T_DONE();
}
