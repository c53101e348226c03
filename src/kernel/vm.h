/* kentry kernel: a small 4-level page-table API.
 *
 * One address space today (the kernel's, with the ring-3 window mapped
 * U/S), but the API is shaped for more: a KPTI experiment builds a second
 * space holding only the user window plus the entry stubs and switches
 * CR3 in its stubs (kvm_space.cr3 is what they load); a program loader
 * maps an ELF's segments with kvm_map(); a fuzzer maps hostile pages. */
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
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

struct kvm_space {
	uint64_t *pml4;
	uint64_t cr3; /* value to load: PML4 physical address (identity) */
};

extern struct kvm_space kvm_kernel;

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

void kvm_activate(const struct kvm_space *s);
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
