/* kentry emu: a captured serial console read back (kentry show --serial).
 *
 * A capture is whatever a terminal logged from the kernel's COM1: a
 * server's IPMI serial-over-LAN (ipmitool sol activate > log), `screen -L`,
 * minicom, a QEMU or Bochs serial file. Expected around the kernel's lines:
 * \r\n line ends, terminal escape sequences (GRUB's menu, UEFI firmware),
 * a BIOS banner and any garbage before the kernel's header, other boots
 * before or after. The kernel's own lines, from its header to its end line,
 * must be whole: a capture that stops before the end line is truncated, a
 * line the kernel cannot have printed (a bit flipped, bytes dropped or
 * mixed in, a self-check count that does not add up) is corrupted, and
 * both are refused with the line where they break (docs/real-hardware.md). */
#ifndef KENTRY_EMU_CAPTURE_H
#define KENTRY_EMU_CAPTURE_H

#include <stddef.h>
#include "core/result.h"

struct kcapture_info {
	size_t lines;            /* physical lines in the capture */
	size_t first, last;      /* the run read: its header and end line (1-based) */
	size_t runs;             /* kernel headers seen */
};

/* Parses a capture held in memory (path: its name, escaped in messages).
 * Returns 0 with the bare-metal results and the guest environment in run,
 * checked as a result file read back is (results/validate.h), or 6 with
 * "NAME:LINE: ..." (or "NAME: FIELD: PROBLEM") in err (run then holds
 * nothing). */
int kcapture_parse(const char *data, size_t n, const char *path, struct krun *run,
		   struct kcapture_info *info, char *err, size_t errlen);

/* The same from a file (at most 64 MiB), read as every input file is
 * (results/input.h): 3 when it cannot be read (missing, a directory, no
 * permission), 6 when it is too large or refused. */
int kcapture_load(const char *path, struct krun *run, struct kcapture_info *info, char *err,
		  size_t errlen);

#endif
