/* kentry kernel: a small 4-level page-table API.
 *
 * Address spaces: the kernel's (kvm_kernel: 0-1 GiB identity, the ring-3
 * window of the measured paths mapped U/S) and one per Linux process
 * (kvm_space_new: the user half its own, the rest shared with the kernel's
 * space, docs/kernel.md "Memory"). Every space shares the upper half:
 * the direct map of physical memory (kphys), device registers
 * (kvm_map_io) and the vsyscall page; and the kernel image below
 * USER_MIN. So the kernel runs unchanged whichever space is active.
 *
 * For an address space its KPTI twin (kpti.c): the user page tables, which
 * map only the user's pages and the entry trampoline, built by
 * kvm_pti_build() as a function of the space ("clone the user half, add
 * the trampoline"); with a twin, every user mapping made later is
 * mirrored into it. A space's PML4 and its twin's are one 8 KiB-aligned
 * pair (kvm_space_pair): the twin's CR3 is the space's | 0x1000, the
 * layout Linux's PTI uses, so the entry and exit stubs switch between the
 * two with one bit, without a table of CR3 values, whichever space runs.
 * The kernel's space is such a pair from the page-table pool, a process
 * space one from the frame allocator; kvm_map, kvm_unmap and kvm_protect
 * keep a twin coherent with its space (docs/mitigations.md). */
#ifndef KENTRY_KERNEL_VM_H
#define KENTRY_KERNEL_VM_H

#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)   /* with PWT: uncached (MMIO) */
#define PTE_PS  (1ull << 7)   /* 2 MiB page at the PD level */
#define PTE_G   (1ull << 8)
#define PTE_OWNED (1ull << 9)  /* software (AVL): the frame is this space's, freed with it */
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

struct kvm_space {
	uint64_t *pml4; /* the PML4, at an address the kernel can reach */
	uint64_t cr3;   /* value to load: PML4 physical address */
	int user;       /* a process space: its tables and frames come from frames.c */
	struct kvm_space *twin; /* KPTI user tables of this space, or NULL (kpti.c) */
};

extern struct kvm_space kvm_kernel;
extern const struct kvm_space *kvm_current; /* the space CR3 holds */

/* The direct map: physical address -> kernel pointer. Identity until
 * vm_init has switched to its tables, KDIRECT_BASE + pa afterwards. */
extern uint64_t kvm_phys_off;
static inline void *kphys(uint64_t pa)
{
	return (void *)(uintptr_t)(kvm_phys_off + pa);
}

/* A new, empty kernel-owned space whose PML4 is the first page of an 8
 * KiB-aligned pair from the page-table pool (the second is its KPTI
 * twin's, kvm_pti_build). 0, or -1 when out of page-table pages. */
int kvm_space_pair(struct kvm_space *s);
/* CR3 bit that selects the twin of a space (PTI_USER_PGTABLE_BIT's value
 * in Linux: the second page of the pair). */
#define KVM_TWIN_BIT 0x1000ull

/* Maps [va, va+size) to [pa, pa+size) with leaf flags (PTE_P implied
 * unless flags has KVM_NOT_PRESENT). Uses 2 MiB pages where va, pa and the
 * remaining size allow, unless KVM_4K. Intermediate entries get P|W|U:
 * permissions are decided by the leaf. Returns 0, or -1 when out of
 * page-table pages or a 2 MiB leaf is in the way. */
#define KVM_4K          (1ull << 52)  /* software flags, not written to PTEs */
#define KVM_NOT_PRESENT (1ull << 53)
int kvm_map(struct kvm_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);

/* Leaf entry mapping va (a 4 KiB PTE or a 2 MiB PDE), 0 when none;
 * *level = 1 (PTE) or 2 (PDE). */
uint64_t kvm_lookup(const struct kvm_space *s, uint64_t va, int *level);

/* Loads s->cr3 with the kernel PCID bits of the running configuration
 * (kvm_cr3_pcid: 0, or the kernel's PCID with kpti-pcid, mitig.c). */
void kvm_activate(const struct kvm_space *s);

/* A new process space: user half empty, kernel image below USER_MIN and
 * the upper half shared with kvm_kernel. Its PML4 is the first of an 8
 * KiB-aligned pair of frames (frame_alloc_pair), the second the twin's,
 * as kvm_space_pair's: kvm_pti_build gives it its KPTI twin, whose upper
 * half is the kernel twin's. 0, or -1 when out of frames. */
int kvm_space_new(struct kvm_space *s);
/* Frees the user half's tables and every frame the space owns
 * (PTE_OWNED), its twin's tables and the PML4 pair; the space must not
 * be active. */
void kvm_space_free(struct kvm_space *s);
/* Drops the KPTI twin of a process space (its tables; the leaves only
 * borrow the space's frames); s->twin is NULL afterwards. */
void kvm_twin_free(struct kvm_space *s);
/* Maps [va, va+size) (4 KiB aligned) to fresh zeroed frames owned by the
 * space, leaf flags as kvm_map. 0, or -1 when out of frames (the pages
 * mapped so far stay, owned: kvm_unmap or kvm_space_free releases them). */
int kvm_map_anon(struct kvm_space *s, uint64_t va, uint64_t size, uint64_t flags);
/* Removes the 4 KiB mappings of [va, va+size), freeing owned frames. */
void kvm_unmap(struct kvm_space *s, uint64_t va, uint64_t size);
/* New leaf flags for the mapped 4 KiB pages of [va, va+size), frames and
 * ownership kept (KVM_NOT_PRESENT: PROT_NONE, the frame stays). */
void kvm_protect(struct kvm_space *s, uint64_t va, uint64_t size, uint64_t flags);
/* The 4 KiB leaf entry of va (present or not), NULL when no page table
 * covers it or a 2 MiB page does. */
uint64_t *kvm_pte(const struct kvm_space *s, uint64_t va);
/* Device registers at physical pa: mapped in the MMIO window of the
 * upper half (every space sees them); returns the virtual address of pa,
 * 0 when the window or the tables are exhausted. */
uint64_t kvm_map_io(uint64_t pa, uint64_t size, uint64_t flags);
void kvm_invlpg(uint64_t va);
extern uint64_t kvm_cr3_pcid;
/* Called after a change mirrored into a twin (kpti-pcid flushes the user
 * PCID there: its entries survive CR3 writes with the no-flush bit);
 * NULL otherwise. */
extern void (*kvm_twin_changed)(void);
/* Every leaf of s, present or not (a not-present leaf with other bits set
 * is a deliberate one, like USER_NP_PAGE's), with its level's size. */
void kvm_walk_all(const struct kvm_space *s,
		  void (*fn)(void *arg, uint64_t va, uint64_t pte, uint64_t size), void *arg);
/* Page-table pages used and available (the pool is static). */
unsigned kvm_pool_used(void);
unsigned kvm_pool_size(void);
/* Reloads CR3 (after changing live entries). */
void kvm_flush(void);

void kvm_walk(const struct kvm_space *s,
	      void (*fn)(void *arg, uint64_t va, uint64_t pte, uint64_t size), void *arg);

/* What vm_init set up (protect.c reports and checks it). */
struct kvm_layout {
	int nx_cpu;    /* CPUID 0x80000001:EDX[20] */
	int wx;        /* text mapped read-only */
	int nullpage;  /* page 0 not present */
};
extern struct kvm_layout kvm_layout;

/* PTE_NX when EFER.NXE is on, else 0 (the bit is reserved without it). */
extern uint64_t kvm_nx;
#define PTE_NX_IF kvm_nx

#endif
