/* kentry kernel: the hostile-ring-3 self-test (boot option `selftest`).
 *
 * Runs every ST record of selftest_progs.S (the ring-3 program and its expected
 * outcome, side by side) against the full variant of the path it names,
 * and prints one line per run:
 *
 *   selftest-case <n> <title> [<bug or CVE behind it>]
 *   selftest <n> <path>@full[+all]|- pass|fail|skip <expected> -- <observed>
 *
 * With mitigations= (mitig.c) the full paths run mitigated, with the whole
 * list applied (full+all, or full+<name> for one), and every run also
 * checks that the set's state held (CR3 on the user tables when ring 3
 * ended, the GS bases paired, IBRS off in ring 3; at every entry the
 * observer checks the kernel side).
 *
 * then `end pass|fail <passed>/<runs>`. What every run checks besides its
 * own expectation (the "after every round trip" checks):
 *   - the kernel invariants (GDT, IDT, TSS, entry MSRs, CR0/3/4, DR7) are
 *     as before (invariant.c);
 *   - every full entry handed C clean flags, cleared registers and a frame
 *     at the base of the entry stack (observe.c; the boot retargets every
 *     full stub's dispatcher call to the observing wrapper, which also
 *     leaves KPOISON in every register for ring 3 to look for);
 *   - no #DB hit the kernel outside a stub's single-step region and every
 *     ring-0 #DB or NMI frame was on its IST stack (events.c);
 *   - the kernel "victim" buffer, where hostile programs point RSP, is
 *     untouched.
 * The dispatcher personality here (st_serve) implements the small system
 * call ABI of selftest.h. */
#include "selftest.h"
#include "apic.h"
#include "cpu.h"
#include "dispatch.h"
#include "events.h"
#include "fred.h"
#include "kernel.h"
#include "layout.h"
#include "protect.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "core/cpuinfo.h"
#include "mitig.h"

extern const struct st_rec st_cases[], st_cases_end[];
extern char st_pb[], user_stack_top[], __kernel_start[], __kernel_end[];
extern void st_rt32(void), st_tf32(void), st_intn_table(void), st_rt64(void), st_g_int81(void),
	st_g_int82(void), st_g_int80(void), st_g_int83(void), st_g_bp(void), kf_callgate(void),
	st_dbg_syscall(void), kf_syscall64(void), st_dbg_fred(void), st_dbg_fred_int(void);
extern char kist_df_top[];

static const struct {
	unsigned n;
	const char *title, *ref;
} titles[] = {
	{ 0, "every mechanism: registers intact with random values, no kernel data back, invariants kept",
	  "Linux PUSH_AND_CLEAR_REGS (registers cleared at every entry, 2018); kernel data left in returned registers" },
	{ 1, "entered with the trap flag set (single-stepping into the kernel)",
	  "sysenter with TF (Linux entry_SYSENTER_compat single-step region); SYSCALL's trap after FMASK (Xen XSA-204)" },
	{ 2, "return to a non-canonical RIP", "CVE-2012-0217 (Intel SYSRET #GP in ring 0), CVE-2014-4699 (ptrace sets RIP)" },
	{ 3, "NT, DF, AC (and IOPL) set by ring 3 on every entry",
	  "sysenter with NT: Linux filters RFLAGS.NT on entry (2014: IRET #GP with NT); AC with SMAP: Linux ASM_CLAC at every entry" },
	{ 4, "a hostile RSP at every entry (non-canonical, kernel, unmapped)",
	  "SYSCALL runs on the user's RSP: never push before the switch" },
	{ 5, "MOV SS / POP SS right before the entry, with a data breakpoint",
	  "CVE-2018-8897 (POP SS/MOV SS delayed #DB)" },
	{ 6, "int n to every DPL-0 vector from ring 3", "IDT gate DPL checks" },
	{ 7, "far calls and returns with bad selectors", "call-gate and far-return selector checks" },
	{ 8, "privileged instructions in ring 3", "UMIP: sgdt/sidt leak kernel addresses (KASLR bypasses)" },
	{ 9, "AMD: SYSRET to 32-bit code after an entry that left SS null",
	  "Linux X86_BUG_SYSRET_SS_ATTRS (2015)" },
	{ 10, "interrupts and NMIs landing anywhere, including the first instruction of an entry stub",
	  "NMI on SYSCALL's user stack: Linux's NMI IST; nested NMI" },
	{ 11, "a returned value in a register the fast exit clobbers", "Linux do_syscall_64's RCX == RIP, R11 == RFLAGS check" },
	{ 12, "kernel bugs the protections contain", "SMEP, SMAP, NX, W^X, page 0" },
	{ 13, "the dispatcher moves RIP and RSP (sigreturn, a signal delivery): every exit honours both",
	  "Linux's sigreturn and signal delivery through every entry; the exit must not assume the entry's RIP and RSP" },
	{ 14, "FRED: eretu to a non-canonical RIP",
	  "CVE-2012-0217 and CVE-2014-4699 under FRED: ERETU checks its frame before it changes anything" },
	{ 15, "FRED: events with the stack level raised (a #DB in ring 0 at level 1, an NMI on top of it at level 2)",
	  "FRED stack levels replace IST (Linux: #DB 1, NMI and #MC 2, #DF 3); CVE-2018-8897's #DB at the first kernel instruction" },
	{ 16, "FRED: an exception nested in event delivery (a #PF writing the FRED frame)",
	  "a broken event stack: FRED's nested-exception rule and #DF at its own stack level (the IST #DF's role)" },
	{ 17, "FRED: single-stepping into syscall and int n",
	  "Linux's SYSCALL/SYSENTER single-step handling (Xen XSA-204); FRED's pending #DB after ERETU (SS bit 17)" },
	{ 18, "FRED: int n to every vector (no gate, no DPL)",
	  "FRED delivers every int n; the kernel refuses in software what an IDT gate's DPL refused (Linux fred_intx)" },
};

