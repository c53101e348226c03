/* kentry kernel: the mitigations a real kernel adds at its entries and
 * exits, chosen at boot and switched per measured set (mitig.c), and the
 * code each one adds to the full paths. Included from C and from the
 * mitigated assembly of full.S (full_mitig.S).
 *
 * Each mitigation is a kpatch NOP site (kpatch.h) at one of the three
 * hook points every full stub has (full.S), in Linux's order
 * (arch/x86/entry/entry_64.S, calling.h, nospec-branch.h):
 *
 *   entry (ENTERED_FROM_USER: frame saved, registers free, cleared after):
 *     swapgs [lfence]   the GS switch; the lfence is Linux's
 *                       FENCE_SWAPGS_USER (Spectre v1 through swapgs),
 *                       which it adds only when no KPTI CR3 write, itself
 *                       serializing, follows
 *     CR3 -> kernel     KPTI: the twin bit (and with PCID the user PCID
 *                       bit) cleared; with PCID the no-flush bit set
 *     IBRS on           IA32_SPEC_CTRL.IBRS = 1 (Linux's IBRS_ENTER)
 *     IBPB              IA32_PRED_CMD = 1 (Linux's entry_ibpb, in UNTRAIN_RET)
 *     RSB fill          32 return-stack entries overwritten by calls whose
 *                       return addresses are speculation traps (Linux's
 *                       __FILL_RETURN_BUFFER, here at UNTRAIN_RET's place)
 *     BHB clear         the branch-history clearing loop, system-call
 *                       entries only (Linux's CLEAR_BRANCH_HISTORY is in
 *                       the syscall, sysenter and int 0x80 entries only)
 *   exit, first (LEAVING_KERNEL: registers free):
 *     IBRS off          IA32_SPEC_CTRL = ring 3's value (Linux's IBRS_EXIT)
 *     CR3 -> user       the twin (with PCID: user PCID, no flush)
 *     swapgs            ring 3's GS back
 *   exit, last (EXIT_TO_USER: right before the return, or before the popfq
 *   of SYSEXIT/LRETQ exits, since verw writes ZF):
 *     verw              CPU buffer clearing (MDS and kin: Linux's
 *                       CLEAR_CPU_BUFFERS right before SYSRET/IRET)
 *
 * Linux's order within each point; the points themselves differ from
 * Linux's in two ways that cost nothing: the entry's switches come after
 * the frame is pushed (kentry's entry stack is mapped in the user tables,
 * as Linux's trampoline stack is; Linux's error_entry does the same), and
 * the exit switches to the user tables before it pops the registers (the
 * frame is on that mapped stack), so no register has to be parked. */
#ifndef KENTRY_KERNEL_MITIG_H
#define KENTRY_KERNEL_MITIG_H

#include "kpatch.h"

/* The mitigations, in the order of the tables (the kernel command line
 * names them so: mitigations=kpti,verw,...). */
#define KM_KPTI      0
#define KM_KPTI_PCID 1
#define KM_SWAPGS    2
#define KM_VERW      3
#define KM_IBRS      4
#define KM_IBPB      5
#define KM_RSB       6
#define KM_BHB       7
#define KM_COUNT     8

/* Their kpatch features; KF_M_FENCE is swapgs's lfence (on with swapgs
 * when no KPTI switch follows it); the exits' switches to the user tables
 * have features of their own (on with kpti, kpti-pcid), so that a test
 * can switch them off alone (harden_off=kpti_exit). */
#define KF_M(m)        (KF_MITIG_FIRST + (m))
#define KF_M_FENCE     (KF_MITIG_FIRST + KM_COUNT)
#define KF_M_KPTI_EXIT (KF_MITIG_FIRST + KM_COUNT + 1)
#define KF_M_PCID_EXIT (KF_MITIG_FIRST + KM_COUNT + 2)
#define KF_M_LAST      KF_M_PCID_EXIT

