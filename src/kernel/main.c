/* kentry kernel: kmain, command line, environment lines, TAP, end.
 *
 * Output order is the serial protocol's (docs/serial-protocol.md):
 * header, env lines, TAP block (self-checks, then one probe check per
 * path), plan, then progress/result/note per path, then `end`, then the
 * isa-debug-exit write and a halt loop. */
#include "kernel.h"
#include "cpu.h"
#include "trap.h"
#include "screen.h"
#include "apic.h"
#include "harden.h"
#include "kpatch.h"
#include "protect.h"
#include "selftest.h"
#include "fuzz.h"
#include "vm.h"
#include "layout.h"
#include "core/cpuinfo.h"

struct kconfig kcfg;
uint64_t kernel_tsc_hz;
unsigned tap_count, tap_failed;
static unsigned g_measured, g_total;

void tap_check(int ok, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_count++;
	if (!ok)
		tap_failed++;
	kprintf("%sok %u - %s\n", ok ? "" : "not ", tap_count, buf);
}

static __attribute__((noreturn)) void finish(int pass)
{
	kprintf("end %s %u/%u\n", pass ? "pass" : "fail", g_measured, g_total);
	/* isa-debug-exit: QEMU exits with (value << 1) | 1; nothing on real
	 * hardware, where we just halt with the end line on the console. */
	outb(0xf4, pass ? 0x10 : 0x11);
	halt_forever();
}

void kernel_fail_end(const char *why)
{
	kprintf("# fatal: %s\n", why);
	finish(0);
}

/* ---- command line ---------------------------------------------------------- */

static void copy_cmdline(uint32_t magic, uint32_t info)
{
	kcfg.cmdline[0] = 0;
	if (magic != 0x2BADB002u || !info)
		return;
	const uint32_t *mbi = (const uint32_t *)(uintptr_t)info;
	if (!(mbi[0] & (1u << 2)) || !mbi[4])
		return;
	const char *s = (const char *)(uintptr_t)mbi[4];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof(kcfg.cmdline); i++)
		kcfg.cmdline[i] = (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
	kcfg.cmdline[i] = 0;
}

static uint64_t parse_u64(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

static uint32_t parse_u32(const char *s, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	return v;
}

/* Space-separated words; unknown ones (the kernel's own path, which QEMU
 * and GRUB put first) are ignored. */
static void parse_cmdline(void)
{
	uint32_t samples = 0;
	kcfg.ring3_if = 1;
	kcfg.variants = 3;
	kcfg.fuzz_replay = -1;
	const char *p = kcfg.cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - w);
		if (n == 5 && !strncmp(w, "quick", 5))
			kcfg.quick = 1;
		else if (n > 5 && !strncmp(w, "fuzz=", 5))
			kcfg.fuzz_n = parse_u64(w + 5, n - 5);
		else if (n > 5 && !strncmp(w, "seed=", 5))
			kcfg.fuzz_seed = parse_u64(w + 5, n - 5);
		else if (n > 7 && !strncmp(w, "replay=", 7))
			kcfg.fuzz_replay = (int64_t)parse_u64(w + 7, n - 7);
		else if (n == 8 && !strncmp(w, "selftest", 8))
			kcfg.selftest = 1;
		else if (n > 9 && !strncmp(w, "selftest=", 9)) {
			kcfg.selftest = 1;
			for (size_t i = 9; i < n;) {
				uint32_t v = parse_u32(w + i, n - i);
				if (v < 32)
					kcfg.cases |= 1u << v;
				while (i < n && w[i] != ',')
					i++;
				i++;
			}
		} else if (n == 15 && !strncmp(w, "variant=minimal", 15))
			kcfg.variants = 1;
		else if (n == 12 && !strncmp(w, "variant=full", 12))
			kcfg.variants = 2;
		else if (n == 12 && !strncmp(w, "variant=both", 12))
			kcfg.variants = 3;
		else if (n == 10 && !strncmp(w, "ring3_if=", 9) && (w[9] == '0' || w[9] == '1'))
			kcfg.ring3_if = w[9] - '0';
		else if (n > 11 && !strncmp(w, "harden_off=", 11) && n - 11 < 256) {
			char list[256];
			memcpy(list, w + 11, n - 11);
			list[n - 11] = 0;
			if (kharden_parse(list, kcfg.harden_bad, sizeof(kcfg.harden_bad)))
				kcfg.harden_bad[sizeof(kcfg.harden_bad) - 1] = 0;
		} else if (n > 8 && !strncmp(w, "samples=", 8))
			samples = parse_u32(w + 8, n - 8);
		else if (n > 6 && !strncmp(w, "batch=", 6))
			kcfg.batch = parse_u32(w + 6, n - 6);
		else if (n > 6 && !strncmp(w, "crash=", 6) && n - 6 < sizeof(kcfg.crash)) {
			memcpy(kcfg.crash, w + 6, n - 6);
			kcfg.crash[n - 6] = 0;
		} else if (n > 5 && !strncmp(w, "only=", 5) && n - 5 < sizeof(kcfg.only)) {
			memcpy(kcfg.only, w + 5, n - 5);
			kcfg.only[n - 5] = 0;
		}
	}
	kcfg.samples = samples ? samples : kcfg.quick ? 30 : 200;
	kuser_rflags = kcfg.ring3_if ? USER_RFLAGS_IF : USER_RFLAGS;
}