/* ---- the dispatcher personality ---------------------------------------------- */

static uint64_t st_arg; /* PB_ARG, for callers that cannot pass 64-bit values */

/* The register the mechanism returns RIP in (SYSCALL's RCX, kentry's
 * SYSENTER convention RDX); a scratch slot under FRED, whose ERETU takes
 * RIP from the frame and clobbers no register. */
static uint64_t *ret2_reg(struct kregs *r)
{
	static uint64_t none;
	if (r->kind >= KK_FRED)
		return &none;
	return r->kind == KK_SYSENTER64 || r->kind == KK_SYSENTER32 ||
			       r->kind == KK_SYSENTER_IRET
		       ? &r->rdx
		       : &r->rcx;
}

void kst_serve(struct kregs *r)
{
	if (r->kind == KK_EXC || r->kind == KK_FRED_EXC) {
		r->rip += kservice.skip;
		return;
	}
	uint32_t nr = (uint32_t)r->rax;
	int ret2 = 0;
	switch (nr) {
	case KSYS_NULL:
		r->rax = 0;
		break;
	case KSYS_SET_RIP:
		/* like sigreturn: a new RIP; the register the mechanism
		 * returns it in follows, so the frame stays consistent */
		r->rip = r->cs == USER_CS32 ? st_arg : r->rdi;
		*ret2_reg(r) = r->rip;
		r->rax = 0;
		break;
	case KSYS_SET_CONTEXT: {
		/* a 32-bit caller's upper halves are not its own */
		uint64_t m = r->cs == USER_CS32 ? 0xffffffffull : ~0ull;
		r->rip = r->rdi & m;
		r->rsp = r->rsi & m;
		*ret2_reg(r) = r->rip;
		if (ret2_reg(r) == &r->rdx)
			r->rcx = r->rsp; /* SYSENTER's convention: RCX = RSP */
		r->rax = 0;
		break;
	}
	case KSYS_SET_RET2:
		*ret2_reg(r) = r->rdi;
		ret2 = 1;
		r->rax = 0;
		break;
	case KSYS_BUG:
		r->rax = kbug_run((unsigned)r->rdi);
		break;
	default:
		r->rax = (uint64_t)-KSYS_ENOSYS;
	}
	if (r->kind == KK_INT_SYSRET && !ret2) {
		r->rcx = r->rip;
		r->r11 = r->rflags;
	}
}

/* ---- one run --------------------------------------------------------------------- */

#define VICTIM_SIZE 4096
uint8_t kst_victim[VICTIM_SIZE] __attribute__((aligned(64)));
/* Hostile programs point RSP at its middle (selftest_progs.S KVICTIM), so that
 * pushes and pops both stay inside the buffer and show up as a changed
 * canary. */

static void victim_fill(void)
{
	for (unsigned i = 0; i < VICTIM_SIZE; i++)
		kst_victim[i] = (uint8_t)(0xa5 ^ i);
}

static int victim_intact(void)
{
	for (unsigned i = 0; i < VICTIM_SIZE; i++)
		if (kst_victim[i] != (uint8_t)(0xa5 ^ i))
			return 0;
	return 1;
}

static uint64_t rng = 0x6b656e7472792121ull;