#define MSR_SPEC_CTRL 0x48  /* IA32_SPEC_CTRL: bit 0 IBRS */
#define MSR_PRED_CMD  0x49  /* IA32_PRED_CMD: bit 0 IBPB (write-only) */
#define MSR_ARCH_CAPABILITIES 0x10a
#define CR3_TWIN      0x1000 /* KVM_TWIN_BIT: the user tables of a space */
#define CR3_USER_PCID 0x800  /* bit 11 of the PCID: the user half, as Linux */
#define CR3_NOFLUSH_BIT 63

/* The branch-history clearing loop: BHB_OUTER calls, each followed by
 * BHB_INNER taken jumps at their own addresses, then lfence: Intel's
 * software sequence for Branch History Injection (the one Linux's
 * clear_bhb_loop runs). */
#define BHB_OUTER 5
#define BHB_INNER 5
/* Return-stack entries the RSB fill overwrites (two calls per round). */
#define RSB_ENTRIES 32

#if defined(__ASSEMBLER__) && defined(KENTRY_MITIGATED)

/* KPTI: to the kernel's tables of the running space. RAX is free. */
	.macro MITIG_CR3_KERNEL
	mov %cr3, %rax
	and $~CR3_TWIN, %rax
	mov %rax, %cr3
	.endm
	.macro MITIG_CR3_KERNEL_PCID
	mov %cr3, %rax
	bts $CR3_NOFLUSH_BIT, %rax       /* keep the kernel PCID's TLB entries */
	and $~(CR3_TWIN | CR3_USER_PCID), %rax
	mov %rax, %cr3
	.endm
/* KPTI: to the space's twin, the user tables. */
	.macro MITIG_CR3_USER
	mov %cr3, %rax
	or $CR3_TWIN, %rax
	mov %rax, %cr3                   /* flushes every non-global TLB entry */
	.endm
/* With PCID the user PCID's entries are kept too: the kernel flushes that
 * PCID itself whenever it changes a user mapping (mitig.c, where Linux
 * instead marks the PCID for a flush at the next exit). */
	.macro MITIG_CR3_USER_PCID
	mov %cr3, %rax
	or $(CR3_TWIN | CR3_USER_PCID), %rax
	bts $CR3_NOFLUSH_BIT, %rax
	mov %rax, %cr3
	.endm
/* IBRS for the kernel (ring 3 runs with IA32_SPEC_CTRL = 0). */
	.macro MITIG_IBRS_ENTER
	mov $MSR_SPEC_CTRL, %ecx
	mov $1, %eax
	xor %edx, %edx
	wrmsr
	.endm
	.macro MITIG_IBRS_EXIT
	mov $MSR_SPEC_CTRL, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	.endm
	.macro MITIG_IBPB
	mov $MSR_PRED_CMD, %ecx
	mov $1, %eax
	xor %edx, %edx
	wrmsr
	.endm
/* RSB fill: RSB_ENTRIES / 2 rounds of two calls; each call's return
 * address is an int3 that only speculation can reach (a return predicted
 * from the stuffed entry lands there and stops); the calls' pushes are
 * dropped each round. The loop's branch is fenced. */
	.macro MITIG_RSB_FILL
	mov $(RSB_ENTRIES / 2), %ecx
.Lrsb_round\@:
	call .Lrsb_a\@
	int3
.Lrsb_a\@:
	call .Lrsb_b\@
	int3
