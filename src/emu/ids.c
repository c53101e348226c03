/* kentry emu: the bare-metal path ids the host knows, in the kernel's order. */

#include <stdio.h>
#include <string.h>

#include "boot.h"

/* ------------------------------------------------------------------ */
/* The bare-metal path ids                                             */

/* Each id with the kernel that measures it (docs/kernel.md, docs/kernel32.md)
 * and, for the legacy kernel's, the long-mode path that corresponds to it
 * (the same mechanism or instructions in IA-32e mode), or why none does;
 * for the long-mode kernel's fred-* ids (its FRED mode, kentry boot
 * --fred), the IDT path they are compared with. The long-mode kernel's
 * rows come from its registry, src/kernel/paths.def (the host takes the
 * id, the summary and the peer of each row). */
static const struct {
	const char *id, *summary;
	unsigned mode;
	const char *counterpart; /* legacy ids: the long-mode id, or NULL */
	const char *no_counterpart;
} kboot_ids[] = {
#define KPATH(id, mode, entry, exit, where, stub, stub_if, full, loops, expect, exc_vector, \
	      skip, what, note, summary, peer)                                        \
	{ id, summary, KBOOT_LONG, peer, NULL },
#include "kernel/paths.def"
#undef KPATH
	/* the legacy 32-bit kernel (kentry boot --mode legacy32): one row per
	 * row of its registry, src/kernel32/paths32.def */
#define KPATH32(id, entry, where, nparam, stub, stub_if, resume, loops, expect, exc_vector,  \
		what, note, summary, counterpart, why_none)                                \
	{ id, summary, KBOOT_LEGACY32, counterpart, why_none },
#include "kernel32/paths32.def"
#undef KPATH32
};
#define KBOOT_NIDS (sizeof(kboot_ids) / sizeof(kboot_ids[0]))

size_t kboot_id_count(void)
{
	return KBOOT_NIDS;
}

const char *kboot_id(size_t i)
{
	return i < KBOOT_NIDS ? kboot_ids[i].id : NULL;
}

const char *kboot_id_summary(size_t i)
{
	return i < KBOOT_NIDS ? kboot_ids[i].summary : NULL;
}