static uint64_t next_rand(void)
{
	/* xorshift64*: any value will do, as long as it is not a kernel
	 * address or the poison (in either half, for 32-bit paths) */
	for (;;) {
		rng ^= rng >> 12;
		rng ^= rng << 25;
		rng ^= rng >> 27;
		uint64_t v = rng * 0x2545f4914f6cdd1dull;
		uint32_t lo = (uint32_t)v;
		uint64_t klo = (uint64_t)(uintptr_t)__kernel_start, khi = (uint64_t)(uintptr_t)__kernel_end;
		if ((v >= klo && v < khi) || (lo >= klo && lo < khi) || v == (uint64_t)KPOISON ||
		    lo == (uint32_t)KPOISON)
			continue;
		return v;
	}
}

static uint8_t pb[PB_SIZE];

static void pb_put(unsigned off, uint64_t v)
{
	memcpy(pb + off, &v, 8);
}

static uint64_t pb_get(unsigned off)
{
	uint64_t v;
	memcpy(&v, pb + off, 8);
	return v;
}

/* Random register values for every iteration; RAX = KSYS_NULL (0) for a
 * system-call-like path (its low half only for 32-bit code, whose EAX is
 * the number). */
static void fill_rand(int null_call, int far)
{
	for (unsigned i = 0; i < PB_ITERS_MAX; i++)
		for (unsigned r = 0; r < 15; r++) {
			uint64_t v = next_rand();
			if (r == R_RAX && null_call)
				v = far ? (v & ~0xffffffffull) : 0;
			memcpy(pb + PB_RAND + (i * 15 + r) * 8, &v, 8);
		}
}

static unsigned passed, failed, skipped;
static uint8_t canon_page[4096] __attribute__((aligned(4096)));

/* Result line. */
static void verdict(const struct st_rec *c, const char *verd, const char *observed)
{
	const char *path = c->path[0] == '!' ? "call-gate" : c->path;
	/* the mitigated set's name, but not on a fred-* path (paths.def: those
	 * ids and only they begin so), which has no mitigated copy */
	int set = path[0] && strncmp(path, "fred-", 5) ? kmitig_test_set() : -1;
	kprintf("selftest %u %s%s%s%s %s %s -- %s\n", c->ncase, path[0] ? path : "-",
		path[0] ? "@full" : "", set >= 0 ? "+" : "", set >= 0 ? kmsets[set].name : "",
		verd, c->text, observed);
	if (!strcmp(verd, "pass"))
		passed++;
	else if (!strcmp(verd, "fail"))
		failed++;
	else
		skipped++;
}

static const char *stf_name(uint32_t code)
{
	static const char *const n[] = { "ok", "a register changed", "KPOISON came back",
					 "a kernel address came back", "flags changed",
					 "RSP changed", "SS unusable or wrong", "wrong value" };
	return code < 8 ? n[code] : "unknown code";
}

static const char *const regname[16] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13",
	"r14", "r15", "rflags/rsp",
};

/* Describes how the excursion ended. */
static void observed_of(uint32_t st, char *o, size_t n)
{
	if (st == KURUN_DONE) {
		uint32_t code = (uint32_t)kurun.result;
		if (code == 0) {
			ksnprintf(o, n, "done");
		} else if (code <= STF_RSP) {
			uint64_t reg = pb_get(PB_FREG);
			ksnprintf(o, n, "ring 3 check failed: %s (%s = 0x%lx, was 0x%lx, iteration %lu)",
				  stf_name(code), regname[reg < 16 ? reg : 15], pb_get(PB_FGOT),
				  pb_get(PB_FWANT), pb_get(PB_FITER));
		} else {
			ksnprintf(o, n, "done, EDX:EAX = 0x%lx%s%s", kurun.result,
				  code <= STF_VALUE ? ": " : "", code <= STF_VALUE ? stf_name(code) : "");
		}
		return;
	}
	if (st == KURUN_TIMEOUT) {
		ksnprintf(o, n, "still running when the watchdog fired");
		return;
	}
	describe_status(o, n, st);
	if (st >= 0x100 && st < 0x200)
		ksnprintf(o + strlen(o), n - strlen(o), " (%s)",
			  (kurun.cs & 3) == 3 ? "ring 3" : "RING 0");
}

static void append(char *o, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *o, size_t n, const char *fmt, ...)
{
	size_t l = strlen(o);
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(o + l, n - l, fmt, ap);
	va_end(ap);
}

