/* kentry kernel: the one C dispatcher, and the exit decision.
 *
 * Every entry ends up here with its frame (struct kregs, regs.h): the full
 * stubs (full.S) for every mechanism, and the generic vector stubs
 * (entry.S trap_common) for faults and interrupts, which go on to
 * trap_dispatch. FRED's one entry (full.S kf_fred_user, kf_fred_kernel)
 * comes in through kfred_dispatch (at the end): its frame classified
 * first (type and vector make it a trap or one of the KK_FRED_* kinds),
 * then the same trap handling, personalities and observation. For an entry from ring 3 through a full stub the
 * dispatcher
 *   1. serves it: a personality does the work (the measurement's null
 *      service, the self-test's small system-call ABI and the fuzzer's,
 *      the Linux ABI: kentry_dispatch_linux below);
 *      it may change any field of the frame: a return value in RAX, a new
 *      RIP or RSP, which every exit honours;
 *   2. decides the exit: 1 (2: SYSRETL for int-gate/sysretq from 32-bit
 *      code) when the mechanism's own fast exit reproduces the frame
 *      exactly and safely, 0 for IRETQ, which always can. The conditions,
 *      one per line of the table in docs/kernel.md:
 *        - the fast exit loads fixed selectors (SYSRET, SYSEXIT) or needs
 *          user ones (LRET): CS and SS must be those values;
 *        - it clobbers registers (SYSRET: RCX = RIP, R11 = RFLAGS;
 *          SYSEXIT: RDX = RIP, RCX = RSP): the frame must hold exactly
 *          those values there, or ring 3 would see other registers than
 *          the frame says (Linux's check in do_syscall_64);
 *        - the return RIP (and RSP for SYSEXIT) must be canonical, 32-bit
 *          for the 32-bit exits: Intel raises SYSRET's and SYSEXIT's #GP
 *          in ring 0, SYSRET's on the user's RSP (CVE-2012-0217);
 *        - no TF or RF: SYSRET cannot restore RF and traps at once after
 *          restoring TF; SYSEXIT and LRET restore flags with popfq in
 *          ring 0, which would single-step the kernel;
 *        - SYSEXIT does not exist in long mode on AMD (#UD): never chosen
 *          there (QEMU's AMD models let compat sysenter in regardless).
 *      NT, AC, DF and IF come back through every exit (SYSRET from R11,
 *      popfq before SYSEXIT/LRET, IRETQ from the frame). IRETQ itself
 *      faults on a non-canonical RIP: in ring 0 on the kernel stack,
 *      where trap_dispatch reports it as a fault on the way back.
 * The decision is written once (decide) and compiled twice: as is into
 * kentry_dispatch, and into kentry_dispatch_observed with each check
 * able to be switched off (harden_off=exit_*), for the self-test boots
 * only (their full stubs are patched at boot to call the observing
 * wrapper, so a measuring boot never tests a flag). */
#include "dispatch.h"
#include "kernel.h"
#include "layout.h"
#include "harden.h"
#include "trap.h"
#include "fred.h"
#include "linux.h"

struct kservice kservice;
int kexit_sysexit_ud; /* AMD: SYSEXIT is #UD in long mode */

static inline int canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

#define CHECK(bit) (!(weak) || kharden_on(KH(bit)))

static inline __attribute__((always_inline)) uint64_t
sysret_ok(const struct kregs *r, uint64_t cs, int weak)
{
	if (r->cs != cs || r->ss != USER_DS)
		return 0;
	if (CHECK(EXIT_REGS) && (r->rcx != r->rip || r->r11 != r->rflags))
		return 0;
	if (CHECK(EXIT_CANON) && (cs == USER_CS64 ? !canonical(r->rip) : (r->rip >> 32) != 0))
		return 0;
	if (CHECK(EXIT_FLAGS) && (r->rflags & (RF_TF | RF_RF)))
		return 0;
	return 1;
}

