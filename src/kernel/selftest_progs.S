/* kentry kernel: the self-test's ring-3 programs (section .user.text), each
 * with its expected outcome written beside it.
 *
 * `ST case, path, program, gadget, mode, arg, kind, vector, error, text`
 * records one run: the harness (selftest.c) installs the full variant of
 * `path` ("" for none), fills the parameter block st_pb (selftest.h) with
 * `arg` and what the path needs, runs `program` in ring 3 (mode 64 or 32:
 * compatibility mode), and compares what happened with `kind`/`vector`/
 * `error` (EXP_*, selftest.h); `text` says the same in words and is
 * printed beside what was observed. After every run the harness also
 * checks the kernel's side (selftest.c): invariants (GDT, IDT, TSS, entry
 * MSRs, CR0/CR3/CR4/EFER) unchanged, every full entry handed C clean flags
 * and cleared registers with its frame at the base of the entry stack, no
 * #DB or NMI on a stack ring 3 controls, the kernel victim buffer intact.
 * docs/selftest.md names the real-world bug behind each case. */
#include "layout.h"
#include "regs.h"
#include "dispatch.h"
#include "selftest.h"

	.macro ST case, path, prog, gadget, mode, arg, kind, vec, err, text
	.pushsection .rodata.stcases, "a"
	.balign 8
	.quad \prog, \gadget, \arg, \err
	.quad .Lstp\@, .Lstt\@
	.long \case, \mode, \kind, \vec
	.popsection
	.pushsection .rodata.ststr, "a"
.Lstp\@: .asciz "\path"
.Lstt\@: .asciz "\text"
	.popsection
	.endm

	.section .rodata.stcases, "a"
	.balign 8
	.globl st_cases
st_cases:

/* gas aliases of the C constants used inside quoted macro arguments,
 * which the C preprocessor does not expand. */
	.equ s_VEC_INTGATE, VEC_INTGATE
	.equ s_VEC_TRAPGATE, VEC_TRAPGATE
	.equ s_VEC_INT80, VEC_INT80
	.equ s_VEC_INT_SYSRET, VEC_INT_SYSRET
	.equ s_NP_PAGE, USER_NP_PAGE
	.equ s_SEL_TSS, SEL_TSS
	.set st_pb_gadget, st_pb + PB_GADGET
	.set st_pb_far32, st_pb + PB_FAR32
	.set st_pb_arg, st_pb + PB_ARG
	.set st_pb_ssslot4, st_pb + PB_SSSLOT + 4
	.set st_pb_scratch, st_pb + PB_CUR
	.set st_pb_back64, st_pb + PB_BACK64

	.section .user.text, "ax"
	.code64

/* ---- Entry gadgets: one round trip through a path, registers as the
 * mechanism and kentry's conventions leave them. 64-bit ones end in ret
 * (called). 32-bit ones run in compatibility mode: 64-bit code far-JUMPS
 * to them (PB_FAR32) and they far-jump back (PB_BACK64, which the caller
 * sets): far jumps change CS and RIP and touch no stack and no other
 * register. (A far call/return would do, but QEMU 7.2's TCG performs the
 * stack accesses of a ring-3 far call, far return and IRET as supervisor
 * accesses, which SMAP then blocks with a #PF.) --------------------------- */
	.macro G64 name, insns:vararg
	.balign 16
	.globl \name
\name:
	\insns
	ret
	.endm
	.macro SYSENTER64_G
	lea 1f(%rip), %rdx              /* kentry's convention: return RIP in RDX, */
	mov %rsp, %rcx                  /* RSP in RCX */
	sysenter
1:
	.endm
	.macro PF_G
	push %rsi
	mov $USER_NP_PAGE, %esi
	mov (%rsi), %eax                /* #PF; the full path skips it: EAX unchanged */
	pop %rsi
	.endm
	.macro DE_G
	push %rcx
	xor %ecx, %ecx
	div %ecx                        /* #DE; skipped, RAX/RDX unchanged */
	pop %rcx
	.endm

	G64 st_g_int81, int $VEC_INTGATE
	G64 st_g_int82, int $VEC_TRAPGATE
	G64 st_g_int80, int $VEC_INT80
	G64 st_g_int83, int $VEC_INT_SYSRET
	G64 st_g_cg, lcall *far_cgate(%rip)
	G64 st_g_cgi, lcall *far_cgate_iret(%rip)
	G64 st_g_sysenter, SYSENTER64_G
	G64 st_g_syscall, syscall
	G64 st_g_ud, ud2
	G64 st_g_locknop, .byte 0xf0, 0x90
	G64 st_g_bp, int3
	G64 st_g_pf, PF_G
	G64 st_g_de, DE_G
	G64 st_g_gp, cli
	/* sysenter under FRED: the event frame holds RIP and RSP, so no
	 * register carries them (kentry's IDT-world convention does) */
	G64 st_g_sysenter_fred, sysenter

	.code32
	.macro G32 name, insns:vararg
	.balign 16
	.globl \name
\name:
	\insns
	ljmp *st_pb+PB_BACK64
	.endm
	.macro SYSENTER32_G
	mov $1f, %edx
	mov %esp, %ecx
	sysenter
1:
	.endm
	G32 st_g32_int80, int $VEC_INT80
	G32 st_g32_sysenter, SYSENTER32_G
	G32 st_g32_syscall, syscall
	G32 st_g32_cg, lcall *far_cgate
	G32 st_g32_sysenter_fred, sysenter
	.code64

	.macro DONE_OK
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
	ud2
	.endm

/* ---- The round trip with random registers (cases 0, 3, 10) -------------------
 * For i in 0 .. PB_ITERS-1: load the 15 general registers with random
 * values (st_pb.rand[i mod 32], chosen by the kernel outside its own
 * addresses), set the RFLAGS bits PB_FLAGS asks for (case 3: NT, DF, AC,
 * and IOPL 3, which popf at CPL 3 silently ignores), go through the path
 * once, then check in ring 3 that
 *   - every register the mechanism does not clobber (PB_CLOBBER) is back,
 *   - no register holds KPOISON (what the kernel's handlers leave in every
 *     register, dispatch.h) or an address of the kernel image,
 *   - TF, IF, DF, NT, AC, IOPL and ID are as before, RSP unchanged.
 * The first failure ends the program with its code (STF_*) and details in
 * st_pb; 0 when every iteration passed. */
	.macro LOAD_CUR
	mov st_pb+PB_CUR+0(%rip), %rax
	mov st_pb+PB_CUR+8(%rip), %rbx
	mov st_pb+PB_CUR+16(%rip), %rcx
	mov st_pb+PB_CUR+24(%rip), %rdx
	mov st_pb+PB_CUR+32(%rip), %rsi
	mov st_pb+PB_CUR+40(%rip), %rdi
	mov st_pb+PB_CUR+48(%rip), %rbp
	mov st_pb+PB_CUR+56(%rip), %r8
	mov st_pb+PB_CUR+64(%rip), %r9
	mov st_pb+PB_CUR+72(%rip), %r10
	mov st_pb+PB_CUR+80(%rip), %r11
	mov st_pb+PB_CUR+88(%rip), %r12
	mov st_pb+PB_CUR+96(%rip), %r13
	mov st_pb+PB_CUR+104(%rip), %r14
	mov st_pb+PB_CUR+112(%rip), %r15
	.endm
	.macro SAVE_AFTER
	mov %rax, st_pb+PB_AFTER+0(%rip)
	mov %rbx, st_pb+PB_AFTER+8(%rip)
	mov %rcx, st_pb+PB_AFTER+16(%rip)
	mov %rdx, st_pb+PB_AFTER+24(%rip)
	mov %rsi, st_pb+PB_AFTER+32(%rip)
	mov %rdi, st_pb+PB_AFTER+40(%rip)
	mov %rbp, st_pb+PB_AFTER+48(%rip)
	mov %r8, st_pb+PB_AFTER+56(%rip)
	mov %r9, st_pb+PB_AFTER+64(%rip)
	mov %r10, st_pb+PB_AFTER+72(%rip)
	mov %r11, st_pb+PB_AFTER+80(%rip)
	mov %r12, st_pb+PB_AFTER+88(%rip)
	mov %r13, st_pb+PB_AFTER+96(%rip)
	mov %r14, st_pb+PB_AFTER+104(%rip)
	mov %r15, st_pb+PB_AFTER+112(%rip)
	.endm

