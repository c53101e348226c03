/* kentry kernel: the registry of measured paths, probing and measuring.
 *
 * One row per path (paths.def): its id (the contract with the host,
 * docs/kernel.md), the ring-3 mode, how the kernel is entered and left,
 * where the entry stub is installed (IDT vector, GDT call-gate selector or
 * MSR), its stubs (stubs.S: minimal; full.S: full), the ring-3 loops
 * (user.S), and what the vendors' manuals say the probe will see. Adding a
 * path is one row plus its stubs and loops; a KPTI variant or a Linux-ABI
 * dispatcher is another variant or personality, not a change to this
 * file's logic.
 *
 * Every path has two variants, measured with the same ring-3 loops (the
 * mechanism is the same from user space):
 *   minimal (no suffix)  the empty handler: only what the hardware needs;
 *                        not safe against hostile user state;
 *   full (<id>@full)     what a real kernel does on that entry (full.S):
 *                        kernel stack, one frame, clean flags and
 *                        registers, the C dispatcher, the fast exit only
 *                        when safe.
 * `variant=minimal|full|both` on the command line (default both).
 * With mitigations=LIST (mitig.c) the full variant is measured again with
 * each listed mitigation alone and with the whole list (<id>@full+kpti,
 * ..., <id>@full+all): the mitigated copy of the full stubs, patched and
 * with the CPU state of that set (mitig.c), the same ring-3 loops.
 * touch_pages=N swaps every loop pair for its touching twin (user.S).
 *
 * Each (path, variant) goes through:
 *   probe:   install, run the op loop once (n = 1) in ring 3, uninstall.
 *            A fault ends the excursion (trap.c) and is compared with the
 *            documented expectation: one TAP line per path.
 *   measure: kreport_path() (report.c: core/measure.c's sampling and
 *            one `result` line) with batch callbacks that install the
 *            stub, run the op or empty loop n times in ring 3, and
 *            uninstall. */
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "trap.h"
#include "dispatch.h"
#include "fred.h"
#include "core/cpuinfo.h"
#include "core/desc.h"
#include "mitig.h"
#include "uaccess.h"
#include "vm.h"

enum kentry_kind {
	KE_INT_GATE,   /* int n -> interrupt gate (where = vector) */
	KE_TRAP_GATE,  /* int n -> trap gate (where = vector) */
	KE_CALL_GATE,  /* far call -> call gate (where = GDT selector) */
	KE_SYSENTER,   /* sysenter -> SYSENTER_EIP */
	KE_SYSCALL64,  /* syscall from 64-bit code -> LSTAR */
	KE_SYSCALL32,  /* syscall from compatibility mode -> CSTAR */
	KE_EXCEPTION,  /* a faulting instruction -> exception gate (where = vector) */
	KE_FRED,       /* FRED mode: an event of type and vector `where` (FRED_ID) ->
			* the entry page (fred.c kfred_install) */
	KE_FRED_CALL_GATE, /* FRED mode: a far call through the call gate `where` */
};

enum kexit_kind { KX_IRETQ, KX_LRETQ, KX_SYSEXITQ, KX_SYSEXITL, KX_SYSRETQ, KX_SYSRETL, KX_ERETU };

/* What the manuals say the probe will see. */
enum kexpect {
	KEXP_RUNS,        /* round trip completes on every x86-64 CPU */
	KEXP_FAULTS,      /* the entry instruction raises exc_vector (exc-*) */
	KEXP_UD_ON_AMD,   /* AMD APM: SYSENTER is #UD in long mode */
	KEXP_UD_ON_INTEL, /* Intel SDM: SYSCALL is #UD outside 64-bit mode */
	KEXP_REFUSED_ENTRY, /* FRED: the entry instruction raises exc_vector in ring 3 */
	KEXP_REFUSED_EXIT,  /* FRED: the stub's return instruction raises exc_vector in ring 0 */
};

