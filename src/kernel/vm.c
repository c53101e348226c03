/* kentry kernel: page tables. See vm.h. */
#include "vm.h"
#include "cpu.h"
#include "frames.h"
#include "kernel.h"
#include "layout.h"
#include "harden.h"
#include "core/desc.h"

/* The kernel space's tables: identity 0-1 GiB by section, the direct map
 * (one PDPT, four PDs), the MMIO window, the vsyscall page; its KPTI twin
 * (about 20 pages). 8 KiB alignment: a PML4 pair starts on an even page. */
#define POOL_PAGES 64
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(8192)));
static unsigned pool_used;
uint64_t kvm_cr3_pcid;
void (*kvm_twin_changed)(void);

struct kvm_space kvm_kernel;
const struct kvm_space *kvm_current;
uint64_t kvm_phys_off;

extern char __kernel_start[], __kernel_end[], __text_start[], __entry_text_end[],
	__rodata_start[], __rodata_end[], __data_start[], __data_end[];
extern char __user_text_start[], __user_text_end[], __user_data_start[],
	__user_data_end[];

/* A zeroed table page and its physical address: the pool's for the
 * kernel space (its physical address is its image address), a frame for a
 * process space. */
static uint64_t table_alloc(const struct kvm_space *s)
{
	if (s->user)
		return frame_alloc();
	if (pool_used >= POOL_PAGES)
		return 0;
	uint64_t *t = pool[pool_used++];
	memset(t, 0, 4096);
	return (uint64_t)(uintptr_t)t;
}

/* A table or frame that a process space owns: frames.c hands out nothing
 * below FRAMES_LOW, and everything shared with the kernel (its pool, its
 * image) lies below it. */
static int space_owns(uint64_t pa)
{
	return pa >= FRAMES_LOW;
}

static uint64_t *table_at(uint64_t e)
{
	return (uint64_t *)kphys(e & PTE_ADDR);
}

unsigned kvm_pool_used(void)
{
	return pool_used;
}

unsigned kvm_pool_size(void)
{
	return POOL_PAGES;
}

int kvm_space_pair(struct kvm_space *s)
{
	pool_used += pool_used & 1; /* the pair starts on an even page */
	if (pool_used + 2 > POOL_PAGES)
		return -1;
	memset(pool[pool_used], 0, 2 * 4096);
	memset(s, 0, sizeof(*s));
	s->cr3 = (uint64_t)(uintptr_t)pool[pool_used];
	s->pml4 = kphys(s->cr3);
	pool_used += 2;
	return 0;
}

/* Next-level table of entry e, created on demand. NULL when e is a large
 * page or no table page is left. */
static uint64_t *next_table(const struct kvm_space *s, uint64_t *e)
{
	if (*e & PTE_P) {
		if (*e & PTE_PS)
			return 0;
		return table_at(*e);
	}
	uint64_t t = table_alloc(s);
	if (!t)
		return 0;
	*e = t | PTE_P | PTE_W | PTE_U;
	return table_at(t);
}

static int map_one(struct kvm_space *s, uint64_t va, uint64_t pa, uint64_t size,
		   uint64_t flags)
{
	uint64_t leaf = flags & ~(KVM_4K | KVM_NOT_PRESENT);
	if (!(flags & KVM_NOT_PRESENT))
		leaf |= PTE_P;
	else
		leaf &= ~PTE_P;
	while (size) {
		uint64_t *pdpt = next_table(s, &s->pml4[(va >> 39) & 511]);
		if (!pdpt)
			return -1;
		uint64_t *pd = next_table(s, &pdpt[(va >> 30) & 511]);
		if (!pd)
			return -1;
		uint64_t *pde = &pd[(va >> 21) & 511];
		if (!(flags & KVM_4K) && !(va & 0x1fffff) && !(pa & 0x1fffff) &&
		    size >= 0x200000 && !(*pde & PTE_P)) {
			*pde = pa | leaf | PTE_PS;
			va += 0x200000, pa += 0x200000, size -= 0x200000;
			continue;
		}
		uint64_t *pt = next_table(s, pde);
		if (!pt)
			return -1;
		pt[(va >> 12) & 511] = pa | leaf;
		va += 0x1000, pa += 0x1000;
		size = size > 0x1000 ? size - 0x1000 : 0;
	}
	return 0;
}

/* With a KPTI twin, every user mapping (U/S), and every change to a range
 * the twin already maps (a user page unmapped again), is made in the twin
 * too: the user tables follow the space, as Linux mirrors the user half
 * of a PGD into its PTI copy. */