#define CHECKED_FLAGS (RF_TF | RF_IF | RF_DF | RF_NT | RF_AC | RF_IOPL | 0x200000)

	.macro ROUNDTRIP name, callinsn, back=0
	.balign 16
	.globl \name
\name:
	lea st_pb(%rip), %rbx
	movq $0, PB_I(%rbx)
.Lloop\@:
	mov PB_I(%rbx), %rax
	cmp PB_ITERS(%rbx), %rax
	jae .Ldone\@
	and $(PB_ITERS_MAX - 1), %eax
	imul $120, %rax, %rax
	lea PB_RAND(%rbx,%rax), %rsi
	lea PB_CUR(%rbx), %rdi
	mov $15, %ecx
	cld
	rep movsq
	pushfq
	pop %rax
	or PB_FLAGS(%rbx), %rax
	push %rax
	popfq
	.if \back
	lea .Lback\@(%rip), %rax       /* where the 32-bit gadget jumps back to */
	mov %eax, PB_BACK64(%rbx)
	.endif
	pushfq
	popq PB_RFB(%rbx)
	mov %rsp, PB_RSP(%rbx)
	LOAD_CUR
	\callinsn
.Lback\@:
	SAVE_AFTER
	pushfq
	popq st_pb+PB_RFA(%rip)
	pushq $2                        /* clean flags for the checks (IF is not ours to change) */
	popfq
	lea st_pb(%rip), %rbx
	mov $STF_RSP, %eax
	xor %ecx, %ecx
	cmp PB_RSP(%rbx), %rsp
	jne .Lfail\@
	xor %ecx, %ecx
.Lchk\@:
	mov PB_AFTER(%rbx,%rcx,8), %rsi
	mov %rsi, %rdx
	and PB_CMPMASK(%rbx), %rdx      /* the compared bits */
	movabs $KPOISON, %rdi
	and PB_CMPMASK(%rbx), %rdi
	mov $STF_POISON, %eax
	cmp %rdi, %rdx
	je .Lfail\@
	mov $STF_KADDR, %eax
	cmp PB_KLO(%rbx), %rdx
	jb 1f
	cmp PB_KHI(%rbx), %rdx
	jb .Lfail\@
1:	bt %rcx, PB_CLOBBER(%rbx)
	jc 2f
	mov PB_CUR(%rbx,%rcx,8), %rdi
	xor %rsi, %rdi
	and PB_CMPMASK(%rbx), %rdi
	mov $STF_REG, %eax
	jnz .Lfail\@
2:	inc %ecx
	cmp $15, %ecx
	jb .Lchk\@
	mov PB_RFB(%rbx), %rdx
	xor PB_RFA(%rbx), %rdx
	mov $STF_FLAGS, %eax
	mov $15, %ecx
	and $CHECKED_FLAGS, %edx
	jnz .Lfail\@
	incq PB_I(%rbx)
	jmp .Lloop\@
.Ldone\@:
	DONE_OK
.Lfail\@:
	/* EAX = code, RCX = register (15: flags/RSP) */
	mov %rcx, PB_FREG(%rbx)
	mov PB_AFTER(%rbx,%rcx,8), %rdx
	mov %rdx, PB_FGOT(%rbx)
	mov PB_CUR(%rbx,%rcx,8), %rdx
	mov %rdx, PB_FWANT(%rbx)
	mov PB_I(%rbx), %rdx
	mov %rdx, PB_FITER(%rbx)
	xor %edx, %edx
	int $VEC_DONE
	ud2
	.endm

	ROUNDTRIP st_rt64, "call *st_pb_gadget(%rip)"
	ROUNDTRIP st_rt32, "ljmp *st_pb_far32(%rip)", 1

/* Case 0: every path, random registers, no flags set. Case 3: the same
 * with NT, DF and AC set by ring 3 (and IOPL 3 asked for, which popf at
 * CPL 3 ignores): sysenter and call gates clear none of them, int n and
 * exceptions leave AC and DF; the kernel must run without them and give
 * them back. Case 10: the same with the local APIC timer firing at a high
 * rate and NMIs (selftest.c), many iterations. */
