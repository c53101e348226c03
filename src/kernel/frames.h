/* kentry kernel: physical page frames (frames.c), from the Multiboot
 * memory map: the RAM the map calls usable, below 4 GiB (the direct map's
 * reach), above FRAMES_LOW (the BIOS area, the kernel image and its ring-3
 * window), minus what the loader handed over (mboot.h). Frames come back
 * zeroed; a freed frame goes on a free list. Single CPU, never called with
 * interrupts enabled: no locking. */
#ifndef KENTRY_KERNEL_FRAMES_H
#define KENTRY_KERNEL_FRAMES_H

#include <stdint.h>

#define FRAMES_LOW 0x00800000ull /* nothing below 8 MiB is handed out */

void frames_init(void);
/* A zeroed 4 KiB frame's physical address; 0 when memory is exhausted. */
uint64_t frame_alloc(void);
/* Two zeroed contiguous frames, the first 8 KiB-aligned (a PML4 pair:
 * vm.h kvm_space_new); the first's address, 0 when none is left. */
uint64_t frame_alloc_pair(void);
void frame_free(uint64_t pa);
uint64_t frames_free_count(void);  /* frames still available */
uint64_t frames_total(void);       /* frames the map gave */
/* what the memory map said, for the env line */
const char *frames_state(void);

#endif
