/* kentry kernel: the hostile-ring-3 self-test (selftest.c, selftest_progs.S).
 * Included from C and from .S. */
#ifndef KENTRY_KERNEL_SELFTEST_H
#define KENTRY_KERNEL_SELFTEST_H

/* The self-test's system calls (RAX, through any full path; dispatcher
 * personality in selftest.c). Return value in RAX. */
#define KSYS_NULL      0  /* returns 0 */
#define KSYS_SET_RIP   1  /* return to RDI instead (like sigreturn); the
			   * mechanism's clobbered registers follow (RCX for
			   * SYSCALL, RDX for SYSENTER) */
#define KSYS_SET_RET2  2  /* return RDI in the register the fast exit clobbers
			   * (SYSCALL and int-gate/sysretq: RCX, SYSENTER: RDX) */
#define KSYS_BUG       3  /* a simulated kernel bug, RDI = which (KBUG_*):
			   * returns 0 if it went through, else the fault that
			   * stopped it (0x100 + vector), contained */
#define KSYS_SET_CONTEXT 4 /* return to RDI with RSP = RSI (like sigreturn or
			   * a signal delivery); the mechanism's clobbered
			   * registers follow (SYSCALL: RCX = RIP; SYSENTER:
			   * RDX = RIP, RCX = RSP), so its fast exit can serve */
#define KSYS_ENOSYS    38

#define KBUG_READ_USER   1 /* dereference a user pointer without stac: SMAP */
#define KBUG_EXEC_USER   2 /* call a user address: SMEP */
#define KBUG_EXEC_DATA   3 /* call into kernel data: NX */
#define KBUG_WRITE_TEXT  4 /* write kernel text: W^X */
#define KBUG_NULL_READ   5 /* read address 0: page 0 unmapped */

/* The parameter/result block ring 3 shares with the harness (st_pb,
 * .user.data; the kernel fills and reads it with stac/clac). */
#define PB_GADGET   0   /* 64-bit gadget to call (ret) */
#define PB_FAR32    8   /* m16:32 far pointer to a 32-bit gadget (lret) */
#define PB_ITERS    16
#define PB_CLOBBER  24  /* bit r: register r may change (mechanism, convention) */
#define PB_FLAGS    32  /* RFLAGS bits to set before the entry */
#define PB_KLO      40  /* kernel image [lo, hi): no register may come back in it */
#define PB_KHI      48
#define PB_I        56  /* iteration (scratch) */
#define PB_RSP      64  /* saved RSP (scratch) */
#define PB_CMPMASK  72  /* compared bits of each register (32-bit paths: low half) */
#define PB_ARG      80  /* the case's argument (hostile RSP, far pointer, ...) */
#define PB_ARG2     88
#define PB_FREG     96  /* results: failing register, value, expected, iteration */
#define PB_FGOT     104
#define PB_FWANT    112
#define PB_FITER    120
#define PB_RFB      128 /* RFLAGS before the entry, after it */
#define PB_RFA      136
#define PB_RSPA     144 /* RSP after the entry (case 4) */
#define PB_SSSLOT   152 /* a selector for MOV SS / POP SS (case 5) */
#define PB_FARPTR   160 /* m16:32 far pointer for case 7 */
#define PB_BACK64   168 /* m16:32 far pointer back to 64-bit code (32-bit gadgets) */
#define PB_CUR      176 /* 15 registers loaded before the entry */
#define PB_AFTER    296 /* 15 registers found after it */
#define PB_RAND     416 /* PB_ITERS_MAX x 15 random values */
#define PB_ITERS_MAX 32
#define PB_SIZE     (PB_RAND + PB_ITERS_MAX * 120)

/* Register order in PB_CUR/PB_AFTER/PB_CLOBBER */
#define R_RAX 0
#define R_RBX 1
#define R_RCX 2
#define R_RDX 3
#define R_RSI 4
#define R_RDI 5
#define R_RBP 6
#define R_R8  7
#define R_R11 10

/* Ring-3 failure codes (EAX at the done entry; EDX: detail) */
#define STF_OK     0
#define STF_REG    1 /* a register changed that the mechanism does not clobber */
#define STF_POISON 2 /* a register came back holding KPOISON (kernel data) */
#define STF_KADDR  3 /* a register came back holding a kernel address */
#define STF_FLAGS  4 /* TF/IF/DF/NT/AC/IOPL/ID changed */
#define STF_RSP    5 /* RSP changed */
#define STF_SS     6 /* SS not the user data selector after the return */
#define STF_VALUE  7 /* a returned value is not what the kernel should have set */

/* Expected outcome kinds (ST records, selftest_progs.S) */
#define EXP_DONE      0 /* the program reaches its end, its own checks pass */
#define EXP_FAULT     1 /* a fault `vec` (error `err`, -1: any) from ring 3 */
#define EXP_BADRET    2 /* fault `vec` raised by the kernel's IRETQ back to
			   * ring 3: a clean fault reported (Linux: bad_iret) */
#define EXP_GP_OR_UD  3 /* #GP(0) where 64-bit SYSEXIT exists, else #UD */
#define EXP_INTN      4 /* case 6: int n for every vector: #GP((n << 3) | 2)
			   * where the gate is DPL 0 */
#define EXP_RESULT    5 /* done, EDX:EAX == err */
#define EXP_UMIP      6 /* #GP(0) with UMIP, done without it */
#define EXP_NONCANON  7 /* the return to the non-canonical RIP `arg` faults
			   * cleanly: #GP(0) raised by the kernel's IRETQ
			   * (SDM), or #GP/#PF in ring 3 at that RIP where the
			   * CPU loads it first (QEMU) */

/* Case-specific setups the harness knows (ST record `arg` for case 7, 9) */
#define ST_NONE 0

#define ST_REC_SIZE 64

#ifndef __ASSEMBLER__
#include <stdint.h>

struct st_rec {
	uint64_t prog;   /* ring-3 entry point */
	uint64_t gadget; /* 64-bit gadget (mode 64) or 32-bit gadget (mode 32), or 0 */
	uint64_t arg;    /* PB_ARG */
	int64_t err;     /* expected error code or result, -1: any */
	const char *path;  /* the full path to install ("" none) */
	const char *text;  /* the expected outcome in words */
	uint32_t ncase, mode, kind, vec;
};
_Static_assert(sizeof(struct st_rec) == ST_REC_SIZE, "st_rec");

void selftest_run(void); /* boot option `selftest`: every case, then end */
struct kregs;
/* the self-test's system-call personality (also the fuzzer's) */
void kst_serve(struct kregs *r);
#endif

#endif