/* The FRED mode's paths (run only with the boot option fred: FRED events,
 * one entry, ERETU; the same gadgets: only the kernel side differs). */
	.macro FREDPATHS case, text, kind=EXP_DONE
	ST \case, "fred-syscall", st_rt64, st_g_syscall, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-sysenter", st_rt64, st_g_sysenter_fred, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-int", st_rt64, st_g_int81, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-int3", st_rt64, st_g_bp, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-int80", st_rt64, st_g_int80, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-compat-int80", st_rt32, st_g32_int80, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-compat-sysenter", st_rt32, st_g32_sysenter_fred, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-compat-syscall", st_rt32, st_g32_syscall, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-exc-ud", st_rt64, st_g_ud, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-exc-pf", st_rt64, st_g_pf, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-exc-de", st_rt64, st_g_de, 64, 0, \kind, 0, 0, "\text"
	ST \case, "fred-exc-gp", st_rt64, st_g_gp, 64, 0, \kind, 0, 0, "\text"
	.endm

	.macro ALLPATHS case, text, kind=EXP_DONE
	ST \case, "int-gate", st_rt64, st_g_int81, 64, 0, \kind, 0, 0, "\text"
	ST \case, "trap-gate", st_rt64, st_g_int82, 64, 0, \kind, 0, 0, "\text"
	ST \case, "call-gate", st_rt64, st_g_cg, 64, 0, \kind, 0, 0, "\text"
	ST \case, "sysenter", st_rt64, st_g_sysenter, 64, 0, \kind, 0, 0, "\text"
	ST \case, "syscall", st_rt64, st_g_syscall, 64, 0, \kind, 0, 0, "\text"
	ST \case, "compat-int80", st_rt32, st_g32_int80, 64, 0, \kind, 0, 0, "\text"
	ST \case, "compat-sysenter", st_rt32, st_g32_sysenter, 64, 0, \kind, 0, 0, "\text"
	ST \case, "compat-syscall", st_rt32, st_g32_syscall, 64, 0, \kind, 0, 0, "\text"
	ST \case, "compat-call-gate", st_rt32, st_g32_cg, 64, 0, \kind, 0, 0, "\text"
	ST \case, "exc-ud", st_rt64, st_g_ud, 64, 0, \kind, 0, 0, "\text"
	ST \case, "exc-ud-locknop", st_rt64, st_g_locknop, 64, 0, \kind, 0, 0, "\text"
	ST \case, "exc-bp", st_rt64, st_g_bp, 64, 0, \kind, 0, 0, "\text"
	ST \case, "exc-pf", st_rt64, st_g_pf, 64, 0, \kind, 0, 0, "\text"
	ST \case, "exc-de", st_rt64, st_g_de, 64, 0, \kind, 0, 0, "\text"
	ST \case, "exc-gp", st_rt64, st_g_gp, 64, 0, \kind, 0, 0, "\text"
	ST \case, "syscall/iretq", st_rt64, st_g_syscall, 64, 0, \kind, 0, 0, "\text"
	ST \case, "sysenter/iretq", st_rt64, st_g_sysenter, 64, 0, \kind, 0, 0, "\text"
	ST \case, "int-gate/sysretq", st_rt64, st_g_int83, 64, 0, \kind, 0, 0, "\text"
	ST \case, "call-gate/iretq", st_rt64, st_g_cgi, 64, 0, \kind, 0, 0, "\text"
	FREDPATHS \case, "\text", \kind
	.endm

	ALLPATHS 0, "round trips complete; unclobbered registers intact, no kernel address or data back, flags and RSP as before"

/* ---- Case 1: the trap flag set into every entry ---------------------------------
 * TF on, then through the path; the harness's #DB handler records every
 * single-step trap (ring 3: the program is being stepped, like a
 * debugger; ring 0: only the first instructions of the sysenter and
 * call-gate stubs may trap, which step on the #DB IST stack until the stub
 * clears TF). Stepping must resume in ring 3 after the round trip
 * (a #DB at <prog>_after, `arg`), and no #DB may hit the kernel elsewhere. */
	.macro TFPROG name, callinsn, back=0
	.balign 16
	.globl \name
\name:
	.if \back
	lea \name\()_after(%rip), %rax
	mov %eax, st_pb+PB_BACK64(%rip)
	.endif
	xor %eax, %eax                  /* KSYS_NULL */
	pushfq
	orq $RF_TF, (%rsp)
	popfq
	nop
	\callinsn
	.globl \name\()_after
\name\()_after:
	nop
	pushfq
	andq $~RF_TF, (%rsp)
	popfq
	nop
	DONE_OK
	.endm
	TFPROG st_tf64, "call *st_pb_gadget(%rip)"
	TFPROG st_tf32, "ljmp *st_pb_far32(%rip)", 1

#define TF_TEXT "single-step resumes in ring 3 after the entry; no #DB in ring 0 except the stub's first instructions, on the #DB IST stack; the kernel survives"
	ST 1, "syscall", st_tf64, st_g_syscall, 64, st_tf64_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "sysenter", st_tf64, st_g_sysenter, 64, st_tf64_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "compat-int80", st_tf64, st_g_int80, 64, st_tf64_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "call-gate", st_tf64, st_g_cg, 64, st_tf64_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "int-gate", st_tf64, st_g_int81, 64, st_tf64_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "compat-syscall", st_tf32, st_g32_syscall, 64, st_tf32_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "compat-sysenter", st_tf32, st_g32_sysenter, 64, st_tf32_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "compat-int80", st_tf32, st_g32_int80, 64, st_tf32_after, EXP_DONE, 0, 0, TF_TEXT
	ST 1, "compat-call-gate", st_tf32, st_g32_cg, 64, st_tf32_after, EXP_DONE, 0, 0, TF_TEXT

/* ---- Case 2: a return to a non-canonical RIP ---------------------------------------
 * The kernel is asked (KSYS_SET_RIP, like sigreturn or ptrace) to return
 * to 0x0000800000000000, the first non-canonical address; the
 * mechanism's clobbered register (RCX, RDX) follows, so only the
 * canonical check stands between that RIP and the fast exit. Intel's
 * SYSRET and SYSEXIT would #GP in ring 0 (SYSRET on the user's stack:
 * CVE-2012-0217); the kernel must use IRETQ, whose #GP it reports as a
 * fault on the way back. The same for a SYSCALL that is the last
 * instruction below the canonical boundary (selftest.c places it at
 * 0x7ffffffffffe: RCX = 0x800000000000). */
#define NONCANON 0x0000800000000000
/* Values passed as ST arguments: gas splits macro arguments at spaces, so
 * every expression is a symbol here. */
	.equ KVICTIM, kst_victim + 2048  /* a kernel buffer (selftest.c): RSP into the kernel */
	.equ A_CG_RPL0, SEL_CGATE | 0
	.equ A_CG_RPL1, SEL_CGATE | 1
	.equ A_CG_RPL2, SEL_CGATE | 2
	.equ A_CG_RPL3, SEL_CGATE | 3
	.equ A_TSS3, SEL_TSS | 3
	.equ A_KCODE3, SEL_KCODE | 3
	.equ A_USER_DS, USER_DS
	.equ A_FAR_LIMIT, 0x1f8 | 3
	.equ A_CGI3, SEL_CGATE_IRET | 3
	.macro SETRIP64 name, setup, entry
	.balign 16
	.globl \name
\name:
	mov $KSYS_SET_RIP, %eax
	mov st_pb+PB_ARG(%rip), %rdi
	\setup
	\entry
1:	ud2                             /* never: the return goes to RDI */
	.endm
	SETRIP64 st_setrip_syscall, "", syscall
	SETRIP64 st_setrip_sysenter, "lea 1f(%rip), %rdx; mov %rsp, %rcx", sysenter
	SETRIP64 st_setrip_int83, "", "int $s_VEC_INT_SYSRET"
	SETRIP64 st_setrip_cg, "", "lcall *far_cgate(%rip)"
	.code32
	.balign 16
	.globl st_setrip_syscall32
st_setrip_syscall32:
	mov $KSYS_SET_RIP, %eax
	mov $NONCANON >> 32, %edi       /* RDI's upper half is not ours in compat mode: */
	syscall                         /* selftest.c sets RDI = PB_ARG in the frame */
	ud2
	.code64

