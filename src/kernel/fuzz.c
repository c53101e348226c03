/* kentry kernel: the fuzzer (boot options fuzz=N seed=S [replay=K]).
 *
 * Sequence k of seed S is generated from splitmix64(S, k) alone, so
 * `replay=K` rebuilds exactly sequence K. Each sequence:
 *   - a mode (64-bit or compatibility mode) and, for SYSCALL and SYSENTER,
 *     which full stub answers (sysretq or iretq exit, the 64- or 32-bit
 *     SYSENTER convention); every other full entry (int 0x80-0x83, both
 *     call gates, CSTAR) is installed for the whole run;
 *   - state: random general registers (zero, small, user pointers, kernel
 *     addresses, non-canonical values, KSYS numbers for RAX), RFLAGS (DF,
 *     AC, NT, rarely TF; IOPL and IF are not ring 3's to change), segment
 *     selectors for DS/ES/FS/GS (valid, null, kernel, gate, out of range),
 *     RSP (the user stack, or hostile: non-canonical, kernel, unmapped);
 *   - code: a few pieces of random bytes mixed with entry instructions
 *     (syscall, sysenter with or without kentry's convention, int n,
 *     int3, far calls through the gates, lret/iret, popf, mov to SS and
 *     the other segment registers, privileged instructions, short jumps),
 *     then a ud2 that marks the end, on a page ring 3 may execute and the
 *     kernel writes through its own alias.
 * It runs until ring 3 faults, reaches the end, enters VEC_DONE or the
 * watchdog timer fires; then every integrity check of the self-test runs
 * (kernel invariants, entry promises, IST stacks, victim buffer) and the
 * registers ring 3 was left with must not hold KPOISON. A fault in ring 0
 * other than one raised by the IRETQ back to user space is a broken
 * invariant too. The first broken invariant stops the run:
 *   fuzz broken seq=K <what>
 * with the sequence shown in detail (the same lines as replay=K). */
#include "fuzz.h"
#include "mitig.h"
#include "apic.h"
#include "cpu.h"
#include "dispatch.h"
#include "events.h"
#include "kernel.h"
#include "layout.h"
#include "selftest.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "core/cpuinfo.h"
#include "core/tsc.h"
#include "core/desc.h"

extern char fz_blk[], user_stack[], user_stack_top[], __kernel_start[], kst_victim[];
extern void fz_prologue64(void), fz_prologue32(void), kf_syscall64(void),
	kf_syscall64_iret(void), kf_sysenter64(void), kf_sysenter32(void),
	kf_sysenter64_iret(void);

static uint8_t fz_page[4096] __attribute__((aligned(4096)));
static uint8_t blk[FZ_SIZE];

/* ---- randomness: splitmix64 (each sequence from (seed, k) alone) ------------- */

static uint64_t rs;

static uint64_t rnd(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x0000800000000000ull,
		0x00007fffffffffffull, 0xffff800000000000ull, 0xffffffffffffffffull,
		USER_BASE, USER_NP_PAGE, 0x00007f0000001000ull, 0xfffffffful,
	};
	switch (below(8)) {
	case 0:
		return v[below(sizeof(v) / sizeof(v[0]))];
	case 1:
		return below(64);
	case 2: /* a user address */
		return (uint64_t)(uintptr_t)fz_blk + below(FZ_SIZE);
	case 3: /* a kernel address */
		return (uint64_t)(uintptr_t)__kernel_start + below(0x40000);
	case 4: /* a KSYS number */
		return below(5);
	default:
		return rnd();
	}
}

static uint16_t selector(void)
{
	static const uint16_t s[] = { 0, USER_DS, USER_DS64, USER_CS64, USER_CS32, SEL_KDATA,
				      SEL_KCODE, SEL_TSS | 3, SEL_CGATE | 3, 0xfff8 | 3, 3, USER_DS };
	if (below(4))
		return USER_DS;
	return s[below(sizeof(s) / sizeof(s[0]))];
}

/* ---- code ------------------------------------------------------------------------ */

static unsigned at;
static int rsp_in_kernel; /* this sequence's RSP points into kernel memory */

static void emit(const uint8_t *b, unsigned n)
{
	while (n-- && at < 4000)
		fz_page[at++] = *b++;
}

#define EMIT(...)                                                  \
	do {                                                       \
		static const uint8_t e_[] = { __VA_ARGS__ };        \
		emit(e_, sizeof(e_));                              \
	} while (0)