int kvm_map(struct kvm_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	int r = map_one(s, va, pa, size, flags);
	if (s->twin) {
		int l = 0;
		if ((flags & PTE_U) || kvm_lookup(s->twin, va, &l)) {
			/* the frame stays the space's: the twin only borrows it */
			r |= map_one(s->twin, va, pa, size, flags & ~PTE_OWNED);
			if (kvm_twin_changed)
				kvm_twin_changed();
		}
	}
	return r;
}

uint64_t kvm_lookup(const struct kvm_space *s, uint64_t va, int *level)
{
	uint64_t e = s->pml4[(va >> 39) & 511];
	if (!(e & PTE_P))
		return 0;
	e = table_at(e)[(va >> 30) & 511];
	if (!(e & PTE_P))
		return 0;
	e = table_at(e)[(va >> 21) & 511];
	if (!(e & PTE_P) || (e & PTE_PS)) {
		*level = 2;
		return e;
	}
	*level = 1;
	return table_at(e)[(va >> 12) & 511];
}

uint64_t *kvm_pte(const struct kvm_space *s, uint64_t va)
{
	uint64_t e = s->pml4[(va >> 39) & 511];
	if (!(e & PTE_P))
		return 0;
	e = table_at(e)[(va >> 30) & 511];
	if (!(e & PTE_P) || (e & PTE_PS))
		return 0;
	e = table_at(e)[(va >> 21) & 511];
	if (!(e & PTE_P) || (e & PTE_PS))
		return 0;
	return &table_at(e)[(va >> 12) & 511];
}

void kvm_activate(const struct kvm_space *s)
{
	write_cr3(s->cr3 | kvm_cr3_pcid);
	kvm_current = s;
	/* kpti-pcid: every space's twin runs with the one user PCID, whose
	 * entries survive the stubs' no-flush CR3 writes: drop the previous
	 * space's (the write above flushed the kernel PCID's) */
	if (kvm_twin_changed)
		kvm_twin_changed();
}

void kvm_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* ---- process spaces ---------------------------------------------------------- */

int kvm_space_new(struct kvm_space *s)
{
	memset(s, 0, sizeof(*s));
	s->user = 1;
	/* a PML4 pair, as kvm_space_pair's: the second page is the KPTI
	 * twin's, built when a KPTI set is measured (kvm_pti_build) */
	uint64_t pml4 = frame_alloc_pair();
	if (!pml4)
		return -1;
	s->cr3 = pml4;
	s->pml4 = kphys(pml4);
	/* the upper half: the kernel's own tables (never freed with a space) */
	for (unsigned i = 256; i < 512; i++)
		s->pml4[i] = kvm_kernel.pml4[i];
	/* 0 - 4 MiB: the kernel's page tables of its low memory and image
	 * (supervisor leaves), under a PD of the space's own */
	uint64_t *pdpt = next_table(s, &s->pml4[0]);
	uint64_t *pd = pdpt ? next_table(s, &pdpt[0]) : 0;
	if (!pd) {
		kvm_space_free(s);
		return -1;
	}
	const uint64_t *kpd = table_at(table_at(kvm_kernel.pml4[0])[0]);
	pd[0] = kpd[0];
	pd[1] = kpd[1];
	return 0;
}

/* Frees the tables of the user half of a process space (or of its twin)
 * that it owns, and with leaves != 0 every frame its leaves own. */
static void free_user_half(uint64_t *pml4, int leaves)
{
	for (unsigned i4 = 0; i4 < 256; i4++) {
		uint64_t e4 = pml4[i4];
		if (!(e4 & PTE_P) || !space_owns(e4 & PTE_ADDR))
			continue;
		uint64_t *pdpt = table_at(e4);
		for (unsigned i3 = 0; i3 < 512; i3++) {
			uint64_t e3 = pdpt[i3];
			if (!(e3 & PTE_P) || (e3 & PTE_PS) || !space_owns(e3 & PTE_ADDR))
				continue;
			uint64_t *pd = table_at(e3);
			for (unsigned i2 = 0; i2 < 512; i2++) {
				uint64_t e2 = pd[i2];
				if (!(e2 & PTE_P) || (e2 & PTE_PS) || !space_owns(e2 & PTE_ADDR))
					continue;
				uint64_t *pt = table_at(e2);
				for (unsigned i1 = 0; leaves && i1 < 512; i1++)
					if (pt[i1] & PTE_OWNED)
						frame_free(pt[i1] & PTE_ADDR);
				frame_free(e2 & PTE_ADDR);
			}
			frame_free(e3 & PTE_ADDR);
		}
		frame_free(e4 & PTE_ADDR);
		pml4[i4] = 0;
	}
}

