/* kentry kernel: the Multiboot 1 information structure (Multiboot
 * specification 0.6.96, section 3.3). The loader is trusted to have
 * written it, not to have written it sensibly: counts are bounded, strings
 * are copied with a length limit, and everything is read through the
 * direct map, which covers the 32-bit physical addresses the structure
 * can hold. */
#include "mboot.h"
#include "kernel.h"
#include "layout.h"
#include "vm.h"

struct kmboot kmb;

static uint32_t rd32(uint64_t pa)
{
	return *(const volatile uint32_t *)kphys(pa);
}

static uint64_t rd64(uint64_t pa)
{
	return (uint64_t)rd32(pa) | (uint64_t)rd32(pa + 4) << 32;
}

static void reserve(uint64_t start, uint64_t end)
{
	if (end <= start || kmb.n_resv >= KMB_MAX_RESV)
		return;
	kmb.resv[kmb.n_resv].start = start & ~0xfffull;
	kmb.resv[kmb.n_resv].end = (end + 0xfff) & ~0xfffull;
	kmb.n_resv++;
}

/* A NUL-terminated string at pa, at most n - 1 bytes; reserves its pages. */
static void copy_string(uint64_t pa, char *out, size_t n)
{
	size_t i = 0;
	if (pa && pa < KDIRECT_SIZE)
		for (; i + 1 < n && pa + i < KDIRECT_SIZE; i++) {
			char c = *(const volatile char *)kphys(pa + i);
			if (!c)
				break;
			out[i] = c;
		}
	out[i] = 0;
	if (pa)
		reserve(pa, pa + i + 1);
}

void mboot_parse(uint32_t magic, uint32_t info)
{
	memset(&kmb, 0, sizeof(kmb));
	if (magic != 0x2BADB002u || !info)
		return;
	kmb.valid = 1;
	kmb.flags = rd32(info);
	reserve(info, info + 116); /* up to the framebuffer fields (flags bit 12) */
	if (kmb.flags & (1u << 0))
		kmb.mem_upper_kb = rd32(info + 8);
	if (kmb.flags & (1u << 2)) {
		char tmp[8];
		copy_string(rd32(info + 16), tmp, sizeof(tmp)); /* reserves the command line */
	}
	if (kmb.flags & (1u << 3)) {
		uint32_t count = rd32(info + 20), addr = rd32(info + 24);
		reserve(addr, addr + 16ull * (count < 64 ? count : 64));
		for (uint32_t i = 0; i < count && i < 64; i++) {
			uint64_t m = addr + 16ull * i;
			uint32_t start = rd32(m), end = rd32(m + 4), str = rd32(m + 8);
			if (kmb.n_mods >= KMB_MAX_MODS) {
				kmb.mods_dropped++;
				continue;
			}
			struct kmb_module *mod = &kmb.mods[kmb.n_mods++];
			mod->start = start;
			mod->end = end < start ? start : end;
			copy_string(str, mod->cmdline, sizeof(mod->cmdline));
			reserve(mod->start, mod->end);
		}
	}
	if (kmb.flags & (1u << 6)) {
		uint32_t len = rd32(info + 44), addr = rd32(info + 48);
		kmb.has_mmap = 1;
		reserve(addr, (uint64_t)addr + len);
		/* entries: size (4, not counting itself), base (8), length (8), type (4) */
		uint64_t p = addr, end = (uint64_t)addr + len;
		while (p + 24 <= end && kmb.n_mmap < KMB_MAX_MMAP) {
			uint32_t size = rd32(p);
			struct kmb_region *r = &kmb.mmap[kmb.n_mmap++];
			r->base = rd64(p + 4);
			r->len = rd64(p + 12);
			r->type = rd32(p + 20);
			if (size < 20)
				break; /* malformed: stop rather than loop */
			p += (uint64_t)size + 4;
		}
	}
}