static inline __attribute__((always_inline)) uint64_t
sysexit_ok(const struct kregs *r, uint64_t cs, uint64_t ss, int weak)
{
	if (kexit_sysexit_ud || r->cs != cs || r->ss != ss)
		return 0;
	if (CHECK(EXIT_REGS) && (r->rdx != r->rip || r->rcx != r->rsp))
		return 0;
	if (CHECK(EXIT_CANON) && (cs == USER_CS64 ? !canonical(r->rip) || !canonical(r->rsp)
						   : ((r->rip | r->rsp) >> 32) != 0))
		return 0;
	if (CHECK(EXIT_FLAGS) && (r->rflags & (RF_TF | RF_RF)))
		return 0;
	return 1;
}

static inline __attribute__((always_inline)) uint64_t
lret_ok(const struct kregs *r, int weak)
{
	if ((r->cs != USER_CS64 && r->cs != USER_CS32) || (r->ss & 3) != 3)
		return 0;
	if (CHECK(EXIT_CANON) && (r->cs == USER_CS64 ? !canonical(r->rip) : (r->rip >> 32) != 0))
		return 0;
	if (CHECK(EXIT_FLAGS) && (r->rflags & (RF_TF | RF_RF)))
		return 0;
	return 1;
}

/* Which fast exit each kind of entry has (XC_IRET: none, IRETQ always).
 * A table, not a switch: no jump table (an indirect jump) and no chain
 * of compares on the entry path. */
enum { XC_IRET, XC_SYSRET64, XC_SYSRET32, XC_INT_SYSRET, XC_SYSEXIT64, XC_SYSEXIT32, XC_LRET };
static const uint8_t exit_class[KK_COUNT] = {
	[KK_IDT] = XC_IRET,           [KK_INT] = XC_IRET,
	[KK_EXC] = XC_IRET,           [KK_SYSCALL64] = XC_SYSRET64,
	[KK_SYSCALL32] = XC_SYSRET32, [KK_SYSENTER64] = XC_SYSEXIT64,
	[KK_SYSENTER32] = XC_SYSEXIT32, [KK_CALLGATE] = XC_LRET,
	[KK_INT_SYSRET] = XC_INT_SYSRET, [KK_SYSCALL_IRET] = XC_IRET,
	[KK_SYSENTER_IRET] = XC_IRET, [KK_CALLGATE_IRET] = XC_IRET,
	/* FRED has one return to ring 3, ERETU, which restores the whole
	 * frame as IRETQ does: nothing to decide (0, the full-state exit) */
	[KK_FRED] = XC_IRET, [KK_FRED_SYSCALL] = XC_IRET, [KK_FRED_SYSENTER] = XC_IRET,
	[KK_FRED_INT] = XC_IRET, [KK_FRED_EXC] = XC_IRET,
};

static inline __attribute__((always_inline)) uint64_t decide(const struct kregs *r, int weak)
{
	unsigned x = r->kind < KK_COUNT ? exit_class[r->kind] : XC_IRET;
	if (x == XC_IRET)
		return 0;
	if (x == XC_SYSRET64)
		return sysret_ok(r, USER_CS64, weak);
	if (x == XC_SYSRET32)
		return sysret_ok(r, USER_CS32, weak);
	if (x == XC_INT_SYSRET) {
		if (r->cs == USER_CS32)
			return sysret_ok(r, USER_CS32, weak) ? 2 : 0;
		return sysret_ok(r, USER_CS64, weak);
	}
	if (x == XC_SYSEXIT64)
		return sysexit_ok(r, USER_CS64, USER_DS64, weak);
	if (x == XC_SYSEXIT32)
		return sysexit_ok(r, USER_CS32, USER_DS, weak);
	return lret_ok(r, weak);
}

uint64_t kexit_decide(const struct kregs *r)
{
	return decide(r, 1);
}

/* The measurement's service: every path's loop only needs to come back.
 * System-call-like entries return 0 in RAX (a null system call);
 * exceptions move RIP past the faulting instruction, whose length the
 * path registry gives (paths.def `skip`). int-gate/sysretq's convention
 * (like SYSCALL's): RCX and R11 come back as RIP and RFLAGS. */