struct kpath {
	const char *id;
	unsigned mode; /* 64: 64-bit ring 3; 32: compatibility mode */
	enum kentry_kind entry;
	enum kexit_kind exit;
	unsigned where;
	void (*stub)(void);    /* minimal, ring 3 at IF = 0 */
	void (*stub_if)(void); /* minimal, ring 3 at IF = 1 */
	void (*full)(void);    /* full (full.S) */
	void (*mitig)(void);   /* full, mitigated copy (full_mitig.S) */
	void (*op)(void);
	void (*empty)(void);
	void (*op_touch)(void), (*empty_touch)(void); /* touch_pages=N (user.S) */
	enum kexpect expect;
	unsigned exc_vector; /* KEXP_FAULTS: the vector; KEXP_UD_*: 6 */
	unsigned skip;       /* exc-*: length of the faulting instruction */
	const char *what;    /* one line for humans */
	const char *note;    /* printed as `note <id>` with a measured result, or NULL */
	const char *peer;    /* fred-*: the IDT counterpart's id */
};

/* The registry itself is src/kernel/paths.def (shared with the host). */
#define KPATH(id, mode, entry, exit, where, stub, stub_if, full, loops, expect, exc_vector, \
	      skip, what, note, summary, peer)                                        \
	extern void stub(void), stub_if(void), full(void), loops##_op(void), loops##_empty(void), \
		loops##_touch_op(void), loops##_touch_empty(void);                        \
	extern void full##_mitig(void) __attribute__((weak)); /* none for fred-* */
#include "paths.def"
#undef KPATH
extern char user_stack_top[], kuser_touch_end[];

static const struct kpath paths[] = {
#define KPATH(id, mode, entry, exit, where, stub, stub_if, full, loops, expect, exc_vector, \
	      skip, what, note, summary, peer)                                        \
	{ id, mode, entry, exit, where, stub, stub_if, full, full##_mitig, loops##_op,  \
	  loops##_empty, loops##_touch_op, loops##_touch_empty, expect, exc_vector, skip, \
	  what, note, peer },
#include "paths.def"
#undef KPATH
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

/* Per-(path, variant) outcome of the probe (kernel.h), used by the
 * measurement phase. */
#define NVARIANTS (2 + KM_MAX_SETS) /* 0 minimal, 1 full, 2.. full+<set> (mitig.c) */
static struct kpath_state pst[NPATHS][NVARIANTS];

static struct kcpuinfo ci;
static int vendor_amd;

/* The serial token of (path, variant): "<id>", "<id>@full" or
 * "<id>@full+<set>". */
static const char *tok(const struct kpath *p, unsigned v)
{
	static char buf[80];
	if (v < 2)
		ksnprintf(buf, sizeof(buf), "%s%s", p->id, v ? "@full" : "");
	else
		ksnprintf(buf, sizeof(buf), "%s@full+%s", p->id, kmsets[v - 2].name);
	return buf;
}

static int variant_selected(unsigned v)
{
	return v < 2 ? (kcfg.variants >> v) & 1 : v - 2 < kmnsets;
}

/* ---- installing entries ---------------------------------------------------- */

/* The stub that runs: the full one, or the minimal one for the ring-3 IF
 * mode (sysexit does not restore IF, so with IF = 1 the sysenter paths
 * need the stub that puts it back). */
static void (*stub_of(const struct kpath *p, unsigned v))(void)
{
	if (v >= 2)
		return p->mitig;
	if (v)
		return p->full;
	return kcfg.ring3_if ? p->stub_if : p->stub;
}

/* The rows of the FRED mode (fred.c) */
static int fred_row(const struct kpath *p)
{
	return p->entry == KE_FRED || p->entry == KE_FRED_CALL_GATE;
}

/* Selected for this boot: only= names it (or there is no only=), and a
 * fred-* row needs the FRED mode, unless only= names it (then it is
 * reported skipped, with the reason). */
static int selected(const struct kpath *p)
{
	return kcfg_selected(p->id) && (!fred_row(p) || kcfg.fred || kcfg.only[0]);
}

/* Installs the variant's stub; a mitigated variant also switches the CPU
 * and the mitigated stubs to its set (nothing when it already runs). */
