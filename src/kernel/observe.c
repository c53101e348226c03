/* kentry kernel: what the self-test and the fuzzer observe at the C
 * boundary of every full entry.
 *
 * Their boots patch every full stub's call of kentry_dispatch into a call
 * of kentry_observe (full.S), which records RFLAGS and every general
 * register as the stub handed them to C, then calls
 * kentry_dispatch_observed, then fills every register the exits restore
 * from the frame with KPOISON. kobserve_entry checks what a full entry
 * promises before any C runs:
 *   - RFLAGS has no TF, NT, AC or DF (the "flags" step);
 *   - every general register is 0: nothing ring 3 chose reaches C (the
 *     "clear_regs" step);
 *   - the frame is at the base of the entry stack (the "stack" step: a
 *     syscall that stayed on the user's stack would put it elsewhere;
 *     under FRED the stack IA32_FRED_RSP0 names, below the event data).
 * A broken promise is a violation: counted, the first one kept in words;
 * the self-test fails the case and the fuzzer stops on it. The poison
 * makes a register an exit forgot to restore visible in ring 3. */
#include "dispatch.h"
#include "kernel.h"
#include "mitig.h"

struct kobs kobs;
extern char kentry_stack_top[];

static const char *const kinds[KK_COUNT] = {
	"generic", "int n", "exception", "syscall", "syscall (compat)", "sysenter",
	"sysenter (compat)", "call gate", "int n/sysret", "syscall/iretq", "sysenter/iretq",
	"call gate/iretq", "FRED event", "FRED syscall", "FRED sysenter", "FRED int n",
	"FRED exception",
};
static const char *const regnames[14] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

const char *kentry_kind_name(unsigned kind)
{
	return kind < KK_COUNT ? kinds[kind] : "?";
}

static void violation(const struct kregs *r, const char *what, uint64_t v)
{
	if (!kobs.violations++)
		ksnprintf(kobs.first, sizeof(kobs.first), "%s entry (rip 0x%lx): %s 0x%lx",
			  kentry_kind_name(r->kind), r->rip, what, v);
}

void kobserve_reset(void)
{
	memset(kobs.entries, 0, sizeof(kobs.entries));
	memset(kobs.fast, 0, sizeof(kobs.fast));
	memset(kobs.iret, 0, sizeof(kobs.iret));
	kobs.violations = 0;
	kobs.first[0] = 0;
}

void kobserve_entry(struct kregs *r)
{
	kobs.entries[r->kind]++;
	uint64_t bad = kobs.rflags & (RF_TF | RF_NT | RF_AC | RF_DF);
	if (bad)
		violation(r, "C ran with user flags (TF/NT/AC/DF) in RFLAGS", kobs.rflags);
	for (unsigned i = 0; i < 14; i++)
		if (kobs.regs[i]) {
			char w[64];
			ksnprintf(w, sizeof(w), "C was called with a user value in %s", regnames[i]);
			violation(r, w, kobs.regs[i]);
			break;
		}
	/* FRED's frame has 16 bytes of event data above it (fred.h) */
	uintptr_t top = (uintptr_t)r + KREGS_SIZE + (r->kind >= KK_FRED ? 16 : 0);
	if (top != (uintptr_t)kentry_stack_top)
		violation(r, "frame not at the base of the entry stack: at", (uint64_t)(uintptr_t)r);
	/* the running set of mitigations (mitig.c): on the kernel's tables,
	 * the kernel's GS base, IBRS on */
	const char *mw = kmitig_current >= 0 ? kmitig_check_entry() : 0;
	if (mw)
		violation(r, mw, 0);
}

void kobserve_exit(struct kregs *r, uint64_t decision)
{
	if (decision)
		kobs.fast[r->kind]++;
	else
		kobs.iret[r->kind]++;
}