#define CANON_TEXT "no fast exit to a non-canonical RIP: a clean #GP(0), from the IRETQ back (reported as a fault on the way back) or in ring 3 at that RIP"
	ST 2, "syscall", USER_CANON_EDGE, 0, 64, NONCANON, EXP_NONCANON, VEC_GP, 0, "syscall at 0x7ffffffffffe (RCX = 0x800000000000): no sysret: a clean #GP(0) (from the IRETQ back, or in ring 3 at that RIP), reported"
	ST 2, "syscall", st_setrip_syscall, 0, 64, NONCANON, EXP_NONCANON, VEC_GP, 0, CANON_TEXT
	ST 2, "sysenter", st_setrip_sysenter, 0, 64, NONCANON, EXP_NONCANON, VEC_GP, 0, CANON_TEXT
	ST 2, "int-gate/sysretq", st_setrip_int83, 0, 64, NONCANON, EXP_NONCANON, VEC_GP, 0, CANON_TEXT
	ST 2, "call-gate", st_setrip_cg, 0, 64, NONCANON, EXP_NONCANON, VEC_GP, 0, CANON_TEXT
	ST 2, "compat-syscall", st_setrip_syscall32, 0, 32, NONCANON, EXP_NONCANON, VEC_GP, 0, CANON_TEXT

	ALLPATHS 3, "the kernel runs with TF/NT/AC/DF clear and gives ring 3 its NT/AC/DF back; IOPL stays 0; no #GP on the way out"

/* ---- Case 4: a hostile RSP at every entry -------------------------------------------
 * RSP = PB_ARG (non-canonical, the kernel's victim buffer, unmapped) right
 * before the entry instruction; after the return ring 3 records RSP and
 * restores its own. The kernel must never push to or read from that
 * address (the victim buffer's canary stays, every frame is at the base
 * of the entry stack) and RSP must come back as it was. */
	.macro HOSTILE64 name, setup, entry
	.balign 16
	.globl \name
\name:
	mov %rsp, st_pb+PB_RSP(%rip)
	xor %eax, %eax
	\setup
	mov st_pb+PB_ARG(%rip), %rsp
	\entry
1:	mov %rsp, st_pb+PB_RSPA(%rip)
	mov st_pb+PB_RSP(%rip), %rsp
	DONE_OK
	.endm
	HOSTILE64 st_rsp_int81, "", "int $s_VEC_INTGATE"
	HOSTILE64 st_rsp_int82, "", "int $s_VEC_TRAPGATE"
	HOSTILE64 st_rsp_int80, "", "int $s_VEC_INT80"
	HOSTILE64 st_rsp_int83, "", "int $s_VEC_INT_SYSRET"
	HOSTILE64 st_rsp_cg, "", "lcall *far_cgate(%rip)"
	HOSTILE64 st_rsp_cgi, "", "lcall *far_cgate_iret(%rip)"
	HOSTILE64 st_rsp_syscall, "", syscall
	HOSTILE64 st_rsp_sysenter, "lea 1f(%rip), %rdx; mov st_pb_arg(%rip), %rcx", sysenter
	HOSTILE64 st_rsp_ud, "", ud2
	HOSTILE64 st_rsp_locknop, "", ".byte 0xf0, 0x90"
	HOSTILE64 st_rsp_bp, "", int3
	HOSTILE64 st_rsp_pf, "mov $s_NP_PAGE, %esi", "mov (%rsi), %eax"
	HOSTILE64 st_rsp_de, "xor %ecx, %ecx", "div %ecx"
	HOSTILE64 st_rsp_gp, "", cli
	HOSTILE64 st_dbg_syscall, "", syscall /* case 5: the harness sets DR0 on kf_syscall64 */

	.code32
	.macro HOSTILE32 name, setup, entry
	.balign 16
	.globl \name
\name:
	mov %esp, st_pb+PB_RSP
	xor %eax, %eax
	\setup
	mov st_pb+PB_ARG, %esp
	\entry
1:	mov %esp, st_pb+PB_RSPA
	mov st_pb+PB_RSP, %esp
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
	ud2
	.endm
	HOSTILE32 st_rsp32_int80, "", "int $s_VEC_INT80"
	HOSTILE32 st_rsp32_syscall, "", syscall
	HOSTILE32 st_rsp32_sysenter, "mov $1f, %edx; mov st_pb_arg, %ecx", sysenter
	HOSTILE32 st_rsp32_cg, "", "lcall *far_cgate"
	.code64

#define BADRSP_NC 0x8000123456780000   /* non-canonical */
#define BADRSP_UM 0x00007f0000001000   /* canonical, not mapped */
#define BADRSP_UM32 0x7ff00000         /* below 4 GiB, not mapped */
	.equ A_BADRSP_NC, BADRSP_NC
	.equ A_BADRSP_UM, BADRSP_UM
	.equ A_BADRSP_UM32, BADRSP_UM32
	.macro HOSTILE_RECS path, prog
	ST 4, "\path", \prog, 0, 64, A_BADRSP_NC, EXP_DONE, 0, 0, "RSP non-canonical: the round trip completes with RSP back as it was; the kernel never touches it"
	ST 4, "\path", \prog, 0, 64, KVICTIM, EXP_DONE, 0, 0, "RSP into kernel data: the round trip completes with RSP back as it was; the kernel never touches it"
	ST 4, "\path", \prog, 0, 64, A_BADRSP_UM, EXP_DONE, 0, 0, "RSP unmapped: the round trip completes with RSP back as it was; the kernel never touches it"
	.endm
	.macro HOSTILE_RECS32 path, prog
	ST 4, "\path", \prog, 0, 32, KVICTIM, EXP_DONE, 0, 0, "ESP into kernel data: the round trip completes with ESP back as it was; the kernel never touches it"
	ST 4, "\path", \prog, 0, 32, A_BADRSP_UM32, EXP_DONE, 0, 0, "ESP unmapped: the round trip completes with ESP back as it was; the kernel never touches it"
	.endm
	HOSTILE_RECS "int-gate", st_rsp_int81
	HOSTILE_RECS "trap-gate", st_rsp_int82
	HOSTILE_RECS "call-gate", st_rsp_cg
	HOSTILE_RECS "sysenter", st_rsp_sysenter
	HOSTILE_RECS "syscall", st_rsp_syscall
	HOSTILE_RECS "compat-int80", st_rsp_int80
	HOSTILE_RECS32 "compat-int80", st_rsp32_int80
	HOSTILE_RECS32 "compat-sysenter", st_rsp32_sysenter
	HOSTILE_RECS32 "compat-syscall", st_rsp32_syscall
	HOSTILE_RECS32 "compat-call-gate", st_rsp32_cg
	HOSTILE_RECS "exc-ud", st_rsp_ud
	HOSTILE_RECS "exc-ud-locknop", st_rsp_locknop
	HOSTILE_RECS "exc-bp", st_rsp_bp
	HOSTILE_RECS "exc-pf", st_rsp_pf
	HOSTILE_RECS "exc-de", st_rsp_de
	HOSTILE_RECS "exc-gp", st_rsp_gp
	HOSTILE_RECS "syscall/iretq", st_rsp_syscall
	HOSTILE_RECS "sysenter/iretq", st_rsp_sysenter
	HOSTILE_RECS "int-gate/sysretq", st_rsp_int83
	HOSTILE_RECS "call-gate/iretq", st_rsp_cgi
	/* FRED: every event from ring 3 switches to IA32_FRED_RSP0 */
	HOSTILE_RECS "fred-syscall", st_rsp_syscall
	HOSTILE_RECS "fred-sysenter", st_rsp_sysenter
	HOSTILE_RECS "fred-int", st_rsp_int81
	HOSTILE_RECS "fred-int3", st_rsp_bp
	HOSTILE_RECS "fred-int80", st_rsp_int80
	HOSTILE_RECS32 "fred-compat-int80", st_rsp32_int80
	HOSTILE_RECS32 "fred-compat-sysenter", st_rsp32_sysenter
	HOSTILE_RECS "fred-exc-ud", st_rsp_ud
	HOSTILE_RECS "fred-exc-pf", st_rsp_pf
	HOSTILE_RECS "fred-exc-de", st_rsp_de
	HOSTILE_RECS "fred-exc-gp", st_rsp_gp