static void install(const struct kpath *p, unsigned v)
{
	kmitig_apply(v >= 2 ? (int)v - 2 : -1);
	void (*stub)(void) = stub_of(p, v);
	kservice.skip = p->skip;
	switch (p->entry) {
	case KE_FRED:
		kfred_install((const void *)stub, p->where);
		break;
	case KE_FRED_CALL_GATE:
		callgate_set(p->where, stub);
		kfred_install((const void *)kf_fred_user, FRED_ID_NONE);
		break;
	case KE_INT_GATE:
		idt_set(p->where, stub, KDESC_SYS_INTGATE64, 3, 0);
		break;
	case KE_TRAP_GATE:
		idt_set(p->where, stub, KDESC_SYS_TRAPGATE64, 3, 0);
		break;
	case KE_EXCEPTION:
		idt_set(p->where, stub, KDESC_SYS_INTGATE64, p->where == VEC_BP ? 3 : 0, 0);
		break;
	case KE_CALL_GATE:
		callgate_set(p->where, stub);
		break;
	case KE_SYSENTER:
	case KE_SYSCALL64:
	case KE_SYSCALL32:
		wrmsr(p->where, (uint64_t)(uintptr_t)stub);
		break;
	}
}

static void uninstall(const struct kpath *p)
{
	switch (p->entry) {
	case KE_FRED:
		kfred_uninstall();
		break;
	case KE_FRED_CALL_GATE:
		kfred_uninstall();
		callgate_set(p->where, 0);
		break;
	case KE_INT_GATE:
	case KE_TRAP_GATE:
	case KE_EXCEPTION:
		idt_set_generic(p->where);
		break;
	case KE_CALL_GATE:
		callgate_set(p->where, 0);
		break;
	case KE_SYSENTER:
	case KE_SYSCALL64:
	case KE_SYSCALL32:
		fast_msrs_stray();
		break;
	}
}

/* Installs, reads back against the encoder, uninstalls. */
static int install_reads_back(const struct kpath *p, unsigned v)
{
	void (*stub)(void) = stub_of(p, v);
	uint64_t want[2] = { 0, 0 }, got[2] = { 0, 0 };
	struct dtr i;
	install(p, v);
	sidt(&i);
	const uint64_t *idt = (const uint64_t *)(uintptr_t)i.base;
	switch (p->entry) {
	case KE_INT_GATE:
	case KE_TRAP_GATE:
	case KE_EXCEPTION:
		kdesc_idt_gate(SEL_KCODE, (uint64_t)(uintptr_t)stub,
			       p->entry == KE_TRAP_GATE ? KDESC_SYS_TRAPGATE64
							: KDESC_SYS_INTGATE64,
			       (p->entry != KE_EXCEPTION || p->where == VEC_BP) ? 3 : 0, 0, want);
		got[0] = idt[2 * p->where];
		got[1] = idt[2 * p->where + 1];
		break;
	case KE_CALL_GATE:
		kdesc_callgate64(SEL_KCODE, (uint64_t)(uintptr_t)stub, 3, want);
		got[0] = kgdt[p->where / 8];
		got[1] = kgdt[p->where / 8 + 1];
		break;
	case KE_FRED: /* IA32_FRED_CONFIG names the stub's page, CR4.FRED set */
		want[0] = (uint64_t)(uintptr_t)stub;
		got[0] = rdmsr(KMSR_FRED_CONFIG) & ~0xfffull;
		want[1] = 1;
		got[1] = (read_cr4() >> CR4_FRED_BIT) & 1;
		break;
	case KE_FRED_CALL_GATE:
		kdesc_callgate64(SEL_KCODE, (uint64_t)(uintptr_t)stub, 3, want);
		got[0] = kgdt[p->where / 8];
		got[1] = kgdt[p->where / 8 + 1];
		if (!((read_cr4() >> CR4_FRED_BIT) & 1))
			got[1] = ~want[1];
		break;
	default:
		want[0] = (uint64_t)(uintptr_t)stub;
		got[0] = rdmsr(p->where);
		break;
	}
	uninstall(p);
	return want[0] == got[0] && want[1] == got[1];
}

/* ---- running ring 3 -------------------------------------------------------- */

static uint32_t run_loop(const struct kpath *p, void (*loop)(void), uint32_t n)
{
	return kuser_enter((uint64_t)(uintptr_t)loop, p->mode == 64 ? USER_CS64 : USER_CS32,
			   (uint64_t)(uintptr_t)user_stack_top, n);
}

