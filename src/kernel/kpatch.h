/* kentry kernel: boot-time code patching (kpatch.c), as Linux's
 * alternatives and static calls do, so that what is switchable at boot
 * costs nothing at run time: no flag is tested on an entry path.
 *
 * A patch site is a range of instructions recorded in the .kpatch table:
 *   KPATCH_NOP   the range stays when its feature is on, otherwise it is
 *                replaced by one NOP of the same length (one instruction;
 *                longer ranges by a jmp over them): clac where the CPU has
 *                SMAP, sti before sysexit with ring 3 at IF = 1, each
 *                hardening step unless harden_off names it, the SYSRET SS
 *                fix-up where the CPU needs it (probed);
 *   KPATCH_CALL  a 5-byte call whose target becomes `alt` when its feature
 *                is on: the full stubs call kentry_dispatch, the
 *                self-test and fuzzer boots retarget them to an observing
 *                wrapper, a boot that runs Linux programs to the Linux
 *                personality (dispatch.c).
 * kpatch_apply() runs once, before vm_init() maps the text read-only.
 *
 * The mitigations (mitig.h) are NOP sites too, in the mitigated copy of
 * the full stubs only (full_mitig.S): there a run of adjacent sites that
 * are all off becomes ONE instruction (a NOP, or a jmp over the run), as
 * each switched-off ALTERNATIVE in Linux costs a jmp or a NOP; and since a
 * boot measures several sets of mitigations, kpatch_reapply() puts the
 * copy's pristine bytes back and patches it again for the next set (the
 * text is read-only by then: CR0.WP is cleared around the writes). */
#ifndef KENTRY_KERNEL_KPATCH_H
#define KENTRY_KERNEL_KPATCH_H

#define KPATCH_NOP  0
#define KPATCH_CALL 1

/* Features: 0..31 are the hardening steps of harden.h (on unless
 * harden_off names them); these follow. */
#define KF_SMAP     32  /* CPUID.7.0:EBX[20]: stac/clac exist */
#define KF_IF1      33  /* ring 3 runs with RFLAGS.IF = 1 */
#define KF_SYSRET_SS 34 /* the CPU keeps SS's attributes across SYSRET (AMD's
			 * behaviour, probed at boot) and the fix-up is on */
#define KF_OBSERVE  35  /* self-test or fuzzer boot: observing dispatcher */
#define KF_CLAC     36  /* SMAP exists and the "flags" step is on: clac at IDT entries */
#define KF_LINUX    37  /* a Linux program runs, or the Linux paths are measured:
			 * the dispatcher with the Linux personality */
/* 40..: the mitigations (mitig.h), in the mitigated full stubs only;
 * adjacent switched-off sites of these are patched as one run. */
#define KF_MITIG_FIRST 40

#ifdef __ASSEMBLER__

	.macro KPATCH_RECORD start, end, feature, kind, alt
	.pushsection .kpatch, "a"
	.balign 8
	.quad \start, \alt
	.word \end - \start
	.byte \feature, \kind
	.long 0
	.popsection
	.endm

/* KPATCH_IF feature, insn: insn stays only when feature is on. gas splits
 * a line at ';' before it expands macros, so a site of several
 * instructions is a macro of its own, named here. */
	.macro KPATCH_IF feature, insns:vararg
.Lkp_s\@:
	\insns
.Lkp_e\@:
	KPATCH_RECORD .Lkp_s\@, .Lkp_e\@, \feature, KPATCH_NOP, 0
	.endm

/* clac at an entry from ring 3: int n, exceptions, call gates and
 * sysenter leave the user's AC set, which would switch SMAP off. */
	.macro ASM_CLAC
	KPATCH_IF KF_SMAP, clac
	.endm

/* call target, or alt when feature is on (or alt2 when feature2 is: a
 * boot never has both on) */
	.macro KPATCH_CALL_SITE target, feature, alt, feature2=-1, alt2=0
.Lkc_s\@:
	call \target
.Lkc_e\@:
	KPATCH_RECORD .Lkc_s\@, .Lkc_e\@, \feature, KPATCH_CALL, \alt
	.if \feature2 >= 0
	KPATCH_RECORD .Lkc_s\@, .Lkc_e\@, \feature2, KPATCH_CALL, \alt2
	.endif
	.endm

#else

#include <stdint.h>

struct kpatch_site {
	uint64_t site, alt;
	uint16_t len;
	uint8_t feature, kind;
	uint32_t pad;
};
_Static_assert(sizeof(struct kpatch_site) == 24, "kpatch record");

/* Applies every site against the feature mask (bit f = feature f on);
 * returns how many sites were changed. */
unsigned kpatch_apply(uint64_t features);
/* The same for the sites of one feature only, decided later: sites that
 * the first pass kept because their feature was on. Text is read-only by
 * then: CR0.WP is cleared around the writes. */
unsigned kpatch_apply_late(unsigned feature, int on);
extern unsigned kpatch_sites, kpatch_changed;
/* The feature mask the text was last patched with (kpatch_apply, then the
 * late decisions). */
extern uint64_t kpatch_features;
/* Patches again the sites inside [lo, hi), whose pristine bytes the caller
 * has just put back, against features (text read-only: CR0.WP cleared
 * around the writes). Returns the number of sites switched off. */
unsigned kpatch_reapply(uint64_t features, uintptr_t lo, uintptr_t hi);

#endif
#endif