/* ---- Case 5: MOV SS / POP SS right before the entry, with a data
 * breakpoint (DR0/DR7, set by the harness) on the selector it reads -------------
 * MOV SS and POP SS hold off interrupts and debug exceptions until after
 * the next instruction, so the #DB for the breakpoint is delivered after
 * the entry instruction: in ring 0, at the first instruction of the stub,
 * with RSP still the user's for SYSCALL (CVE-2018-8897). RSP points into
 * the kernel victim buffer, as in the exploit; the #DB must land on its
 * IST stack and the round trip complete. (An emulator may deliver the
 * #DB in ring 3 before the entry instead: the harness reports where.) */
	.macro MOVSS64 name, setup, entry
	.balign 16
	.globl \name
\name:
	mov %rsp, st_pb+PB_RSP(%rip)
	xor %eax, %eax
	\setup
	mov st_pb+PB_ARG(%rip), %rsp
	mov st_pb+PB_SSSLOT(%rip), %ss
	\entry
1:	mov st_pb+PB_RSP(%rip), %rsp
	DONE_OK
	.endm
	MOVSS64 st_movss_syscall, "", syscall
	MOVSS64 st_movss_sysenter, "lea 1f(%rip), %rdx; mov st_pb_arg(%rip), %rcx", sysenter
	MOVSS64 st_movss_int81, "", "int $s_VEC_INTGATE"
	MOVSS64 st_movss_int3, "", int3

	.code32
	.macro POPSS32 name, setup, entry
	.balign 16
	.globl \name
\name:
	mov %esp, st_pb+PB_RSP
	xor %eax, %eax
	\setup
	mov $st_pb+PB_SSSLOT, %esp
	pop %ss
	\entry
1:	mov st_pb+PB_RSP, %esp
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
	ud2
	.endm
	POPSS32 st_popss_int80, "", "int $s_VEC_INT80"
	POPSS32 st_popss_syscall, "", syscall
	POPSS32 st_popss_sysenter, "mov $1f, %edx; mov $st_pb_ssslot4, %ecx", sysenter
	.code64

#define MOVSS_TEXT "the delayed #DB, wherever the CPU delivers it (in ring 0 at the stub's first instruction with RSP still the user's), lands on its IST stack; ring-0 state intact, the round trip completes"
	ST 5, "syscall", st_movss_syscall, 0, 64, KVICTIM, EXP_DONE, 0, 0, MOVSS_TEXT
	ST 5, "syscall", st_dbg_syscall, 0, 64, KVICTIM, EXP_DONE, 0, 0, "an instruction breakpoint on the syscall stub's first instruction stands in for the delayed #DB (a #DB in ring 0 while RSP is the user's): it lands on its IST stack, the round trip completes"
	ST 5, "sysenter", st_movss_sysenter, 0, 64, KVICTIM, EXP_DONE, 0, 0, MOVSS_TEXT
	ST 5, "int-gate", st_movss_int81, 0, 64, KVICTIM, EXP_DONE, 0, 0, MOVSS_TEXT
	ST 5, "exc-bp", st_movss_int3, 0, 64, KVICTIM, EXP_DONE, 0, 0, MOVSS_TEXT
	ST 5, "compat-int80", st_popss_int80, 0, 32, 0, EXP_DONE, 0, 0, MOVSS_TEXT
	ST 5, "compat-syscall", st_popss_syscall, 0, 32, 0, EXP_DONE, 0, 0, MOVSS_TEXT
	ST 5, "compat-sysenter", st_popss_sysenter, 0, 32, 0, EXP_DONE, 0, 0, MOVSS_TEXT

/* ---- Case 6: int n to every vector, from ring 3 ----------------------------------------
 * 256 entries of `int $n; ud2`. Every gate but #BP's and the done vector
 * is DPL 0 while no path is installed: the CPU must raise #GP with the
 * IDT-flagged error code (n << 3) | 2 instead of entering. Afterwards the
 * harness checks that the user gates still work. */
	.balign 16
	.globl st_intn_table
st_intn_table:
	.set v, 0
	.rept 256
	.byte 0xcd, v, 0x0f, 0x0b
	.set v, v + 1
	.endr
	ST 6, "", st_intn_table, 0, 64, 0, EXP_INTN, VEC_GP, -1, "#GP((n << 3) | 2) for every DPL-0 vector; the DPL-3 gates still work afterwards"

/* ---- Case 7: far calls and far returns with bad selectors -----------------------------
 * st_farcall calls through the far pointer PB_FARPTR (selector = PB_ARG,
 * set by the harness); st_lretq returns far to CS = PB_ARG; st_iretq
 * IRETs in ring 3 with SS = PB_ARG. */
	.balign 16
	.globl st_farcall
st_farcall:
	xor %eax, %eax
	lcall *st_pb+PB_FARPTR(%rip)
	DONE_OK

	.balign 16
	.globl st_lretq
st_lretq:
	pushq st_pb+PB_ARG(%rip)        /* CS */
	lea 1f(%rip), %rax
	push %rax
	lretq
1:	DONE_OK

	.balign 16
	.globl st_iretq
st_iretq:
	mov %rsp, %rax
	pushq st_pb+PB_ARG(%rip)        /* SS */
	push %rax
	pushfq
	pushq $USER_CS64
	lea 1f(%rip), %rax
	push %rax
	iretq
