/* kentry kernel: the protections a real kernel runs with, and proof that
 * each one holds.
 *
 *   NX, W^X, page 0   vm.c maps the image with 4 KiB pages by section;
 *   SMEP (CR4.20)     ring 0 never executes a user page;
 *   SMAP (CR4.21)     ring 0 reads or writes a user page only between
 *                     stac and clac (uaccess.h), and every full entry
 *                     clears AC, which int n, call gates and sysenter keep;
 *   UMIP (CR4.11)     sgdt, sidt, sldt, smsw, str #GP in ring 3: no kernel
 *                     table address reaches user space;
 *   IST               #DB, NMI, #DF and #MC on stacks of their own (arch.c).
 * Each is used only where CPUID offers it (probe before use: QEMU's TCG
 * models differ) and can be switched off for a test (harden.h). The env
 * lines say what is on, and the TAP lines do not stop at the control bits:
 * each protection is exercised from ring 0 inside a contained probe
 * (kprobe_run: a fault there is caught and reported, entry.S) or from
 * ring 3, and must stop what it exists to stop. */
#include "protect.h"
#include "cpu.h"
#include "harden.h"
#include "kernel.h"
#include "layout.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "core/cpuinfo.h"
#include "core/desc.h"

#define CR4_UMIP (1ull << 11)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

struct kprot kprot;
uint32_t kharden_off;

/* In KH_BIT_* order (harden.h). */
static const char *const hnames[KH_COUNT] = {
	"nx", "wx", "nullpage", "smep", "smap", "umip", "ist_db", "ist_nmi", "ist_df",
	"ist_mc", "stack", "flags", "clear_regs", "exit_canonical", "exit_regs",
	"exit_flags", "sysret_ss", "fred_stklvl", "fred_swint", "uaccess",
	"kpti", "kpti_exit", "kpti_mirror",
};
static const char *const hwhat[KH_COUNT] = {
	"EFER.NXE and NX on every page that is not code",
	"kernel text mapped read-only (W^X)",
	"page 0 unmapped",
	"CR4.SMEP: ring 0 never executes user pages",
	"CR4.SMAP: ring 0 touches user pages only between stac/clac",
	"CR4.UMIP: sgdt/sidt/sldt/smsw/str #GP in ring 3",
	"#DB on its own IST stack",
	"NMI on its own IST stack",
	"#DF on its own IST stack",
	"#MC on its own IST stack",
	"syscall entries switch to the kernel stack before any push",
	"entries clear TF, NT, AC, DF that the mechanism leaves set",
	"user registers cleared before any C runs",
	"fast exit only to a canonical RIP and RSP",
	"fast exit only when the registers it clobbers match the frame",
	"fast exit only when RFLAGS has no TF or RF",
	"AMD: a usable SS before SYSRET (Linux's SYSRET_SS_ATTRS fix-up)",
	"FRED: #DB, NMI, #MC and #DF in ring 0 on stack levels of their own (IA32_FRED_STKLVLS)",
	"FRED: int n from ring 3 refused (#GP) unless a path serves its vector (no IDT gate DPL does it)",
	"system calls refuse user pointers outside the process's range (-EFAULT)",
	"KPTI: the user page tables leave the kernel out",
	"KPTI: every exit switches back to the user page tables",
	"KPTI: a process's unmap and mprotect reach its user page tables",
};

const char *kharden_name(unsigned i)
{
	return i < KH_COUNT ? hnames[i] : "?";
}

const char *kharden_what(unsigned i)
{
	return i < KH_COUNT ? hwhat[i] : "?";
}

int kharden_parse(const char *list, char *bad, unsigned badlen)
{
	size_t n;
	for (const char *p = list, *w; (w = kword_next(&p, &n));) {
		int k = kword_index(hnames, KH_COUNT, w, n);
		if (k < 0) {
			kword_copy(bad, badlen, w, n);
			return -1;
		}
		kharden_off |= 1u << k;
	}
	return 0;
}