static void emit32(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	emit(b, 4);
}

static void piece(int m64)
{
	uint32_t far = (uint32_t)(uintptr_t)fz_blk + FZ_FAR + 8 * below(4);
	switch (below(24)) {
	case 0:
	case 1:
	case 2: { /* random bytes */
		unsigned n = 1 + below(6);
		for (unsigned i = 0; i < n && at < 4000; i++) {
			uint8_t b = (uint8_t)rnd();
			/* with RSP in the kernel, no far return, iret or far
			 * call (see case 10 below) */
			if (rsp_in_kernel && (b == 0xca || b == 0xcb || b == 0xcf || b == 0xff ||
					      b == 0x9a))
				b = 0x90;
			fz_page[at++] = b;
		}
		break;
	}
	case 3:
	case 4:
		EMIT(0x0f, 0x05); /* syscall */
		break;
	case 5: /* sysenter with kentry's convention: RDX = after it, RCX = RSP */
		if (m64)
			EMIT(0x48, 0x8d, 0x15, 0x05, 0x00, 0x00, 0x00, 0x48, 0x89, 0xe1);
		else
			EMIT(0xe8, 0x00, 0x00, 0x00, 0x00, 0x5a, 0x83, 0xc2, 0x08, 0x89, 0xe1);
		EMIT(0x0f, 0x34);
		break;
	case 6:
		EMIT(0x0f, 0x34); /* sysenter with whatever RDX/RCX hold */
		break;
	case 7: { /* int 0x80-0x83 */
		uint8_t b[2] = { 0xcd, (uint8_t)(0x80 + below(4)) };
		emit(b, 2);
		break;
	}
	case 8: { /* int n, any n; int3; int1; into */
		static const uint8_t one[] = { 0xcc, 0xf1, 0xce };
		if (below(2)) {
			uint8_t b[2] = { 0xcd, (uint8_t)rnd() };
			emit(b, 2);
		} else {
			emit(&one[below(3)], 1);
		}
		break;
	}
	case 9: /* lcall through a far pointer (gates, other selectors) */
		if (m64)
			EMIT(0xff, 0x1c, 0x25);
		else
			EMIT(0xff, 0x1d);
		emit32(far);
		break;
	case 10: { /* far returns and iret on whatever the stack holds */
		/* Not with RSP in kernel memory: QEMU 7.2's TCG reads a ring-3
		 * far return's or IRET's stack with supervisor rights and
		 * returns with what it found there (it was seen going to CPL
		 * 1 with a CS made of the victim buffer's bytes): the
		 * emulator's bug, which no kernel can prevent. */
		if (rsp_in_kernel)
			break;
		static const uint8_t r[][2] = { { 0x48, 0xcb }, { 0x48, 0xcf }, { 0x90, 0xcb },
						{ 0x90, 0xcf } };
		emit(r[below(4)], 2);
		break;
	}
	case 11: { /* push imm32; popf */
		EMIT(0x68);
		uint32_t f = (uint32_t)rnd() & (0x40cd5 | 0x3000 | 0x200);
		if (below(8))
			f &= ~0x100u; /* TF rarely */
		emit32(f);
		EMIT(0x9d);
		break;
	}
	case 12: { /* mov r, ss / ds / es / fs / gs */
		uint8_t b[2] = { 0x8e, (uint8_t)(0xc0 | (below(6) << 3) | below(8)) };
		if ((b[1] >> 3 & 7) == 1) /* not cs */
			b[1] ^= 0x08;
		emit(b, 2);
		break;
	}
	case 13: { /* privileged and system instructions */
		static const uint8_t p[][3] = {
			{ 0xf4, 0x90, 0x90 }, { 0xfa, 0x90, 0x90 }, { 0xfb, 0x90, 0x90 },
			{ 0x0f, 0x07, 0x90 }, { 0x0f, 0x35, 0x90 }, { 0x0f, 0x01, 0xf8 },
			{ 0x0f, 0x32, 0x90 }, { 0x0f, 0x30, 0x90 }, { 0xe4, 0x60, 0x90 },
			{ 0xe6, 0x80, 0x90 }, { 0x0f, 0x01, 0xc8 }, { 0x0f, 0x00, 0xc8 },
			{ 0x0f, 0x06, 0x90 }, { 0x0f, 0x20, 0xd8 },
		};
		emit(p[below(sizeof(p) / sizeof(p[0]))], 3);
		break;
	}
	case 14:
	case 15: { /* mov imm, r: rax..rdi (64-bit: imm64) */
		uint8_t r = (uint8_t)below(8);
		if (r == 4)
			r = 0; /* not RSP: the stack stays whatever the prologue set */
		if (m64) {
			uint8_t b[2] = { 0x48, (uint8_t)(0xb8 + r) };
			emit(b, 2);
			uint64_t v = interesting();
			emit32((uint32_t)v);
			emit32((uint32_t)(v >> 32));
		} else {
			uint8_t b = (uint8_t)(0xb8 + r);
			emit(&b, 1);
			emit32((uint32_t)interesting());
		}
		break;
	}
	case 16: { /* a short jump, either way */
		uint8_t b[2] = { 0xeb, (uint8_t)(below(2) ? below(16) : 0x100 - below(32)) };
		emit(b, 2);
		break;
	}
	case 17: /* pushf; popf round trip */
		EMIT(0x9c, 0x9d);
		break;
	default: /* a few plain instructions */
		EMIT(0x90);
		break;
	}
}