1:	DONE_OK

	ST 7, "call-gate", st_farcall, 0, 64, A_CG_RPL0, EXP_DONE, 0, 0, "call gate with RPL 0: max(CPL, RPL) = 3 <= gate DPL 3, the call goes through"
	ST 7, "call-gate", st_farcall, 0, 64, A_CG_RPL1, EXP_DONE, 0, 0, "call gate with RPL 1: goes through"
	ST 7, "call-gate", st_farcall, 0, 64, A_CG_RPL2, EXP_DONE, 0, 0, "call gate with RPL 2: goes through"
	ST 7, "", st_farcall, 0, 64, A_TSS3, EXP_FAULT, VEC_GP, SEL_TSS, "far call to the TSS selector: #GP(0x38) (no task switch in IA-32e mode)"
	ST 7, "", st_farcall, 0, 64, A_KCODE3, EXP_FAULT, VEC_GP, SEL_KCODE, "far call to the kernel code segment: #GP(0x08)"
	ST 7, "", st_farcall, 0, 64, A_USER_DS, EXP_FAULT, VEC_GP, SEL_UDATA, "far call to a data segment: #GP(0x20)"
	ST 7, "", st_farcall, 0, 64, 0, EXP_FAULT, VEC_GP, 0, "far call to the null selector: #GP(0)"
	ST 7, "", st_farcall, 0, 64, A_FAR_LIMIT, EXP_FAULT, VEC_GP, 0x1f8, "far call beyond the GDT limit: #GP(0x1f8)"
	ST 7, "", st_farcall, 0, 64, A_CGI3, EXP_FAULT, VEC_GP, SEL_CGATE_IRET, "far call to an empty (zeroed) gate slot: #GP(0x58)"
	ST 7, "!np", st_farcall, 0, 64, A_CG_RPL3, EXP_FAULT, 11, SEL_CGATE, "far call to a not-present call gate: #NP(0x48)"
	ST 7, "", st_lretq, 0, 64, SEL_KCODE, EXP_FAULT, VEC_GP, SEL_KCODE, "lretq to the kernel code selector (RPL 0 < CPL 3): #GP(0x08)"
	ST 7, "", st_lretq, 0, 64, A_USER_DS, EXP_FAULT, VEC_GP, SEL_UDATA, "lretq to a data selector: #GP(0x20)"
	ST 7, "", st_lretq, 0, 64, 0, EXP_FAULT, VEC_GP, 0, "lretq to the null selector: #GP(0)"
	ST 7, "", st_lretq, 0, 64, SEL_UCODE64, EXP_FAULT, VEC_GP, SEL_UCODE64, "lretq to user code with RPL 0 (< CPL 3): #GP(0x28)"
	ST 7, "", st_iretq, 0, 64, SEL_KDATA, EXP_FAULT, VEC_GP, SEL_KDATA, "iretq in ring 3 with the kernel SS: #GP(0x10)"
	ST 7, "", st_iretq, 0, 64, 0, EXP_FAULT, VEC_GP, 0, "iretq in ring 3 with a null SS: #GP(0)"

/* ---- Case 8: privileged instructions in ring 3 ------------------------------------------ */
	.macro PRIV name, insns
	.balign 16
	.globl \name
\name:
	\insns
	ud2                             /* reached only if the instruction did not fault */
	.endm
	PRIV st_p_hlt, hlt
	PRIV st_p_cli, cli
	PRIV st_p_sti, sti
	PRIV st_p_lgdt, "lgdt st_pb_scratch(%rip)"
	PRIV st_p_lidt, "lidt st_pb_scratch(%rip)"
	PRIV st_p_ltr, "mov $s_SEL_TSS, %eax; ltr %ax"
	PRIV st_p_wrmsr, "mov $0xc0000082, %ecx; wrmsr"
	PRIV st_p_rdmsr, "mov $0xc0000082, %ecx; rdmsr"
	PRIV st_p_rdcr3, "mov %cr3, %rax"
	PRIV st_p_wrcr3, "xor %eax, %eax; mov %rax, %cr3"
	PRIV st_p_rddr7, "mov %dr7, %rax"
	PRIV st_p_in, "mov $0x3f8, %dx; inb %dx, %al"
	PRIV st_p_out, "mov $0xf4, %dx; outb %al, %dx"
	PRIV st_p_invlpg, "invlpg st_pb(%rip)"
	PRIV st_p_wbinvd, wbinvd
	PRIV st_p_clts, clts
	PRIV st_p_swapgs, swapgs
	PRIV st_p_sysret, sysretq
	PRIV st_p_sysexit, sysexitq
	PRIV st_p_rdpmc, "xor %ecx, %ecx; rdpmc"
	PRIV st_p_sgdt, "sgdt st_pb_scratch(%rip)"
	PRIV st_p_sidt, "sidt st_pb_scratch(%rip)"
	PRIV st_p_str, "str %ax"
	PRIV st_p_smsw, "smsw %ax"
	.macro PRIVREC prog, kind, vec, err, text
	ST 8, "", \prog, 0, 64, 0, \kind, \vec, \err, "\text"
	.endm
	PRIVREC st_p_hlt, EXP_FAULT, VEC_GP, 0, "hlt: #GP(0)"
	PRIVREC st_p_cli, EXP_FAULT, VEC_GP, 0, "cli with IOPL 0: #GP(0)"
	PRIVREC st_p_sti, EXP_FAULT, VEC_GP, 0, "sti with IOPL 0: #GP(0)"
	PRIVREC st_p_lgdt, EXP_FAULT, VEC_GP, 0, "lgdt: #GP(0)"
	PRIVREC st_p_lidt, EXP_FAULT, VEC_GP, 0, "lidt: #GP(0)"
	PRIVREC st_p_ltr, EXP_FAULT, VEC_GP, 0, "ltr: #GP(0)"
	PRIVREC st_p_wrmsr, EXP_FAULT, VEC_GP, 0, "wrmsr: #GP(0)"
	PRIVREC st_p_rdmsr, EXP_FAULT, VEC_GP, 0, "rdmsr: #GP(0)"
	PRIVREC st_p_rdcr3, EXP_FAULT, VEC_GP, 0, "mov from cr3: #GP(0)"
	PRIVREC st_p_wrcr3, EXP_FAULT, VEC_GP, 0, "mov to cr3: #GP(0)"
	PRIVREC st_p_rddr7, EXP_FAULT, VEC_GP, 0, "mov from dr7: #GP(0)"
	PRIVREC st_p_in, EXP_FAULT, VEC_GP, 0, "in without IOPL or I/O bitmap: #GP(0)"
	PRIVREC st_p_out, EXP_FAULT, VEC_GP, 0, "out without IOPL or I/O bitmap: #GP(0)"
	PRIVREC st_p_invlpg, EXP_FAULT, VEC_GP, 0, "invlpg: #GP(0)"
	PRIVREC st_p_wbinvd, EXP_FAULT, VEC_GP, 0, "wbinvd: #GP(0)"
	PRIVREC st_p_clts, EXP_FAULT, VEC_GP, 0, "clts: #GP(0)"
	PRIVREC st_p_swapgs, EXP_FAULT, VEC_GP, 0, "swapgs: #GP(0)"
	PRIVREC st_p_sysret, EXP_FAULT, VEC_GP, 0, "sysret at CPL 3: #GP(0)"
	PRIVREC st_p_sysexit, EXP_GP_OR_UD, 0, 0, "sysexit at CPL 3: #GP(0) where SYSEXIT exists in long mode (Intel), #UD where not (AMD documents it absent)"
	PRIVREC st_p_rdpmc, EXP_FAULT, VEC_GP, 0, "rdpmc with CR4.PCE = 0: #GP(0)"
	PRIVREC st_p_sgdt, EXP_UMIP, 0, 0, "sgdt: #GP(0) with UMIP (no kernel address for ring 3), allowed without"
	PRIVREC st_p_sidt, EXP_UMIP, 0, 0, "sidt: #GP(0) with UMIP, allowed without"
	PRIVREC st_p_str, EXP_UMIP, 0, 0, "str: #GP(0) with UMIP, allowed without"
	PRIVREC st_p_smsw, EXP_UMIP, 0, 0, "smsw: #GP(0) with UMIP, allowed without"

