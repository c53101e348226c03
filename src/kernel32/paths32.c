/* kentry legacy kernel: the registry of measured paths, probing and
 * measuring. The same shape as the long-mode kernel's (src/kernel/paths.c):
 * the rows come from paths32.def, the registry the host reads too (id,
 * summary, long-mode counterpart): per path its id (prefix `legacy-`), how
 * the kernel is entered and where the entry is installed, the stub
 * (stubs32.S), the ring-3 loops (user32.S), and what the manuals say the
 * probe will see.
 *
 * Each path goes through:
 *   probe:   install, run the op loop twice in ring 3, uninstall. A fault
 *            ends the excursion (trap32.c) and is compared with the
 *            documented expectation: one TAP line per path; for the task
 *            switch paths a second TAP line checks the task state the
 *            round trips left (task32_check_after).
 *   measure: kreport_path() (src/kernel/report.c, shared) with batch
 *            callbacks that install the entry, run the op or empty loop n
 *            times in ring 3, and uninstall. */
#include "kernel32.h"
#include "cpu.h"
#include "cpu32.h"
#include "core/cpuinfo.h"
#include "core/desc.h"

enum kentry_kind {
	KE_INT_GATE,     /* int n -> 32-bit interrupt gate (where = vector) */
	KE_TRAP_GATE,    /* int n -> 32-bit trap gate (where = vector) */
	KE_CALL_GATE,    /* far call -> 32-bit call gate (where = selector; nparam) */
	KE_TASK_INT,     /* int n -> IDT task gate -> TSS_TASK (where = vector) */
	KE_TASK_TSS,     /* far call -> TSS_TASK's descriptor (DPL 3 while installed) */
	KE_TASK_GDTGATE, /* far call -> GDT task gate (where = selector) -> TSS_TASK */
	KE_SYSENTER,     /* sysenter -> SYSENTER_EIP */
	KE_SYSCALL,      /* legacy syscall -> STAR[31:0] */
	KE_EXCEPTION,    /* a faulting instruction -> interrupt gate (where = vector) */
	KE_EXC_TASK,     /* a faulting instruction -> IDT task gate (where = vector) */
};

enum kexpect {
	KEXP_RUNS,        /* round trip completes on every IA-32 CPU */
	KEXP_FAULTS,      /* the entry instruction raises exc_vector */
	KEXP_NEEDS_SEP,   /* SYSENTER: runs where CPUID.1:EDX[11] (SEP) says so, else #UD */
	KEXP_AMD_SYSCALL, /* legacy SYSCALL: AMD with EFER.SCE; Intel documents #UD */
};

struct kpath32 {
	const char *id;
	enum kentry_kind entry;
	unsigned where;
	unsigned nparam;      /* KE_CALL_GATE: the gate's count field */
	void (*stub)(void);    /* ring 3 at IF = 0 */
	void (*stub_if)(void); /* ring 3 at IF = 1 (differs where the exit keeps IF: sysexit) */
	void (*resume)(void);  /* task kinds: where the handler task resumes (after iretd) */
	void (*op)(void);
	void (*empty)(void);
	enum kexpect expect;
	unsigned exc_vector;
	const char *what;
	const char *note;
};

/* the stubs (stubs32.S) and ring-3 loops (user32.S) of every row */
#define KPATH32(id, entry, where, nparam, stub, stub_if, resume, loops, expect, exc_vector,  \
		what, note, summary, counterpart, why_none)                                \
	extern void stub(void), stub_if(void), resume(void), loops##_op(void),        \
		loops##_empty(void);
#include "paths32.def"
#undef KPATH32
extern void kt32_task_fault(void);
extern char user32_stack_top[];

static const struct kpath32 paths[] = {
#define KPATH32(id, entry, where, nparam, stub, stub_if, resume, loops, expect, exc_vector,  \
		what, note, summary, counterpart, why_none)                                \
	{ id, entry, where, nparam, stub, stub_if, resume, loops##_op, loops##_empty, expect,   \
	  exc_vector, what, note },
#include "paths32.def"
#undef KPATH32
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

