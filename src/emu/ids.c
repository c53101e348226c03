/* kentry emu: the bare-metal path ids the host knows, in the kernel's order. */

#include <string.h>

/* ------------------------------------------------------------------ */
/* The bare-metal path ids                                             */

/* One row per path in src/kernel/paths.def, the registry the kernel is
 * built from: the host takes the id and the summary of each row. */
static const struct {
	const char *id, *summary;
} kboot_ids[] = {
#define KPATH(id, mode, entry, exit, where, stub, stub_if, full, loops, expect, exc_vector, \
	      skip, what, note, summary)                                              \
	{ id, summary },
#include "kernel/paths.def"
#undef KPATH
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

