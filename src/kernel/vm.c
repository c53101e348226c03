/* kentry kernel: page tables. See vm.h. */
#include "vm.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"

#define POOL_PAGES 24
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used;

struct kvm_space kvm_kernel;

extern char __kernel_start[], __kernel_end[];
extern char __user_text_start[], __user_text_end[], __user_data_start[],
	__user_data_end[];

static uint64_t *table_alloc(void)
{
	if (pool_used >= POOL_PAGES)
		return 0;
	uint64_t *t = pool[pool_used++];
	memset(t, 0, 4096);
	return t;
}

/* Next-level table of entry e, created on demand. NULL when e is a large
 * page or the pool is empty. */
static uint64_t *next_table(uint64_t *e)
{
	if (*e & PTE_P) {
		if (*e & PTE_PS)
			return 0;
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	}
	uint64_t *t = table_alloc();
	if (!t)
		return 0;
	*e = (uint64_t)(uintptr_t)t | PTE_P | PTE_W | PTE_U;
	return t;
}

int kvm_map(struct kvm_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	uint64_t leaf = flags & ~(KVM_4K | KVM_NOT_PRESENT);
	if (!(flags & KVM_NOT_PRESENT))
		leaf |= PTE_P;
	else
		leaf &= ~PTE_P;
	while (size) {
		uint64_t *pdpt = next_table(&s->pml4[(va >> 39) & 511]);
		if (!pdpt)
			return -1;
		uint64_t *pd = next_table(&pdpt[(va >> 30) & 511]);
		if (!pd)
			return -1;
		uint64_t *pde = &pd[(va >> 21) & 511];
		if (!(flags & KVM_4K) && !(va & 0x1fffff) && !(pa & 0x1fffff) &&
		    size >= 0x200000 && !(*pde & PTE_P)) {
			*pde = pa | leaf | PTE_PS;
			va += 0x200000, pa += 0x200000, size -= 0x200000;
			continue;
		}
		uint64_t *pt = next_table(pde);
		if (!pt)
			return -1;
		pt[(va >> 12) & 511] = pa | leaf;
		va += 0x1000, pa += 0x1000;
		size = size > 0x1000 ? size - 0x1000 : 0;
	}
	return 0;
}

uint64_t kvm_lookup(const struct kvm_space *s, uint64_t va, int *level)
{
	uint64_t e = s->pml4[(va >> 39) & 511];
	if (!(e & PTE_P))
		return 0;
	e = ((uint64_t *)(uintptr_t)(e & PTE_ADDR))[(va >> 30) & 511];
	if (!(e & PTE_P))
		return 0;
	e = ((uint64_t *)(uintptr_t)(e & PTE_ADDR))[(va >> 21) & 511];
	if (!(e & PTE_P) || (e & PTE_PS)) {
		*level = 2;
		return e;
	}
	*level = 1;
	return ((uint64_t *)(uintptr_t)(e & PTE_ADDR))[(va >> 12) & 511];
}

void kvm_activate(const struct kvm_space *s)
{
	write_cr3(s->cr3);
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

/* The kernel's space: 0..1 GiB identity, 2 MiB supervisor pages (the
 * kernel, its stacks and tables, the multiboot data), except the 2 MiB
 * ring-3 window, which has 4 KiB pages: user text U/S read-only, user
 * data and stack U/S writable, USER_NP_PAGE deliberately not present (its
 * PTE keeps the frame and U/W bits with P = 0, so a future pager only has
 * to set P), the rest of the window unmapped. */
void vm_init(void)
{
	kvm_kernel.pml4 = table_alloc();
	kvm_kernel.cr3 = (uint64_t)(uintptr_t)kvm_kernel.pml4;
	int r = 0;
	r |= kvm_map(&kvm_kernel, 0, 0, USER_BASE, PTE_W);
	r |= kvm_map(&kvm_kernel, USER_BASE + USER_WINDOW, USER_BASE + USER_WINDOW,
		     IDENTITY_TOP - USER_BASE - USER_WINDOW, PTE_W);
	r |= kvm_map(&kvm_kernel, a(__user_text_start), a(__user_text_start),
		     a(__user_text_end) - a(__user_text_start), PTE_U | KVM_4K);
	r |= kvm_map(&kvm_kernel, a(__user_data_start), a(__user_data_start),
		     a(__user_data_end) - a(__user_data_start), PTE_U | PTE_W | KVM_4K);
	r |= kvm_map(&kvm_kernel, USER_NP_PAGE, USER_NP_PAGE, 4096,
		     PTE_U | PTE_W | KVM_4K | KVM_NOT_PRESENT);
	if (r)
		kernel_fail_end("page-table pool exhausted");
	kvm_activate(&kvm_kernel);
}

void vm_selfcheck(void)
{
	int l1 = 0, l2 = 0, l3 = 0, l4 = 0;
	uint64_t ut = kvm_lookup(&kvm_kernel, a(__user_text_start), &l1);
	uint64_t ud = kvm_lookup(&kvm_kernel, a(__user_data_end) - 8, &l2);
	uint64_t np = kvm_lookup(&kvm_kernel, USER_NP_PAGE, &l3);
	uint64_t kt = kvm_lookup(&kvm_kernel, a(__kernel_start), &l4);
	tap_check(read_cr3() == kvm_kernel.cr3, "CR3 = kernel address space (0x%lx)",
		  read_cr3());
	tap_check(l1 == 1 && (ut & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U),
		  "user text at 0x%lx: 4 KiB page, present, U/S, read-only",
		  a(__user_text_start));
	tap_check(l2 == 1 && (ud & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U | PTE_W),
		  "user data and stack: 4 KiB pages, present, U/S, writable");
	tap_check(l3 == 1 && !(np & PTE_P) && (np & PTE_U),
		  "user page 0x%x deliberately not present (exc-pf target)", USER_NP_PAGE);
	tap_check(l4 == 2 && (kt & PTE_P) && !(kt & PTE_U),
		  "kernel image: 2 MiB supervisor pages");
}