/* what each probe decided (kernel.h), for the measurement phase */
static struct kpath_state pst[NPATHS];

static struct kcpuinfo ci;
static int vendor_amd;

static uint32_t a(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* The stub that runs: the one for ring 3's IF mode (sysexit does not
 * restore IF, so with IF = 1 the sysenter path needs the stub with sti). */
static void (*stub_of(const struct kpath32 *p))(void)
{
	return kcfg.ring3_if ? p->stub_if : p->stub;
}

static int is_task(const struct kpath32 *p)
{
	return p->entry == KE_TASK_INT || p->entry == KE_TASK_TSS ||
	       p->entry == KE_TASK_GDTGATE || p->entry == KE_EXC_TASK;
}

/* The entry a path installs: an IDT gate, a GDT descriptor or an MSR
 * value. Exceptions keep the resting DPL of their vector (3 only for #BP). */
static uint64_t entry_value(const struct kpath32 *p)
{
	switch (p->entry) {
	case KE_INT_GATE:
		return kdesc_idt_gate32(SEL_KCODE, a(stub_of(p)), KDESC_SYS_INTGATE32, 3);
	case KE_TRAP_GATE:
		return kdesc_idt_gate32(SEL_KCODE, a(stub_of(p)), KDESC_SYS_TRAPGATE32, 3);
	case KE_EXCEPTION:
		return kdesc_idt_gate32(SEL_KCODE, a(stub_of(p)), KDESC_SYS_INTGATE32,
					p->where == VEC_BP ? 3 : 0);
	case KE_CALL_GATE:
		return kdesc_callgate32(SEL_KCODE, a(stub_of(p)), 3, p->nparam);
	case KE_TASK_INT:
		return kdesc_taskgate(SEL_TSS_TASK, 3);
	case KE_EXC_TASK:
		return kdesc_taskgate(SEL_TSS_TASK, p->where == VEC_BP ? 3 : 0);
	case KE_TASK_GDTGATE:
		return kdesc_taskgate(SEL_TSS_TASK, 3);
	case KE_TASK_TSS:
		return kdesc_tss32(a(&ktss_task), TSS_SIZE - 1, 3);
	case KE_SYSENTER:
		return a(stub_of(p));
	case KE_SYSCALL:
		return kmsr_star32(STAR_SYSCALL_CS, STAR_SYSRET_BASE, a(stub_of(p)));
	}
	return 0;
}

/* The descriptor slot a table kind installs into (IDT, GDT gate, or the
 * handler TSS's own descriptor), NULL for the MSR kinds. */
static uint64_t *slot_of(const struct kpath32 *p)
{
	switch (p->entry) {
	case KE_INT_GATE:
	case KE_TRAP_GATE:
	case KE_EXCEPTION:
	case KE_TASK_INT:
	case KE_EXC_TASK:
		return &kidt32[p->where];
	case KE_CALL_GATE:
	case KE_TASK_GDTGATE:
		return &kgdt32[p->where / 8];
	case KE_TASK_TSS:
		return &kgdt32[SEL_TSS_TASK / 8];
	case KE_SYSENTER:
	case KE_SYSCALL:
		break;
	}
	return NULL;
}

/* What the slot holds when the path is not running: the vector's resting
 * gate, an empty (not present) GDT slot, the handler TSS at DPL 0 (its
 * busy bit is clear whenever no path runs). */
static uint64_t resting_value(const struct kpath32 *p)
{
	if (p->entry == KE_TASK_TSS)
		return kdesc_tss32(a(&ktss_task), TSS_SIZE - 1, 0);
	if (p->entry == KE_CALL_GATE || p->entry == KE_TASK_GDTGATE)
		return 0;
	return idt32_generic(p->where);
}

static void install(const struct kpath32 *p)
{
	uint64_t *slot = slot_of(p);
	if (is_task(p))
		task32_prepare(stub_of(p));
	if (slot)
		*slot = entry_value(p);
	else if (p->entry == KE_SYSENTER && k32_sysenter_msrs)
		wrmsr(KMSR_SYSENTER_EIP, a(stub_of(p)));
	else if (p->entry == KE_SYSCALL)
		k32_set_syscall_eip(a(stub_of(p)));
}