/* "on", "off (harden_off=x)" or "not offered by this CPU". */
static void state(char *buf, size_t n, int cpu, uint32_t bit, int *on)
{
	*on = cpu && kharden_on(bit);
	if (*on)
		ksnprintf(buf, n, "on");
	else if (!cpu)
		ksnprintf(buf, n, "not offered by this CPU");
	else
		ksnprintf(buf, n, "off (harden_off=%s)", kharden_name((unsigned)__builtin_ctz(bit)));
}

void protect_init(void)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	kprot.cpu_smep = ci.has_smep;
	kprot.cpu_smap = ci.has_smap;
	kprot.cpu_umip = ci.has_umip;
	state(kprot.smep_s, sizeof(kprot.smep_s), ci.has_smep, KH(SMEP), &kprot.smep);
	state(kprot.smap_s, sizeof(kprot.smap_s), ci.has_smap, KH(SMAP), &kprot.smap);
	state(kprot.umip_s, sizeof(kprot.umip_s), ci.has_umip, KH(UMIP), &kprot.umip);
	uint64_t cr4 = read_cr4();
	if (kprot.smep)
		cr4 |= CR4_SMEP;
	if (kprot.smap)
		cr4 |= CR4_SMAP;
	if (kprot.umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
}

void protect_env(void)
{
	kprintf("env prot.nx %s\n", kvm_nx ? "on"
				 : !kvm_layout.nx_cpu ? "not offered by this CPU"
						      : "off (harden_off=nx)");
	kprintf("env prot.wx %s\n", kvm_layout.wx ? "on (text read-only, nothing writable is executable)"
						 : "off (harden_off=wx)");
	kprintf("env prot.nullpage %s\n", kvm_layout.nullpage ? "on" : "off (harden_off=nullpage)");
	kprintf("env prot.smep %s\n", kprot.smep_s);
	kprintf("env prot.smap %s\n", kprot.smap_s);
	kprintf("env prot.umip %s\n", kprot.umip_s);
	kprintf("env prot.ist %s\n", arch_ist_state());
	char off[256] = "";
	size_t used = 0;
	for (unsigned k = 0; k < KH_COUNT; k++)
		if (kharden_off & (1u << k))
			used += (size_t)ksnprintf(off + used, sizeof(off) - used, "%s%s",
						  used ? "," : "", kharden_name(k));
	kprintf("env kernel.harden_off %s\n", used ? off : "none");
}

/* ---- probes: each protection must stop what it is there to stop ---------- */

extern void kuser_ret(void);            /* user.S: a `ret` in a user text page */
extern char kuser_probe_word[];          /* user.S: 8 bytes in a user data page */
extern void u64_umip_probe(void);        /* user.S: sgdt in ring 3, base in EDX:EAX */
extern char user_stack_top[];
extern char __text_start[];
extern uint64_t kgdt[];

/* a `ret` in kernel data: executing it must fault under NX */
static volatile uint8_t knx_ret __attribute__((used)) = 0xc3;
static volatile uint64_t ksink;

static void exec_at(void *p)
{
	((void (*)(void))p)();
}

static void read_at(void *p)
{
	ksink = *(volatile uint64_t *)p;
}

static void write_text(void *p)
{
	volatile uint8_t *b = p;
	*b = *b; /* the same value: harmless if it goes through */
}

static void read_user_stac(void *p)
{
	uaccess_begin();
	ksink = *(volatile uint64_t *)p;
	uaccess_end();
}

/* Runs fn(arg) contained; fills what with "completed" or the fault. */
static uint32_t contained(void (*fn)(void *), void *arg, char *what, size_t n)
{
	uint32_t st = kprobe_run(fn, arg);
	if (st == 0)
		ksnprintf(what, n, "completed");
	else
		ksnprintf(what, n, "%s, error 0x%lx, cr2 0x%lx", trap_name(st - 0x100),
			  kprobe.error, kprobe.cr2);
	return st;
}

#define PF_FAULT (0x100u + VEC_PF)

/* A simulated kernel bug, contained (self-test case 12): 0 when it went
 * through, else 0x100 + the vector that stopped it. */