static inline __attribute__((always_inline)) void serve_measure(struct kregs *r)
{
	if (r->kind == KK_EXC) {
		r->rip += kservice.skip;
		return;
	}
	if (r->kind == KK_INT_SYSRET) {
		r->rcx = r->rip;
		r->r11 = r->rflags;
	}
	r->rax = 0;
}

/* Not an entry from ring 3 (an IDT vector that is no path's, or an
 * event in ring 0): the trap dispatcher's, 1. Inlined: the same code on
 * every personality's entry path. */
static inline __attribute__((always_inline)) int to_trap(struct kregs *r)
{
	if (r->kind == KK_IDT || !(r->cs & 3)) {
		trap_dispatch(r);
		return 1;
	}
	return 0;
}

uint64_t kentry_dispatch(struct kregs *r)
{
	if (to_trap(r))
		return 0;
	serve_measure(r);
	return decide(r, 0);
}

/* The same dispatcher with the Linux personality (linux.c): the boot
 * retargets every full stub's call here when it runs a Linux program or
 * measures the Linux system-call paths (KF_LINUX, kpatch.h), so neither
 * personality tests a flag on an entry. */
uint64_t kentry_dispatch_linux(struct kregs *r)
{
	if (to_trap(r))
		return 0;
	klinux_serve(r);
	return decide(r, 0);
}

/* The self-test's and fuzzer's dispatcher, reached through the observing
 * wrapper (full.S kentry_observe), which recorded the state at the C
 * boundary in kobs before calling here. */
uint64_t kentry_dispatch_observed(struct kregs *r)
{
	if (to_trap(r))
		return 0;
	kobserve_entry(r);
	if (kservice.serve)
		kservice.serve(r);
	else
		serve_measure(r);
	uint64_t d = decide(r, 1);
	kobserve_exit(r, d);
	return d;
}

/* ---- FRED's entry into the dispatcher -------------------------------------------
 * FRED's one entry point (full.S kf_fred_user for events from ring 3,
 * kf_fred_kernel for those in ring 0) comes here with its frame, which is
 * a struct kregs already (regs.h). What the event is comes from the
 * frame's type and vector (kfred_classify, fred.h): a trap for
 * trap_dispatch, or an entry served by the same personality as every
 * other (the measurement's null service, the self-test's ABI, the
 * fuzzer's). There is no exit to decide: ERETU restores whatever the
 * frame holds, RIP, RSP and every register the personality set (a frame
 * it cannot return to faults in ring 0 at kfred_eretu, reported as a
 * fault on the way back). The IDT entries' kentry_dispatch is left as it
 * is: its paths pay nothing for FRED. */
static inline __attribute__((always_inline)) void serve_measure_fred(struct kregs *r)
{
	if (r->kind == KK_FRED_EXC)
		r->rip += kservice.skip; /* as serve_measure's exceptions */
	else
		r->rax = 0;
}

uint64_t kfred_dispatch_kernel(struct kregs *r)
{
	kfred_classify_kernel(r);
	trap_dispatch(r);
	return 0;
}

/* What the FRED event is (kfred_classify); a trap's goes to the trap
 * dispatcher, 1. */
static inline __attribute__((always_inline)) int fred_to_trap(struct kregs *r)
{
	kfred_classify(r);
	if (r->kind == KK_IDT) {
		trap_dispatch(r);
		return 1;
	}
	return 0;
}

uint64_t kfred_dispatch(struct kregs *r)
{
	if (fred_to_trap(r))
		return 0;
	serve_measure_fred(r);
	return 0;
}

uint64_t kfred_dispatch_observed(struct kregs *r)
{
	if (fred_to_trap(r))
		return 0;
	kobserve_entry(r);
	if (kservice.serve)
		kservice.serve(r);
	else
		serve_measure_fred(r);
	kobserve_exit(r, 0);
	return 0;
}