static int expect_ok(const struct st_rec *c, uint32_t st)
{
	switch (c->kind) {
	case EXP_DONE:
		return st == KURUN_DONE && kurun.result == 0;
	case EXP_RESULT:
		return st == KURUN_DONE && kurun.result == (uint64_t)c->err;
	case EXP_FAULT:
		return st == KURUN_FAULT(c->vec) && (kurun.cs & 3) == 3 &&
		       (c->err < 0 || kurun.error == (uint64_t)c->err);
	case EXP_BADRET:
		return st == KURUN_BAD_RETURN(c->vec) && kurun.error == (uint64_t)c->err;
	case EXP_GP_OR_UD: {
		/* #UD where the CPU has no SYSENTER/SYSEXIT in 64-bit mode (AMD
		 * documents it so; the sysenter path's probe found out), else
		 * #GP(0) for CPL 3 (Bochs's AMD models have them) */
		int k = kpath_index("sysenter");
		int has = k >= 0 && kpath_full_ok((unsigned)k);
		return has ? st == KURUN_FAULT(VEC_GP) && (kurun.cs & 3) == 3 && kurun.error == 0
			   : st == KURUN_FAULT(VEC_UD) && (kurun.cs & 3) == 3;
	}
	case EXP_NONCANON:
		if (st == KURUN_BAD_RETURN(VEC_GP) && kurun.error == 0)
			return 1;
		return (st == KURUN_FAULT(VEC_GP) || st == KURUN_FAULT(VEC_PF)) &&
		       (kurun.cs & 3) == 3 &&
		       (kurun.rip == c->arg || kurun.rip == (uint32_t)c->arg);
	case EXP_UMIP:
		/* where the CPU offers UMIP the instruction must #GP; on a CPU
		 * without it, it runs and the ud2 after it raises #UD */
		return kprot.cpu_umip ? st == KURUN_FAULT(VEC_GP) && kurun.error == 0 &&
					    kurun.rip == c->prog
				  : st == KURUN_FAULT(VEC_UD) && kurun.rip > c->prog;
	}
	return 0;
}

/* The kernel-side checks of every run; appends what failed to o. */
static int kernel_ok(const struct kinv *before, uint32_t st, char *o, size_t n)
{
	int ok = 1;
	struct kinv after;
	kinv_take(&after);
	const char *d = kinv_diff(before, &after);
	if (d) {
		append(o, n, "; INVARIANT BROKEN: %s", d);
		ok = 0;
	}
	if (kobs.violations) {
		append(o, n, "; %lu broken entry promise(s), first: %s", kobs.violations, kobs.first);
		ok = 0;
	}
	if (kev.db_kother) {
		append(o, n, "; %lu #DB in ring 0 outside a stub's step region (first at 0x%lx)",
		       kev.db_kother, kev.db_first_rip);
		ok = 0;
	}
	if (kev.db_off_ist || kev.nmi_off_ist) {
		append(o, n, "; %lu #DB and %lu NMI frames NOT on their IST stack (FRED: their stack level's)", kev.db_off_ist,
		       kev.nmi_off_ist);
		ok = 0;
	}
	if (!victim_intact()) {
		append(o, n, "; the kernel victim buffer was written");
		ok = 0;
	}
	const char *mw = kmitig_check_after_user(st);
	if (mw) {
		append(o, n, "; MITIGATION STATE BROKEN: %s", mw);
		ok = 0;
	}
	return ok;
}

/* The PIT divisor for case 10's NMIs: one every ~2500 TSC ticks, at most
 * 400 kHz (divisor 3). Under QEMU -icount (1 tick = 1 ns) and TCG that is
 * the 400 kHz; under Bochs, whose emulated time runs at a few million
 * instructions per second, a fixed 400 kHz would raise an NMI every ten
 * instructions and starve the handler that takes more. */
static unsigned pit_nmi_divisor(void)
{
	uint64_t d = kernel_tsc_hz ? 1193182ull * 2500 / kernel_tsc_hz : 3;
	return d < 3 ? 3 : d > 65535 ? 65535 : (unsigned)d;
}