int kcfg_case_selected(unsigned n)
{
	return !kcfg.cases || (n < 32 && (kcfg.cases >> n) & 1);
}

void selftest_end(int pass, unsigned passed, unsigned total)
{
	g_measured = passed;
	g_total = total;
	finish(pass && tap_failed == 0);
}

int kcfg_selected(const char *id)
{
	if (!kcfg.only[0])
		return 1;
	size_t l = strlen(id);
	const char *p = kcfg.only;
	while (*p) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		if ((size_t)(e - p) == l && !strncmp(p, id, l))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* ---- environment ----------------------------------------------------------- */

static const char *yn(int v)
{
	return v ? "yes" : "no";
}

static void print_env(void)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	kprintf("env cpu.vendor %s\n", ci.vendor);
	kprintf("env cpu.family %u\n", ci.family);
	kprintf("env cpu.model %u\n", ci.model);
	kprintf("env cpu.stepping %u\n", ci.stepping);
	kprintf("env cpu.name %s\n", ci.brand[0] ? ci.brand : "unknown");
	kprintf("env hypervisor %s\n", ci.hv_signature[0] ? ci.hv_signature : "none");
	kprintf("env cpu.rdtscp %s\n", yn(ci.has_rdtscp));
	kprintf("env cpu.pcid %s\n", yn(ci.has_pcid));
	kprintf("env cpu.invariant_tsc %s\n", yn(ci.has_invariant_tsc));
	kprintf("env cpu.sep %s\n", yn(ci.has_sep));
	kprintf("env cpu.syscall %s\n", yn(ci.has_syscall));
	/* TSC frequency in core/cpuinfo.h's order: leaf 0x15 with a stated
	 * crystal, the hypervisor leaf, the PIT measurement, leaf 0x16; a
	 * CPUID figure more than 0.5 % from the PIT's gives way to it. */
	uint64_t pit = pit_measure_tsc_hz();
	struct ktsc_freq f;
	ktsc_freq_decide(&ci.tsc, pit, &f);
	kprintf("env tsc.hz %lu\n", f.hz);
	kernel_tsc_hz = f.hz;
	kprintf("env tsc.method %s\n", f.method == KTSC_FREQ_MEASURED ? "pit"
								: ktsc_freq_method_name(f.method));
	if (f.cpuid_hz) {
		kprintf("env tsc.cpuid_hz %lu\n", f.cpuid_hz);
		kprintf("env tsc.cpuid_method %s\n", ktsc_freq_method_name(f.cpuid_method));
	}
	if (f.disagree)
		kprintf("env tsc.warning %s says %.3f GHz, %s%.1f %% from the PIT's %.3f GHz: "
			"the measurement is used\n",
			ktsc_freq_method_name(f.cpuid_method), (double)f.cpuid_hz / 1e9,
			f.diff < 0 ? "-" : "+", f.diff < 0 ? -100.0 * f.diff : 100.0 * f.diff,
			(double)pit / 1e9);
	kprintf("env tsc.pit_hz %lu\n", pit);
	kprintf("env cpu.lfence_serializing_msr %s\n", lfence_msr_state());
	kprintf("env kernel.samples %u\n", kcfg.samples);
	if (kcfg.batch)
		kprintf("env kernel.batch %u\n", kcfg.batch);
	kprintf("env kernel.timer lfence;rdtsc;lfence in ring 3\n");
	kprintf("env kernel.ring3_if %d\n", kcfg.ring3_if);
	kprintf("env kernel.variants %s\n", kcfg.variants == 3 ? "minimal,full"
					     : kcfg.variants == 1 ? "minimal" : "full");
	kprintf("env variant.minimal the empty handler: only what the hardware needs; "
		"not safe against hostile user state\n");
	kprintf("env variant.full what a real kernel does: kernel stack, one register frame, "
		"user flags and registers cleared, one C dispatcher, the fast exit only when safe "
		"(else iretq)\n");
	kprintf("env kernel.interrupts %s\n", kapic.state);
	protect_env();
	kprintf("env kernel.kpatch %u of %u sites patched at boot\n", kpatch_changed, kpatch_sites);
	kprintf("env cpu.sysret_ss %s\n", arch_sysret_ss_state());
	kprintf("env cmdline %s\n", kcfg.cmdline);
}