int kboot_id_index(const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < KBOOT_NIDS; i++)
		if (strcmp(kboot_ids[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* The kernel's mitigations, from its own list (src/kernel/mitig.def). */
static const char *const kboot_mitigations[] = {
#define KMITIG(name, what) name,
#include "kernel/mitig.def"
#undef KMITIG
};
#define KBOOT_NMITIG (sizeof(kboot_mitigations) / sizeof(kboot_mitigations[0]))

const char *kboot_mitigation_choices(void)
{
	static char buf[160];
	if (!buf[0])
		for (size_t i = 0, u = 0; i < KBOOT_NMITIG; i++)
			u += (size_t)snprintf(buf + u, sizeof(buf) - u, "%s%s", i ? ", " : "",
					      kboot_mitigations[i]);
	return buf;
}

static int mitigation_index(const char *w, size_t n)
{
	for (size_t i = 0; i < KBOOT_NMITIG; i++)
		if (strlen(kboot_mitigations[i]) == n && strncmp(kboot_mitigations[i], w, n) == 0)
			return (int)i;
	return -1;
}

int kboot_mitigations_valid(const char *list, char *bad, size_t badlen)
{
	const char *p = list;
	if (!*p) {
		snprintf(bad, badlen, "(empty)");
		return -1;
	}
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (mitigation_index(p, n) < 0 && !(n == 4 && !strncmp(p, "auto", 4)) &&
		    !(n == 3 && !strncmp(p, "all", 3))) {
			snprintf(bad, badlen, "%.*s", (int)(n < 60 ? n : 60), p);
			return -1;
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

void kboot_mitigation_variants(const char *list, char *buf, size_t len)
{
	unsigned mask = 0;
	int autosel = 0;
	buf[0] = '\0';
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int i = mitigation_index(p, n);
		if (i >= 0)
			mask |= 1u << i;
		else if (n == 3 && !strncmp(p, "all", 3))
			mask |= (1u << KBOOT_NMITIG) - 1;
		else
			autosel = 1;
		p = e ? e + 1 : p + n;
	}
	if (autosel)
		return; /* the kernel says which */
	size_t u = 0, k = 0;
	for (size_t i = 0; i < KBOOT_NMITIG; i++)
		if (mask & (1u << i)) {
			u += (size_t)snprintf(buf + u, u < len ? len - u : 0, "%sfull+%s",
					      u ? "," : "", kboot_mitigations[i]);
			k++;
		}
	if (k > 1)
		snprintf(buf + u, u < len ? len - u : 0, ",full+all");
}

const char *kboot_variant_name(unsigned v)
{
	return v == 1 ? "full" : NULL;
}

unsigned kboot_variant_mask(const char *variant)
{
	if (variant && strcmp(variant, "minimal") == 0)
		return 1;
	if (variant && strcmp(variant, "full") == 0)
		return 2;
	return 3;
}

unsigned kboot_id_mode(size_t i)
{
	return i < KBOOT_NIDS ? kboot_ids[i].mode : 0;
}

const char *kboot_id_counterpart(size_t i, const char **why_none)
{
	if (why_none)
		*why_none = i < KBOOT_NIDS ? kboot_ids[i].no_counterpart : NULL;
	return i < KBOOT_NIDS ? kboot_ids[i].counterpart : NULL;
}

int kboot_id_fred(size_t i)
{
	return i < KBOOT_NIDS && strncmp(kboot_ids[i].id, "fred-", 5) == 0;
}

size_t kboot_mode_ids(unsigned mode, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < KBOOT_NIDS && n < max; i++)
		if ((kboot_ids[i].mode & mode) && (!kboot_id_fred(i) || (mode & KBOOT_FRED)))
			out[n++] = kboot_ids[i].id;
	return n;
}

const char *kboot_mode_name(unsigned mode)
{
	mode &= ~KBOOT_FRED;
	return mode == KBOOT_LEGACY32 ? "legacy32" : mode == KBOOT_LONG ? "long" : "all";
}

const char *kboot_mode_image(unsigned mode)
{
	mode &= ~KBOOT_FRED;
	return mode == KBOOT_LEGACY32 ? "kentry-kernel32.elf" : "kentry-kernel.elf";
}

int kboot_mode_parse(const char *s, unsigned *mode)
{
	if (strcmp(s, "long") == 0)
		*mode = KBOOT_LONG;
	else if (strcmp(s, "legacy32") == 0)
		*mode = KBOOT_LEGACY32;
	else if (strcmp(s, "all") == 0)
		*mode = KBOOT_LONG | KBOOT_LEGACY32;
	else
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The gettimeofday paths on kentry's kernel                           */

/* One row per (path, variant) of src/kernel/gtod.def. */
static const struct {
	const char *id, *variant, *summary;
} kboot_gtod[] = {
#define GTOD(id, variant, mode, loops, kind, expect, what, summary) { id, variant, summary },
#include "kernel/gtod.def"
#undef GTOD
};
#define KBOOT_NGTOD (sizeof(kboot_gtod) / sizeof(kboot_gtod[0]))

size_t kboot_gtod_count(void)
{
	return KBOOT_NGTOD;
}

const char *kboot_gtod_id(size_t i)
{
	return i < KBOOT_NGTOD ? kboot_gtod[i].id : NULL;
}

const char *kboot_gtod_variant(size_t i)
{
	return i < KBOOT_NGTOD ? kboot_gtod[i].variant : NULL;
}

const char *kboot_gtod_summary(size_t i)
{
	return i < KBOOT_NGTOD ? kboot_gtod[i].summary : NULL;
}

int kboot_gtod_index(const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < KBOOT_NGTOD; i++)
		if (strcmp(kboot_gtod[i].id, id) == 0)
			return (int)i;
	return -1;
}
