/* kentry kernel: physical frames. See frames.h.
 *
 * The usable ranges are the memory map's type-1 regions clipped to
 * [FRAMES_LOW, 4 GiB) with every loader range (info structure, strings,
 * module list and modules, the map itself) cut out. Each range hands out
 * frames from its start upwards; freed frames are kept on a list linked
 * through their first word (read and written through the direct map). */
#include "frames.h"
#include "kernel.h"
#include "layout.h"
#include "mboot.h"
#include "vm.h"

#define MAX_RANGES 64

static struct {
	uint64_t next, end;
} ranges[MAX_RANGES];
static unsigned nranges, cur;
static uint64_t free_list, nfree_list, total, used;
static char state[160];

static void add_range(uint64_t start, uint64_t end)
{
	start = (start + 0xfff) & ~0xfffull;
	end &= ~0xfffull;
	if (start < FRAMES_LOW)
		start = FRAMES_LOW;
	if (end > KDIRECT_SIZE)
		end = KDIRECT_SIZE;
	if (end <= start)
		return;
	/* cut out the loader's ranges (recursively: each cut leaves at most two) */
	for (unsigned i = 0; i < kmb.n_resv; i++) {
		uint64_t rs = kmb.resv[i].start, re = kmb.resv[i].end;
		if (re <= start || rs >= end)
			continue;
		add_range(start, rs);
		add_range(re, end);
		return;
	}
	if (nranges < MAX_RANGES) {
		ranges[nranges].next = start;
		ranges[nranges].end = end;
		nranges++;
		total += (end - start) >> 12;
	}
}

void frames_init(void)
{
	if (kmb.has_mmap) {
		for (unsigned i = 0; i < kmb.n_mmap; i++)
			if (kmb.mmap[i].type == 1 && kmb.mmap[i].base + kmb.mmap[i].len > kmb.mmap[i].base)
				add_range(kmb.mmap[i].base, kmb.mmap[i].base + kmb.mmap[i].len);
		ksnprintf(state, sizeof(state), "%lu MiB usable from the Multiboot memory map "
			  "(%u regions), frames from 8 MiB",
			  (unsigned long)(total >> 8), kmb.n_mmap);
	} else if (kmb.mem_upper_kb) {
		/* no map: mem_upper is the RAM from 1 MiB up to the first hole */
		add_range(0x100000, 0x100000 + kmb.mem_upper_kb * 1024);
		ksnprintf(state, sizeof(state), "%lu MiB usable (Multiboot mem_upper, no memory map)",
			  (unsigned long)(total >> 8));
	} else {
		ksnprintf(state, sizeof(state), "none: the loader gave no memory information");
	}
}

uint64_t frame_alloc(void)
{
	uint64_t pa = 0;
	if (free_list) {
		pa = free_list;
		free_list = *(uint64_t *)kphys(pa);
		nfree_list--;
	} else {
		for (; cur < nranges; cur++)
			if (ranges[cur].next < ranges[cur].end) {
				pa = ranges[cur].next;
				ranges[cur].next += 4096;
				break;
			}
		if (!pa)
			return 0;
	}
	used++;
	memset(kphys(pa), 0, 4096);
	return pa;
}

/* Two contiguous frames, the first 8 KiB-aligned (a PML4 and its KPTI
 * twin, vm.c). Taken from the ranges, never the free list (whose frames
 * are single): a frame skipped to align goes on the free list. Each
 * frame of the pair is freed on its own (frame_free). A range too short
 * for a pair gives its last frame to the free list too. */
uint64_t frame_alloc_pair(void)
{
	for (; cur < nranges; cur++) {
		uint64_t *next = &ranges[cur].next;
		if ((*next & 0x1000) && *next < ranges[cur].end) {
			uint64_t skip = *next;
			*next += 4096;
			used++;
			frame_free(skip);
		}
		if (*next + 8192 <= ranges[cur].end) {
			uint64_t pa = *next;
			*next += 8192;
			used += 2;
			memset(kphys(pa), 0, 8192);
			return pa;
		}
		if (*next < ranges[cur].end) { /* one frame left: keep it for frame_alloc */
			uint64_t last = *next;
			*next += 4096;
			used++;
			frame_free(last);
		}
	}
	return 0;
}

void frame_free(uint64_t pa)
{
	if (!pa)
		return;
	*(uint64_t *)kphys(pa) = free_list;
	free_list = pa;
	nfree_list++;
	used--;
}

uint64_t frames_free_count(void)
{
	return total - used;
}

uint64_t frames_total(void)
{
	return total;
}

const char *frames_state(void)
{
	return state;
}
