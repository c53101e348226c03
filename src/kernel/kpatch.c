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
	/* a jmp over the rest (rel8 up to 129 bytes, else rel32); the
	 * skipped bytes become int3 so that nothing can run them */
	unsigned j = len <= 129 ? 2 : 5;
	if (j == 2) {
		p[0] = 0xeb;
		p[1] = (uint8_t)(len - 2);
	} else {
		uint32_t rel = len - 5;
		p[0] = 0xe9;
		memcpy(p + 1, &rel, 4);
	}
	for (unsigned i = j; i < len; i++)
		p[i] = 0xcc;
}

uint64_t kpatch_features;

/* The length of the run of switched-off mitigation sites that starts at
 * s: the next records are adjacent sites (assembly order is table order)
 * whose features are off too. */
static unsigned mitig_run(const struct kpatch_site *s, uint64_t features,
			  const struct kpatch_site **last)
{
	unsigned len = s->len;
	*last = s;
	if (s->feature < KF_MITIG_FIRST)
		return len;
	for (const struct kpatch_site *n = s + 1; n < __kpatch_end; n++) {
		if (n->kind != KPATCH_NOP || n->feature < KF_MITIG_FIRST ||
		    ((features >> n->feature) & 1) || n->site != s->site + len)
			break;
		len += n->len;
		*last = n;
	}
	return len;
}

unsigned kpatch_reapply(uint64_t features, uintptr_t lo, uintptr_t hi)
{
	unsigned off = 0;
	uint64_t cr0 = read_cr0();
	write_cr0(cr0 & ~(1ull << 16)); /* WP off: ring 0 may write read-only pages */
	for (const struct kpatch_site *s = __kpatch_start; s < __kpatch_end; s++) {
		if (s->site < lo || s->site >= hi)
			continue;
		int on = (features >> s->feature) & 1;
		uint8_t *p = (uint8_t *)(uintptr_t)s->site;
		if (s->kind == KPATCH_NOP && !on) {
			const struct kpatch_site *last;
			nop_out(p, mitig_run(s, features, &last));
			off += (unsigned)(last - s) + 1;
			s = last;
		} else if (s->kind == KPATCH_CALL && on) {
			int64_t rel = (int64_t)s->alt - (int64_t)(s->site + 5);
			uint32_t r32 = (uint32_t)(int32_t)rel;
			memcpy(p + 1, &r32, 4);
		}
	}
	write_cr0(cr0);
	return off;
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
			const struct kpatch_site *last;
			nop_out(p, only ? s->len : mitig_run(s, features, &last));
			kpatch_changed++;
			if (!only) {
				kpatch_sites += (unsigned)(last - s);
				kpatch_changed += (unsigned)(last - s);
				s = last;
			}
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
	kpatch_features = features;
	return apply(features, 0, 0);
}

unsigned kpatch_apply_late(unsigned feature, int on)
{
	uint64_t cr0 = read_cr0();
	write_cr0(cr0 & ~(1ull << 16)); /* WP off: ring 0 may write read-only pages */
	unsigned n = apply(on ? 1ull << feature : 0, 1, feature);
	write_cr0(cr0);
	if (on)
		kpatch_features |= 1ull << feature;
	else
		kpatch_features &= ~(1ull << feature);
	return n;
}
