/* kentry kernel: the vDSOs in a process. See kvdso.h.
 *
 * Each image is mapped read and execute, the data page (ktime.c) one
 * page below it read-only and never executable; neither is a frame of the
 * process's (they are the kernel's pages, shared by every process). */
#include "kvdso.h"
#include "kernel.h"
#include "ktime.h"
#include "proc.h"
#include "vm.h"

extern char kvdso64_image[], kvdso64_end[], kvdso32_image[], kvdso32_end[];
int kvdso_entry32 = KVDSO_INT80;

void kvdso_patch(int vendor_amd, int has_sep, int has_syscall)
{
	static const uint8_t seq_sysenter[4] = { 0x89, 0xe5, 0x0f, 0x34 }; /* mov %esp,%ebp; sysenter */
	static const uint8_t seq_syscall[4] = { 0x89, 0xcd, 0x0f, 0x05 };  /* mov %ecx,%ebp; syscall */
	uint8_t *site = (uint8_t *)kvdso32_image + VDSO32_SYM___kentry_vsyscall_site;
	if (!vendor_amd && has_sep) {
		memcpy(site, seq_sysenter, 4);
		kvdso_entry32 = KVDSO_SYSENTER;
	} else if (vendor_amd && has_syscall) {
		memcpy(site, seq_syscall, 4);
		kvdso_entry32 = KVDSO_SYSCALL;
	}
}

const char *kvdso_entry32_name(void)
{
	return kvdso_entry32 == KVDSO_SYSENTER ? "sysenter"
	       : kvdso_entry32 == KVDSO_SYSCALL ? "syscall"
						: "int $0x80";
}

int kvdso_map(int is64, uint64_t base)
{
	const char *img = is64 ? kvdso64_image : kvdso32_image;
	const char *end = is64 ? kvdso64_end : kvdso32_end;
	uint64_t size = ((uint64_t)(end - img) + 0xfff) & ~0xfffull;
	uint64_t vvar = base - 4096;
	if (kproc_map(vvar, base, PROT_READ_, VMA_FIXED) ||
	    kproc_map(base, base + size, PROT_READ_ | PROT_EXEC_, VMA_FIXED))
		return -1;
	/* physical = image address: the kernel image is identity-mapped */
	if (kvm_map(&kproc.mm, vvar, ktime_vvar_phys(), 4096, PTE_U | PTE_NX_IF | KVM_4K) ||
	    kvm_map(&kproc.mm, base, (uint64_t)(uintptr_t)img, size, PTE_U | KVM_4K))
		return -1;
	if (is64) {
		kproc.vdso64 = base;
	} else {
		kproc.vdso32 = base;
		kproc.landing = base + VDSO32_SYM___kentry_landing_pad;
	}
	return 0;
}