/* ---- Case 9: AMD's SYSRET SS attributes ------------------------------------------------
 * 32-bit code enters through an interrupt gate (int 0x83), which leaves
 * SS = null in the kernel, and int-gate/sysretq's full exit returns with
 * SYSRETL. AMD's SYSRET loads the SS selector but not its attributes:
 * without the fix-up (a kernel SS loaded first) ring 3 would get an
 * unusable SS and fault on its next push. After the return the program
 * pushes, pops and reads SS. */
	.code32
	.balign 16
	.globl st_sysret_ss
st_sysret_ss:
	xor %eax, %eax
	int $VEC_INT_SYSRET
	push %eax
	pop %eax
	mov %ss, %eax
	cmp $USER_DS, %eax
	jne 1f
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
1:	mov $STF_SS, %eax
	xor %edx, %edx
	int $VEC_DONE
	ud2
	.code64
	ST 9, "int-gate/sysretq", st_sysret_ss, 0, 32, 0, EXP_DONE, 0, 0, "back in 32-bit code through sysretl with a usable SS (push, pop and mov from SS work)"

	ALLPATHS 10, "no fault, no stack corruption: every round trip completes with its registers while interrupts and NMIs land anywhere"

/* ---- Case 11: a value the dispatcher returns in a register the fast exit
 * clobbers --------------------------------------------------------------------------------
 * KSYS_SET_RET2 returns PB_ARG in RCX (SYSCALL, int-gate/sysretq) or RDX
 * (SYSENTER): SYSRET/SYSEXIT would overwrite it with RIP, so the exit must
 * be IRETQ and ring 3 must see the value (Linux's RCX == RIP check). */
	.macro RET2 name, setup, entry, reg
	.balign 16
	.globl \name
\name:
	mov $KSYS_SET_RET2, %eax
	mov st_pb+PB_ARG(%rip), %rdi
	\setup
	\entry
1:	cmp st_pb+PB_ARG(%rip), \reg
	jne 2f
	DONE_OK
2:	mov \reg, %rdx
	mov $STF_VALUE, %eax
	int $VEC_DONE
	ud2
	.endm
	RET2 st_ret2_syscall, "", syscall, %rcx
	RET2 st_ret2_sysenter, "lea 1f(%rip), %rdx; mov %rsp, %rcx", sysenter, %rdx
	RET2 st_ret2_int83, "", "int $s_VEC_INT_SYSRET", %rcx
#define RET2_TEXT "the fast exit would clobber the returned register: IRETQ instead, ring 3 sees the value"
	ST 11, "syscall", st_ret2_syscall, 0, 64, 0x1234567890abcdef, EXP_DONE, 0, 0, RET2_TEXT
	ST 11, "sysenter", st_ret2_sysenter, 0, 64, 0x1234567890abcdef, EXP_DONE, 0, 0, RET2_TEXT
	ST 11, "int-gate/sysretq", st_ret2_int83, 0, 64, 0x1234567890abcdef, EXP_DONE, 0, 0, RET2_TEXT

/* ---- Case 12: kernel bugs the protections contain -------------------------------------
 * KSYS_BUG makes the kernel do, contained, what a buggy kernel might:
 * read a user pointer without stac (SMAP), call a user address (SMEP),
 * call into its own data (NX), write its own text (W^X), read address 0.
 * Each must fault (#PF) instead of going through; the program gets the
 * contained fault's status (0x10e) back in RAX. */
	.balign 16
	.globl st_bug
st_bug:
	mov $KSYS_BUG, %eax
	mov st_pb+PB_ARG(%rip), %rdi
	syscall
	mov %rax, %rdx
	shr $32, %rdx
	int $VEC_DONE
	ud2
	ST 12, "syscall", st_bug, 0, 64, KBUG_READ_USER, EXP_RESULT, 0, 0x10e, "a user pointer dereferenced without stac: #PF (SMAP), contained"
	ST 12, "syscall", st_bug, 0, 64, KBUG_EXEC_USER, EXP_RESULT, 0, 0x10e, "a call to a user page: #PF (SMEP), contained"
	ST 12, "syscall", st_bug, 0, 64, KBUG_EXEC_DATA, EXP_RESULT, 0, 0x10e, "a call into kernel data: #PF (NX), contained"
	ST 12, "syscall", st_bug, 0, 64, KBUG_WRITE_TEXT, EXP_RESULT, 0, 0x10e, "a write to kernel text: #PF (W^X), contained"
	ST 12, "syscall", st_bug, 0, 64, KBUG_NULL_READ, EXP_RESULT, 0, 0x10e, "a NULL read: #PF (page 0 unmapped), contained"

/* ---- Case 13: the dispatcher moves RIP and RSP ---------------------------------------
 * KSYS_SET_CONTEXT returns to <prog>_land with RSP = ST_ALT_RSP, as
 * sigreturn or a signal delivery do: every exit must honour both, and the
 * fast ones (sysret, sysexit, lret) can, since the dispatcher keeps the
 * registers they load consistent. The landing checks RSP. */
	.equ ST_ALT_RSP, user_stack_top - 2048
	.macro CTX64 name, setup, entry
	.balign 16
	.globl \name
\name:
	mov $KSYS_SET_CONTEXT, %eax
	lea 2f(%rip), %rdi
	lea ST_ALT_RSP, %rsi
	\setup
	\entry
	ud2                             /* never: the return goes to 2f */
2:	lea ST_ALT_RSP, %rdx
	cmp %rdx, %rsp
	jne 3f
	DONE_OK
3:	mov %rsp, %rdx
	mov $STF_RSP, %eax
	int $VEC_DONE
	ud2
	.endm
	CTX64 st_ctx_syscall, "", syscall
	CTX64 st_ctx_sysenter, "lea 1f(%rip), %rdx; mov %rsp, %rcx", "sysenter; 1:"
	CTX64 st_ctx_int81, "", "int $s_VEC_INTGATE"
	CTX64 st_ctx_int83, "", "int $s_VEC_INT_SYSRET"
	CTX64 st_ctx_cg, "", "lcall *far_cgate(%rip)"
	.macro CTX32 name, setup, entry
	.code32
	.balign 16
	.globl \name
\name:
	mov $KSYS_SET_CONTEXT, %eax
	mov $2f, %edi
	mov $ST_ALT_RSP, %esi
	\setup
	\entry
	ud2
2:	cmp $ST_ALT_RSP, %esp
	jne 3f
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
3:	mov %esp, %edx
	mov $STF_RSP, %eax
	int $VEC_DONE
	ud2
	.code64
	.endm
	CTX32 st_ctx32_syscall, "", syscall
	CTX32 st_ctx32_sysenter, "mov $1f, %edx; mov %esp, %ecx", "sysenter; 1:"
	CTX32 st_ctx32_int80, "", "int $0x80"
	CTX32 st_ctx32_cg, "", "lcall *far_cgate"
