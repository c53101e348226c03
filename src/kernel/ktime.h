/* kentry kernel: wall-clock time (ktime.c): the CMOS real-time clock read
 * once at boot, advanced with the calibrated TSC. The clock lives in the
 * vDSO's data page (src/vdso/vdso_data.h), which the kernel keeps current
 * and every process maps read-only: the time system calls and the vDSO
 * compute the same line through the TSC. */
#ifndef KENTRY_KERNEL_KTIME_H
#define KENTRY_KERNEL_KTIME_H

#include <stdint.h>
#include "vdso/vdso_data.h"

/* The data page (page-aligned, alone on its page: it is mapped into user
 * space) and its physical address. */
extern struct kvdso_data *const kvvar;
uint64_t ktime_vvar_phys(void);

/* Reads the RTC and starts the clock at the TSC frequency the kernel
 * calibrated (kernel_tsc_hz; 0: the clock stays at the RTC's second and
 * clock_ok is 0). Prints env lines. */
void ktime_init(void);
/* The two clocks now (ns); the data page is rebased when its line has
 * run far from its base. */
void ktime_now(uint64_t *mono_ns, uint64_t *real_ns);
/* Unix time of a calendar date (UTC), for tests of the conversion too. */
int64_t ktime_from_civil(int year, int month, int day, int h, int m, int s);

#endif