void kvm_twin_free(struct kvm_space *s)
{
	struct kvm_space *t = s->twin;
	s->twin = 0;
	if (t && t->user) /* a process's twin: its tables are frames (its leaves borrow) */
		free_user_half(t->pml4, 0);
}

void kvm_space_free(struct kvm_space *s)
{
	if (!s->pml4)
		return;
	kvm_twin_free(s);
	free_user_half(s->pml4, 1);
	frame_free(s->cr3);
	frame_free(s->cr3 + 4096); /* the twin's PML4 (kvm_space_new's pair) */
	s->pml4 = 0;
	s->cr3 = 0;
}

int kvm_map_anon(struct kvm_space *s, uint64_t va, uint64_t size, uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t f = frame_alloc();
		if (!f)
			return -1;
		if (kvm_map(s, va + off, f, 4096, flags | PTE_OWNED | KVM_4K)) {
			frame_free(f);
			return -1;
		}
	}
	return 0;
}

/* The twin follows an unmap or a protect of the space as it follows a
 * map (kvm_map): else ring 3, on the twin, would go on reaching a freed
 * frame or a page it may no longer write. harden_off=kpti_mirror (tests
 * only) leaves the twin behind, which a program catches (exec_errors). */
static struct kvm_space *twin_of(const struct kvm_space *s)
{
	return kharden_on(KH(KPTI_MIRROR)) ? s->twin : 0;
}

void kvm_unmap(struct kvm_space *s, uint64_t va, uint64_t size)
{
	struct kvm_space *t = twin_of(s);
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t *tpte = t ? kvm_pte(t, va + off) : 0;
		if (tpte)
			*tpte = 0;
		uint64_t *pte = kvm_pte(s, va + off);
		if (!pte || !*pte)
			continue;
		if (*pte & PTE_OWNED)
			frame_free(*pte & PTE_ADDR);
		*pte = 0;
		if (kvm_current == s)
			kvm_invlpg(va + off);
	}
	if (t && kvm_twin_changed)
		kvm_twin_changed();
}

void kvm_protect(struct kvm_space *s, uint64_t va, uint64_t size, uint64_t flags)
{
	struct kvm_space *t = twin_of(s);
	uint64_t leaf = flags & ~(KVM_4K | KVM_NOT_PRESENT);
	if (!(flags & KVM_NOT_PRESENT))
		leaf |= PTE_P;
	else
		leaf &= ~PTE_P;
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t *pte = kvm_pte(s, va + off);
		if (!pte || !(*pte & PTE_ADDR))
			continue;
		*pte = (*pte & (PTE_ADDR | PTE_OWNED)) | leaf;
		uint64_t *tpte = t ? kvm_pte(t, va + off) : 0;
		if (tpte && (*tpte & PTE_ADDR))
			*tpte = (*tpte & PTE_ADDR) | (leaf & ~PTE_OWNED);
		if (kvm_current == s)
			kvm_invlpg(va + off);
	}
	if (t && kvm_twin_changed)
		kvm_twin_changed();
}

/* ---- device registers ---------------------------------------------------------- */

static uint64_t mmio_next = KMMIO_BASE;

uint64_t kvm_map_io(uint64_t pa, uint64_t size, uint64_t flags)
{
	uint64_t off = pa & 0xfff, base = pa & ~0xfffull;
	uint64_t len = (off + size + 0xfff) & ~0xfffull;
	/* 2 MiB pages where the range allows: a large framebuffer costs a
	 * few entries instead of a page table per 2 MiB */
	int big = !(base & 0x1fffff) && len >= 0x200000;
	if (big)
		mmio_next = (mmio_next + 0x1fffff) & ~0x1fffffull;
	if (mmio_next + len > KMMIO_BASE + KMMIO_SIZE)
		return 0;
	uint64_t va = mmio_next;
	if (kvm_map(&kvm_kernel, va, base, len, flags | (big ? 0 : KVM_4K)) != 0)
		return 0;
	mmio_next += big ? (len + 0x1fffff) & ~0x1fffffull : len;
	return va + off;
}

void kvm_flush(void)
{
	write_cr3(read_cr3());
}

uint64_t kvm_nx;

static uint64_t a(char *p)
{
	return (uint64_t)(uintptr_t)p;
}

struct kvm_layout kvm_layout;

