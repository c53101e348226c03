/* kentry kernel: the Linux process. See proc.h.
 *
 * Memory is faulted in: an area (struct kvma) says what may be there and
 * with which protection; the first touch of a page (by the program, or by
 * the kernel copying to or from it for a system call) takes a #PF that
 * kproc_fault resolves with a zeroed frame, as Linux's anonymous memory
 * does. A touch outside every area, or against an area's protection, is
 * not resolved: the program dies of SIGSEGV, a system call's copy returns
 * -EFAULT (uaccess.S). */
#include "proc.h"
#include "cpu.h"
#include "frames.h"
#include "kernel.h"
#include "layout.h"
#include "mitig.h"
#include "trap.h"
#include "vsyscall.h"

struct kproc kproc;

int kproc_new(int is32)
{
	memset(&kproc, 0, sizeof(kproc));
	if (kvm_space_new(&kproc.mm))
		return -1;
	kproc.active = 1;
	kproc.is32 = is32;
	kproc.task_size = is32 ? TASK_SIZE32 : TASK_SIZE64;
	kproc.mmap_top = is32 ? MMAP_TOP32 : MMAP_TOP64;
	return 0;
}

int kproc_kpti(const char *what)
{
	if (!kvm_kernel.twin)
		return 0; /* no KPTI set in this boot */
	if (kvm_pti_build(&kproc.mm, &kproc.mm_twin)) {
		tap_check(0, "KPTI %s: no user page tables: out of frames", what);
		return -1;
	}
	return kpti_check_space(&kproc.mm, what);
}

void kproc_free(void)
{
	if (kvm_current == &kproc.mm)
		kvm_activate(&kvm_kernel);
	kvm_space_free(&kproc.mm);
	kproc.active = 0;
}

uint64_t kproc_pte_flags(uint32_t prot)
{
	if (!(prot & (PROT_READ_ | PROT_WRITE_ | PROT_EXEC_)))
		return PTE_U | KVM_NOT_PRESENT;
	uint64_t f = PTE_U;
	if (prot & PROT_WRITE_)
		f |= PTE_W;
	if (!(prot & PROT_EXEC_))
		f |= PTE_NX_IF;
	return f;
}

/* ---- areas ------------------------------------------------------------------------ */

static int vma_find(uint64_t a)
{
	for (unsigned i = 0; i < kproc.nvma; i++)
		if (a >= kproc.vma[i].start && a < kproc.vma[i].end)
			return (int)i;
	return -1;
}

int kproc_range_free(uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < kproc.nvma; i++)
		if (start < kproc.vma[i].end && kproc.vma[i].start < end)
			return 0;
	return 1;
}

static int vma_insert(uint64_t start, uint64_t end, uint32_t prot, uint32_t flags)
{
	if (kproc.nvma >= KPROC_MAX_VMA)
		return -1;
	unsigned i = 0;
	while (i < kproc.nvma && kproc.vma[i].start < start)
		i++;
	for (unsigned k = kproc.nvma; k > i; k--)
		kproc.vma[k] = kproc.vma[k - 1];
	kproc.vma[i] = (struct kvma){ start, end, prot, flags };
	kproc.nvma++;
	return 0;
}

static void vma_delete(unsigned i)
{
	for (unsigned k = i; k + 1 < kproc.nvma; k++)
		kproc.vma[k] = kproc.vma[k + 1];
	kproc.nvma--;
}

/* Cuts an area in two at a (inside it); -1 when the table is full. */
static int vma_split(uint64_t a)
{
	int i = vma_find(a);
	if (i < 0 || kproc.vma[i].start == a)
		return 0;
	struct kvma v = kproc.vma[i];
	kproc.vma[i].end = a;
	if (vma_insert(a, v.end, v.prot, v.flags)) {
		kproc.vma[i].end = v.end;
		return -1;
	}
	return 0;
}

int kproc_map(uint64_t start, uint64_t end, uint32_t prot, uint32_t flags)
{
	if (!kproc_range_free(start, end))
		return -1;
	return vma_insert(start, end, prot, flags);
}

int kproc_unmap(uint64_t start, uint64_t end)
{
	if (vma_split(start) || vma_split(end))
		return -1;
	for (unsigned i = 0; i < kproc.nvma;) {
		if (kproc.vma[i].start >= start && kproc.vma[i].end <= end)
			vma_delete(i);
		else
			i++;
	}
	kvm_unmap(&kproc.mm, start, end - start);
	return 0;
}

