/* kentry kernel: the seed's gettimeofday table on kentry's kernel
 * (`kentry boot --op gettimeofday`): each row of gtod.def is a way a Linux
 * program gets the time, timed from ring 3 exactly as the Linux world
 * times it on Linux (the same ids), through the Linux personality and the
 * full entry paths.
 *
 * The loops run in a Linux process's address space built for them: the
 * kernel's ring-3 window (user.S, where the loops and their data live)
 * mapped at its own addresses, both vDSOs and their data page, the
 * vsyscall page (shared by every space), and the Linux entries installed
 * (the full stubs of syscall, compat-syscall, compat-sysenter and
 * compat-int80). A probe runs each loop once and checks that the call
 * wrote the time (a path that passed its arguments wrongly would not);
 * then kmeasure takes the samples as for every other path.
 *
 * With mitigations= (kentry boot --op gettimeofday --mitigations kpti,...)
 * every row is measured plain and then once per mitigation set, as the
 * round trips are (mitig.c): the variant <form>+<set>, where the form is
 * the row's own (vsyscall's mode: vsyscall@emulate+kpti) or "full"
 * (syscall@full+kpti). The process then has the KPTI twin of its space
 * (kproc_kpti), checked before anything runs; the stubs switch to the
 * CURRENT space's user tables with the same CR3 bit as in the kernel's. */
#include "gtod.h"
#include "kernel.h"
#include "ktime.h"
#include "kvdso.h"
#include "layout.h"
#include "mitig.h"
#include "proc.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "vsyscall.h"
#include "core/measure.h"

enum gtod_kind {
	GK_SYSCALL64,        /* x86-64 ABI: a 64-bit timeval */
	GK_I386,             /* i386 ABI: a 32-bit timeval */
	GK_KVSYSCALL,        /* i386 ABI through __kernel_vsyscall */
	GK_VSYSCALL_EMULATE, /* the vsyscall page, emulate mode */
	GK_VSYSCALL_NATIVE,  /* the vsyscall page, native mode */
	GK_VDSO64,
	GK_VDSO32,
};
enum gtod_expect { GE_RUNS, GE_UD_ON_AMD, GE_UD_ON_INTEL };

struct gpath {
	const char *id, *variant;
	unsigned mode;
	void (*op)(void), (*empty)(void);
	enum gtod_kind kind;
	enum gtod_expect expect;
	const char *what;
};

#define GTOD(id, variant, mode, loops, kind, expect, what, summary) \
	extern void loops##_op(void), loops##_empty(void);
#include "gtod.def"
#undef GTOD