/* The kernel's space, 0..1 GiB identity plus what apic.c and the
 * self-tests add, mapped the way a real kernel maps itself:
 *   - page 0 not present (a NULL dereference faults), the rest of the
 *     first MiB RW + NX;
 *   - the image with 4 KiB pages by section (kernel.ld): the Multiboot
 *     header page R + NX, text and entry text R + X, rodata R + NX, data,
 *     entry data and bss RW + NX: no page is both writable and executable;
 *   - the rest below the user window, and 6 MiB .. 1 GiB, RW + NX
 *     (2 MiB pages where aligned);
 *   - the 2 MiB ring-3 window with 4 KiB U/S pages: user text U + R + X,
 *     user data and stack U + RW + NX, USER_NP_PAGE deliberately not
 *     present (its PTE keeps the frame and U/W bits with P = 0, so a
 *     future pager only has to set P), the rest of the window unmapped.
 * NX needs EFER.NXE (set here first; without NX support or with
 * harden_off=nx every NX bit is left out). harden_off=wx maps the text
 * writable, harden_off=nullpage maps page 0: for the tests only. */
void vm_init(void)
{
	uint32_t ea = 0x80000000u, eb, ec = 0, ed;
	__asm__ volatile("cpuid" : "+a"(ea), "=b"(eb), "+c"(ec), "=d"(ed));
	if (ea >= 0x80000001u) {
		ea = 0x80000001u;
		ec = 0;
		__asm__ volatile("cpuid" : "+a"(ea), "=b"(eb), "+c"(ec), "=d"(ed));
		kvm_layout.nx_cpu = (ed >> 20) & 1;
	}
	if (kvm_layout.nx_cpu && kharden_on(KH(NX))) {
		wrmsr(KMSR_EFER, rdmsr(KMSR_EFER) | KEFER_NXE);
		kvm_nx = PTE_NX;
	}
	uint64_t nx = kvm_nx;
	uint64_t text_w = kharden_on(KH(WX)) ? 0 : PTE_W;
	kvm_layout.wx = !text_w;
	kvm_layout.nullpage = kharden_on(KH(NULLPAGE));

	int r = kvm_space_pair(&kvm_kernel);
	uint64_t low = kvm_layout.nullpage ? 0x1000 : 0;
	r |= kvm_map(&kvm_kernel, low, low, KERNEL_LOAD - low, PTE_W | nx | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__kernel_start), a(__kernel_start),
		     a(__text_start) - a(__kernel_start), nx | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__text_start), a(__text_start),
		     a(__entry_text_end) - a(__text_start), text_w | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__rodata_start), a(__rodata_start),
		     a(__rodata_end) - a(__rodata_start), nx | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__data_start), a(__data_start),
		     a(__data_end) - a(__data_start), PTE_W | nx | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__kernel_end), a(__kernel_end),
		     USER_BASE - a(__kernel_end), PTE_W | nx | KVM_4K);
	r |= kvm_map(&kvm_kernel, USER_BASE + USER_WINDOW, USER_BASE + USER_WINDOW,
		     IDENTITY_TOP - USER_BASE - USER_WINDOW, PTE_W | nx);
	r |= kvm_map(&kvm_kernel, a(__user_text_start), a(__user_text_start),
		     a(__user_text_end) - a(__user_text_start), PTE_U | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__user_data_start), a(__user_data_start),
		     a(__user_data_end) - a(__user_data_start), PTE_U | PTE_W | nx | KVM_4K);
	r |= kvm_map(&kvm_kernel, USER_NP_PAGE, USER_NP_PAGE, 4096,
		     PTE_U | PTE_W | nx | KVM_4K | KVM_NOT_PRESENT);
	/* the direct map: physical 0 - 4 GiB, 2 MiB pages, supervisor RW NX */
	r |= kvm_map(&kvm_kernel, KDIRECT_BASE, 0, KDIRECT_SIZE, PTE_W | nx);
	if (r)
		kernel_fail_end("page-table pool exhausted");
	kvm_activate(&kvm_kernel);
	kvm_phys_off = KDIRECT_BASE;
}

static void walk(const struct kvm_space *s, int all,
		 void (*fn)(void *arg, uint64_t va, uint64_t pte, uint64_t size), void *arg)
{
	for (uint64_t i4 = 0; i4 < 512; i4++) {
		uint64_t e4 = s->pml4[i4];
		if (!(e4 & PTE_P))
			continue;
		const uint64_t *pdpt = table_at(e4);
		for (uint64_t i3 = 0; i3 < 512; i3++) {
			if (!(pdpt[i3] & PTE_P))
				continue;
			const uint64_t *pd = table_at(pdpt[i3]);
			for (uint64_t i2 = 0; i2 < 512; i2++) {
				uint64_t e2 = pd[i2];
				uint64_t va2 = (i4 << 39) | (i3 << 30) | (i2 << 21);
				if (i4 >= 256)
					va2 |= 0xffff000000000000ull;
				if (!(e2 & PTE_P)) {
					if (all && e2)
						fn(arg, va2, e2, 0x200000);
					continue;
				}
				if (e2 & PTE_PS) {
					fn(arg, va2, e2, 0x200000);
					continue;
				}
				const uint64_t *pt = table_at(e2);
				for (uint64_t i1 = 0; i1 < 512; i1++)
					if ((pt[i1] & PTE_P) || (all && pt[i1]))
						fn(arg, va2 | (i1 << 12), pt[i1], 0x1000);
			}
		}
	}
}