int kproc_protect(uint64_t start, uint64_t end, uint32_t prot)
{
	/* all of it mapped, without holes */
	for (uint64_t a = start; a < end;) {
		int i = vma_find(a);
		if (i < 0)
			return -12; /* ENOMEM, as Linux */
		a = kproc.vma[i].end;
	}
	if (vma_split(start) || vma_split(end))
		return -12;
	for (unsigned i = 0; i < kproc.nvma; i++)
		if (kproc.vma[i].start >= start && kproc.vma[i].end <= end)
			kproc.vma[i].prot = prot;
	kvm_protect(&kproc.mm, start, end - start, kproc_pte_flags(prot));
	return 0;
}

uint64_t kproc_gap(uint64_t len, uint64_t floor, uint64_t top)
{
	if (floor < USER_MIN)
		floor = USER_MIN;
	uint64_t end = top; /* the top of the gap being tried */
	/* areas are sorted by start: walk down from the highest */
	for (int i = (int)kproc.nvma - 1; i >= -1; i--) {
		uint64_t lo = floor;
		if (i >= 0) {
			const struct kvma *v = &kproc.vma[i];
			if (v->start >= end)
				continue;      /* wholly above */
			if (v->end > end) {
				end = v->start; /* straddles the top: go below it */
				continue;
			}
			if (v->end > lo)
				lo = v->end;
		}
		if (end > lo && end - lo >= len)
			return end - len;
		if (i >= 0)
			end = kproc.vma[i].start;
		if (end <= floor)
			break;
	}
	return 0;
}

uint64_t kproc_brk(uint64_t want)
{
	uint64_t cur_end = (kproc.brk + 0xfff) & ~0xfffull;
	if (want < kproc.brk_start || want > kproc.task_size)
		return kproc.brk;
	uint64_t new_end = (want + 0xfff) & ~0xfffull;
	if (new_end > cur_end) {
		if (!kproc_range_free(cur_end, new_end))
			return kproc.brk; /* something is in the way: brk fails as Linux's */
		int i = cur_end > kproc.brk_start ? vma_find(cur_end - 1) : -1;
		if (i >= 0 && (kproc.vma[i].flags & VMA_BRK))
			kproc.vma[i].end = new_end;
		else if (kproc_map(cur_end, new_end, PROT_READ_ | PROT_WRITE_, VMA_BRK))
			return kproc.brk;
	} else if (new_end < cur_end) {
		kproc_unmap(new_end, cur_end);
	}
	kproc.brk = want;
	return want;
}

/* ---- faults ------------------------------------------------------------------------ */

#define PF_PRESENT 1u
#define PF_WRITE   2u
#define PF_USER    4u
#define PF_FETCH   16u

int kproc_fault(struct kregs *f)
{
	if (!kproc.active || kvm_current != &kproc.mm)
		return 0;
	uint64_t a = read_cr2();
	if (a >= VSYSCALL_ADDR && a < VSYSCALL_ADDR + 4096)
		return kvsyscall_fault(f, a);
	if (f->error & PF_PRESENT || a >= kproc.task_size)
		return 0; /* a protection fault, or not user memory */
	int i = vma_find(a);
	if (i < 0)
		return 0;
	const struct kvma *v = &kproc.vma[i];
	if (v->flags & VMA_FIXED)
		return 0;
	if ((f->error & PF_WRITE) && !(v->prot & PROT_WRITE_))
		return 0;
	if ((f->error & PF_FETCH) && !(v->prot & PROT_EXEC_))
		return 0;
	if (!(v->prot & (PROT_READ_ | PROT_WRITE_ | PROT_EXEC_)))
		return 0;
	uint64_t page = a & ~0xfffull;
	if (kvm_map_anon(&kproc.mm, page, 4096, kproc_pte_flags(v->prot)))
		kproc_kill(9, "out of memory: no frame left for the page at 0x%lx (%lu frames in all)",
			   page, frames_total());
	kvm_invlpg(page);
	return 1;
}

/* ---- the end ------------------------------------------------------------------------ */

void kproc_exit(int status)
{
	kproc.ended = 1;
	kproc.status = status & 0xff;
	kuser_abort(KURUN_PROC_END);
}

void kproc_kill(int sig, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(kproc.why, sizeof(kproc.why), fmt, ap);
	va_end(ap);
	kproc.ended = 2;
	kproc.status = sig;
	kuser_abort(KURUN_PROC_END);
}

const char *ksig_name(int sig)
{
	static const char *const names[] = {
		"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
		"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
		"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
		"SIGIO", "SIGPWR", "SIGSYS",
	};
	return sig > 0 && sig < 32 ? names[sig] : "a real-time signal";
}