static char mitig_broken[160];

void describe_status(char *buf, size_t n, uint32_t st)
{
	if (st == KURUN_FAULT(14))
		ksnprintf(buf, n, "%s (vector 14, error 0x%lx, cr2 0x%lx) at rip 0x%lx cs 0x%lx",
			  trap_name(14), kurun.error, kurun.cr2, kurun.rip, kurun.cs);
	else if (st >= 0x100 && st < 0x200)
		ksnprintf(buf, n, "%s (vector %u, error 0x%lx) at rip 0x%lx cs 0x%lx",
			  trap_name(st - 0x100), st - 0x100, kurun.error, kurun.rip,
			  kurun.cs);
	else if (st >= 0x300 && st < 0x400)
		ksnprintf(buf, n, "%s raised by the %s back to ring 3 (to rip 0x%lx cs 0x%lx)",
			  trap_name(st - 0x300), kurun.bad_exit_eretu ? "ERETU" : "IRETQ",
			  kurun.rip, kurun.cs);
	else if (st == KURUN_STRAY_SYSCALL)
		ksnprintf(buf, n, "stray syscall (LSTAR not installed)");
	else if (st == KURUN_STRAY_SYSCALL32)
		ksnprintf(buf, n, "stray syscall from compatibility mode (CSTAR)");
	else if (st == KURUN_STRAY_SYSENTER)
		ksnprintf(buf, n, "stray sysenter");
	else if (st == KURUN_TIMEOUT)
		ksnprintf(buf, n, "still running at the watchdog: its tick found ring 3 at rip 0x%lx cs 0x%lx",
			  kurun.rip, kurun.cs);
	else if (st == KURUN_MITIG_BROKEN)
		ksnprintf(buf, n, "mitigation state wrong after ring 3: %s", mitig_broken);
	else
		ksnprintf(buf, n, "status 0x%x", st);
}

static const char *hv_name(void)
{
	return ci.hv_signature[0] ? ci.hv_signature : "bare metal";
}

static void set_state(unsigned k, unsigned v, enum pstate st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_state(unsigned k, unsigned v, enum pstate st, const char *fmt, ...)
{
	pst[k][v].state = st;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(pst[k][v].reason, sizeof(pst[k][v].reason), fmt, ap);
		va_end(ap);
	}
}

/* A round trip completed: it must also have given ring 3 its IF back. */
static int if_kept(void)
{
	return (kurun.user_rflags & RFLAGS_IF) == (kuser_rflags & RFLAGS_IF);
}

/* What the vendors and FRED say about a refused path: the instruction and
 * how it is refused, for its skip reason. */
static const char *refusal(const struct kpath *p)
{
	if (p->entry == KE_FRED_CALL_GATE)
		return "far call through a call gate with CR4.FRED set";
	return p->exit == KX_IRETQ ? "iretq to ring 3 after a FRED event"
				   : "sysretq after a FRED event";
}

/* FRED rows with their expectation of refusal (KEXP_REFUSED_*): 1 when
 * the probe saw it, setting the state and the TAP line. */
static int probe_refused(unsigned k, unsigned v, uint32_t st)
{
	const struct kpath *p = &paths[k];
	const char *t = tok(p, v);
	char what[160];
	describe_status(what, sizeof(what), st);
	/* a legacy entry refused in ring 3, or a legacy return refused in
	 * the path's own stub in ring 0 */
	int entry = p->expect == KEXP_REFUSED_ENTRY;
	if ((entry || p->expect == KEXP_REFUSED_EXIT) && st == KURUN_FAULT(p->exc_vector) &&
	    (entry ? (kurun.cs & 3) == 3
		   : (kurun.cs & 3) == 0 && kurun.rip - (uint64_t)(uintptr_t)stub_of(p, v) < 4096)) {
		set_state(k, v, PS_SKIP_EXPECTED, "%s: %s (error 0x%lx) in ring %d: under FRED only %s",
			  refusal(p), trap_name(p->exc_vector), kurun.error, entry ? 3 : 0,
			  entry ? "FRED event delivery enters ring 0" : "ERETU returns to ring 3");
		tap_check(1, "probe %s: refused as the FRED specification says: %s", t,
			  pst[k][v].reason);
		return 1;
	}
	if (st == KURUN_DONE && if_kept()) {
		set_state(k, v, PS_MEASURE, NULL);
		ksnprintf(pst[k][v].note, sizeof(pst[k][v].note),
			  "%s completed a round trip on this CPU (%s, %s) although the FRED "
			  "specification refuses it: the CPU or emulator departs from it",
			  refusal(p), ci.vendor, hv_name());
		tap_check(1, "probe %s: runs although FRED refuses it (noted)", t);
		return 1;
	}
	set_state(k, v, PS_SKIP_UNEXPECTED, "probe failed: %s", what);
	tap_check(0, "probe %s: %s", t, pst[k][v].reason);
	return 1;
}

