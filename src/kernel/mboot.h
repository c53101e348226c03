/* kentry kernel: what the Multiboot loader handed over (mboot.c): the
 * memory map, the modules (a program for `exec`, its argument block) and
 * where the loader's own structures lie, so that nothing handed over is
 * reused as free memory. Read through the direct map (vm.h), after
 * vm_init: a loader may put these anywhere below 4 GiB. */
#ifndef KENTRY_KERNEL_MBOOT_H
#define KENTRY_KERNEL_MBOOT_H

#include <stdint.h>

#define KMB_MAX_MMAP 48
#define KMB_MAX_MODS 4
#define KMB_MAX_RESV 16

struct kmb_region {
	uint64_t base, len;
	uint32_t type;              /* 1: RAM the OS may use */
};

struct kmb_module {
	uint64_t start, end;        /* physical [start, end) */
	char cmdline[256];          /* the loader's string for it (GRUB: the
				     * module line's words; QEMU: the -initrd item) */
};

struct kmboot {
	int valid;                  /* started by a Multiboot loader */
	uint32_t flags;             /* the info structure's flags word */
	int has_mmap;               /* flags bit 6 */
	struct kmb_region mmap[KMB_MAX_MMAP];
	unsigned n_mmap;
	uint64_t mem_upper_kb;      /* flags bit 0: RAM above 1 MiB, when no map */
	struct kmb_module mods[KMB_MAX_MODS];
	unsigned n_mods, mods_dropped; /* modules beyond KMB_MAX_MODS are ignored */
	/* physical ranges the loader's data occupies (info, strings, module
	 * list, memory map, modules): never handed out as free frames */
	struct { uint64_t start, end; } resv[KMB_MAX_RESV];
	unsigned n_resv;
};
extern struct kmboot kmb;

void mboot_parse(uint32_t magic, uint32_t info);

#endif