static void run_one(const struct st_rec *c)
{
	char o[600];
	int k = -1;
	if (c->path[0] && c->path[0] != '!') {
		k = kpath_index(c->path);
		if (k < 0) {
			verdict(c, "fail", "no such path in the registry");
			return;
		}
		if (!kpath_full_ok((unsigned)k)) {
			ksnprintf(o, sizeof(o), "not run: %s", kpath_full_reason((unsigned)k));
			verdict(c, "skip", o);
			return;
		}
	}
	if (c->ncase == 10 && !kcfg.ring3_if) {
		verdict(c, "skip", "not run: needs ring 3 at IF = 1 (ring3_if=0 was given)");
		return;
	}
	if (c->ncase == 10 && !kapic.present) {
		verdict(c, "skip", "not run: no local APIC");
		return;
	}

	int smap_quirk = 0, pit_nmis = 0;
	uint32_t st;
	char kside[400];
	int kok;
attempt:
	/* the parameter block */
	memset(pb, 0, sizeof(pb));
	int far = c->prog == (uint64_t)(uintptr_t)st_rt32 || c->prog == (uint64_t)(uintptr_t)st_tf32;
	if (far) {
		uint32_t off = (uint32_t)c->gadget;
		uint16_t sel = USER_CS32;
		memcpy(pb + PB_FAR32, &off, 4);
		memcpy(pb + PB_FAR32 + 4, &sel, 2);
	} else {
		pb_put(PB_GADGET, c->gadget);
	}
	pb_put(PB_ITERS, c->ncase == 10 ? 3000 : 16);
	uint64_t clob = k >= 0 ? kpath_clobbers((unsigned)k) : 0;
	uint64_t mask = ~0ull;
	if (far) {
		clob |= 0xff80; /* r8..r15: not visible to 32-bit code */
		mask = 0xffffffffull;
	}
	pb_put(PB_CLOBBER, clob);
	pb_put(PB_CMPMASK, mask);
	pb_put(PB_FLAGS, c->ncase == 3 ? RF_NT | RF_DF | RF_AC | RF_IOPL : 0);
	pb_put(PB_KLO, (uint64_t)(uintptr_t)__kernel_start);
	pb_put(PB_KHI, (uint64_t)(uintptr_t)__kernel_end);
	pb_put(PB_ARG, c->arg);
	pb_put(PB_SSSLOT, USER_DS);
	uint16_t fsel = (uint16_t)c->arg;
	memcpy(pb + PB_FARPTR + 4, &fsel, 2);
	fill_rand(k >= 0 && !kpath_is_exception((unsigned)k), far);
	uint16_t cs64 = USER_CS64;
	memcpy(pb + PB_BACK64 + 4, &cs64, 2);
	kcopy_to_user(st_pb, pb, sizeof(pb));
	st_arg = c->arg;

	/* the kernel side */
	if (k >= 0)
		kpath_install_full((unsigned)k);
	if (c->path[0] == '!')
		callgate_set_notpresent(SEL_CGATE, kpath_full_variant(kf_callgate));
	if (c->prog == USER_CANON_EDGE) {
		memset(canon_page, 0xcc, sizeof(canon_page));
		canon_page[4094] = 0x0f; /* syscall */
		canon_page[4095] = 0x05;
		kvm_map(&kvm_kernel, USER_CANON_PAGE, (uint64_t)(uintptr_t)canon_page, 4096,
			PTE_U | KVM_4K);
		kvm_flush();
	}
	kevents_reset();
	kev.armed = 1;
	kev.step_trace = c->ncase == 1 || c->ncase == 17;
	kev.nmi_from_db = c->ncase == 15;
	kev.df_ends_run = c->ncase == 16;
	if (c->ncase == 16)
		kfred_set_rsp0(c->arg); /* the event stack ring 3's events cannot be written to */
	kev.resume_user_db = c->ncase == 5;
	/* the watchdog: the timer ending a ring-3 program that never ends
	 * (its first tick; in case 10 after many) */
	kev.watchdog = kcfg.ring3_if && kapic.present ? (c->ncase == 10 ? 2000000 : 1) : 0;
	kev.nmi_every = 0;
	if (c->prog == (uint64_t)(uintptr_t)st_dbg_syscall) {
		/* an instruction breakpoint on the full syscall stub's entry */
		write_dr0((uint64_t)(uintptr_t)kpath_full_variant(kf_syscall64));
		write_dr7(0x1); /* L0, execute, length 1 */
	} else if (c->prog == (uint64_t)(uintptr_t)st_dbg_fred ||
		   c->prog == (uint64_t)(uintptr_t)st_dbg_fred_int) {
		/* the same on the one FRED entry */
		write_dr0((uint64_t)(uintptr_t)kf_fred_user);
		write_dr7(0x1);
	} else if (c->ncase == 5) {
		write_dr0((uint64_t)(uintptr_t)(st_pb + PB_SSSLOT));
		write_dr7(0x1 | (3u << 16) | (1u << 18)); /* L0, read/write, 2 bytes */
	}
	if (kev.watchdog) {
		if (c->ncase == 10) {
			kev.nmi_every = 4;
			apic_timer_start(1999, 1); /* every ~2000 bus ticks, periodic */
			pit_nmis = apic_pit_nmi(1, pit_nmi_divisor()); /* and NMIs from outside */
		} else {
			apic_timer_start(200000000, 1); /* a runaway-program watchdog (periodic: until a tick lands in ring 3) */
		}
	}
	kobserve_reset();
	victim_fill();
	if (smap_quirk)
		write_cr4(read_cr4() & ~(1ull << 21));
	struct kinv before;
	kinv_take(&before);

	if (c->kind == EXP_INTN) {
		/* case 6: every vector but #BP's and the done vector */
		unsigned bad = 0, tried = 0, first_bad = 0, qemu_form = 0;
		int fred = k >= 0 && kpath_is_fred((unsigned)k);
		for (unsigned v = 0; v < 256; v++) {
			/* under FRED: not the vector the installed fred-int serves */
			if (v == VEC_BP || v == VEC_DONE || (fred && v == VEC_INTGATE))
				continue;
			tried++;
			st = kuser_enter((uint64_t)(uintptr_t)st_intn_table + 4 * v, USER_CS64,
					 (uint64_t)(uintptr_t)user_stack_top, 1);
			/* The SDM's error code names the gate by its index, (n << 3) | 2;
			 * QEMU 7.2 gives its byte offset in the 16-byte IA-32e IDT,
			 * (n << 4) | 2. Either is the CPU refusing the gate. */
			int sdm = kurun.error == ((v << 3) | 2u), qemu = kurun.error == ((v << 4) | 2u);
			if (st == KURUN_FAULT(VEC_GP) && (kurun.cs & 3) == 3 && (sdm || qemu)) {
				qemu_form += qemu && !sdm;
			} else if (!bad++) {
				first_bad = v;
			}
		}
		ksnprintf(o, sizeof(o), "%u of %u vectors raised #GP with the gate's IDT error code in ring 3%s",
			  tried - bad, tried, fred ? " (refused by the kernel: FRED delivered each as a software interrupt)" : "");
		if (qemu_form)
			append(o, sizeof(o), " (%u as (n << 4) | 2, the gate's byte offset: QEMU departs from the SDM's (n << 3) | 2)",
			       qemu_form);
		if (bad)
			append(o, sizeof(o), "; vector 0x%x did not", first_bad);
		/* the user gates still work */
		static const struct {
			const char *path;
			void (*gadget)(void);
		} idt_gates[] = { { "int-gate", st_g_int81 },  { "trap-gate", st_g_int82 },
				  { "compat-int80", st_g_int80 }, { "int-gate/sysretq", st_g_int83 },
				  { "exc-bp", st_g_bp } },
		  fred_gates[] = { { "fred-int", st_g_int81 }, { "fred-int80", st_g_int80 },
				   { "fred-int3", st_g_bp } };
		unsigned ngates = fred ? 3 : 5;
		unsigned works = 0, n = 0;
		for (unsigned g = 0; g < ngates; g++) {
			const char *gpath = fred ? fred_gates[g].path : idt_gates[g].path;
			void (*gadget)(void) = fred ? fred_gates[g].gadget : idt_gates[g].gadget;
			int gk = kpath_index(gpath);
			if (gk < 0 || !kpath_full_ok((unsigned)gk))
				continue;
			n++;
			pb_put(PB_GADGET, (uint64_t)(uintptr_t)gadget);
			pb_put(PB_ITERS, 4);
			pb_put(PB_CLOBBER, kpath_clobbers((unsigned)gk));
			fill_rand(!kpath_is_exception((unsigned)gk), 0);
			kcopy_to_user(st_pb, pb, sizeof(pb));
			kpath_install_full((unsigned)gk);
			uint32_t s2 = kuser_enter((uint64_t)(uintptr_t)st_rt64, USER_CS64,
						  (uint64_t)(uintptr_t)user_stack_top, 1);
			kpath_uninstall((unsigned)gk);
			works += s2 == KURUN_DONE && kurun.result == 0;
		}
		append(o, sizeof(o), "; afterwards %u of %u user %s work", works, n,
		       fred ? "int paths (FRED)" : "gates");
		if (k >= 0)
			kpath_install_full((unsigned)k); /* as it was for the kernel-side checks */
		st = (bad == 0 && works == n) ? KURUN_DONE : 0xffff;
	} else {
		st = kuser_enter(c->prog, c->mode == 32 ? USER_CS32 : USER_CS64,
				 (uint64_t)(uintptr_t)user_stack_top, 1);
		/* Case 10 wants many interrupts: under QEMU -icount the timer
		 * is exact and one run takes about a thousand; without it QEMU
		 * delivers timer interrupts late and few, so the program runs
		 * again until 50 have landed (or 200 runs). */
		for (unsigned rep = 0; c->ncase == 10 && st == KURUN_DONE && kurun.result == 0 &&
				       kev.ticks < 50 && rep < 200;
		     rep++)
			st = kuser_enter(c->prog, c->mode == 32 ? USER_CS32 : USER_CS64,
					 (uint64_t)(uintptr_t)user_stack_top, 1);
	}

	apic_timer_stop();
	if (pit_nmis)
		apic_pit_nmi(0, 0);
	kevents_drain();
	kev.armed = 0;
	kside[0] = 0;
	kok = kernel_ok(&before, st, kside, sizeof(kside));
	write_dr7(0);
	if (c->ncase == 16)
		kfred_set_rsp0(0);
	kev.df_ends_run = 0;
	kev.nmi_from_db = 0;
	if (smap_quirk)
		write_cr4(read_cr4() | (1ull << 21));
	if (k >= 0)
		kpath_uninstall((unsigned)k);
	if (c->path[0] == '!')
		callgate_set(SEL_CGATE, 0);
	if (c->prog == USER_CANON_EDGE) {
		kvm_map(&kvm_kernel, USER_CANON_PAGE, 0, 4096, KVM_4K | KVM_NOT_PRESENT);
		kvm_flush();
	}
	kcopy_from_user(pb, st_pb, sizeof(pb));
	/* QEMU 7.2's TCG reads the stack of a ring-3 far return or IRET with
	 * supervisor accesses, which SMAP blocks: a #PF without the user bit
	 * at a user address, where the CPU checks the selectors first. Once,
	 * the run is repeated with CR4.SMAP clear, and the line says so. */
	if (!smap_quirk && kprot.smap && st == KURUN_FAULT(VEC_PF) && (kurun.cs & 3) == 3 &&
	    !(kurun.error & 4) && kurun.cr2 < USER_BASE + USER_WINDOW && kurun.cr2 >= USER_BASE) {
		smap_quirk = 1;
		goto attempt;
	}

	int ok;
	if (c->kind == EXP_INTN) {
		ok = st == KURUN_DONE;
	} else {
		ok = expect_ok(c, st);
		observed_of(st, o, sizeof(o));
		if (c->kind == EXP_RESULT && st == KURUN_DONE)
			ksnprintf(o, sizeof(o), "returned 0x%lx (%s)", kurun.result,
				  kurun.result == 0 ? "the bug went through"
				  : kurun.result >= 0x100 && kurun.result < 0x120 ? trap_name((unsigned)kurun.result - 0x100)
										: "?");
	}
	/* case-specific observations */
	unsigned kind = 0;
	for (unsigned i = 0; i < KK_COUNT; i++)
		if (kobs.entries[i])
			kind = i;
	switch (c->ncase) {
	case 1: {
		int resumed = 0;
		for (unsigned i = 0; i < kev.ntrace; i++)
			resumed |= kev.trace[i] == c->arg;
		append(o, sizeof(o), "; %u ring-3 single-steps, %s; %lu ring-0 steps in the stub's region (ignored)",
		       kev.ntrace, resumed ? "stepping resumed after the return" : "stepping DID NOT resume after the return",
		       kev.db_kstep);
		if (kev.db_syscall_tf)
			append(o, sizeof(o), "; %lu single step of the SYSCALL itself delivered in ring 0 at the stub's first instruction, on the #DB IST stack (the CPU or emulator departs: hardware takes it from RFLAGS after FMASK)",
			       kev.db_syscall_tf);
		ok = ok && resumed;
		break;
	}
	case 2:
	case 11:
		append(o, sizeof(o), "; exits: %lu fast, %lu iretq", kobs.fast[kind], kobs.iret[kind]);
		ok = ok && kobs.fast[kind] == 0;
		break;
	case 13: {
		/* the fast exit must serve where the mechanism has one here */
		int fast = kind == KK_SYSCALL64 || kind == KK_SYSCALL32 || kind == KK_CALLGATE ||
			   kind == KK_INT_SYSRET ||
			   ((kind == KK_SYSENTER64 || kind == KK_SYSENTER32) && !kexit_sysexit_ud);
		append(o, sizeof(o), "; exits: %lu fast, %lu iretq", kobs.fast[kind], kobs.iret[kind]);
		ok = ok && (!fast || kobs.fast[kind] > 0);
		break;
	}
	case 15:
		/* the #DB at the entry came on its level's stack (kernel_ok
		 * checks every ring-0 #DB and NMI frame against the #DB and
		 * NMI stacks), and an NMI arrived on top of its handler */
		append(o, sizeof(o), "; #DB in ring 0: %lu (%lu at the entry's first instruction); NMIs on top of the #DB handler: %lu of %lu",
		       kev.db_kbp, kev.db_kbp_at_stub, kev.nmi_on_db, kev.nmis);
		ok = ok && kev.db_kbp_at_stub > 0 && kev.nmi_on_db > 0;
		break;
	case 16: {
		uint32_t ei = (uint32_t)(kev.df_ss >> 32);
		int on_df = kev.df_frame < (uint64_t)(uintptr_t)kist_df_top &&
			    kev.df_frame >= (uint64_t)(uintptr_t)kist_df_top - 8192;
		if (st == KURUN_FAULT(VEC_DF))
			append(o, sizeof(o), "; the #DF frame (event type %u, vector %u, from cs 0x%lx) on the #DF stack (level 3): %s",
			       (ei >> 16) & 0xf, ei & 0xff, kev.df_cs & 0xffff, on_df ? "yes" : "NO");
		ok = ok && on_df && (ei & 0xff) == VEC_DF;
		break;
	}
	case 17: {
		int after = 0, resumed = 0;
		for (unsigned i = 0; i < kev.ntrace; i++) {
			after |= kev.trace[i] == c->gadget + 2; /* right after the 2-byte entry */
			resumed |= kev.trace[i] == c->arg;
		}
		append(o, sizeof(o), "; %u ring-3 single-steps, %s, %s; #DB in ring 0: %lu",
		       kev.ntrace, after ? "one right after the entry instruction (the pending step after eretu)" : "NONE right after the entry instruction",
		       resumed ? "stepping resumed" : "stepping DID NOT resume",
		       kev.db_kstep + kev.db_syscall_tf + kev.db_kother);
		ok = ok && after && resumed && kev.db_kstep + kev.db_syscall_tf == 0;
		break;
	}
	case 4:
		if (st == KURUN_DONE) {
			uint64_t rspa = pb_get(PB_RSPA);
			uint64_t want = c->mode == 32 ? (uint32_t)c->arg : c->arg;
			if (c->mode == 32)
				rspa = (uint32_t)rspa;
			append(o, sizeof(o), "; RSP back 0x%lx", rspa);
			ok = ok && rspa == want;
		}
		break;
	case 5:
		/* where the #DB went is recorded, not judged: QEMU delivers it
		 * in ring 3 before the entry, Bochs at the stub (and drops it
		 * across int n); the kernel-side checks judge the outcome */
		append(o, sizeof(o), "; #DB: %lu in ring 0 (%lu at a stub's first instruction), %lu in ring 3%s",
		       kev.db_kbp, kev.db_kbp_at_stub, kev.db_user,
		       kev.db_kbp + kev.db_user ? "" : " (the CPU did not deliver it)");
		break;
	case 9:
		append(o, sizeof(o), "; exit: %s", kobs.fast[KK_INT_SYSRET] ? "sysretl" : "iretq");
		ok = ok && kobs.fast[KK_INT_SYSRET] > 0;
		break;
	case 10:
		append(o, sizeof(o), "; %lu timer interrupts (%lu in ring 0, %lu at a stub's first instruction), %lu NMIs (%lu in ring 0, %lu at a stub's first instruction, %lu with RSP outside the kernel stacks)",
		       kev.ticks, kev.tick_ring0, kev.tick_at_stub, kev.nmis, kev.nmi_ring0,
		       kev.nmi_at_stub, kev.nmi_user_rsp);
		ok = ok && kev.ticks >= 50;
		break;
	}
	if (smap_quirk)
		append(o, sizeof(o), "; run with SMAP off: with SMAP on, QEMU's ring-3 stack read for this far return/IRET raised #PF as a supervisor access");
	if (kside[0])
		append(o, sizeof(o), "%s", kside);
	verdict(c, ok && kok ? "pass" : "fail", o);
}

void selftest_run(void)
{
	void (*const *stubs)(void);
	unsigned ns = kpath_full_stubs(&stubs);
	kevents_set_stubs(stubs, ns);
	kservice.serve = kst_serve;
	int last = -1;
	for (const struct st_rec *c = st_cases; c < st_cases_end; c++) {
		if (!kcfg_case_selected(c->ncase))
			continue;
		/* the FRED mode's runs only when it was asked for (boot
		 * option fred; on a CPU without FRED they are skipped, saying
		 * so) */
		if (!kcfg.fred && !strncmp(c->path, "fred-", 5))
			continue;
		if ((int)c->ncase != last) {
			last = (int)c->ncase;
			for (unsigned t = 0; t < sizeof(titles) / sizeof(titles[0]); t++)
				if (titles[t].n == c->ncase)
					kprintf("selftest-case %u %s [%s]\n", c->ncase, titles[t].title,
						titles[t].ref);
		}
		kprintf("progress selftest-%u\n", c->ncase);
		run_one(c);
	}
	kservice.serve = 0;
	kprintf("# selftest: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	kernel_end(failed == 0, passed, passed + failed);
}