static void probe(unsigned k, unsigned v)
{
	const struct kpath *p = &paths[k];
	const char *t = tok(p, v);
	char what[160];
	kprintf("# probe %s: %s%s\n", t, p->what, v ? " (full)" : "");

	if (fred_row(p) && !kfred.usable) {
		set_state(k, v, PS_SKIP_EXPECTED, "%s", kfred.why);
		tap_check(1, "probe %s: not run: %s", t, kfred.why);
		return;
	}
	if (p->expect == KEXP_FAULTS && v == 0) {
		/* The generic handler stays in place: the excursion ends at
		 * the first fault and tells us which one it was (FRED: the
		 * full entry, serving nothing). */
		if (fred_row(p))
			kfred_install((const void *)kf_fred_user, FRED_ID_NONE);
		uint32_t st = run_loop(p, p->op, 1);
		if (fred_row(p))
			kfred_uninstall();
		describe_status(what, sizeof(what), st);
		int user_rip = (kurun.cs & 3) == 3;
		if (st == KURUN_FAULT(p->exc_vector) && user_rip) {
			set_state(k, v, PS_MEASURE, NULL);
			tap_check(1, "probe %s: %s", t, what);
		} else {
			if (st == KURUN_DONE)
				ksnprintf(what, sizeof(what), "completed without %s",
					  trap_name(p->exc_vector));
			set_state(k, v, PS_SKIP_UNEXPECTED, "expected %s from ring 3, got %s",
				  trap_name(p->exc_vector), what);
			tap_check(0, "probe %s: %s", t, pst[k][v].reason);
		}
		return;
	}

	install(p, v);
	uint32_t st = run_loop(p, p->op, 1);
	uninstall(p);
	describe_status(what, sizeof(what), st);
	if (p->expect == KEXP_REFUSED_ENTRY || p->expect == KEXP_REFUSED_EXIT) {
		probe_refused(k, v, st);
		return;
	}

	if (p->expect == KEXP_FAULTS) {
		/* full exc-*: the dispatcher skips the instruction */
		if (st == KURUN_DONE && if_kept()) {
			set_state(k, v, PS_MEASURE, NULL);
			tap_check(1, "probe %s: %s handled by the full path, round trip completes",
				  t, trap_name(p->exc_vector));
		} else {
			set_state(k, v, PS_SKIP_UNEXPECTED, "probe failed: %s",
				  st == KURUN_DONE ? "ring 3 lost its IF" : what);
			tap_check(0, "probe %s: %s", t, pst[k][v].reason);
		}
		return;
	}

	int doc_ud = (p->expect == KEXP_UD_ON_AMD && vendor_amd) ||
		     (p->expect == KEXP_UD_ON_INTEL && !vendor_amd);
	const char *insn = p->entry == KE_SYSENTER || (p->entry == KE_FRED &&
						       FRED_ID_VEC(p->where) == FRED_VEC_SYSENTER)
				   ? "sysenter"
				   : "syscall";
	const char *where = p->mode == 64 ? "64-bit mode" : "compatibility mode";
	const char *vendor = vendor_amd ? "AMD" : "Intel";
	if (st == KURUN_DONE && !if_kept()) {
		/* the exit lost (or invented) ring 3's IF: a stub bug */
		set_state(k, v, PS_SKIP_UNEXPECTED,
			  "probe failed: ring 3 came back with RFLAGS 0x%lx (IF %s, expected %s)",
			  kurun.user_rflags, (kurun.user_rflags & RFLAGS_IF) ? "1" : "0",
			  (kuser_rflags & RFLAGS_IF) ? "1" : "0");
		tap_check(0, "probe %s: %s", t, pst[k][v].reason);
	} else if (st == KURUN_DONE && !doc_ud) {
		set_state(k, v, PS_MEASURE, NULL);
		tap_check(1, "probe %s: round trip completes, ring 3 keeps IF = %d", t,
			  (kurun.user_rflags & RFLAGS_IF) ? 1 : 0);
	} else if (st == KURUN_DONE && doc_ud) {
		set_state(k, v, PS_MEASURE, NULL);
		ksnprintf(pst[k][v].note, sizeof(pst[k][v].note),
			  "%s in %s ran on this %s model (%s, %s) although %s documents #UD: "
			  "the CPU or emulator departs from the vendor's documentation%s",
			  insn, where, vendor, ci.vendor, hv_name(), vendor,
			  v && p->entry == KE_SYSENTER && kexit_sysexit_ud
				  ? "; the full path returns with iretq, as SYSEXIT is #UD in long mode on AMD"
				  : "");
		tap_check(1, "probe %s: runs although %s documents #UD (noted)", t, vendor);
	} else if (st == KURUN_FAULT(VEC_UD) && doc_ud && (kurun.cs & 3) == 3) {
		set_state(k, v, PS_SKIP_EXPECTED, "%s in %s: #UD, as %s documents", insn, where,
			  vendor);
		tap_check(1, "probe %s: %s", t, pst[k][v].reason);
	} else if (st == KURUN_FAULT(VEC_UD) && doc_ud && (kurun.cs & 3) == 0 &&
		   kurun.rip - (uint64_t)(uintptr_t)stub_of(p, v) < 16) {
		/* The entry got in although the vendor documents #UD, and
		 * the stub's return instruction (within its 16-byte slot;
		 * documented as #UD in long mode as well) then raised #UD in
		 * ring 0: no round trip exists. Seen with QEMU TCG AMD models
		 * and compat sysenter (minimal stub). */
		set_state(k, v, PS_SKIP_EXPECTED,
			  "%s in %s: no round trip: the return instruction raised #UD in ring 0, "
			  "as %s documents for long mode",
			  insn, where, vendor);
		ksnprintf(pst[k][v].note, sizeof(pst[k][v].note),
			  "%s in %s entered the kernel on this %s model (%s, %s) although %s "
			  "documents #UD: the CPU or emulator departs from the vendor's documentation",
			  insn, where, vendor, ci.vendor, hv_name(), vendor);
		tap_check(1, "probe %s: entry departs from %s's documented #UD (noted), exit #UD as documented",
			  t, vendor);
	} else {
		set_state(k, v, PS_SKIP_UNEXPECTED, "probe failed: %s", what);
		tap_check(0, "probe %s: %s", t, pst[k][v].reason);
	}
}