unsigned kbug_run(unsigned which)
{
	switch (which) {
	case 1: return kprobe_run(read_at, kuser_probe_word);        /* SMAP */
	case 2: return kprobe_run(exec_at, (void *)kuser_ret);        /* SMEP */
	case 3: return kprobe_run(exec_at, (void *)&knx_ret);         /* NX */
	case 4: return kprobe_run(write_text, __text_start + 0x10);   /* W^X */
	case 5: return kprobe_run(read_at, (void *)0);                /* page 0 */
	}
	return 0xffff;
}

void protect_selfcheck(void)
{
	char w[160];
	uint32_t st;
	uint64_t cr4 = read_cr4();

	if (kvm_layout.nx_cpu) {
		st = contained(exec_at, (void *)&knx_ret, w, sizeof(w));
		tap_check(st == PF_FAULT && (kprobe.error & 0x10),
			  "NX: ring 0 executing kernel data faults (%s)", w);
	} else {
		tap_check(1, "NX: not offered by this CPU (CPUID 0x80000001:EDX[20] = 0)");
	}
	st = contained(write_text, __text_start + 0x10, w, sizeof(w));
	tap_check(st == PF_FAULT && (kprobe.error & 0x3) == 0x3,
		  "W^X: ring 0 writing kernel text faults (%s)", w);
	st = contained(read_at, (void *)0, w, sizeof(w));
	tap_check(st == PF_FAULT && !(kprobe.error & 1),
		  "page 0: a NULL read in ring 0 faults (%s)", w);

	if (kprot.cpu_smep) {
		st = contained(exec_at, (void *)kuser_ret, w, sizeof(w));
		tap_check(!!(cr4 & CR4_SMEP) && st == PF_FAULT && (kprobe.error & 0x10),
			  "SMEP: CR4.SMEP %s; ring 0 executing a user page faults (%s)",
			  (cr4 & CR4_SMEP) ? "set" : "clear", w);
	} else {
		tap_check(!(cr4 & CR4_SMEP), "SMEP: not offered by this CPU (CPUID.7.0:EBX[7] = 0)");
	}
	if (kprot.cpu_smap) {
		st = contained(read_at, kuser_probe_word, w, sizeof(w));
		char w2[160];
		uint32_t st2 = contained(read_user_stac, kuser_probe_word, w2, sizeof(w2));
		tap_check(!!(cr4 & CR4_SMAP) && st == PF_FAULT && (kprobe.error & 0x1) && st2 == 0,
			  "SMAP: CR4.SMAP %s; ring 0 reading a user page faults (%s), between stac and clac it works (%s)",
			  (cr4 & CR4_SMAP) ? "set" : "clear", w, w2);
	} else {
		tap_check(!(cr4 & CR4_SMAP), "SMAP: not offered by this CPU (CPUID.7.0:EBX[20] = 0)");
	}

	/* UMIP: from ring 3, sgdt must #GP; without UMIP it hands ring 3 the
	 * kernel's GDT address. */
	uint32_t ust = kuser_enter((uint64_t)(uintptr_t)u64_umip_probe, USER_CS64,
				   (uint64_t)(uintptr_t)user_stack_top, 1);
	uint64_t gdt_base = (uint64_t)(uintptr_t)kgdt;
	if (kprot.cpu_umip)
		tap_check(!!(cr4 & CR4_UMIP) && ust == 0x100u + VEC_GP && (kurun.cs & 3) == 3,
			  "UMIP: CR4.UMIP %s; sgdt in ring 3 %s", (cr4 & CR4_UMIP) ? "set" : "clear",
			  ust == 0x100u + VEC_GP ? "raises #GP"
			  : ust == 0 && kurun.result == gdt_base ? "returned the kernel's GDT address"
								 : "did something unexpected");
	else
		tap_check(ust == 0 && kurun.result == gdt_base,
			  "UMIP: not offered by this CPU (CPUID.7.0:ECX[2] = 0): sgdt in ring 3 returns the GDT base 0x%lx, as documented",
			  kurun.result);
}
