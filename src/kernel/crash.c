/* kentry kernels: crash=<kind> on the command line fails on purpose after
 * the TAP block, to test that failures are reported, here and by the host
 * (shared by the long-mode and the legacy 32-bit kernel):
 *   ud    ud2 in ring 0: the generic handler prints the frame, end fail;
 *   df    the stack pointer on an unmapped address, then ud2: delivering
 *         #UD faults (#PF), delivering that #PF faults again: #DF, which
 *         the long-mode kernel takes on its IST stack and the legacy one
 *         through its task gate, and reports instead of a triple fault;
 *   hang  spin forever after `progress <first id>` (host timeout test). */
#include "kernel.h"

/* Above every kernel's mapping: 1 GiB is the top of both identity maps. */
#ifdef __x86_64__
#define CRASH_DF "mov $0x7ff0000000, %%rsp\n\tud2"
#else
#define CRASH_DF "mov $0xf0000000, %%esp\n\tud2"
#endif

void kcrash(const char *first_id)
{
	kprintf("# crash=%s requested\n", kcfg.crash);
	if (!strcmp(kcfg.crash, "ud"))
		__asm__ volatile("ud2");
	if (!strcmp(kcfg.crash, "df"))
		__asm__ volatile(CRASH_DF : : : "memory");
	if (!strcmp(kcfg.crash, "hang")) {
		kprintf("progress %s\n", first_id);
		for (;;)
			__asm__ volatile("pause");
	}
	kprintf("# unknown crash kind, ignored\n");
}