static void uninstall(const struct kpath32 *p)
{
	uint64_t *slot = slot_of(p);
	if (slot)
		*slot = resting_value(p);
	else
		fast32_stray();
}

/* Installs, reads the live entry back against the encoder, uninstalls.
 * The MSR paths read back only where the MSRs could be written. */
static int install_reads_back(const struct kpath32 *p)
{
	uint64_t want = entry_value(p), got = want;
	uint64_t *slot = slot_of(p);
	install(p);
	if (slot)
		got = *slot;
	else if (p->entry == KE_SYSENTER && k32_sysenter_msrs)
		got = rdmsr(KMSR_SYSENTER_EIP);
	else if (p->entry == KE_SYSCALL && k32_syscall_enabled)
		got = rdmsr(KMSR_STAR);
	uninstall(p);
	return want == got;
}

/* ---- running ring 3 -------------------------------------------------------- */

static uint32_t run_loop(void (*loop)(void), uint32_t n)
{
	uint32_t st = kuser_enter32(a(loop), USER_CS, a(user32_stack_top), n);
	if (st != KURUN_DONE) {
		/* A fault inside the handler task or half-way through a task
		 * switch can leave TR, a busy bit or NT behind: put them right
		 * before the next excursion, and say so. */
		char what[120];
		if (task32_recover(what, sizeof(what)))
			kprintf("# task state repaired after status 0x%x: %s\n", st, what);
	}
	return st;
}

void describe_status(char *buf, size_t n, uint32_t st)
{
	if (st >= 0x100 && st < 0x200)
		ksnprintf(buf, n, "%s (vector %u, error 0x%x) at eip 0x%x cs 0x%x",
			  trap_name(st - 0x100), st - 0x100, kurun32.error, kurun32.eip,
			  kurun32.cs);
	else if (st == KURUN_STRAY_SYSCALL)
		ksnprintf(buf, n, "stray syscall (STAR's EIP not installed)");
	else if (st == KURUN_STRAY_SYSENTER)
		ksnprintf(buf, n, "stray sysenter");
	else
		ksnprintf(buf, n, "status 0x%x", st);
}

static const char *hv_name(void)
{
	return ci.hv_signature[0] ? ci.hv_signature : "bare metal";
}

/* The IF ring 3 must come back with: its own (iretd and task returns
 * restore EFLAGS, the sysenter stub for IF = 1 puts it back), except after
 * a legacy SYSRET, which sets it whatever it was (AMD APM vol. 3 SYSRET:
 * legacy mode, EFLAGS.IF = 1). */
static int if_expected(const struct kpath32 *p)
{
	return p->entry == KE_SYSCALL ? 1 : kcfg.ring3_if;
}

static int if_kept(const struct kpath32 *p)
{
	return ((kurun32.user_eflags & EFLAGS_IF) != 0) == if_expected(p);
}

static void if_lost(unsigned k)
{
	ksnprintf(pst[k].reason, sizeof(pst[k].reason),
		  "probe failed: ring 3 came back with EFLAGS 0x%x (IF %d, expected %d)",
		  kurun32.user_eflags, (kurun32.user_eflags & EFLAGS_IF) ? 1 : 0,
		  if_expected(&paths[k]));
	pst[k].state = PS_SKIP_UNEXPECTED;
	tap_check(0, "probe %s: %s", paths[k].id, pst[k].reason);
}

/* 1 when the manuals say the entry instruction raises #UD on this CPU. */
static int documented_ud(const struct kpath32 *p, char *why, size_t n)
{
	if (p->expect == KEXP_NEEDS_SEP && !ci.has_sep) {
		ksnprintf(why, n, "sysenter: #UD, CPUID.1:EDX[11] (SEP) is 0 on this CPU");
		return 1;
	}
	if (p->expect == KEXP_AMD_SYSCALL && !vendor_amd) {
		ksnprintf(why, n, "syscall in legacy mode: #UD, as Intel documents");
		return 1;
	}
	if (p->expect == KEXP_AMD_SYSCALL && !k32_syscall_enabled) {
		ksnprintf(why, n, "syscall in legacy mode: #UD, EFER.SCE could not be set (%s)",
			  k32_syscall_state());
		return 1;
	}
	return 0;
}