#define CTX_TEXT "back at the RIP and RSP the dispatcher set, through the mechanism's fast exit where it has one"
	ST 13, "syscall", st_ctx_syscall, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "sysenter", st_ctx_sysenter, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "int-gate", st_ctx_int81, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "int-gate/sysretq", st_ctx_int83, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "call-gate", st_ctx_cg, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "compat-syscall", st_ctx32_syscall, 0, 32, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "compat-sysenter", st_ctx32_sysenter, 0, 32, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "compat-int80", st_ctx32_int80, 0, 32, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "compat-call-gate", st_ctx32_cg, 0, 32, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "fred-syscall", st_ctx_syscall, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "fred-int", st_ctx_int81, 0, 64, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "fred-compat-int80", st_ctx32_int80, 0, 32, 0, EXP_DONE, 0, 0, CTX_TEXT
	ST 13, "fred-compat-sysenter", st_ctx32_sysenter, 0, 32, 0, EXP_DONE, 0, 0, CTX_TEXT

/* ---- FRED (cases 14 to 18; the boot option fred, a CPU with FRED) ------------------
 * Case 14: ERETU to a non-canonical RIP. The kernel is asked (KSYS_SET_RIP)
 * to return to 0x800000000000, or a syscall at the canonical edge leaves
 * that RIP in the frame. ERETU checks the whole frame before it changes
 * anything: #GP(0) in ring 0, on the kernel stack, where nothing of ring
 * 3's is in use (the CVE-2012-0217 shape cannot arise: there is no fast
 * exit to decide), reported as a fault on the way back. */
	SETRIP64 st_setrip_int81, "", "int $s_VEC_INTGATE"
	.code32
	.balign 16
	.globl st_setrip_int80_32
st_setrip_int80_32:
	mov $KSYS_SET_RIP, %eax         /* selftest.c: RIP = PB_ARG for a 32-bit caller */
	int $s_VEC_INT80
	ud2
	.code64
#define ERETU_TEXT "eretu refuses the non-canonical RIP before changing anything: #GP(0) in ring 0 on the kernel stack, reported as a fault on the way back"
	ST 14, "fred-syscall", st_setrip_syscall, 0, 64, NONCANON, EXP_BADRET, VEC_GP, 0, ERETU_TEXT
	ST 14, "fred-syscall", USER_CANON_EDGE, 0, 64, NONCANON, EXP_BADRET, VEC_GP, 0, "syscall at 0x7ffffffffffe under FRED (saved RIP 0x800000000000): eretu #GP(0) in ring 0, reported as a fault on the way back"
	ST 14, "fred-int", st_setrip_int81, 0, 64, NONCANON, EXP_BADRET, VEC_GP, 0, ERETU_TEXT
	ST 14, "fred-compat-int80", st_setrip_int80_32, 0, 32, NONCANON, EXP_BADRET, VEC_GP, 0, ERETU_TEXT

/* Case 15: events with the stack level raised. An instruction breakpoint
 * (DR0, set by the harness) on the first instruction of the FRED entry:
 * the #DB is raised in ring 0 at level 0 and IA32_FRED_STKLVLS sends it to
 * level 1, the #DB stack, whatever stack ring 3 had (RSP into kernel
 * data here); its handler sends itself an NMI, which arrives at level 2,
 * the NMI stack, on top of the #DB handler. ERETS from each lowers the
 * level again (to the frame's), and ERETU back to ring 3 needs level 0. */
	HOSTILE64 st_dbg_fred, "", syscall       /* the harness sets DR0 on kf_fred_user */
	HOSTILE64 st_dbg_fred_int, "", "int $s_VEC_INTGATE"
#define STKLVL_TEXT "#DB in ring 0 at the FRED entry raised to stack level 1 (the #DB stack), an NMI from its handler to level 2 (the NMI stack); ERETS lowers each, the round trip completes through eretu"
	ST 15, "fred-syscall", st_dbg_fred, 0, 64, KVICTIM, EXP_DONE, 0, 0, STKLVL_TEXT
	ST 15, "fred-int", st_dbg_fred_int, 0, 64, KVICTIM, EXP_DONE, 0, 0, STKLVL_TEXT

/* Case 16: an exception nested in event delivery: the harness points
 * IA32_FRED_RSP0 at an unmapped page, as a kernel bug could. The syscall's
 * delivery raises #PF writing its frame; that #PF, nested, is delivered to
 * the same stack (an event from ring 3) and faults again: #DF, whose stack
 * level (3) gives it a stack of its own, where it is reported instead of a
 * triple fault. */
	.balign 16
	.globl st_nested
st_nested:
	xor %eax, %eax
	syscall
	DONE_OK
	.balign 16
	.globl st_nested_int
st_nested_int:
	xor %eax, %eax
	int $s_VEC_INTGATE
	DONE_OK
#define NESTED_TEXT "the frame cannot be written (IA32_FRED_RSP0 unmapped): #PF in delivery, nested #PF, then #DF delivered at stack level 3 on the #DF stack and reported, no triple fault"
	ST 16, "fred-syscall", st_nested, 0, 64, A_BADRSP_UM, EXP_FAULT, VEC_DF, 0, NESTED_TEXT
	ST 16, "fred-int", st_nested_int, 0, 64, A_BADRSP_UM, EXP_FAULT, VEC_DF, 0, NESTED_TEXT

/* Case 17: single-stepping into syscall (and int n) under FRED. Event
 * delivery clears RFLAGS, so nothing single-steps in ring 0 (IDT: the
 * sysenter and call-gate stubs step until their popfq; Bochs delivers
 * SYSCALL's own step there); the frame's SS bit 17 marks the event as
 * software-initiated and ERETU, with TF back, delivers the step that was
 * pending: a #DB in ring 3 right after the syscall, then stepping goes on. */
#define FREDTF_TEXT "no #DB in ring 0; the pending single step after eretu, in ring 3 right after the entry instruction; stepping resumes"
	ST 17, "fred-syscall", st_tf64, st_g_syscall, 64, st_tf64_after, EXP_DONE, 0, 0, FREDTF_TEXT
	ST 17, "fred-int", st_tf64, st_g_int81, 64, st_tf64_after, EXP_DONE, 0, 0, FREDTF_TEXT
	ST 17, "fred-compat-int80", st_tf32, st_g32_int80, 64, st_tf32_after, EXP_DONE, 0, 0, FREDTF_TEXT

/* Case 18: int n to every vector under FRED. There is no gate and no DPL:
 * every `int n` from ring 3 is delivered (type software interrupt) and the
 * kernel must refuse what it does not serve, as a DPL-0 gate did, with
 * the same #GP((n << 3) | 2); and tell int $2 from an NMI, int $14 from a
 * page fault, by the event's type. The FRED mode serves nothing here but
 * the done vector. */
	ST 18, "fred-int", st_intn_table, 0, 64, 0, EXP_INTN, VEC_GP, -1, "#GP((n << 3) | 2) for every vector the kernel does not serve, refused in software (FRED has no gate DPL); the fred-* int paths still work afterwards"

	.section .rodata.stcases, "a"
	.globl st_cases_end
st_cases_end:

/* The parameter/result block (selftest.h). */
	.section .user.data, "aw"
	.balign 4096
	.globl st_pb
st_pb:
	.skip PB_SIZE
