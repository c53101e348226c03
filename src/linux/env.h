/* kentry: reading the Linux environment facts that explain the numbers.
 *
 * The readers are split in two: pure functions over file contents (unit
 * tested against fixture files in tests/fixtures/env/) and the functions
 * that read the live files. A root prefix lets the tests point the live
 * readers at a fixture tree. */
#ifndef KENTRY_LINUX_ENV_H
#define KENTRY_LINUX_ENV_H

#include <stddef.h>
#include "core/result.h"

/* Value of the first "field : value" line of /proc/cpuinfo text. Returns 0
 * and copies the trimmed value, or -1 when absent. */
int kenv_cpuinfo_field(const char *cpuinfo, const char *field, char *out,
		       size_t outlen);

/* Value of the first "key=value" token of a kernel command line ("" when
 * the key stands alone); NULL when the key is absent. Writes into out. */
const char *kenv_cmdline_value(const char *cmdline, const char *key, char *out,
			       size_t outlen);

/* The mitigation-related switches of a kernel command line, space
 * separated, in their order ("" when none). */
void kenv_mitigation_switches(const char *cmdline, char *out, size_t outlen);

/* vsyscall mode from /proc/self/maps and the command line: "none",
 * "xonly", "emulate" or "native"; *source says how it was decided. */
const char *kenv_vsyscall_mode(const char *maps, const char *cmdline,
			       const char **source);

/* Whether kernel page-table isolation is active: "yes", "no", or
 * "unknown", from the meltdown vulnerability file and the cpuinfo flags. */
const char *kenv_kpti(const char *meltdown, const char *cpuinfo_flags);

/* Whether the running kernel uses FRED: "on" when /proc/cpuinfo's flags
 * name `fred` (Linux clears the flag when it does not enable FRED: fred=off,
 * not on by default before 7.1, a kernel built without it), else "off";
 * "unknown" without the flags. */
const char *kenv_fred(const char *cpuinfo_flags);

/* Reads a whole small file under root (root may be "" for /). Returns a
 * malloc'd NUL-terminated string or NULL. */
char *kenv_read_file(const char *root, const char *path);

/* Fills env with everything kentry reports, reading files under root. The
 * CPUID facts always come from the live CPU. */
void kenv_collect(struct kenv *env, const char *root);

/* The TSC frequency measured against CLOCK_MONOTONIC_RAW, in Hz (0 when it
 * could not be). The caller should be pinned to one CPU. */
double klinux_tsc_measure(void);

/* The TSC frequency in Hz, decided by ktsc_freq_decide() (core/cpuinfo.h)
 * from CPUID and the measurement; *method names where it came from. */
double klinux_tsc_hz(const char **method);

/* Sets tsc.hz, tsc.method (measured_as when the measurement was used),
 * tsc.measured_hz, tsc.cpuid_hz, tsc.cpuid_method and, when a CPUID figure
 * and the measurement disagree, tsc.warning. */
struct ktsc_freq;
void kenv_set_tsc(struct kenv *env, const struct ktsc_freq *f, const char *measured_as);

#endif
