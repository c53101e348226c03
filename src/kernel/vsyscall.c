/* kentry kernel: the vsyscall page. See vsyscall.h.
 *
 * Emulation (Linux's emulate_vsyscall does the same checks, in this
 * order; kentry's code is its own): the fault must come from user mode,
 * not be a write, and be the instruction fetch of the faulting RIP (a
 * read of the page is not a call: SIGSEGV); the entry must be exactly one
 * of the three (+0, +1024, +2048: anything else is a misaligned vsyscall,
 * SIGSEGV); the return address must be readable at [RSP] and be a user
 * address; the call's pointers must be writable where not NULL. Then the
 * call runs, RAX gets its result, and a `ret` is emulated: RIP = the
 * return address, RSP += 8. */
#include "vsyscall.h"
#include "kernel.h"
#include "layout.h"
#include "linux.h"
#include "proc.h"
#include "uaccess.h"
#include "vm.h"

extern char kvsyscall_page[];
int kvsyscall_mode = KVSYS_XONLY;

static const char *const names[] = { "none", "xonly", "emulate", "native" };

const char *kvsyscall_name(int mode)
{
	return mode >= 0 && mode < 4 ? names[mode] : "?";
}

int kvsyscall_parse(const char *s, unsigned n)
{
	for (int m = 0; m < 4; m++)
		if (strlen(names[m]) == n && !strncmp(s, names[m], n))
			return m;
	return -1;
}

void kvsyscall_set(int mode)
{
	uint64_t pa = (uint64_t)(uintptr_t)kvsyscall_page; /* the image is identity-mapped */
	uint64_t flags = KVM_4K | PTE_U;
	if (mode == KVSYS_NATIVE)
		flags |= 0;                     /* R X */
	else if (mode == KVSYS_EMULATE)
		flags |= PTE_NX_IF;             /* R, not X: a call faults */
	else
		flags = KVM_4K | KVM_NOT_PRESENT; /* no user mapping (the table exists) */
	if (kvm_map(&kvm_kernel, VSYSCALL_ADDR, pa, 4096, flags))
		kernel_fail_end("vsyscall: no page table left for the vsyscall page");
	kvm_invlpg(VSYSCALL_ADDR);
	kvsyscall_mode = mode;
}

#define PF_WRITE 2u
#define PF_USER  4u
#define PF_FETCH 16u

/* NULL, or a user address with room for n bytes (Linux's write_ok_or_segv
 * then lets the copy fault: the same here through kuser_write) */
static int ptr_ok(uint64_t p, uint64_t n)
{
	return !p || (p >= USER_MIN && p + n >= p && p + n <= kproc.task_size);
}

int kvsyscall_fault(struct kregs *f, uint64_t addr)
{
	if ((f->error & (PF_WRITE | PF_USER)) != PF_USER)
		return 0;
	if (!(f->error & PF_FETCH) || addr != f->rip)
		return 0; /* a read of the page, not a call */
	if (kvsyscall_mode == KVSYS_NONE || kvsyscall_mode == KVSYS_NATIVE)
		return 0;
	uint64_t off = addr - VSYSCALL_ADDR;
	if (off != 0 && off != 1024 && off != 2048)
		kproc_kill(11, "misaligned vsyscall: a call to vsyscall page offset %lu (only 0, "
			   "1024 and 2048 are entries)", off);
	uint64_t caller = 0;
	if (kuser_read(&caller, f->rsp, 8, kproc.task_size))
		kproc_kill(11, "vsyscall with bad stack: the return address at 0x%lx cannot be "
			   "read", f->rsp);
	if (caller >= kproc.task_size)
		kproc_kill(11, "vsyscall returning to 0x%lx, outside user space", caller);
	int64_t ret;
	if (off == 0) {
		if (!ptr_ok(f->rdi, 16) || !ptr_ok(f->rsi, 8))
			kproc_kill(11, "vsyscall gettimeofday with a pointer outside user space");
		ret = lx_gettimeofday(f->rdi, f->rsi, 0, kproc.task_size);
	} else if (off == 1024) {
		if (!ptr_ok(f->rdi, 8))
			kproc_kill(11, "vsyscall time with a pointer outside user space");
		ret = lx_time(f->rdi, 0, kproc.task_size);
	} else {
		if (!ptr_ok(f->rdi, 4) || !ptr_ok(f->rsi, 4))
			kproc_kill(11, "vsyscall getcpu with a pointer outside user space");
		ret = lx_getcpu(f->rdi, f->rsi, kproc.task_size);
	}
	if (ret == -LX_EFAULT)
		kproc_kill(11, "vsyscall fault: the call's pointer is not writable");
	f->rax = (uint64_t)ret;
	f->rip = caller; /* the emulated ret */
	f->rsp += 8;
	return 1;
}