void paths_init(void)
{
	kcpuinfo_read(&ci);
	vendor_amd = !strcmp(ci.vendor, "AuthenticAMD") || !strcmp(ci.vendor, "HygonGenuine");
	kexit_sysexit_ud = vendor_amd;
	if (kcfg.touch_pages) {
		/* read-only user pages over free memory (layout.h) */
		uint64_t end = USER_TOUCH_BASE + 4096ull * kcfg.touch_pages;
		if (kvm_map(&kvm_kernel, USER_TOUCH_BASE, USER_TOUCH_BASE, end - USER_TOUCH_BASE,
			    PTE_U | PTE_NX_IF | KVM_4K) != 0)
			kernel_fail_end("touch_pages: the page-table pool ran out");
		kvm_flush();
		kcopy_to_user(kuser_touch_end, &end, sizeof(end));
	}
}

/* A mitigated variant (v >= 2) of a path whose mechanism does not exist
 * here, or whose set cannot run here, is skipped without a probe: the
 * reason is the full variant's or the set's. */
static int mitig_skip(unsigned k, unsigned v)
{
	if (v < 2)
		return 0;
	if (kmsets[v - 2].skip[0]) {
		set_state(k, v, PS_SKIP_EXPECTED, "%s", kmsets[v - 2].skip);
		return 1;
	}
	if (variant_selected(1) && pst[k][1].state == PS_SKIP_EXPECTED) {
		set_state(k, v, PS_SKIP_EXPECTED, "%s", pst[k][1].reason);
		memcpy(pst[k][v].note, pst[k][1].note, sizeof(pst[k][v].note));
		return 1;
	}
	if (!paths[k].mitig) {
		set_state(k, v, PS_SKIP_EXPECTED, "no mitigated copy of this entry: the "
			  "mitigations are measured on the IDT and MSR entries, FRED's is not "
			  "patched (docs/mitigations.md)");
		return 1;
	}
	return 0;
}

