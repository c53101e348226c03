/* kentry kernel: the screen, for a machine without a serial port (a
 * desktop booted from a USB stick): progress and the final table, drawn
 * from the kernel's own console lines (serial-protocol.md), which stay the
 * machine-readable channel on COM1. VGA text mode when the loader leaves
 * the machine in it (GRUB under BIOS with gfxpayload=text, or no loader
 * information and a VGA in the BIOS data area), the linear framebuffer
 * GRUB sets up otherwise (UEFI), with the font built in (font.h). */
#ifndef KENTRY_KERNEL_SCREEN_H
#define KENTRY_KERNEL_SCREEN_H

#include <stdint.h>

/* First thing in kmain, with the Multiboot registers: reads the loader's
 * framebuffer information and, when the screen is already reachable (VGA
 * text, a framebuffer below the boot tables' 1 GiB), starts drawing. */
void screen_init(uint32_t magic, uint32_t info);

/* After vm_init: maps a framebuffer that lies outside the identity map
 * (kvm_map), draws what came so far, and prints `env screen ...`. */
void screen_map(void);

#endif
