/* kentry kernel: kmain, the order of the run, this kernel's own boot
 * options and env lines.
 *
 * Output order is the serial protocol's (docs/serial-protocol.md), its
 * records printed by report.c and the command line read by cmdline.c
 * (both shared with the legacy 32-bit kernel):
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
#include "fred.h"
#include "vm.h"
#include "exec.h"
#include "gtod.h"
#include "frames.h"
#include "ktime.h"
#include "kvdso.h"
#include "linux.h"
#include "mboot.h"
#include "vsyscall.h"
#include "layout.h"
#include "mitig.h"
#include "core/cpuinfo.h"

/* ---- command line ----------------------------------------------------------
 * cmdline.c reads the words both kernels know (quick, samples=, batch=,
 * crash=, only=, ring3_if=); these are the long-mode kernel's own. */

static uint64_t parse_u64(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

/* A comma-separated list word (harden_off=, mitigations=): its value as a
 * string for parse(), which names an unknown item in bad; a value too
 * long to copy is ignored, as before. */
static void list_word(const char *v, size_t n, int (*parse)(const char *, char *, unsigned),
		      char *bad, unsigned badlen)
{
	char list[256];
	if (n >= sizeof(list))
		return;
	memcpy(list, v, n);
	list[n] = 0;
	if (parse(list, bad, badlen))
		bad[badlen - 1] = 0;
}

static void long_word(const char *w, size_t n)
{
	if (n == 4 && !strncmp(w, "fred", 4))
		kcfg.fred = 1;
	else if (n == 15 && !strncmp(w, "op=gettimeofday", 15))
		kcfg.op_gtod = 1;
	else if (n > 5 && !strncmp(w, "fuzz=", 5))
		kcfg.fuzz_n = parse_u64(w + 5, n - 5);
	else if (n > 5 && !strncmp(w, "seed=", 5))
		kcfg.fuzz_seed = parse_u64(w + 5, n - 5);
	else if (n > 7 && !strncmp(w, "replay=", 7))
		kcfg.fuzz_replay = (int64_t)parse_u64(w + 7, n - 7);
	else if (n > 8 && !strncmp(w, "fuzz_wd=", 8) && parse_u64(w + 8, n - 8))
		kcfg.fuzz_wd = (uint32_t)parse_u64(w + 8, n - 8); /* 0 would stop the timer */
	else if (n == 8 && !strncmp(w, "selftest", 8))
		kcfg.selftest = 1;
	else if (n > 9 && !strncmp(w, "selftest=", 9)) {
		kcfg.selftest = 1;
		for (size_t i = 9; i < n;) {
			uint64_t v = parse_u64(w + i, n - i);
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
	else if (n > 11 && !strncmp(w, "harden_off=", 11))
		list_word(w + 11, n - 11, kharden_parse, kcfg.harden_bad, sizeof(kcfg.harden_bad));
	else if (n > 9 && !strncmp(w, "vsyscall=", 9)) {
		kcfg.vsyscall = kvsyscall_parse(w + 9, (unsigned)(n - 9));
		if (kcfg.vsyscall < 0)
			ksnprintf(kcfg.bad_option, sizeof(kcfg.bad_option), "%.*s", (int)n, w);
	} else if (n > 12 && !strncmp(w, "mitigations=", 12))
		list_word(w + 12, n - 12, kmitig_parse, kcfg.mitig_bad, sizeof(kcfg.mitig_bad));
	else if (n > 12 && !strncmp(w, "touch_pages=", 12)) {
		uint64_t t = parse_u64(w + 12, n - 12);
		kcfg.touch_pages = t > USER_TOUCH_MAX ? USER_TOUCH_MAX : (uint32_t)t;
	}
}

static void parse_cmdline(void)
{
	kcfg.variants = 3;
	kcfg.fuzz_replay = -1;
	kcfg.fuzz_wd = 2000000;
	kcfg.vsyscall = -1;
	kcfg_parse(long_word);
	kuser_rflags = kcfg.ring3_if ? USER_RFLAGS_IF : USER_RFLAGS;
}

int kcfg_case_selected(unsigned n)
{
	return !kcfg.cases || (n < 32 && (kcfg.cases >> n) & 1);
}

/* Multiboot's mods_count (flags bit 3): a program to run (exec.c); read
 * before anything is patched, which depends on it (KF_LINUX). */
static unsigned multiboot_modules(uint32_t magic, uint32_t info)
{
	if (magic != 0x2BADB002u || !info)
		return 0;
	const uint32_t *mbi = (const uint32_t *)(uintptr_t)info;
	return (mbi[0] & (1u << 3)) ? mbi[5] : 0;
}

void kernel_end(int pass, unsigned passed, unsigned total)
{
	kreport_measured = passed;
	kreport_total = total;
	kreport_end(pass && tap_failed == 0);
}

/* ---- environment -----------------------------------------------------------
 * report.c prints the lines both kernels have; these are this kernel's. */

static void long_env(void)
{
	if (kcfg.op_gtod) {
		/* the Linux paths have one form; vsyscall's variants are the page's modes */
		kprintf("env kernel.variants full\n");
		kprintf("env variant.full every Linux path through the full entry stubs and the one "
			"dispatcher with the Linux personality (vsyscall@emulate and @native are the "
			"page's two modes)\n");
	} else {
		kprintf("env kernel.variants %s\n", kcfg.variants == 3 ? "minimal,full"
						     : kcfg.variants == 1 ? "minimal" : "full");
		kprintf("env variant.minimal the empty handler: only what the hardware needs; "
			"not safe against hostile user state\n");
		kprintf("env variant.full what a real kernel does: kernel stack, one register frame, "
			"user flags and registers cleared, one C dispatcher, the fast exit only when safe "
			"(else iretq)\n");
	}
	kprintf("env kernel.interrupts %s\n", kapic.state);
	protect_env();
	kfred_env();
	kprintf("env kernel.kpatch %u of %u sites patched at boot\n", kpatch_changed, kpatch_sites);
	kmitig_env();
	if (kcfg.touch_pages)
		kprintf("env kernel.touch_pages %u\n", kcfg.touch_pages);
	kprintf("env cpu.sysret_ss %s\n", arch_sysret_ss_state());
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
	else if (kcfg.modules || kcfg.op_gtod)
		f |= 1ull << KF_LINUX;
	kmitig_save_pristine();
	kpatch_apply(f);
	/* the 32-bit vDSO's __kernel_vsyscall, for this CPU (kvdso.c) */
	kvdso_patch(!strcmp(ci.vendor, "AuthenticAMD") || !strcmp(ci.vendor, "HygonGenuine"),
		    ci.has_sep, ci.has_syscall);
}

void kmain(uint32_t magic, uint32_t info);
void kmain(uint32_t magic, uint32_t info)
{
	/* The multiboot data may sit above the image, inside what becomes
	 * the ring-3 window: copy what we need before vm_init(). */
	kcfg_copy_cmdline(magic, info);
	kcfg.modules = multiboot_modules(magic, info);
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
	mboot_parse(magic, info);
	frames_init();
	kvsyscall_set(kcfg.vsyscall >= 0 ? kcfg.vsyscall : KVSYS_XONLY);
	screen_map();
	protect_init();
	apic_init();
	kfred_init();
	paths_init();
	arch_probe_sysret_ss();
	kmitig_setup();
	kreport_env("long", long_env);
	ktime_init();
	krandom_init();
	kprintf("env memory %s\n", frames_state());
	kprintf("env linux.vsyscall %s\n", kvsyscall_name(kvsyscall_mode));
	kprintf("env linux.vsyscall32 %s\n", kvdso_entry32_name());
	if (kcfg.op_gtod)
		kprintf("env kernel.op gettimeofday\n");

	kprintf("TAP version 13\n");
	arch_selfcheck();
	vm_selfcheck();
	protect_selfcheck();
	if (kcfg.harden_bad[0])
		tap_check(0, "boot option harden_off: unknown step '%s' (see harden.h)", kcfg.harden_bad);
	if (kcfg.bad_option[0])
		tap_check(0, "boot option %s: not a value it takes", kcfg.bad_option);
	if (kcfg.mitig_bad[0])
		tap_check(0, "boot option mitigations: unknown mitigation '%s' (see mitig.h)",
			  kcfg.mitig_bad);
	if (kvm_kernel.twin)
		kpti_selfcheck();
	tap_check(apic_all_masked(),
		  "every interrupt source masked: PIC IMR 0x%02x/0x%02x, local APIC LVT entries%s",
		  inb(0x21), inb(0xa1), kapic.present ? "" : " (no APIC)");
	kfred_selfcheck();
	if (kcfg.modules) {
		/* a program to run: no path is probed or measured (exec_run
		 * prints the plan once the program's KPTI twin is checked) */
		exec_run();
	}
	if (kcfg.op_gtod)
		gtod_run(); /* the Linux gettimeofday paths instead of the round trips */
	paths_probe_all();
	kprintf("1..%u\n", tap_count);

	if (kcfg.crash[0])
		kcrash("int-gate");
	if (kcfg.selftest)
		selftest_run();
	if (kcfg.fuzz_n || kcfg.fuzz_replay >= 0)
		fuzz_run();

	int all_expected = 1;
	kreport_measured = paths_measure_all(&kreport_total, &all_expected);
	kreport_end(tap_failed == 0 && all_expected);
}