void paths_probe_all(void)
{
	int all = 1;
	unsigned nsel = 0;
	for (unsigned k = 0; k < NPATHS; k++) {
		if (!selected(&paths[k]) || (fred_row(&paths[k]) && !kfred.usable))
			continue;
		for (unsigned v = 0; v < NVARIANTS; v++) {
			if (!variant_selected(v) ||
			    (v >= 2 && (kmsets[v - 2].skip[0] || !paths[k].mitig)))
				continue;
			nsel++;
			if (!install_reads_back(&paths[k], v)) {
				all = 0;
				kprintf("# %s: installed entry does not read back as encoded\n",
					tok(&paths[k], v));
			}
		}
	}
	tap_check(all, "every selected path's entry (IDT gate, call gate, MSR or FRED entry page) reads back as encoded (%u paths and variants)",
		  nsel);
	for (unsigned i = 0; i < kmnsets; i++)
		if (kmsets[i].skip[0])
			tap_check(1, "mitigated variant full+%s skipped: %s", kmsets[i].name,
				  kmsets[i].skip);
	for (unsigned k = 0; k < NPATHS; k++)
		for (unsigned v = 0; v < NVARIANTS; v++) {
			if (selected(&paths[k]) && variant_selected(v)) {
				if (!mitig_skip(k, v))
					probe(k, v);
			} else {
				pst[k][v].state = PS_UNSELECTED;
			}
		}
	kmitig_apply(-1);
}

/* ---- measuring ------------------------------------------------------------- */

/* kreport_path's run: the variant's stub installed around the loop */
struct bctx {
	const struct kpath *p;
	unsigned v;
};

static uint32_t run_path(const void *ctx, void (*loop)(void), uint32_t n, uint64_t *ticks)
{
	const struct bctx *c = ctx;
	install(c->p, c->v);
	uint32_t st = run_loop(c->p, loop, n);
	uninstall(c->p);
	if (c->v >= 2)
		st = kpath_mitig_checked(st);
	*ticks = kurun.result;
	return st;
}

uint32_t kpath_mitig_checked(uint32_t st)
{
	if (st != KURUN_DONE || kmitig_current < 0)
		return st;
	/* the set's state must hold after every batch: CR3 ring 3 ended on,
	 * the GS bases, IBRS */
	const char *w = kmitig_check_after_user(st);
	if (!w)
		return st;
	ksnprintf(mitig_broken, sizeof(mitig_broken), "%s", w);
	return KURUN_MITIG_BROKEN;
}

/* One (path, variant) after its probe: report.c prints its progress, its
 * skip or its measurement (result and samples lines) and its notes. */
static int measure_one(unsigned k, unsigned v)
{
	const struct kpath *p = &paths[k];
	struct bctx c = { p, v };
	struct kreport_loops l = { run_path, &c, kcfg.touch_pages ? p->op_touch : p->op,
				   kcfg.touch_pages ? p->empty_touch : p->empty, 0, 0 };
	return kreport_path(tok(p, v), &pst[k][v], v == 0 ? p->note : NULL, &l, describe_status);
}