/* ---- one sequence ----------------------------------------------------------------- */

struct seq {
	int m64;
	unsigned lstar, sysenter; /* which stubs answer */
	unsigned end;             /* offset of the end marker */
};

static void (*const lstars[2])(void) = { kf_syscall64, kf_syscall64_iret };

static void generate(uint64_t seed, uint64_t k, struct seq *q)
{
	rs = seed ^ (k * 0xd1342543de82ef95ull);
	rnd();
	q->m64 = below(4) != 0;
	q->lstar = below(2);
	q->sysenter = below(3); /* 64-bit, 64-bit with iretq, 32-bit convention */
	memset(blk, 0, sizeof(blk));
	for (unsigned r = 0; r < 15; r++) {
		uint64_t v = interesting();
		memcpy(blk + FZ_REGS + 8 * r, &v, 8);
	}
	uint64_t rsp;
	rsp_in_kernel = 0;
	switch (below(8)) {
	case 0:
		rsp = 0x8000123456780000ull; /* non-canonical */
		break;
	case 1:
		rsp = (uint64_t)(uintptr_t)kst_victim + 2048; /* kernel data */
		rsp_in_kernel = 1;
		break;
	case 2:
		rsp = 0x00007f0000001000ull; /* unmapped */
		break;
	default:
		rsp = (uint64_t)(uintptr_t)user_stack_top - 8 * below(64);
	}
	if (!q->m64)
		rsp = (uint32_t)rsp;
	memcpy(blk + FZ_RSP, &rsp, 8);
	uint64_t fl = 0x202 | (rnd() & (RF_DF | RF_AC | RF_NT | RF_CF | 0x40 | 0x80 | 0x800));
	if (below(16) == 0)
		fl |= RF_TF;
	memcpy(blk + FZ_FLAGS, &fl, 8);
	uint16_t sel[4];
	for (unsigned i = 0; i < 4; i++)
		sel[i] = selector();
	memcpy(blk + FZ_DS, sel, 8);
	uint64_t target = USER_FUZZ_PAGE;
	memcpy(blk + FZ_TARGET, &target, 8);
	/* Far pointers for lcall: the gates, or any selector but the user code
	 * segments. A far call to a same-privilege code segment pushes on the
	 * user's stack, and QEMU 7.2's TCG does those pushes with supervisor
	 * rights: with RSP pointing into the kernel it writes kernel memory
	 * (the fuzzer found this; docs/selftest.md). That is the emulator's
	 * bug, not one kentry's kernel can prevent, so it is not generated. */
	static const uint16_t gates[4] = { SEL_CGATE | 3, SEL_CGATE_IRET | 3, SEL_CGATE | 0,
					   SEL_CGATE_IRET | 1 };
	for (unsigned i = 0; i < 4; i++) {
		/* with RSP in the kernel only gates: they switch stacks */
		uint16_t s = below(4) || rsp_in_kernel ? gates[i] : (uint16_t)rnd();
		if ((s >> 3) == SEL_UCODE32 / 8 || (s >> 3) == SEL_UCODE64 / 8)
			s = gates[i];
		memcpy(blk + FZ_FAR + 8 * i + 4, &s, 2);
	}
	for (unsigned i = FZ_SCRATCH; i < FZ_SIZE; i += 8) {
		uint64_t v = below(2) ? interesting() : 0;
		memcpy(blk + i, &v, 8);
	}
	memset(fz_page, 0xcc, sizeof(fz_page)); /* int3 past the end */
	at = 0;
	unsigned pieces = 2 + below(10);
	for (unsigned i = 0; i < pieces; i++)
		piece(q->m64);
	q->end = at;
	EMIT(0x0f, 0x0b); /* ud2: the end marker */
}

