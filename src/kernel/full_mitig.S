/* kentry kernel: the mitigated copy of the full paths (variants
 * full+<mitigation>, docs/mitigations.md).
 *
 * full.S assembled a second time with KENTRY_MITIGATED: its three hook
 * points (ENTERED_FROM_USER, LEAVING_KERNEL, EXIT_TO_USER) then hold the
 * mitigations of mitig.h as patch sites, in Linux's order, and every
 * global it defines is renamed kf_X -> kf_X_mitig (paths.c finds a path's
 * mitigated stub by that name, from the full stub's in paths.def). The
 * copy lives in .entry.text.mitig, which mitig.c restores from its
 * pristine bytes and patches again for each measured set; kf_* itself is
 * never touched, so the full variant runs exactly the code it ran before
 * mitigations existed (its --icount budgets hold).
 *
 * A stub added to full.S needs its line here: without it the link fails
 * on a duplicate kf_ symbol. */
#define KENTRY_MITIGATED 1

#define kexit_iret         kexit_iret_mitig
#define kexit_iretq        kexit_iretq_mitig
#define kf_intgate         kf_intgate_mitig
#define kf_trapgate        kf_trapgate_mitig
#define kf_int80           kf_int80_mitig
#define kf_exc_de          kf_exc_de_mitig
#define kf_exc_bp          kf_exc_bp_mitig
#define kf_exc_ud          kf_exc_ud_mitig
#define kf_exc_gp          kf_exc_gp_mitig
#define kf_exc_pf          kf_exc_pf_mitig
#define kf_syscall64       kf_syscall64_mitig
#define kf_syscall32       kf_syscall32_mitig
#define kf_syscall64_iret  kf_syscall64_iret_mitig
#define kf_sysenter64      kf_sysenter64_mitig
#define kf_sysenter32      kf_sysenter32_mitig
#define kf_sysenter64_iret kf_sysenter64_iret_mitig
#define kf_callgate        kf_callgate_mitig
#define kf_callgate_iret   kf_callgate_iret_mitig
#define kf_intgate_sysret  kf_intgate_sysret_mitig

#include "full.S"

/* ---- Branch history clearing (bhb) ---------------------------------------------
 * Called from a system-call entry (mitig.h MITIG_BHB_CLEAR) on the entry
 * stack, kernel tables loaded, registers free (cleared after it). Intel's
 * software sequence against Branch History Injection: the branch history
 * is a running record of the last taken branches, so a sequence of taken
 * branches at fixed addresses leaves it in a state ring 3 did not choose.
 * BHB_OUTER rounds: a call (one taken branch, and the return after the
 * inner loop another), then BHB_INNER taken jumps, each to a target of
 * its own; the cache-line alignment keeps the branch addresses apart.
 * The final lfence keeps a mispredicted loop exit from running ahead.
 * Clobbers ECX, EAX and the flags. */
	.section .entry.text.mitig, "ax"
	.balign 64
	.globl kmitig_clear_bhb
kmitig_clear_bhb:
	mov $BHB_OUTER, %ecx
	call .Lbhb_round
	lfence
	ret
	.balign 64
.Lbhb_round:
	call .Lbhb_inner
	dec %ecx
	jnz .Lbhb_round
	ret
	.balign 64
.Lbhb_inner:
	mov $BHB_INNER, %eax
.Lbhb_jump:
	jmp .Lbhb_target
	int3
.Lbhb_target:
	dec %eax
	jnz .Lbhb_jump
	ret

/* verw's operand (mitig.h MITIG_VERW): a writable data selector, the fastest
 * form; per-CPU entry data, mapped in the user tables where verw runs. */
	.section .entry.data, "aw"
	.balign 2
	.globl kmitig_verw_sel
kmitig_verw_sel:
	.word SEL_KDATA
