/* kentry kernel: KPTI's user page tables, and the kernel's check of its
 * own KPTI.
 *
 * kvm_pti_build(s, twin) makes the twin of ANY address space s: "clone the
 * user half of s, add the trampoline". Its PML4 is the second page of s's
 * PML4 pair (vm.h kvm_space_pair), so the twin's CR3 is s's | 0x1000 and
 * the stubs switch with one bit. It maps
 *   - every user leaf of s (U/S set, present or deliberately not present,
 *     like USER_NP_PAGE), with s's permissions;
 *   - the entry trampoline, supervisor, as s maps it: .entry.text (every
 *     entry and exit stub, the generic vector stubs, the ring-3 entry and
 *     done stubs: R X) and .entry.data/.entry.bss (GDT, IDT, TSS, the
 *     entry and IST stacks, the scratch slots: RW NX). The CPU reads the
 *     IDT, GDT and TSS and pushes on those stacks with the user tables
 *     loaded; the stubs run there until their switch.
 * Nothing else: no kernel text, data, heap, page tables or identity map.
 * Afterwards kvm_map() mirrors every user mapping made in s into the twin
 * (vm.c), so a loader, a fuzzer page or a self-test page appear in both.
 * Any space made as a pair gets its twin the same way and the stubs need
 * nothing per space: the kernel's (kvm_space_pair, tables from the pool)
 * and a Linux process's (kvm_space_new, tables from frames.c). A process
 * space shares the kernel space's upper half (the direct map, device
 * registers, the vsyscall page), so its twin shares the kernel twin's
 * upper half (the vsyscall page, in whichever mode it is) and clones only
 * its own user half: the program's segments, brk, mmap, stack, the vDSO
 * and its data page, each as the process maps it.
 *
 * kpti_check_space() (TAP, at every process twin built): a walk of the
 * twin finds only user pages and the trampoline, and the twin's user
 * half is the space's (every user leaf the same frame and permissions,
 * nothing more, nothing less).
 *
 * kpti_selfcheck() (TAP, at boot when kpti or kpti-pcid is asked for):
 * the twin holds nothing it must not (a walk), the trampoline is mapped
 * as in the kernel's tables, and from ring 3 a read of kernel addresses
 * faults as it must: on the kernel's tables with a protection #PF
 * (present, supervisor: the error code's P bit set), on the user tables
 * with a NOT-PRESENT #PF for everything outside the trampoline (P clear):
 * the kernel is not there to be read, speculatively or not, which is
 * what KPTI is for (Meltdown). */
#include "mitig.h"
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "trap.h"
#include "vm.h"
#include "harden.h"

extern char __kernel_start[], __kernel_end[], __entry_text_start[], __entry_text_end[], __entry_data_start[],
	__entry_data_end[], __text_start[], __rodata_start[], __data_start[],
	boot_stack_top[], kentry_stack[], kentry_stack_top[];
extern void kmain(uint32_t, uint32_t), kf_syscall64(void), u64_kread_probe(void);
extern char user_stack_top[];

struct kvm_space kvm_kernel_twin;

