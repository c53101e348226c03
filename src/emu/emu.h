/* kentry emu: what the emulator runners (qemu.c, bochs.c) share besides the
 * run control (run.h): the kernel command line of a run, the time limit,
 * checks of the files a run needs, and the notes on known differences
 * between the emulators. */
#ifndef KENTRY_EMU_EMU_H
#define KENTRY_EMU_EMU_H

#include <stddef.h>
#include "boot.h"

/* The kernel command line of a run: samples=N, only=a,b, quick, batch=N, then the
 * words of $KENTRY_BOOT_APPEND (tests: crash=ud|df|hang), space separated. */
void kboot_cmdline(const struct kboot_opts *o, char *buf, size_t len);

/* The whole-run limit in seconds: o->timeout_s (the command takes it from
 * $KENTRY_BOOT_TIMEOUT, checked before anything runs), else full_s (quick_s
 * with --quick), scaled by the samples asked for beyond the kernel's
 * default 200. */
double kboot_limit(const struct kboot_opts *o, double full_s, double quick_s);

/* 0 when path is a readable regular file; else 3 with "WHAT PATH not
 * found: HINT" (or "is not a readable file") in err. */
int kboot_need_file(const char *what, const char *path, const char *hint, char *err,
		    size_t errlen);

/* The emulator program, in *prog (malloc'd): $env_var when set, else `name`
 * on PATH. Returns 0, or 3 with "ENV_VAR=VALUE: REASON" (the file named
 * when it is missing or not executable) or "NAME not found: HINT" in err. */
int kboot_need_program(const char *env_var, const char *name, const char *hint, char **prog,
		       char *err, size_t errlen);

/* "GenuineIntel" or "AuthenticAMD" for the --cpu shorthands intel and amd,
 * NULL otherwise. */
const char *kboot_shorthand_vendor(const char *cpu);

/* Notes on what is known to differ between the emulators for a path, as
 * measured and explained in docs/boot.md ("Where QEMU and Bochs differ"):
 * added to the results of a run under `emulator` ("qemu" with icount,
 * "qemu-tcg", "bochs"), for the guest vendor the kernel reported. */
void kemu_difference_notes(struct krun *run, const char *emulator);

#endif
