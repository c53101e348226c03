/* kentry kernel: the clock. See ktime.h.
 *
 * The MC146818-compatible RTC (CMOS registers behind ports 0x70/0x71):
 * seconds 0x00, minutes 0x02, hours 0x04, day 0x07, month 0x08, year 0x09,
 * century 0x32 (the PC convention ACPI's FADT usually names; QEMU and
 * Bochs keep it), status A (bit 7: update in progress) and B (bit 2:
 * binary rather than BCD, bit 1: 24-hour mode). A reading is taken when no
 * update is in progress, twice, until two agree: the RTC can tick between
 * two register reads. It has whole seconds only: the clock starts at that
 * second, up to one second behind the true time. */
#include "ktime.h"
#include "cpu.h"
#include "kernel.h"
#include "vm.h"

static union {
	struct kvdso_data d;
	uint8_t page[KVDSO_PAGE];
} vvar_page __attribute__((aligned(KVDSO_PAGE), section(".data.vvar")));
struct kvdso_data *const kvvar = &vvar_page.d;

uint64_t ktime_vvar_phys(void)
{
	return (uint64_t)(uintptr_t)&vvar_page; /* the image is identity-mapped */
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg); /* bit 7 clear: NMIs stay as they are */
	return inb(0x71);
}

static int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 15);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int64_t ktime_from_civil(int y, int m, int d, int h, int mi, int s)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

struct rtc {
	uint8_t r[7]; /* sec min hour day month year century */
};

static void rtc_raw(struct rtc *t)
{
	static const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };
	/* bounded: a missing RTC reads 0xff forever */
	for (unsigned i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
		__asm__ volatile("pause");
	for (unsigned i = 0; i < 7; i++)
		t->r[i] = cmos(regs[i]);
}

/* The RTC's time as Unix seconds; -1 when it reads as nonsense. */
static int64_t rtc_read(char *what, size_t n)
{
	struct rtc a, b;
	rtc_raw(&a);
	for (unsigned tries = 0; tries < 5; tries++) {
		rtc_raw(&b);
		if (!memcmp(&a, &b, sizeof(a)))
			break;
		a = b;
	}
	uint8_t sb = cmos(0x0b);
	int binary = sb & 4, h24 = sb & 2;
	int v[7];
	for (unsigned i = 0; i < 7; i++)
		v[i] = binary ? a.r[i] : bcd(a.r[i]);
	int pm = 0;
	if (!h24) {
		pm = a.r[2] & 0x80;
		v[2] = binary ? (a.r[2] & 0x7f) : bcd(a.r[2] & 0x7f);
		v[2] = v[2] % 12 + (pm ? 12 : 0);
	}
	int century = (v[6] >= 19 && v[6] <= 21) ? v[6] : 20;
	int year = century * 100 + v[5];
	if (v[0] > 59 || v[1] > 59 || v[2] > 23 || v[3] < 1 || v[3] > 31 || v[4] < 1 ||
	    v[4] > 12 || v[5] > 99) {
		ksnprintf(what, n, "unreadable (raw %02x %02x %02x %02x %02x %02x, status B 0x%02x)",
			  a.r[0], a.r[1], a.r[2], a.r[3], a.r[4], a.r[5], sb);
		return -1;
	}
	ksnprintf(what, n, "%04d-%02d-%02d %02d:%02d:%02d UTC (%s, %s)", year, v[4], v[3], v[2],
		  v[1], v[0], binary ? "binary" : "BCD", h24 ? "24-hour" : "12-hour");
	return ktime_from_civil(year, v[4], v[3], v[2], v[1], v[0]);
}

void ktime_init(void)
{
	char what[96];
	int64_t sec = rtc_read(what, sizeof(what));
	uint64_t tsc = kvdso_rdtsc();
	struct kvdso_data *d = kvvar;
	d->seq = 1;
	d->tsc_base = tsc;
	d->mono_ns = 0;
	d->real_ns = sec > 0 ? (uint64_t)sec * 1000000000ull : 0;
	d->tsc_hz = kernel_tsc_hz;
	d->cpu = d->node = 0;
	/* mult = 1e9 * 2^shift / hz, the largest shift <= 32 that keeps
	 * mult below 2^32 (kvdso_scale's condition) */
	if (kernel_tsc_hz) {
		uint32_t shift = 32;
		unsigned __int128 mult;
		for (;;) {
			mult = ((unsigned __int128)1000000000u << shift) / kernel_tsc_hz;
			if (mult < (1ull << 32) || shift == 0)
				break;
			shift--;
		}
		if (mult < (1ull << 32)) {
			d->mult = (uint32_t)mult;
			d->shift = shift;
			d->clock_ok = 1;
		}
	}
	__asm__ volatile("" : : : "memory");
	d->seq = 2;
	kprintf("env clock.rtc %s\n", what);
	if (d->clock_ok)
		kprintf("env clock.source the RTC's second at boot, advanced by the TSC at %lu Hz "
			"(mult %u, shift %u); up to 1 s behind the true time\n",
			kernel_tsc_hz, d->mult, d->shift);
	else
		kprintf("env clock.source the RTC's second at boot only: no TSC frequency\n");
}

/* Rebased after 2^32 ticks (a second or two): the line's base stays near,
 * and readers see the sequence count move. */
#define REBASE_TICKS (1ull << 32)

void ktime_now(uint64_t *mono_ns, uint64_t *real_ns)
{
	struct kvdso_data *d = kvvar;
	if (!d->clock_ok) {
		*mono_ns = d->mono_ns;
		*real_ns = d->real_ns;
		return;
	}
	uint64_t tsc = kvdso_rdtsc();
	uint64_t ns = kvdso_scale(tsc - d->tsc_base, d->mult, d->shift);
	*mono_ns = d->mono_ns + ns;
	*real_ns = d->real_ns + ns;
	if (tsc - d->tsc_base >= REBASE_TICKS) {
		d->seq++;
		__asm__ volatile("" : : : "memory");
		d->tsc_base = tsc;
		d->mono_ns = *mono_ns;
		d->real_ns = *real_ns;
		__asm__ volatile("" : : : "memory");
		d->seq++;
	}
}