static void probe(unsigned k)
{
	const struct kpath32 *p = &paths[k];
	char what[200];
	kprintf("# probe %s: %s\n", p->id, p->what);

	if (p->expect == KEXP_FAULTS) {
		/* The resting gate stays in place: the excursion ends at the
		 * first fault and says which one it was. */
		uint32_t st = run_loop(p->op, 2);
		describe_status(what, sizeof(what), st);
		if (st == KURUN_FAULT(p->exc_vector) && (kurun32.cs & 3) == 3) {
			pst[k].state = PS_MEASURE;
			tap_check(1, "probe %s: %s", p->id, what);
		} else {
			pst[k].state = PS_SKIP_UNEXPECTED;
			if (st == KURUN_DONE)
				ksnprintf(what, sizeof(what), "completed without %s",
					  trap_name(p->exc_vector));
			ksnprintf(pst[k].reason, sizeof(pst[k].reason),
				  "expected %s from ring 3, got %s", trap_name(p->exc_vector), what);
			tap_check(0, "probe %s: %s", p->id, pst[k].reason);
			return;
		}
		if (is_task(p)) {
			/* and now through the task gate, for the task state check */
			install(p);
			st = run_loop(p->op, 2);
			uninstall(p);
			if (st != KURUN_DONE) {
				describe_status(what, sizeof(what), st);
				pst[k].state = PS_SKIP_UNEXPECTED;
				ksnprintf(pst[k].reason, sizeof(pst[k].reason),
					  "through the task gate: %s", what);
				tap_check(0, "probe %s: %s", p->id, pst[k].reason);
				return;
			}
			if (!if_kept(p)) {
				if_lost(k);
				return;
			}
			task32_check_after(p->id, stub_of(p), p->resume);
		}
		return;
	}

	install(p);
	uint32_t st = run_loop(p->op, 2);
	uninstall(p);
	describe_status(what, sizeof(what), st);

	char why[160];
	int doc_ud = documented_ud(p, why, sizeof(why));
	const char *vendor = vendor_amd ? "AMD" : "Intel";
	if (st == KURUN_DONE && !if_kept(p)) {
		if_lost(k); /* the exit lost (or invented) ring 3's IF: a stub bug */
	} else if (st == KURUN_DONE && !doc_ud) {
		pst[k].state = PS_MEASURE;
		tap_check(1, "probe %s: round trip completes, ring 3 %s IF = %d", p->id,
			  p->entry == KE_SYSCALL ? "gets (legacy SYSRET sets it)" : "keeps",
			  (kurun32.user_eflags & EFLAGS_IF) ? 1 : 0);
		if (is_task(p))
			task32_check_after(p->id, stub_of(p), p->resume);
	} else if (st == KURUN_DONE && doc_ud) {
		pst[k].state = PS_MEASURE;
		ksnprintf(pst[k].note, sizeof(pst[k].note),
			  "ran on this %s model (%s, %s) although the manuals say %s: the CPU or "
			  "emulator departs from the vendor's documentation",
			  vendor, ci.vendor, hv_name(), why);
		tap_check(1, "probe %s: runs although documented #UD (noted)", p->id);
	} else if (st == KURUN_FAULT(VEC_UD) && doc_ud && (kurun32.cs & 3) == 3) {
		pst[k].state = PS_SKIP_EXPECTED;
		ksnprintf(pst[k].reason, sizeof(pst[k].reason), "%s", why);
		tap_check(1, "probe %s: %s", p->id, pst[k].reason);
	} else if (st == KURUN_FAULT(VEC_UD) && doc_ud && (kurun32.cs & 3) == 0 &&
		   kurun32.eip - a(stub_of(p)) < 16) {
		/* in although #UD is documented, then the return raised #UD */
		pst[k].state = PS_SKIP_EXPECTED;
		ksnprintf(pst[k].reason, sizeof(pst[k].reason),
			  "no round trip: the entry got in, the return instruction raised #UD in "
			  "ring 0 (%s)", why);
		ksnprintf(pst[k].note, sizeof(pst[k].note),
			  "the entry instruction ran on this %s model (%s, %s) although the manuals "
			  "say %s: the CPU or emulator departs from the vendor's documentation",
			  vendor, ci.vendor, hv_name(), why);
		tap_check(1, "probe %s: entry departs from the documented #UD (noted), exit #UD",
			  p->id);
	} else {
		pst[k].state = PS_SKIP_UNEXPECTED;
		ksnprintf(pst[k].reason, sizeof(pst[k].reason), "probe failed: %s", what);
		tap_check(0, "probe %s: %s", p->id, pst[k].reason);
	}
}

