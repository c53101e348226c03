/* kentry emu: the run disk. A small FAT image, made fresh for each run
 * with mtools, holding the run's GRUB configuration (/run.cfg) and the
 * kernel (/kernel.elf), labelled KENTRYRUN. The boot image's grub.cfg
 * (src/kernel/grub.cfg) looks for that label first and, when a disk has
 * it, runs its /run.cfg instead of the menu: so one GRUB image boots every
 * kernel with every command line, and a run costs a few milliseconds of
 * mtools instead of a new ISO (docs/boot.md, "Bochs"). */
#ifndef KENTRY_EMU_RUNDISK_H
#define KENTRY_EMU_RUNDISK_H

#include <stddef.h>

#define KRUNDISK_LABEL "KENTRYRUN"

/* The text of /run.cfg for a kernel command line and n_modules Multiboot
 * modules, /mod0, /mod1, ... on the disk (pure). */
void krundisk_config(const char *cmdline, size_t n_modules, char *buf, size_t len);

/* Cylinders of 16 heads x 63 sectors (516096 bytes each) for a disk that
 * holds a kernel of kernel_bytes with room to spare (pure). */
unsigned krundisk_cylinders(long long kernel_bytes);

/* Whether the tools the run disk is made with (mtools) are installed: 0,
 * or 3 with a message naming the package. */
int krundisk_tools(char *err, size_t errlen);

/* Writes dir/run.cfg and makes dir/run.img holding it, the kernel and the
 * modules (kentry exec's program and argument block). Returns 0, or a
 * kentry exit status (3: mtools missing, 4: it failed) with a message. */
int krundisk_make(const char *dir, const char *kernel, const char *cmdline,
		  const char *const *modules, size_t n_modules, char *err, size_t errlen);

#endif