static void hex(char *out, size_t n, const uint8_t *b, unsigned len)
{
	size_t o = 0;
	for (unsigned i = 0; i < len && o + 3 < n; i++)
		o += (size_t)ksnprintf(out + o, n - o, "%02x", b[i]);
}

static void show(uint64_t k, const struct seq *q)
{
	char h[1100];
	hex(h, sizeof(h), fz_page, q->end + 2 < 500 ? q->end + 2 : 500);
	uint64_t r[15], rsp, fl;
	memcpy(r, blk + FZ_REGS, sizeof(r));
	memcpy(&rsp, blk + FZ_RSP, 8);
	memcpy(&fl, blk + FZ_FLAGS, 8);
	uint16_t sel[4];
	memcpy(sel, blk + FZ_DS, 8);
	kprintf("fuzz seq %lu mode %s, syscall stub %s, sysenter stub %s\n", k,
		q->m64 ? "64-bit" : "compatibility", q->lstar ? "syscall/iretq" : "syscall",
		q->sysenter == 0 ? "sysenter" : q->sysenter == 1 ? "sysenter/iretq" : "compat-sysenter");
	kprintf("fuzz seq %lu code at 0x%x: %s (end marker ud2 at +%u)\n", k, USER_FUZZ_PAGE, h,
		q->end);
	kprintf("fuzz seq %lu rax=%lx rbx=%lx rcx=%lx rdx=%lx rsi=%lx rdi=%lx rbp=%lx\n", k, r[0],
		r[1], r[2], r[3], r[4], r[5], r[6]);
	kprintf("fuzz seq %lu r8=%lx r9=%lx r10=%lx r11=%lx r12=%lx r13=%lx r14=%lx r15=%lx\n", k,
		r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14]);
	kprintf("fuzz seq %lu rsp=%lx rflags=%lx ds=%x es=%x fs=%x gs=%x\n", k, rsp, fl, sel[0],
		sel[1], sel[2], sel[3]);
}

/* ---- outcome counters --------------------------------------------------------------- */

#define OUT_DONE 32     /* reached the end marker */
#define OUT_ENTRY 33    /* entered VEC_DONE itself (int 0x8f in the bytes) */
#define OUT_TIMEOUT 34  /* looped until the watchdog */
#define OUT_BADRET 35   /* a fault raised by the IRETQ back (any vector) */
#define OUT_OTHER 36    /* anything else (named by the first one) */
static uint64_t outcomes[37];
static char other_first[200];
static uint64_t entries[KK_COUNT];

static const char *outcome_name(unsigned i)
{
	switch (i) {
	case OUT_DONE: return "reached the end of the sequence";
	case OUT_ENTRY: return "entered the done vector (int 0x8f)";
	case OUT_TIMEOUT: return "still running at the watchdog (a loop)";
	case OUT_BADRET: return "fault raised by the IRETQ back to ring 3 (reported)";
	case OUT_OTHER: return other_first;
	}
	return trap_name(i);
}

/* What ring 3 can see of the sequences before it, made the same for every
 * sequence, so that sequence k run after 0..k-1 behaves as it does alone
 * (--replay K boots and runs K only): the user stack (pops, far returns,
 * iret and popf read what an earlier sequence pushed) is zeroed, and the
 * x87/SSE state (an earlier fldcw, ldmxcsr, fld or movdqa: values, masks,
 * the x87 stack's tags) is the one FNINIT and a reset MXCSR give, xmm
 * zero. fz_blk and the code page are rewritten by generate(). The GS base
 * and FS base come from the selectors the prologue loads (no FSGSBASE);
 * AVX needs XSAVE, which the kernel leaves off (#UD). Not made the same:
 * the TSC (rdtsc, rdtscp) and what happened in ring 0. */
