/* kentry kernel: gettimeofday through every Linux path, on kentry's own
 * kernel (gtod.c, boot option op=gettimeofday). */
#ifndef KENTRY_KERNEL_GTOD_H
#define KENTRY_KERNEL_GTOD_H

/* Probes (TAP lines) and measures every row of gtod.def; prints the plan,
 * the results and the end line. Never returns. */
__attribute__((noreturn)) void gtod_run(void);

#endif