/* crash=<kind> on the command line: fail on purpose after the TAP block,
 * to test that failures are reported (and the host's handling of them):
 *   ud    ud2 in ring 0: the generic handler prints the frame, end fail;
 *   df    RSP pointed at unmapped memory, then ud2: delivering #UD faults,
 *         delivering that #PF faults again -> #DF, which arrives on its IST
 *         stack and is reported instead of becoming a triple fault;
 *   hang  spin forever after `progress <first id>` (host timeout test). */
static void deliberate_crash(void)
{
	kprintf("# crash=%s requested\n", kcfg.crash);
	if (!strcmp(kcfg.crash, "ud"))
		__asm__ volatile("ud2");
	if (!strcmp(kcfg.crash, "df"))
		__asm__ volatile("mov $0x7ff0000000, %%rsp\n\tud2" : : : "memory");
	if (!strcmp(kcfg.crash, "hang")) {
		kprintf("progress int-gate\n");
		for (;;)
			__asm__ volatile("pause");
	}
	kprintf("# unknown crash kind, ignored\n");
}

/* Boot-time patching (kpatch.h), before vm_init maps the text read-only:
 * the features every site depends on. */
static void patch_code(void)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	uint64_t f = (uint64_t)(uint32_t)~kharden_off;
	if (ci.has_smap)
		f |= 1ull << KF_SMAP;
	if (kcfg.ring3_if)
		f |= 1ull << KF_IF1;
	/* kept for now; decided by probing once ring 3 can run (arch.c) */
	f |= 1ull << KF_SYSRET_SS;
	if (ci.has_smap && kharden_on(KH(FLAGS)))
		f |= 1ull << KF_CLAC;
	if (kcfg.selftest || kcfg.fuzz_n || kcfg.fuzz_replay >= 0)
		f |= 1ull << KF_OBSERVE;
	kpatch_apply(f);
}

void kmain(uint32_t magic, uint32_t info);
void kmain(uint32_t magic, uint32_t info)
{
	/* The multiboot data may sit above the image, inside what becomes
	 * the ring-3 window: copy what we need before vm_init(). */
	copy_cmdline(magic, info);
	screen_init(magic, info);
	console_init();
	kprintf("\nkentry-kernel %s protocol %d\n", KENTRY_VERSION, KERNEL_PROTOCOL);
	if (magic != 0x2BADB002u)
		kprintf("# not started by a Multiboot loader (eax=0x%x)\n", magic);
	parse_cmdline();
	if (kcfg.harden_bad[0])
		kprintf("# harden_off: unknown step '%s' ignored\n", kcfg.harden_bad);
	patch_code();
	arch_init();
	vm_init();
	screen_map();
	protect_init();
	apic_init();
	paths_init();
	arch_probe_sysret_ss();
	print_env();

	kprintf("TAP version 13\n");
	arch_selfcheck();
	vm_selfcheck();
	protect_selfcheck();
	if (kcfg.harden_bad[0])
		tap_check(0, "boot option harden_off: unknown step '%s' (see harden.h)", kcfg.harden_bad);
	tap_check(apic_all_masked(),
		  "every interrupt source masked: PIC IMR 0x%02x/0x%02x, local APIC LVT entries%s",
		  inb(0x21), inb(0xa1), kapic.present ? "" : " (no APIC)");
	paths_probe_all();
	kprintf("1..%u\n", tap_count);

	if (kcfg.crash[0])
		deliberate_crash();
	if (kcfg.selftest)
		selftest_run();
	if (kcfg.fuzz_n || kcfg.fuzz_replay >= 0)
		fuzz_run();

	int all_expected = 1;
	g_measured = paths_measure_all(&g_total, &all_expected);
	finish(tap_failed == 0 && all_expected);
}