unsigned paths_measure_all(unsigned *total, int *all_expected)
{
	unsigned measured = 0;
	*total = 0;
	*all_expected = 1;
	for (unsigned k = 0; k < NPATHS; k++)
		for (unsigned v = 0; v < NVARIANTS; v++) {
			if (pst[k][v].state == PS_UNSELECTED)
				continue;
			(*total)++;
			int r = measure_one(k, v);
			if (r < 0)
				*all_expected = 0;
			else if (r > 0)
				measured++;
		}
	return measured;
}

/* ---- for the self-test and the fuzzer --------------------------------------- */

int kpath_vendor_amd(void)
{
	return vendor_amd;
}

int kpath_index(const char *id)
{
	for (unsigned k = 0; k < NPATHS; k++)
		if (!strcmp(paths[k].id, id))
			return (int)k;
	return -1;
}

unsigned kpath_count(void)
{
	return NPATHS;
}

const char *kpath_id(unsigned k)
{
	return paths[k].id;
}

/* The full variant runs on this CPU: its probe completed a round trip,
 * or failed unexpectedly (a self-test then shows how); 0 only when the
 * vendor documents that the mechanism does not exist here. */
int kpath_full_ok(unsigned k)
{
	if (fred_row(&paths[k]) && !kfred.usable)
		return 0;
	return pst[k][1].state != PS_SKIP_EXPECTED;
}

const char *kpath_full_reason(unsigned k)
{
	if (fred_row(&paths[k]) && !kfred.usable)
		return kfred.why;
	return pst[k][1].reason;
}

/* The full variant the self-test and fuzzer run: the mitigated copy with
 * the test set applied when the boot asked for mitigations, else kf_*
 * (always for a fred-* path, which has no mitigated copy). */
static unsigned test_variant(unsigned k)
{
	int i = kmitig_test_set();
	return i >= 0 && paths[k].mitig ? 2 + (unsigned)i : 1;
}

void kpath_install_full(unsigned k)
{
	install(&paths[k], test_variant(k));
}

void kpath_install_set(unsigned k, int set)
{
	install(&paths[k], set >= 0 && paths[k].mitig ? 2 + (unsigned)set : 1);
}

void (*kpath_full_stub(unsigned k))(void)
{
	return stub_of(&paths[k], test_variant(k));
}

void (*kpath_full_variant(void (*full)(void)))(void)
{
	for (unsigned k = 0; k < NPATHS; k++)
		if (paths[k].full == full)
			return stub_of(&paths[k], test_variant(k));
	return full;
}

void kpath_uninstall(unsigned k)
{
	uninstall(&paths[k]);
}

int kpath_is_exception(unsigned k)
{
	unsigned t = FRED_ID_TYPE(paths[k].where);
	return paths[k].entry == KE_EXCEPTION ||
	       (paths[k].entry == KE_FRED && (t == FRED_HWEXC || t == FRED_SWEXC));
}

int kpath_is_fred(unsigned k)
{
	return fred_row(&paths[k]);
}

unsigned kpath_mode(unsigned k)
{
	return paths[k].mode;
}

/* Registers the mechanism (or kentry's convention for it) changes, as bits
 * of the self-test's register order (rax rbx rcx rdx rsi rdi rbp r8..r15):
 * SYSCALL (and int-gate/sysretq's convention) RCX and R11, SYSENTER RDX
 * and RCX; nothing under FRED. */
uint64_t kpath_clobbers(unsigned k)
{
	switch (paths[k].entry) {
	case KE_FRED: /* FRED saves RIP and RFLAGS in its frame: syscall keeps RCX, R11 */
	case KE_FRED_CALL_GATE:
		return 0;
	case KE_SYSCALL64:
	case KE_SYSCALL32:
		return (1u << 2) | (1u << 10);
	case KE_SYSENTER:
		return (1u << 2) | (1u << 3);
	default:
		return paths[k].exit == KX_SYSRETQ ? (1u << 2) | (1u << 10) : 0;
	}
}

/* Every full stub, for the event counters (where interrupts land). */
static void (*full_stubs[NPATHS])(void);
unsigned kpath_full_stubs(void (*const **out)(void))
{
	for (unsigned k = 0; k < NPATHS; k++)
		full_stubs[k] = stub_of(&paths[k], test_variant(k));
	*out = full_stubs;
	return NPATHS;
}