static const struct gpath gpaths[] = {
#define GTOD(id, variant, mode, loops, kind, expect, what, summary) \
	{ id, variant, mode, loops##_op, loops##_empty, kind, expect, what },
#include "gtod.def"
#undef GTOD
};
#define NG (sizeof(gpaths) / sizeof(gpaths[0]))

extern char __user_text_start[], __user_text_end[], __user_data_start[], __user_data_end[];
extern char user_stack_top[], lx_tv[], lx_vdso64[], lx_vdso32[], lx_kvsys[];

/* The row's token under mitigation set `set` (-1: plain). */
static const char *tok(const struct gpath *p, int set)
{
	static char buf[80];
	if (set >= 0)
		ksnprintf(buf, sizeof(buf), "%s@%s+%s", p->id, p->variant ? p->variant : "full",
			  kmsets[set].name);
	else
		ksnprintf(buf, sizeof(buf), "%s%s%s", p->id, p->variant ? "@" : "",
			  p->variant ? p->variant : "");
	return buf;
}

/* The process has its KPTI twin (kproc_kpti), or no KPTI set runs. */
static int proc_kpti_ok = 1;

static int set_needs_twin(int set)
{
	return set >= 0 && (kmsets[set].mask & ((1u << KM_KPTI) | (1u << KM_KPTI_PCID)));
}

/* The measurement process: the ring-3 window, both vDSOs. */
static int setup_process(void)
{
	if (kproc_new(0))
		return -1;
	uint64_t t0 = (uint64_t)(uintptr_t)__user_text_start, t1 = (uint64_t)(uintptr_t)__user_text_end;
	uint64_t d0 = (uint64_t)(uintptr_t)__user_data_start, d1 = (uint64_t)(uintptr_t)__user_data_end;
	/* the window's own frames (the image is identity-mapped), not the process's */
	if (kproc_map(t0, t1, PROT_READ_ | PROT_EXEC_, VMA_FIXED) ||
	    kproc_map(d0, d1, PROT_READ_ | PROT_WRITE_, VMA_FIXED) ||
	    kvm_map(&kproc.mm, t0, t0, t1 - t0, PTE_U | KVM_4K) ||
	    kvm_map(&kproc.mm, d0, d0, d1 - d0, PTE_U | PTE_W | PTE_NX_IF | KVM_4K) ||
	    kvdso_map(1, VDSO64_BASE) || kvdso_map(0, VDSO32_BASE))
		return -1;
	/* everything is mapped: the KPTI twin now (later maps mirror into it) */
	proc_kpti_ok = kproc_kpti("process (gettimeofday)") == 0;
	kvm_activate(&kproc.mm);
	uint64_t f64 = kproc.vdso64 + VDSO64_SYM___vdso_gettimeofday;
	uint32_t f32 = (uint32_t)(kproc.vdso32 + VDSO32_SYM___vdso_gettimeofday);
	uint32_t kv = (uint32_t)(kproc.vdso32 + VDSO32_SYM___kernel_vsyscall);
	kcopy_to_user(lx_vdso64, &f64, 8);
	kcopy_to_user(lx_vdso32, &f32, 4);
	kcopy_to_user(lx_kvsys, &kv, 4);
	return 0;
}

/* The Linux entries, full (set -1) or mitigated with set `set` (its CPU
 * state applied); off: none, and no set. */
static void linux_entries(int on, int set)
{
	static const char *const ids[] = { "syscall", "compat-syscall", "compat-sysenter",
					   "compat-int80" };
	for (unsigned i = 0; i < 4; i++) {
		unsigned k = (unsigned)kpath_index(ids[i]);
		if (on)
			kpath_install_set(k, set);
		else
			kpath_uninstall(k);
	}
	if (!on)
		kmitig_apply(-1);
}

/* One ring-3 run of a loop; under a mitigation set its state is checked
 * afterwards (among it the CR3 ring 3 ended on: the process's twin). */
static uint32_t run_loop(const struct gpath *p, void (*loop)(void), uint32_t n)
{
	uint32_t st = kuser_enter((uint64_t)(uintptr_t)loop, p->mode == 64 ? USER_CS64 : USER_CS32,
				  (uint64_t)(uintptr_t)user_stack_top, n);
	return kpath_mitig_checked(st);
}

static void set_mode(const struct gpath *p)
{
	if (p->kind == GK_VSYSCALL_EMULATE)
		kvsyscall_set(KVSYS_EMULATE);
	else if (p->kind == GK_VSYSCALL_NATIVE)
		kvsyscall_set(KVSYS_NATIVE);
}

/* The seconds the call left in lx_tv (a 32-bit timeval for the i386 ABI
 * and the 32-bit vDSO). */
static int64_t tv_seconds(const struct gpath *p)
{
	int64_t v[2] = { 0, 0 };
	kcopy_from_user(v, lx_tv, sizeof(v));
	int i386 = p->kind == GK_I386 || p->kind == GK_KVSYSCALL || p->kind == GK_VDSO32;
	return i386 ? (int64_t)(int32_t)v[0] : v[0];
}

/* ---- probe ----------------------------------------------------------------------- */

/* what each probe decided (kernel.h): plain, then one per mitigation set */
static struct kpath_state gst[NG][1 + KM_MAX_SETS];

static void probe(unsigned k, int set)
{
	const struct gpath *p = &gpaths[k];
	struct kpath_state *g = &gst[k][set + 1];
	const char *t = tok(p, set);
	if (set >= 0 && gst[k][0].state != PS_MEASURE) {
		*g = gst[k][0]; /* the plain row's skip, with its reason */
		return;
	}
	if (set >= 0 && kmsets[set].skip[0]) {
		g->state = PS_SKIP_EXPECTED;
		ksnprintf(g->reason, sizeof(g->reason), "%s", kmsets[set].skip);
		g->note[0] = 0;
		return;
	}
	/* The emulated vsyscall call enters by its #PF through the generic
	 * vector stub and trap_common, which switch CR3 under KPTI but carry
	 * none of the other hooks (those sit in the full stubs): a set with
	 * any other mitigation would be measured without it. Not faked:
	 * skipped, saying what is missing. */
	uint32_t other = set >= 0 ? kmsets[set].mask & ~((1u << KM_KPTI) | (1u << KM_KPTI_PCID)) : 0;
	if (p->kind == GK_VSYSCALL_EMULATE && other) {
		char names[96];
		kmitig_list(names, sizeof(names), other);
		g->state = PS_SKIP_EXPECTED;
		ksnprintf(g->reason, sizeof(g->reason),
			  "its #PF enters through trap_common, which has KPTI's CR3 switch only: "
			  "%s would not run (Linux's exception entry runs them)", names);
		g->note[0] = 0;
		return;
	}
	if (set_needs_twin(set) && !proc_kpti_ok) {
		g->state = PS_SKIP_UNEXPECTED;
		ksnprintf(g->reason, sizeof(g->reason),
			  "the process has no sound KPTI user tables (its self-check failed)");
		g->note[0] = 0;
		return;
	}
	linux_entries(1, set);
	kprintf("# probe %s: %s\n", t, p->what);
	int amd = kpath_vendor_amd();
	int doc_ud = (p->expect == GE_UD_ON_AMD && amd) || (p->expect == GE_UD_ON_INTEL && !amd);
	const char *vendor = amd ? "AMD" : "Intel";
	const char *insn = p->expect == GE_UD_ON_AMD ? "sysenter" : "syscall";
	int64_t zero[2] = { 0, 0 };
	kcopy_to_user(lx_tv, zero, sizeof(zero));
	set_mode(p);
	uint32_t st = run_loop(p, p->op, 1);
	uint64_t mono, real;
	ktime_now(&mono, &real);
	int64_t now = (int64_t)(real / 1000000000ull), got = tv_seconds(p);
	char what[160];
	describe_status(what, sizeof(what), st);
	g->note[0] = 0;
	if (st == KURUN_DONE && got >= now - 2 && got <= now + 1) {
		g->state = PS_MEASURE;
		if (doc_ud)
			ksnprintf(g->note, sizeof(g->note),
				  "%s from 32-bit code ran on this %s model although %s documents #UD: "
				  "the CPU or emulator departs from the vendor's documentation%s",
				  insn, vendor, vendor,
				  amd ? "; the kernel returns with iretq, as SYSEXIT is #UD in long mode "
					"on AMD" : "");
		if (p->kind == GK_KVSYSCALL)
			ksnprintf(g->note, sizeof(g->note),
				  "__kernel_vsyscall enters with %s", kvdso_entry32_name());
		tap_check(1, "probe %s: gettimeofday returned the time (%ld s)", t, (long)got);
	} else if (st == KURUN_DONE) {
		g->state = PS_SKIP_UNEXPECTED;
		ksnprintf(g->reason, sizeof(g->reason),
			  "probe failed: the call came back without the time (%ld s, the clock says %ld s)",
			  (long)got, (long)now);
		tap_check(0, "probe %s: %s", t, g->reason);
	} else if (st == KURUN_FAULT(6) && doc_ud && (kurun.cs & 3) == 3) {
		g->state = PS_SKIP_EXPECTED;
		ksnprintf(g->reason, sizeof(g->reason),
			  "%s from 32-bit code: #UD, as %s documents", insn, vendor);
		tap_check(1, "probe %s: %s", t, g->reason);
	} else {
		g->state = PS_SKIP_UNEXPECTED;
		ksnprintf(g->reason, sizeof(g->reason), "probe failed: %s", what);
		tap_check(0, "probe %s: %s", t, g->reason);
	}
}

/* ---- measure ---------------------------------------------------------------------- */

/* kreport_path's run: the mode set_mode chose and the entries
 * linux_entries installed stay for the whole row */
static uint32_t run_path(const void *path, void (*loop)(void), uint32_t n, uint64_t *ticks)
{
	uint32_t st = run_loop(path, loop, n);
	*ticks = kurun.result;
	return st;
}

static unsigned nsets(void)
{
	return kmitig_requested() ? kmnsets : 0;
}

void gtod_run(void)
{
	kprintf("# gettimeofday through every Linux path, %u rows (gtod.def)\n", (unsigned)NG);
	if (setup_process())
		kernel_fail_end("gettimeofday: cannot build the measurement process");
	for (unsigned k = 0; k < NG; k++)
		if (kcfg_selected(gpaths[k].id))
			for (int set = -1; set < (int)nsets(); set++)
				probe(k, set);
	kprintf("1..%u\n", tap_count);

	unsigned measured = 0, total = 0;
	int all = 1;
	for (unsigned k = 0; k < NG; k++) {
		const struct gpath *p = &gpaths[k];
		if (!kcfg_selected(p->id))
			continue;
		/* a mitigated row is measured with its plain row's batch, like
		 * for like: picked with a flushing CR3 switch in its probe, its
		 * own would be far smaller (under TCG the vDSO's: 12 calls, not
		 * 192), and what each batch pays once (the TLB refill of the
		 * vDSO's pages after kuser_enter's switch) would weigh as many
		 * times more per call, where Linux's vDSO pays nothing */
		uint32_t batch = 0;
		for (int set = -1; set < (int)nsets(); set++) {
			total++;
			set_mode(p);
			if (gst[k][set + 1].state == PS_MEASURE)
				linux_entries(1, set);
			struct kreport_loops l = { run_path, p, p->op, p->empty, 0, batch };
			char t[80];
			ksnprintf(t, sizeof(t), "%s", tok(p, set));
			/* the same report as every round trip's (report.c) */
			int r = kreport_path(t, &gst[k][set + 1], NULL, &l, describe_status);
			if (set < 0 && r > 0)
				batch = l.batch;
			if (r > 0)
				measured++;
			else if (r < 0)
				all = 0;
		}
	}
	linux_entries(0, -1);
	kvsyscall_set(kcfg.vsyscall >= 0 ? kcfg.vsyscall : KVSYS_XONLY);
	kproc_free();
	kernel_end(all && tap_failed == 0, measured, total);
}