/* Calls fn on every present leaf of s: va, entry, size. */
void kvm_walk(const struct kvm_space *s, void (*fn)(void *arg, uint64_t va, uint64_t pte,
						     uint64_t size),
	      void *arg)
{
	walk(s, 0, fn, arg);
}

void kvm_walk_all(const struct kvm_space *s,
		  void (*fn)(void *arg, uint64_t va, uint64_t pte, uint64_t size), void *arg)
{
	walk(s, 1, fn, arg);
}

struct wx_count {
	uint64_t leaves, wx, first_wx;
};

static void count_wx(void *arg, uint64_t va, uint64_t pte, uint64_t size)
{
	(void)size;
	struct wx_count *c = arg;
	c->leaves++;
	if ((pte & PTE_W) && !(pte & PTE_NX)) {
		if (!c->wx)
			c->first_wx = va;
		c->wx++;
	}
}

/* Permissions of the page holding va: 1 when its leaf is a 4 KiB PTE with
 * exactly the P/U/W/NX bits in want (within mask). */
static int page_is(uint64_t va, uint64_t mask, uint64_t want)
{
	int l = 0;
	uint64_t e = kvm_lookup(&kvm_kernel, va, &l);
	return l == 1 && (e & mask) == want;
}

void vm_selfcheck(void)
{
	uint64_t nx = kvm_nx, m = PTE_P | PTE_U | PTE_W | PTE_NX;
	tap_check(read_cr3() == kvm_kernel.cr3, "CR3 = kernel address space (0x%lx)",
		  read_cr3());
	tap_check(page_is(a(__user_text_start), m, PTE_P | PTE_U),
		  "user text at 0x%lx: 4 KiB page, present, U/S, read-only, executable",
		  a(__user_text_start));
	tap_check(page_is(a(__user_data_end) - 8, m, PTE_P | PTE_U | PTE_W | nx),
		  "user data and stack: 4 KiB pages, present, U/S, writable%s",
		  nx ? ", NX" : "");
	int l = 0;
	uint64_t np = kvm_lookup(&kvm_kernel, USER_NP_PAGE, &l);
	tap_check(l == 1 && !(np & PTE_P) && (np & PTE_U),
		  "user page 0x%x deliberately not present (exc-pf target)", USER_NP_PAGE);
	tap_check(page_is(a(__text_start), m, PTE_P | (kvm_layout.wx ? 0 : PTE_W)) &&
			  page_is(a(__entry_text_end) - 1, m, PTE_P | (kvm_layout.wx ? 0 : PTE_W)),
		  "kernel text and entry text: 4 KiB supervisor pages, %s, executable",
		  kvm_layout.wx ? "read-only" : "WRITABLE (harden_off=wx)");
	tap_check(page_is(a(__rodata_start), m, PTE_P | nx) &&
			  page_is(a(__data_start), m, PTE_P | PTE_W | nx) &&
			  page_is(a(__data_end) - 1, m, PTE_P | PTE_W | nx),
		  "kernel rodata read-only, data/bss writable, both %s",
		  nx ? "NX" : "executable (no NX)");
	tap_check(!!(rdmsr(KMSR_EFER) & KEFER_NXE) == !!nx,
		  "EFER.NXE %s (CPU has NX: %s%s)", nx ? "set" : "clear",
		  kvm_layout.nx_cpu ? "yes" : "no", kharden_on(KH(NX)) ? "" : ", harden_off=nx");
	struct wx_count c = { 0, 0, 0 };
	kvm_walk(&kvm_kernel, count_wx, &c);
	int want_wx = nx && kvm_layout.wx;
	tap_check(!want_wx || c.wx == 0,
		  "W^X: %lu of %lu mapped pages are both writable and executable%s", c.wx,
		  c.leaves, want_wx ? "" : " (not enforced: no NX or harden_off)");
	l = 0;
	uint64_t z = kvm_lookup(&kvm_kernel, 0, &l);
	tap_check(!(z & PTE_P) == !!kvm_layout.nullpage, "page 0 %s",
		  (z & PTE_P) ? "mapped (harden_off=nullpage)" : "not mapped: a NULL dereference faults");
}