.Lrsb_b\@:
	add $16, %rsp
	dec %ecx
	jnz .Lrsb_round\@
	lfence
	.endm
	.macro MITIG_BHB_CLEAR
	call kmitig_clear_bhb            /* full_mitig.S */
	.endm
	.macro MITIG_SWAPGS
	swapgs
	.endm
	.macro MITIG_FENCE
	lfence
	.endm
	.macro MITIG_VERW
	verw kmitig_verw_sel(%rip)       /* memory operand: the form that clears */
	.endm

	.macro ENTERED_FROM_USER sys=1
	KPATCH_IF KF_M(KM_SWAPGS), MITIG_SWAPGS
	KPATCH_IF KF_M_FENCE, MITIG_FENCE
	KPATCH_IF KF_M(KM_KPTI), MITIG_CR3_KERNEL
	KPATCH_IF KF_M(KM_KPTI_PCID), MITIG_CR3_KERNEL_PCID
	KPATCH_IF KF_M(KM_IBRS), MITIG_IBRS_ENTER
	KPATCH_IF KF_M(KM_IBPB), MITIG_IBPB
	KPATCH_IF KF_M(KM_RSB), MITIG_RSB_FILL
	.if \sys
	KPATCH_IF KF_M(KM_BHB), MITIG_BHB_CLEAR
	.endif
	.endm
	.macro LEAVING_KERNEL
	KPATCH_IF KF_M(KM_IBRS), MITIG_IBRS_EXIT
	KPATCH_IF KF_M_KPTI_EXIT, MITIG_CR3_USER
	KPATCH_IF KF_M_PCID_EXIT, MITIG_CR3_USER_PCID
	KPATCH_IF KF_M(KM_SWAPGS), MITIG_SWAPGS
	.endm
	.macro EXIT_TO_USER
	KPATCH_IF KF_M(KM_VERW), MITIG_VERW
	.endm

#endif

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* The sets measured in one boot (mitigations=LIST): each listed mitigation
 * alone, then (two or more) the whole list, "all". */
#define KM_MAX_SETS (KM_COUNT + 1)
struct kmset {
	uint32_t mask;       /* KM_* bits that run */
	char name[24];       /* "kpti", ..., "all": the variant is full+<name> */
	char skip[200];      /* why it cannot run here ("" when it runs) */
	char note[240];      /* what was left out of "all", what verw does here */
};
extern struct kmset kmsets[KM_MAX_SETS];
extern unsigned kmnsets;

const char *kmitig_name(unsigned m);
/* The names of mask's mitigations, comma separated ("none": none). */
void kmitig_list(char *buf, size_t n, uint32_t mask);
/* mitigations=a,b,c: "auto", "all" or names; 0, or -1 with the bad word */
int kmitig_parse(const char *list, char *bad, unsigned badlen);
/* Before the first kpatch_apply: the mitigated copy's pristine bytes. */
void kmitig_save_pristine(void);
/* After vm_init, arch_init and apic_init: what this CPU can do, what auto
 * chooses, the KPTI twin of the kernel's space, the sets. */
void kmitig_setup(void);
void kmitig_env(void);
/* Switches the CPU and the mitigated stubs to set i (-1: none: the CPU
 * state of a kernel without any of them). */
void kmitig_apply(int i);
extern int kmitig_current;      /* the set applied, -1 */
int kmitig_requested(void);     /* mitigations= was given */
/* The first set whose mask includes all of `mask` and runs here, -1. */
int kmitig_find(uint32_t mask);
/* The set the self-test and fuzzer run with: "all" (or the one set), -1. */
int kmitig_test_set(void);
/* Checks, at the C boundary of a mitigated entry and after an excursion,
 * that the running set's state holds (CR3 on the right tables, GS, IBRS):
 * NULL, or what is wrong. */
const char *kmitig_check_entry(void);
/* status: how kuser_enter ended (the CR3 ring 3 ran on is known when it
 * ended in ring 3: the done entry, or a trap from ring 3). A broken state
 * is put right again after it is reported. */
const char *kmitig_check_after_user(uint32_t status);
extern uint64_t kpti_user_bits, kpti_kernel_noflush, kpti_cr3_at_done, kpti_cr3_at_trap;
/* kf_X -> kf_X_mitig when the self-test and fuzzer run mitigated (paths.c) */
void (*kpath_full_variant(void (*full)(void)))(void);

/* kpti.c: the KPTI twin of an address space, and its self-check. */
struct kvm_space;
int kvm_pti_build(struct kvm_space *s, struct kvm_space *twin);
extern struct kvm_space kvm_kernel_twin;
void kpti_selfcheck(void);
/* A process space's twin (TAP): only user pages and the trampoline, and
 * its user half the space's. 0, or -1 when a check failed. */
int kpti_check_space(const struct kvm_space *s, const char *what);
#endif

#endif