static void fresh_user_state(void)
{
	static uint8_t fx[512] __attribute__((aligned(16)));
	kclear_user(user_stack, (size_t)(user_stack_top - user_stack));
	memset(fx, 0, sizeof(fx));
	fx[0] = 0x7f; /* FCW 0x037f: every x87 exception masked, 64-bit precision */
	fx[1] = 0x03;
	fx[24] = 0x80; /* MXCSR 0x1f80: every SSE exception masked, round to nearest */
	fx[25] = 0x1f;
	__asm__ volatile("fxrstor %0" : : "m"(fx));
}

/* Runs sequence k; returns NULL or the broken invariant in words. */
static const char *run_seq(uint64_t seed, uint64_t k, struct seq *q, uint32_t *status)
{
	static char why[300];
	generate(seed, k, q);
	if (kcfg.fuzz_replay >= 0)
		show(k, q); /* before it runs: a hang is shown too */
	kcopy_to_user(fz_blk, blk, sizeof(blk));
	fresh_user_state();
	wrmsr(KMSR_LSTAR, (uint64_t)(uintptr_t)kpath_full_variant(lstars[q->lstar]));
	wrmsr(KMSR_SYSENTER_EIP,
	      (uint64_t)(uintptr_t)kpath_full_variant(q->sysenter == 0   ? kf_sysenter64
						      : q->sysenter == 1 ? kf_sysenter64_iret
									 : kf_sysenter32));
	kevents_reset();
	kev.armed = 1;
	kev.watchdog = 1;
	kobserve_reset();
	struct kinv before, after;
	kinv_take(&before);
	/* the watchdog, periodic: the first tick that lands in ring 3 ends a
	 * loop (events.c). Its period is emulated time; under -icount, where
	 * the host asks for fuzz_wd=200000, a count of instructions: then the
	 * tick lands at the same instruction of the sequence in every run. */
	apic_timer_start(kcfg.fuzz_wd, 1);
	uint32_t st = kuser_enter(q->m64 ? (uint64_t)(uintptr_t)fz_prologue64
					 : (uint64_t)(uintptr_t)fz_prologue32,
				  q->m64 ? USER_CS64 : USER_CS32, (uint64_t)(uintptr_t)user_stack_top, 0);
	apic_timer_stop();
	kevents_drain();
	kev.armed = 0;
	write_dr7(0);
	*status = st;
	for (unsigned i = 0; i < KK_COUNT; i++)
		entries[i] += kobs.entries[i];

	/* classify */
	uint64_t end_rip = USER_FUZZ_PAGE + q->end;
	if (st >= 0x100 && st < 0x120 && (kurun.cs & 3) == 3)
		outcomes[st == KURUN_FAULT(VEC_UD) && kurun.rip == end_rip ? OUT_DONE : st - 0x100]++;
	else if (st == KURUN_DONE)
		outcomes[OUT_ENTRY]++;
	else if (st == KURUN_TIMEOUT)
		outcomes[OUT_TIMEOUT]++;
	else if (st >= 0x300 && st < 0x400)
		outcomes[OUT_BADRET]++;
	else {
		if (!outcomes[OUT_OTHER]++) {
			describe_status(other_first, sizeof(other_first), st);
			size_t l = strlen(other_first);
			ksnprintf(other_first + l, sizeof(other_first) - l, " (first: sequence %lu)", k);
		}
	}

	/* integrity */
	if (st >= 0x100 && st < 0x120 && (kurun.cs & 3) == 0) {
		char w[200];
		describe_status(w, sizeof(w), st);
		ksnprintf(why, sizeof(why), "the kernel faulted in ring 0: %s", w);
		return why;
	}
	if (st != KURUN_DONE && st != KURUN_TIMEOUT && !(st >= 0x100 && st < 0x120) &&
	    !(st >= 0x300 && st < 0x400)) {
		char w[200];
		describe_status(w, sizeof(w), st);
		ksnprintf(why, sizeof(why), "unexpected end of the sequence: %s", w);
		return why;
	}
	kinv_take(&after);
	const char *d = kinv_diff(&before, &after);
	if (d) {
		ksnprintf(why, sizeof(why), "kernel invariant broken: %s", d);
		return why;
	}
	if (kobs.violations) {
		ksnprintf(why, sizeof(why), "entry promise broken: %s", kobs.first);
		return why;
	}
	const char *mw = kmitig_check_after_user(st);
	if (mw) {
		ksnprintf(why, sizeof(why), "mitigation state broken: %s", mw);
		return why;
	}
	if (kev.db_kother || kev.db_off_ist || kev.nmi_off_ist) {
		ksnprintf(why, sizeof(why), "#DB/NMI: %lu in ring 0 outside a step region, %lu/%lu frames off their IST stack",
			  kev.db_kother, kev.db_off_ist, kev.nmi_off_ist);
		return why;
	}
	for (unsigned i = 0; i < 4096; i++)
		if ((uint8_t)kst_victim[i] != (uint8_t)(0xa5 ^ i)) {
			ksnprintf(why, sizeof(why), "the kernel wrote the victim buffer (where ring 3 pointed RSP): byte %u is 0x%x", i, (uint8_t)kst_victim[i]);
			return why;
		}
	if (st >= 0x100 && st < 0x400) {
		/* the registers ring 3 held when it faulted */
		const uint64_t *g = &kurun.frame.r15;
		for (unsigned i = 0; i < 15; i++) {
			uint64_t v = g[i], mask = q->m64 ? ~0ull : 0xffffffffull;
			if ((v & mask) == ((uint64_t)KPOISON & mask)) {
				ksnprintf(why, sizeof(why),
					  "a register came back to ring 3 holding kernel data (KPOISON), frame slot %u", i);
				return why;
			}
		}
	}
	return NULL;
}

