/* kentry kernel: boot-time code patching. See kpatch.h. */
#include "kpatch.h"
#include "kernel.h"
#include "cpu.h"

extern const struct kpatch_site __kpatch_start[], __kpatch_end[];
unsigned kpatch_sites, kpatch_changed;

/* One NOP instruction of each length 1..9 (the forms the Intel SDM and
 * AMD's optimisation guides recommend). */
static const uint8_t nops[10][9] = {
	{ 0 },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static void nop_out(uint8_t *p, unsigned len)
{
	if (len <= 9) {
		memcpy(p, nops[len], len);
		return;
	}
	/* jmp rel8 over the rest (never longer than 127 bytes here); the
	 * skipped bytes become int3 so that nothing can run them */
	p[0] = 0xeb;
	p[1] = (uint8_t)(len - 2);
	for (unsigned i = 2; i < len; i++)
		p[i] = 0xcc;
}

static unsigned apply(uint64_t features, int only, unsigned feature)
{
	if (!only) {
		kpatch_sites = 0;
		kpatch_changed = 0;
	}
	for (const struct kpatch_site *s = __kpatch_start; s < __kpatch_end; s++) {
		if (only && s->feature != feature)
			continue;
		if (!only)
			kpatch_sites++;
		int on = (features >> s->feature) & 1;
		uint8_t *p = (uint8_t *)(uintptr_t)s->site;
		if (s->kind == KPATCH_NOP && !on) {
			if (s->len > 129)
				kernel_fail_end("kpatch: a NOP site longer than a short jmp can skip");
			nop_out(p, s->len);
			kpatch_changed++;
		} else if (s->kind == KPATCH_CALL && on) {
			if (s->len != 5 || p[0] != 0xe8)
				kernel_fail_end("kpatch: a call site is not a 5-byte call");
			int64_t rel = (int64_t)s->alt - (int64_t)(s->site + 5);
			uint32_t r32 = (uint32_t)(int32_t)rel;
			memcpy(p + 1, &r32, 4);
			kpatch_changed++;
		}
	}
	return kpatch_changed;
}

unsigned kpatch_apply(uint64_t features)
{
	return apply(features, 0, 0);
}

unsigned kpatch_apply_late(unsigned feature, int on)
{
	uint64_t cr0 = read_cr0();
	write_cr0(cr0 & ~(1ull << 16)); /* WP off: ring 0 may write read-only pages */
	unsigned n = apply(on ? 1ull << feature : 0, 1, feature);
	write_cr0(cr0);
	return n;
}
