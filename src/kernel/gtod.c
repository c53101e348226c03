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
 * then kmeasure takes the samples as for every other path. */
#include "gtod.h"
#include "kernel.h"
#include "ktime.h"
#include "kvdso.h"
#include "layout.h"
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

static const char *tok(const struct gpath *p)
{
	static char buf[80];
	ksnprintf(buf, sizeof(buf), "%s%s%s", p->id, p->variant ? "@" : "", p->variant ? p->variant : "");
	return buf;
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
	kvm_activate(&kproc.mm);
	uint64_t f64 = kproc.vdso64 + VDSO64_SYM___vdso_gettimeofday;
	uint32_t f32 = (uint32_t)(kproc.vdso32 + VDSO32_SYM___vdso_gettimeofday);
	uint32_t kv = (uint32_t)(kproc.vdso32 + VDSO32_SYM___kernel_vsyscall);
	kcopy_to_user(lx_vdso64, &f64, 8);
	kcopy_to_user(lx_vdso32, &f32, 4);
	kcopy_to_user(lx_kvsys, &kv, 4);
	return 0;
}

static void linux_entries(int on)
{
	static const char *const ids[] = { "syscall", "compat-syscall", "compat-sysenter",
					   "compat-int80" };
	for (unsigned i = 0; i < 4; i++) {
		unsigned k = (unsigned)kpath_index(ids[i]);
		if (on)
			kpath_install_full(k);
		else
			kpath_uninstall(k);
	}
}

static uint32_t run_loop(const struct gpath *p, void (*loop)(void), uint32_t n)
{
	return kuser_enter((uint64_t)(uintptr_t)loop, p->mode == 64 ? USER_CS64 : USER_CS32,
			   (uint64_t)(uintptr_t)user_stack_top, n);
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

static struct kpath_state gst[NG]; /* what each probe decided (kernel.h) */

static void probe(unsigned k)
{
	const struct gpath *p = &gpaths[k];
	const char *t = tok(p);
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
	gst[k].note[0] = 0;
	if (st == KURUN_DONE && got >= now - 2 && got <= now + 1) {
		gst[k].state = PS_MEASURE;
		if (doc_ud)
			ksnprintf(gst[k].note, sizeof(gst[k].note),
				  "%s from 32-bit code ran on this %s model although %s documents #UD: "
				  "the CPU or emulator departs from the vendor's documentation%s",
				  insn, vendor, vendor,
				  amd ? "; the kernel returns with iretq, as SYSEXIT is #UD in long mode "
					"on AMD" : "");
		if (p->kind == GK_KVSYSCALL)
			ksnprintf(gst[k].note, sizeof(gst[k].note),
				  "__kernel_vsyscall enters with %s", kvdso_entry32_name());
		tap_check(1, "probe %s: gettimeofday returned the time (%ld s)", t, (long)got);
	} else if (st == KURUN_DONE) {
		gst[k].state = PS_SKIP_UNEXPECTED;
		ksnprintf(gst[k].reason, sizeof(gst[k].reason),
			  "probe failed: the call came back without the time (%ld s, the clock says %ld s)",
			  (long)got, (long)now);
		tap_check(0, "probe %s: %s", t, gst[k].reason);
	} else if (st == KURUN_FAULT(6) && doc_ud && (kurun.cs & 3) == 3) {
		gst[k].state = PS_SKIP_EXPECTED;
		ksnprintf(gst[k].reason, sizeof(gst[k].reason),
			  "%s from 32-bit code: #UD, as %s documents", insn, vendor);
		tap_check(1, "probe %s: %s", t, gst[k].reason);
	} else {
		gst[k].state = PS_SKIP_UNEXPECTED;
		ksnprintf(gst[k].reason, sizeof(gst[k].reason), "probe failed: %s", what);
		tap_check(0, "probe %s: %s", t, gst[k].reason);
	}
}

/* ---- measure ---------------------------------------------------------------------- */

/* kreport_path's run: the mode set_mode chose stays for the whole row */
static uint32_t run_path(const void *path, void (*loop)(void), uint32_t n, uint64_t *ticks)
{
	uint32_t st = run_loop(path, loop, n);
	*ticks = kurun.result;
	return st;
}

void gtod_run(void)
{
	kprintf("# gettimeofday through every Linux path, %u rows (gtod.def)\n", (unsigned)NG);
	if (setup_process())
		kernel_fail_end("gettimeofday: cannot build the measurement process");
	linux_entries(1);
	for (unsigned k = 0; k < NG; k++)
		if (kcfg_selected(gpaths[k].id))
			probe(k);
	kprintf("1..%u\n", tap_count);

	unsigned measured = 0, total = 0;
	int all = 1;
	for (unsigned k = 0; k < NG; k++) {
		const struct gpath *p = &gpaths[k];
		if (!kcfg_selected(p->id))
			continue;
		total++;
		set_mode(p);
		struct kreport_loops l = { run_path, p, p->op, p->empty, 0 };
		char t[80];
		ksnprintf(t, sizeof(t), "%s", tok(p));
		/* the same report as every round trip's (report.c) */
		int r = kreport_path(t, &gst[k], NULL, &l, describe_status);
		if (r > 0)
			measured++;
		else if (r < 0)
			all = 0;
	}
	linux_entries(0);
	kvsyscall_set(kcfg.vsyscall >= 0 ? kcfg.vsyscall : KVSYS_XONLY);
	kproc_free();
	kernel_end(all && tap_failed == 0, measured, total);
}