static void install_all(void)
{
	static const char *const ids[] = { "int-gate", "trap-gate", "compat-int80",
					   "int-gate/sysretq", "call-gate", "call-gate/iretq",
					   "compat-syscall" };
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int k = kpath_index(ids[i]);
		if (k >= 0)
			kpath_install_full((unsigned)k);
	}
}

void fuzz_run(void)
{
	void (*const *stubs)(void);
	unsigned ns = kpath_full_stubs(&stubs);
	kevents_set_stubs(stubs, ns);
	kservice.serve = kst_serve;
	kvm_map(&kvm_kernel, USER_FUZZ_PAGE, (uint64_t)(uintptr_t)fz_page, 4096, PTE_U | KVM_4K);
	kvm_flush();
	install_all();
	for (unsigned i = 0; i < 4096; i++)
		kst_victim[i] = (uint8_t)(0xa5 ^ i);
	uint64_t seed = kcfg.fuzz_seed, n = kcfg.fuzz_n;
	struct seq q;
	uint32_t st;
	const char *broken = NULL;
	uint64_t k = 0, ran = 0;
	kprintf("fuzz start seed=%lu n=%lu%s\n", seed, n, kcfg.fuzz_replay >= 0 ? " replay" : "");
	uint64_t t0 = ktsc_read();
	if (kcfg.fuzz_replay >= 0) {
		/* replay=K fuzz=N: sequences K to K+N-1, each in detail, one
		 * after the other as in a run */
		for (k = (uint64_t)kcfg.fuzz_replay; ran < (n ? n : 1); k++) {
			broken = run_seq(seed, k, &q, &st);
			ran++;
			char w[200];
			describe_status(w, sizeof(w), st);
			kprintf("fuzz seq %lu outcome: %s\n", k, st == KURUN_DONE ? "entered the done vector" : w);
			for (unsigned i = 0; i < KK_COUNT; i++)
				if (kobs.entries[i])
					kprintf("fuzz seq %lu entries through %s: %lu (fast exit %lu, iretq %lu)\n", k,
						kentry_kind_name(i), kobs.entries[i], kobs.fast[i], kobs.iret[i]);
			if (broken)
				break;
		}
	} else {
		for (k = 0; k < n; k++) {
			broken = run_seq(seed, k, &q, &st);
			ran++;
			if (broken)
				break;
			if ((k & 4095) == 4095)
				kprintf("progress fuzz-%lu\n", k + 1);
		}
	}
	uint64_t ticks = ktsc_read() - t0;
	for (unsigned i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (outcomes[i])
			kprintf("fuzz vector %lu %s\n", outcomes[i], outcome_name(i));
	for (unsigned i = 0; i < KK_COUNT; i++)
		if (entries[i])
			kprintf("fuzz entry %lu %s\n", entries[i], kentry_kind_name(i));
	if (broken) {
		kprintf("fuzz broken seq=%lu %s\n", k, broken);
		if (kcfg.fuzz_replay < 0)
			show(k, &q);
	}
	kprintf("fuzz done ran=%lu seed=%lu ticks=%lu hz=%lu\n", ran, seed, ticks, kernel_tsc_hz);
	kservice.serve = 0;
	kernel_end(!broken, (unsigned)ran, (unsigned)ran);
}
