/* kentry legacy kernel: kmain32, the order of the run.
 *
 * The same serial output as the long-mode kernel (docs/serial-protocol.md;
 * the records are printed by the shared src/kernel/report.c): header, env
 * lines (kernel.mode legacy32), TAP block, plan, progress/result/note per
 * path, end, isa-debug-exit, halt. */
#include "kernel32.h"
#include "cpu.h"

/* The env lines of this kernel beyond the shared ones (report.c). */
static void legacy_env(void)
{
	kprintf("env kernel.interrupts %s\n", arch32_interrupts_state());
}

void kmain32(uint32_t magic, uint32_t info);
void kmain32(uint32_t magic, uint32_t info)
{
	/* Paging is still off: the Multiboot data is reachable wherever it
	 * is. Copy the command line before anything is mapped over it. */
	kcfg_copy_cmdline(magic, info);
	console_init();
	kprintf("\nkentry-kernel %s protocol %d\n", KENTRY_VERSION, KERNEL_PROTOCOL);
	if (magic != 0x2BADB002u)
		kprintf("# not started by a Multiboot loader (eax=0x%x)\n", magic);
	kcfg_parse(NULL); /* this kernel has no words of its own */
	kuser32_eflags = kcfg.ring3_if ? USER_EFLAGS_IF : USER_EFLAGS;
	vm32_init();   /* first: every TSS holds the page directory in its CR3 field */
	arch32_init();
	kreport_env("legacy32", legacy_env);

	kprintf("TAP version 13\n");
	arch32_selfcheck();
	task32_selfcheck();
	vm32_selfcheck();
	paths32_probe_all();
	kprintf("1..%u\n", tap_count);

	if (kcfg.crash[0])
		kcrash("legacy-int-gate");

	int all_expected = 1;
	kreport_measured = paths32_measure_all(&kreport_total, &all_expected);
	kreport_end(tap_failed == 0 && all_expected);
}