static uint64_t a(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

struct clone {
	struct kvm_space *twin;
	int err;
	int lower; /* the user half only: the upper half is shared */
};

static uint64_t leaf_flags(uint64_t pte, uint64_t size)
{
	uint64_t f = pte & ~(PTE_ADDR | PTE_PS | PTE_OWNED); /* the twin borrows the frame */
	if (!(pte & PTE_P))
		f |= KVM_NOT_PRESENT;
	if (size == 0x1000)
		f |= KVM_4K;
	return f;
}

static void clone_user_leaf(void *arg, uint64_t va, uint64_t pte, uint64_t size)
{
	struct clone *c = arg;
	if ((pte & PTE_U) && !(c->lower && (va >> 47)))
		c->err |= kvm_map(c->twin, va, pte & PTE_ADDR, size, leaf_flags(pte, size));
}

/* The leaves of s over [lo, hi), as s has them. */
static int clone_range(const struct kvm_space *s, struct kvm_space *twin, uint64_t lo,
		       uint64_t hi)
{
	int r = 0;
	for (uint64_t va = lo & ~0xfffull; va < hi; va += 0x1000) {
		int l = 0;
		uint64_t pte = kvm_lookup(s, va, &l);
		if (!(pte & PTE_P) || l != 1)
			return -1; /* the trampoline is mapped with 4 KiB pages (vm.c) */
		r |= kvm_map(twin, va, pte & PTE_ADDR, 0x1000, leaf_flags(pte, 0x1000));
	}
	return r;
}

int kvm_pti_build(struct kvm_space *s, struct kvm_space *twin)
{
	twin->pml4 = s->pml4 + 512; /* the pair's second page (kvm_space_pair, kvm_space_new) */
	twin->user = s->user;       /* its tables: the pool's, or a process's frames */
	memset(twin->pml4, 0, 4096);
	twin->cr3 = s->cr3 | KVM_TWIN_BIT;
	twin->twin = 0;
	s->twin = 0;
	struct clone c = { twin, 0, s->user };
	if (s->user) {
		/* a process: the upper half is the kernel's, so the twin's is
		 * the kernel twin's (kvsyscall_set's changes reach every twin) */
		if (!kvm_kernel.twin)
			return -1;
		for (unsigned i = 256; i < 512; i++)
			twin->pml4[i] = kvm_kernel.twin->pml4[i];
	}
	kvm_walk_all(s, clone_user_leaf, &c);
	/* the kernel's twin: the vsyscall page's tables exist even while the
	 * page has no user mapping (xonly, none), so that the process twins
	 * that share this upper half see every later kvsyscall_set */
	int l = 0;
	if (!s->user && !kvm_lookup(twin, VSYSCALL_ADDR, &l))
		c.err |= kvm_map(twin, VSYSCALL_ADDR, 0, 4096, KVM_4K | KVM_NOT_PRESENT);
	int err = c.err || clone_range(s, twin, a(__entry_text_start), a(__entry_text_end)) ||
		  clone_range(s, twin, a(__entry_data_start), a(__entry_data_end));
	/* harden_off=kpti (tests only): the whole kernel image as well, which
	 * is what the self-checks below must catch */
	if (!err && !kharden_on(KH(KPTI)))
		err = clone_range(s, twin, a(__kernel_start) + 4096, a(__kernel_end));
	s->twin = twin; /* from now on kvm_map mirrors user mappings */
	if (err && s->user) {
		kvm_twin_free(s); /* a process's partial twin: its frames back */
		return -1;
	}
	if (err)
		s->twin = 0;
	return err ? -1 : 0;
}

/* ---- the self-check ------------------------------------------------------------ */

static int in(uint64_t va, const char *lo, const char *hi)
{
	return va >= a(lo) && va < a(hi);
}

struct audit {
	uint64_t leaves, user, tramp, bad, first_bad;
};

static void audit_leaf(void *arg, uint64_t va, uint64_t pte, uint64_t size)
{
	struct audit *x = arg;
	(void)size;
	x->leaves++;
	if (pte & PTE_U)
		x->user++;
	else if (size == 0x1000 && (in(va, __entry_text_start, __entry_text_end) ||
				    in(va, __entry_data_start, __entry_data_end)))
		x->tramp++;
	else if (!x->bad++)
		x->first_bad = va;
}

/* ---- a process's twin ------------------------------------------------------------ */

struct mirror {
	const struct kvm_space *other;
	uint64_t n, differ, first;
};

/* Every user leaf of one side is the other's: the same frame and
 * permissions, but for the accessed and dirty bits (set by the CPU in
 * each table on its own) and PTE_OWNED (the space's alone). */
static void same_user_leaf(void *arg, uint64_t va, uint64_t pte, uint64_t size)
{
	struct mirror *m = arg;
	if (!(pte & PTE_U) || (va >> 47))
		return;
	uint64_t ignore = (1ull << 5) | (1ull << 6) | PTE_OWNED;
	int l = 0;
	uint64_t o = kvm_lookup(m->other, va, &l);
	m->n++;
	if ((o | ignore) != (pte | ignore) || (l == 1) != (size == 0x1000))
		if (!m->differ++)
			m->first = va;
}

int kpti_check_space(const struct kvm_space *s, const char *what)
{
	const struct kvm_space *t = s->twin;
	if (!t) {
		tap_check(0, "KPTI %s: no user page tables", what);
		return -1;
	}
	struct audit x = { 0, 0, 0, 0, 0 };
	kvm_walk(t, audit_leaf, &x);
	tap_check(x.bad == 0 && x.user > 0 && x.tramp > 0,
		  "KPTI %s: user tables map only user pages and the entry trampoline: %lu leaves, "
		  "%lu user, %lu trampoline, %lu else%s",
		  what, x.leaves, x.user, x.tramp, x.bad, x.bad ? " (the first below)" : "");
	if (x.bad)
		kprintf("# KPTI %s: first leaf outside user pages and the trampoline at 0x%lx\n", what,
			x.first_bad);
	struct mirror ms = { t, 0, 0, 0 }, mt = { s, 0, 0, 0 };
	kvm_walk_all(s, same_user_leaf, &ms);
	kvm_walk_all(t, same_user_leaf, &mt);
	tap_check(!ms.differ && !mt.differ && ms.n == mt.n,
		  "KPTI %s: the user tables' user half is the process's: %lu user pages in both, "
		  "%lu differ%s", what, ms.n, ms.differ + mt.differ,
		  ms.differ || mt.differ ? " (the first below)" : "");
	if (ms.differ || mt.differ)
		kprintf("# KPTI %s: first differing user page at 0x%lx\n", what,
			ms.differ ? ms.first : mt.first);
	return x.bad || ms.differ || mt.differ ? -1 : 0;
}

/* The leaf of va is the same in both tables, but for the accessed and
 * dirty bits, which the CPU sets in each table on its own. */
static int same_leaf(uint64_t va)
{
	int l1 = 0, l2 = 0;
	uint64_t ad = (1ull << 5) | (1ull << 6);
	return (kvm_lookup(&kvm_kernel, va, &l1) | ad) == (kvm_lookup(&kvm_kernel_twin, va, &l2) | ad);
}

static int same_range(uint64_t lo, uint64_t hi)
{
	for (uint64_t va = lo; va < hi; va += 0x1000)
		if (!same_leaf(va))
			return 0;
	return 1;
}

/* One ring-3 read of va with ring 3 on the tables `bits` selects; the #PF
 * error code, or -1 when the read did not fault with a #PF at va. */
static int64_t user_read(uint64_t va, uint64_t bits)
{
	uint64_t saved = kpti_user_bits;
	kpti_user_bits = bits;
	uint32_t st = kuser_enter(a(u64_kread_probe), USER_CS64, a(user_stack_top), va);
	kpti_user_bits = saved;
	if (st != KURUN_FAULT(VEC_PF) || (kurun.cs & 3) != 3 || kurun.cr2 != va)
		return -1;
	return (int64_t)kurun.error;
}

static const char *pf_words(int64_t e)
{
	if (e < 0)
		return "no #PF at that address";
	if ((e & 5) == 5)
		return "present, supervisor (protection fault)";
	if ((e & 5) == 4)
		return "NOT PRESENT";
	return "a #PF that is not ring 3's";
}

void kpti_selfcheck(void)
{
	if (!kvm_kernel.twin) {
		tap_check(0, "KPTI: no user page tables (the page-table pool ran out)");
		return;
	}
	struct audit x = { 0, 0, 0, 0, 0 };
	kvm_walk(&kvm_kernel_twin, audit_leaf, &x);
	tap_check(x.bad == 0 && x.user > 0 && x.tramp > 0,
		  "KPTI user tables map only user pages and the entry trampoline: %lu leaves, %lu user, "
		  "%lu trampoline, %lu else",
		  x.leaves, x.user, x.tramp, x.bad);
	if (x.bad)
		kprintf("# KPTI: first leaf outside user pages and the trampoline at 0x%lx\n",
			x.first_bad);
	tap_check(same_range(a(__entry_text_start), a(__entry_text_end)) &&
			  same_range(a(__entry_data_start), a(__entry_data_end)),
		  "KPTI trampoline mapped as in the kernel's tables: .entry.text 0x%lx-0x%lx, "
		  ".entry.data/.entry.bss 0x%lx-0x%lx",
		  a(__entry_text_start), a(__entry_text_end), a(__entry_data_start),
		  a(__entry_data_end));
	tap_check(same_leaf(USER_NP_PAGE) && same_leaf(a(user_stack_top) - 8),
		  "KPTI user tables hold the user pages as the kernel's do (stack, the not-present page)");

	static const struct {
		const char *what;
		int tramp; /* in the trampoline: present in both */
	} t[] = {
		{ "kernel text (kmain)", 0 },
		{ "kernel read-only data", 0 },
		{ "kernel data (the excursion record)", 0 },
		{ "the kernel stack", 0 },
		{ "a page table", 0 },
		{ "identity-mapped memory at 8 MiB", 0 },
		{ "entry text (the syscall stub)", 1 },
		{ "entry data (the GDT)", 1 },
		{ "entry stack", 1 },
	};
	extern uint64_t kgdt[];
	const uint64_t va[] = {
		a(kmain), a(__rodata_start), a(&kurun), a(boot_stack_top) - 64,
		a(kvm_kernel.pml4), 0x800000, a(kf_syscall64), a(kgdt), a(kentry_stack_top) - 4096,
	};
	/* the reads, on the plain KPTI tables, then with PCID where a set with
	 * kpti-pcid runs here (its CPU state applied around the reads) */
	int pcid_set = kmitig_find(1u << KM_KPTI_PCID);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && pcid_set < 0)
			break;
		if (pass == 1)
			kmitig_apply(pcid_set);
		uint64_t bits = pass ? kpti_user_bits : CR3_TWIN;
		const char *how = pass ? "kpti-pcid" : "kpti";
		for (unsigned i = 0; i < sizeof(va) / sizeof(va[0]); i++) {
			int64_t ek = user_read(va[i], 0), eu = user_read(va[i], bits);
			int ok = ek >= 0 && (ek & 5) == 5 && eu >= 0 &&
				 (t[i].tramp ? (eu & 5) == 5 : (eu & 5) == 4);
			tap_check(ok, "%s: ring-3 read of %s at 0x%lx: kernel tables: %s (error 0x%lx); "
				      "user tables: %s (error 0x%lx)%s",
				  how, t[i].what, va[i], pf_words(ek), (uint64_t)ek, pf_words(eu),
				  (uint64_t)eu, t[i].tramp ? ", mapped as the trampoline must be" : "");
		}
		tap_check(read_cr3() == (kvm_kernel.cr3 | kvm_cr3_pcid),
			  "%s: back on the kernel's tables after the reads (CR3 0x%lx)", how,
			  read_cr3());
		if (pass == 1)
			kmitig_apply(-1);
	}
}
