/* kentry kernel: TSC frequency against the 8254 PIT.
 *
 * Channel 2 is the one whose gate software controls (port 0x61 bit 0) and
 * whose output it can read (port 0x61 bit 5), with no interrupt involved;
 * it exists on PCs and in QEMU. Mode 0 ("interrupt on terminal count")
 * raises OUT2 when the count reaches 0, so: load a count worth ~10 ms at
 * 1.193182 MHz, open the gate, read the TSC, spin until OUT2 is high, read
 * the TSC again. Linux's pit_calibrate_tsc() works the same way. The best
 * (smallest) of a few tries is kept: a slow first read of port 0x61 only
 * makes a try longer. */
#include "kernel.h"
#include "cpu.h"
#include "core/tsc.h"

#define PIT_HZ 1193182u
#define PIT_LATCH 11932u /* 10 ms */

static uint64_t one_try(void)
{
	uint8_t p61 = inb(0x61);
	outb(0x61, (uint8_t)((p61 & ~0x02) & ~0x01)); /* gate low, speaker off */
	outb(0x43, 0xb0);                              /* ch 2, lo/hi, mode 0, binary */
	outb(0x42, PIT_LATCH & 0xff);
	outb(0x42, PIT_LATCH >> 8);
	uint64_t t0 = ktsc_read();
	outb(0x61, (uint8_t)((p61 & ~0x02) | 0x01)); /* gate high: count starts */
	/* No PIT (some recent boards): give up after ~2^32 TSC ticks, one to
	 * a few seconds, checked every 1024 polls so the TSC read does not
	 * slow the loop that detects the edge. */
	for (uint32_t spins = 0; !(inb(0x61) & 0x20);) {
		if (!(++spins & 1023) && ktsc_read() - t0 > (1ull << 32)) {
			outb(0x61, p61);
			return 0;
		}
	}
	uint64_t t1 = ktsc_read();
	outb(0x61, p61);
	return t1 - t0;
}

uint64_t pit_measure_tsc_hz(void)
{
	uint64_t best = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t d = one_try();
		if (d && (best == 0 || d < best))
			best = d;
	}
	if (!best)
		return 0;
	return best * PIT_HZ / PIT_LATCH;
}
