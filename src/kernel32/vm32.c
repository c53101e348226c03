/* kentry legacy kernel: 32-bit paging (two levels, no PAE).
 *
 * One page directory; CR4.PSE gives 4 MiB supervisor pages for the
 * kernel (0-4 MiB) and the identity map (8 MiB-1 GiB); one page table of
 * 4 KiB pages covers 4-8 MiB, which holds the ring-3 window exactly as in
 * the long-mode kernel (layout32.h): user text U/S read-only, user data
 * and stack U/S writable, USER_NP_PAGE with U/S and W but P = 0 (the
 * target of legacy-exc-pf), the rest of the window unmapped and 6-8 MiB
 * supervisor. CR0.WP makes ring 0 honour read-only pages too. Every TSS,
 * the GDT and the IDT are in supervisor pages: the CPU's own accesses to
 * them during a task switch or an interrupt are supervisor accesses. */
#include "kernel32.h"
#include "cpu32.h"

#define PTE_P  (1u << 0)
#define PTE_W  (1u << 1)
#define PTE_U  (1u << 2)
#define PDE_PS (1u << 7)

static uint32_t kpd[1024] __attribute__((aligned(4096)));
static uint32_t kpt_user[1024] __attribute__((aligned(4096)));
uint32_t kvm32_cr3;

extern char __user_text_start[], __user_text_end[], __user_data_start[],
	__user_data_end[];

static uint32_t a(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

void vm32_init(void)
{
	for (uint32_t i = 0; i < IDENTITY_TOP >> 22; i++)
		kpd[i] = (i << 22) | PDE_PS | PTE_W | PTE_P;
	/* 4-8 MiB through the page table; the directory entry lets U/S and
	 * W through, the leaves decide. */
	kpd[USER_BASE >> 22] = a(kpt_user) | PTE_U | PTE_W | PTE_P;
	for (uint32_t i = 0; i < 1024; i++) {
		uint32_t va = USER_BASE + (i << 12);
		if (va >= a(__user_text_start) && va < a(__user_text_end))
			kpt_user[i] = va | PTE_U | PTE_P;
		else if (va >= a(__user_data_start) && va < a(__user_data_end))
			kpt_user[i] = va | PTE_U | PTE_W | PTE_P;
		else if (va == USER_NP_PAGE)
			kpt_user[i] = va | PTE_U | PTE_W; /* deliberately not present */
		else if (va >= USER_BASE + USER_WINDOW)
			kpt_user[i] = va | PTE_W | PTE_P;
		else
			kpt_user[i] = 0;
	}
	kvm32_cr3 = a(kpd);
	write_cr4_32(read_cr4_32() | CR4_PSE);
	write_cr3_32(kvm32_cr3);
	write_cr0_32(read_cr0_32() | CR0_PG | CR0_WP);
}

/* Leaf entry for va and its level (1: 4 KiB PTE, 2: 4 MiB PDE). */
static uint32_t lookup(uint32_t va, int *level)
{
	uint32_t pde = kpd[va >> 22];
	if (!(pde & PTE_P) || (pde & PDE_PS)) {
		*level = 2;
		return pde;
	}
	*level = 1;
	return ((const uint32_t *)(uintptr_t)(pde & ~0xfffu))[(va >> 12) & 1023];
}

void vm32_selfcheck(void)
{
	int l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0;
	uint32_t ut = lookup(a(__user_text_start), &l1);
	uint32_t ud = lookup(a(__user_data_end) - 4, &l2);
	uint32_t np = lookup(USER_NP_PAGE, &l3);
	uint32_t kt = lookup(KERNEL_LOAD, &l4);
	uint32_t hi = lookup(IDENTITY_TOP - 4, &l5);
	tap_check(read_cr3_32() == kvm32_cr3, "CR3 = the kernel page directory (0x%x)",
		  read_cr3_32());
	tap_check(l1 == 1 && (ut & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U),
		  "user text at 0x%x: 4 KiB page, present, U/S, read-only",
		  a(__user_text_start));
	tap_check(l2 == 1 && (ud & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U | PTE_W),
		  "user data and stack: 4 KiB pages, present, U/S, writable");
	tap_check(l3 == 1 && !(np & PTE_P) && (np & PTE_U),
		  "user page 0x%x deliberately not present (legacy-exc-pf target)",
		  USER_NP_PAGE);
	tap_check(l4 == 2 && (kt & (PTE_P | PDE_PS)) == (PTE_P | PDE_PS) && !(kt & PTE_U) &&
			  l5 == 2 && (hi & PTE_P) && !(hi & PTE_U),
		  "kernel and identity map: 4 MiB supervisor pages up to 0x%x", IDENTITY_TOP);
	uint32_t cr0 = read_cr0_32(), cr4 = read_cr4_32();
	tap_check((cr0 & (CR0_PG | CR0_WP | CR0_MP | CR0_PE)) ==
				  (CR0_PG | CR0_WP | CR0_MP | CR0_PE) &&
			  !(cr0 & (CR0_EM | CR0_TS | CR0_NW | CR0_CD)),
		  "CR0: PG, WP, MP, PE set; EM, TS, NW, CD clear (0x%x)", cr0);
	tap_check((cr4 & (CR4_PSE | CR4_OSFXSR | CR4_OSXMMEXCPT)) ==
				  (CR4_PSE | CR4_OSFXSR | CR4_OSXMMEXCPT) &&
			  !(cr4 & CR4_PAE),
		  "CR4: PSE, OSFXSR, OSXMMEXCPT set; PAE clear: 32-bit paging (0x%x)", cr4);
}