/* A fault inside the handler task must end the excursion like any other
 * fault, and leave a usable task state behind (run_loop repairs TR, the
 * busy bits and NT): enter a handler task that executes ud2, then make a
 * normal task round trip through the same TSS. Without the repair the
 * second switch finds TSS_TASK still busy (#GP) or TR still on it. */
static void task_fault_selfcheck(void)
{
	const struct kpath32 *p = NULL;
	for (unsigned k = 0; k < NPATHS; k++)
		if (paths[k].entry == KE_TASK_INT)
			p = &paths[k];
	struct kpath32 faulty = *p;
	faulty.stub = faulty.stub_if = kt32_task_fault;
	install(&faulty);
	uint32_t st = run_loop(p->op, 1);
	uint32_t fcs = kurun32.cs, feip = kurun32.eip;
	uninstall(&faulty);
	install(p);
	uint32_t st2 = run_loop(p->op, 2);
	uninstall(p);
	tap_check(st == KURUN_FAULT(VEC_UD) && fcs == SEL_KCODE && feip == a(kt32_task_fault) &&
			  st2 == KURUN_DONE && str32() == SEL_TSS_MAIN,
		  "a #UD inside the handler task ends the excursion (status 0x%x at %x:%x), the "
		  "task state is repaired and the next task round trip completes (status 0x%x)",
		  st, fcs, feip, st2);
}

void paths32_probe_all(void)
{
	kcpuinfo_read(&ci);
	vendor_amd = !strcmp(ci.vendor, "AuthenticAMD") || !strcmp(ci.vendor, "HygonGenuine");
	int all = 1;
	unsigned nsel = 0;
	for (unsigned k = 0; k < NPATHS; k++) {
		if (!kcfg_selected(paths[k].id))
			continue;
		nsel++;
		if (!install_reads_back(&paths[k])) {
			all = 0;
			kprintf("# %s: installed entry does not read back as encoded\n",
				paths[k].id);
		}
	}
	tap_check(all, "every selected path's entry (IDT gate, GDT gate or TSS, MSR) reads "
		       "back as encoded (%u paths)",
		  nsel);
	for (unsigned k = 0; k < NPATHS; k++) {
		if (kcfg_selected(paths[k].id))
			probe(k);
		else
			pst[k].state = PS_UNSELECTED;
	}
	task_fault_selfcheck();
}

/* ---- measuring ------------------------------------------------------------- */

/* kreport_path's run: the path's stub installed around the loop */
static uint32_t run_path(const void *path, void (*loop)(void), uint32_t n, uint64_t *ticks)
{
	const struct kpath32 *p = path;
	install(p);
	uint32_t st = run_loop(loop, n);
	uninstall(p);
	*ticks = (uint64_t)kurun32.result_hi << 32 | kurun32.result_lo;
	return st;
}

unsigned paths32_measure_all(unsigned *total, int *all_expected)
{
	unsigned measured = 0;
	*total = 0;
	*all_expected = 1;
	for (unsigned k = 0; k < NPATHS; k++) {
		const struct kpath32 *p = &paths[k];
		if (pst[k].state == PS_UNSELECTED)
			continue;
		(*total)++;
		struct kreport_loops l = { run_path, p, p->op, p->empty, 0, 0 };
		int r = kreport_path(p->id, &pst[k], p->note, &l, describe_status);
		if (r < 0)
			*all_expected = 0;
		else if (r > 0)
			measured++;
	}
	return measured;
}
