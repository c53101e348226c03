/* kentry kernel: the FRED mode (boot option `fred`; fred.h, docs/fred.md).
 *
 * When the boot asks for it and CPUID.(EAX=7,ECX=1):EAX[17] says the CPU
 * has FRED, kfred_init programs the FRED MSRs once:
 *   IA32_FRED_RSP0   kentry_stack_top: every event from ring 3 (level 0),
 *                    the stack TSS.RSP0 names for the IDT;
 *   IA32_FRED_RSP1   the #DB stack, RSP2 the NMI stack (#MC shares it,
 *                    as in Linux), RSP3 the #DF stack: the IST stacks,
 *                    reached by stack level instead of an IST index;
 *   IA32_FRED_STKLVLS #DB 1, NMI 2, #MC 2, #DF 3, everything else 0: an
 *                    event in ring 0 moves to a new stack only when its
 *                    level is above the current one (events from ring 3
 *                    always start at level 0);
 *   IA32_FRED_SSP1-3 0: shadow stacks (CET) are off, nothing reads them;
 *   IA32_FRED_CONFIG written by kfred_install for each batch: the entry
 *                    page, red zone 0 (the kernel is built with
 *                    -mno-red-zone: nothing lives below RSP), external
 *                    interrupts in ring 0 at level 0, CSL 0.
 * The IDT, TSS and syscall MSRs stay as they are: a fred-* path sets
 * CR4.FRED while it runs (kfred_install, from paths.c install) and clears
 * it afterwards, as an IDT path installs its gate for one batch, so one
 * boot measures both ways on one CPU and the table shows them side by
 * side. While CR4.FRED is set, everything the kernel does with ring 3
 * goes through FRED: kuser_enter returns to ring 3 with ERETU, the ring-3
 * loop's done event and every fault arrive at the FRED entry and are
 * classified here; the IDT is not consulted.
 *
 * kfred_classify is the software dispatch FRED asks for: the CPU delivers
 * every event to one place with its type and vector, and the kernel
 * decides what it is (Linux: fred_entry_from_user). Two things an IDT did
 * in hardware are done here: `int n` has no gate and no DPL check under
 * FRED, so an int n to a vector no path serves is refused in software
 * (#GP((n << 3) | 2), the error an IDT gate of DPL 0 raises), and an
 * event is told by its type as well as its vector (int $2 is not an NMI,
 * int $14 not a page fault). */
#include "fred.h"
#include "cpu.h"
#include "dispatch.h"
#include "harden.h"
#include "kernel.h"
#include "layout.h"
#include "trap.h"
#include "core/cpuinfo.h"

struct kfred_state kfred;
uint8_t kfred_active;
/* The event the installed path serves, as the event-information word
 * holds type and vector (fred.h kfred_classify; ~0: none), and the kind
 * it gets. */
uint32_t kfred_serve_ei = ~0u;
uint16_t kfred_serve_kind;

static uint16_t kind_of(unsigned type, unsigned vec)
{
	if (type == FRED_OTHER)
		return vec == FRED_VEC_SYSCALL ? KK_FRED_SYSCALL : KK_FRED_SYSENTER;
	return type == FRED_SWINT ? KK_FRED_INT : KK_FRED_EXC;
}

extern char kentry_stack_top[], kist_db_top[], kist_nmi_top[], kist_df_top[];

#define CR4_FRED (1ull << CR4_FRED_BIT)

static uint64_t stack_levels(void)
{
	if (!kharden_on(KH(FRED_STKLVL)))
		return 0; /* harden_off=fred_stklvl: every event at level 0 */
	return ((uint64_t)FRED_LVL_DB << (2 * VEC_DB)) | ((uint64_t)FRED_LVL_NMI << (2 * VEC_NMI)) |
	       ((uint64_t)FRED_LVL_DF << (2 * VEC_DF)) | ((uint64_t)FRED_LVL_MC << (2 * VEC_MC));
}

static uint64_t config_of(const void *page)
{
	return (uint64_t)(uintptr_t)page | FRED_CONFIG_REDZONE(0) | FRED_CONFIG_INTLVL(0);
}

void kfred_init(void)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	kfred.cpu = ci.has_fred;
	kfred.lkgs = ci.has_lkgs;
	if (!kcfg.fred) {
		ksnprintf(kfred.why, sizeof(kfred.why),
			  "FRED mode not requested (boot option fred, kentry boot --fred)");
		return;
	}
	if (!kfred.cpu) {
		ksnprintf(kfred.why, sizeof(kfred.why),
			  "no FRED on this CPU: CPUID.(EAX=7,ECX=1):EAX[17] = 0 (%s, %s)", ci.vendor,
			  ci.brand[0] ? ci.brand : "unnamed");
		return;
	}
	kfred.usable = 1;
	kfred.stklvls = stack_levels();
	wrmsr(KMSR_FRED_RSP0, (uint64_t)(uintptr_t)kentry_stack_top);
	wrmsr(KMSR_FRED_RSP1, (uint64_t)(uintptr_t)kist_db_top);
	wrmsr(KMSR_FRED_RSP2, (uint64_t)(uintptr_t)kist_nmi_top);
	wrmsr(KMSR_FRED_RSP3, (uint64_t)(uintptr_t)kist_df_top);
	wrmsr(KMSR_FRED_STKLVLS, kfred.stklvls);
	wrmsr(KMSR_FRED_SSP1, 0);
	wrmsr(KMSR_FRED_SSP2, 0);
	wrmsr(KMSR_FRED_SSP3, 0);
	wrmsr(KMSR_FRED_CONFIG, config_of((const void *)kf_fred_user));
}

void kfred_install(const void *page, unsigned id)
{
	kfred_serve_ei = id == FRED_ID_NONE ? ~0u : (FRED_ID_TYPE(id) << 16) | FRED_ID_VEC(id);
	kfred_serve_kind = kind_of(FRED_ID_TYPE(id), FRED_ID_VEC(id));
	wrmsr(KMSR_FRED_CONFIG, config_of(page));
	write_cr4(read_cr4() | CR4_FRED);
	kfred_level0(); /* an earlier abandoned frame may have left it raised */
	kfred_active = 1;
}

void kfred_uninstall(void)
{
	write_cr4(read_cr4() & ~CR4_FRED);
	kfred_active = 0;
	kfred_serve_ei = ~0u;
}

void kfred_set_rsp0(uint64_t rsp)
{
	wrmsr(KMSR_FRED_RSP0, rsp ? rsp : (uint64_t)(uintptr_t)kentry_stack_top);
}

unsigned kfred_type(const struct kregs *r)
{
	return (unsigned)(r->ss >> 48) & 0xf;
}

/* The last event in ring 0, for the TAP self-check (recorded only while
 * it asks). */
static struct {
	int armed;
	uint64_t ss, cs, frame;
} last0;

void kfred_classify_kernel(struct kregs *r)
{
	r->vector = (uint16_t)((r->ss >> 32) & 0xff);
	r->kind = KK_IDT;
	if (last0.armed) {
		last0.ss = r->ss;
		last0.cs = r->cs;
		last0.frame = (uint64_t)(uintptr_t)&r->error;
	}
}

/* Everything from ring 3 but the served event (fred.h kfred_classify). */
void kfred_classify_other(struct kregs *r)
{
	uint32_t ei = (uint32_t)(r->ss >> 32);
	unsigned vec = ei & 0xff, type = (ei >> 16) & 0xf;
	r->vector = (uint16_t)vec;
	unsigned id = FRED_ID(type, vec);
	if (id == FRED_ID(FRED_SWINT, VEC_DONE))
		kuser_done(((r->rdx & 0xffffffffull) << 32) | (r->rax & 0xffffffffull), r->rflags);
	if (type == FRED_SWINT && !kharden_on(KH(FRED_SWINT))) {
		/* harden_off=fred_swint (tests): every int n served */
		r->kind = KK_FRED_INT;
		return;
	}
	r->kind = KK_IDT;
	if (type == FRED_SWINT) {
		/* int n that no path serves: under FRED every vector reaches
		 * the kernel (no gate, no DPL); refuse it as an IDT gate of
		 * DPL 0 would: #GP with the gate's error code */
		r->vector = VEC_GP;
		r->error = ((uint64_t)vec << 3) | 2;
	} else if (type == FRED_OTHER) {
		/* a syscall or sysenter that no path serves, as a stray one
		 * reaching kstray_* through the MSRs without FRED */
		kuser_abort(vec == FRED_VEC_SYSENTER ? KURUN_STRAY_SYSENTER
			    : (r->cs & 0xffff) == USER_CS32 ? KURUN_STRAY_SYSCALL32
							    : KURUN_STRAY_SYSCALL);
	}
	/* every other event (an exception no path serves, an NMI, an
	 * interrupt, a #DB) is a trap: trap_dispatch, then ERETU */
}

/* ---- self-checks and environment ---------------------------------------------- */

static void ud2_fn(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void int1_fn(void *arg)
{
	(void)arg;
	__asm__ volatile(".byte 0xf1"); /* int1 (icebp): a privileged software #DB */
}

/* IRETQ to the same privilege level (ring 0 to ring 0): 1 when it lands. */
static int iret_same_level(void)
{
	uint64_t landed = 0;
	__asm__ volatile("mov %%rsp, %%rax\n\t"
			 "pushq %[ss]\n\t"
			 "pushq %%rax\n\t"
			 "pushfq\n\t"
			 "pushq %[cs]\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "iretq\n"
			 "1:\n\t"
			 "movq $1, %[l]"
			 : [l] "+r"(landed)
			 : [ss] "i"(SEL_KDATA), [cs] "i"(SEL_KCODE)
			 : "rax", "memory", "cc");
	return landed == 1;
}

/* fn in a contained ring-0 probe with CR4.FRED set; its status */
static uint32_t contained(void (*fn)(void *))
{
	kfred_install((const void *)kf_fred_user, FRED_ID_NONE);
	last0.armed = 1;
	last0.ss = last0.cs = last0.frame = 0;
	uint32_t st = kprobe_run(fn, 0);
	last0.armed = 0;
	kfred_uninstall(); /* the next install starts at CSL 0 again */
	return st;
}

void kfred_selfcheck(void)
{
	if (!kfred.usable)
		return;
	uint64_t rsp[4], lv = rdmsr(KMSR_FRED_STKLVLS);
	for (unsigned i = 0; i < 4; i++)
		rsp[i] = rdmsr(KMSR_FRED_RSP0 + i);
	tap_check(rsp[0] == (uint64_t)(uintptr_t)kentry_stack_top &&
			  rsp[1] == (uint64_t)(uintptr_t)kist_db_top &&
			  rsp[2] == (uint64_t)(uintptr_t)kist_nmi_top &&
			  rsp[3] == (uint64_t)(uintptr_t)kist_df_top && lv == kfred.stklvls,
		  "FRED MSRs read back: RSP0 entry stack, RSP1 #DB, RSP2 NMI/#MC, RSP3 #DF stacks; "
		  "STKLVLS 0x%lx",
		  lv);

	kfred_install((const void *)kf_fred_user, FRED_ID_NONE);
	uint64_t cr4_on = read_cr4(), cfg = rdmsr(KMSR_FRED_CONFIG);
	int iret0 = iret_same_level();
	kfred_uninstall();
	uint64_t cr4_off = read_cr4();
	tap_check((cr4_on & CR4_FRED) && !(cr4_off & CR4_FRED) &&
			  cfg == config_of((const void *)kf_fred_user),
		  "CR4.FRED set while a FRED path is installed (IA32_FRED_CONFIG 0x%lx: entry page, "
		  "red zone 0, interrupt level 0, CSL 0), clear after",
		  cfg);
	tap_check(iret0, "with CR4.FRED set, IRETQ within ring 0 still returns (only a change of "
			 "privilege level is refused)");

	/* a fault in ring 0: the kernel entry (+256), same stack, level 0 */
	uint32_t st = contained(ud2_fn);
	uint32_t ei = (uint32_t)(last0.ss >> 32);
	extern char boot_stack_top[];
	int on_boot = last0.frame < (uint64_t)(uintptr_t)boot_stack_top &&
		      last0.frame >= (uint64_t)(uintptr_t)boot_stack_top - 65536;
	tap_check(st == KURUN_FAULT(VEC_UD) && (ei & 0xff) == VEC_UD &&
			  ((ei >> 16) & 0xf) == FRED_HWEXC && ((last0.cs >> 16) & 3) == 0 &&
			  on_boot && last0.frame % 64 == 0,
		  "ud2 in ring 0 under FRED: event type %u vector %u at the ring-0 entry (+256), frame "
		  "at 0x%lx: 64-byte aligned, on the stack that ran (level 0, no switch): %s",
		  (ei >> 16) & 0xf, ei & 0xff, last0.frame, on_boot ? "yes" : "NO");

	/* a #DB in ring 0 (int1): its own stack level and stack */
	st = contained(int1_fn);
	ei = (uint32_t)(last0.ss >> 32);
	int on_db = last0.frame < (uint64_t)(uintptr_t)kist_db_top &&
		    last0.frame >= (uint64_t)(uintptr_t)kist_db_top - 8192;
	tap_check(st == KURUN_FAULT(VEC_DB) && (ei & 0xff) == VEC_DB &&
			  ((ei >> 16) & 0xf) == FRED_PRIVSW && on_db && ((last0.cs >> 16) & 3) == 0,
		  "int1 in ring 0 under FRED: #DB (type %u) raised to stack level %u: on the #DB stack "
		  "(IA32_FRED_RSP1): %s; the frame records the interrupted level %lu",
		  (ei >> 16) & 0xf, FRED_LVL_DB, on_db ? "yes" : "NO", (last0.cs >> 16) & 3);
}

/* env kernel.fred: off (not asked for), unavailable: <why> (asked for, the
 * CPU has none: every fred-* path is skipped with that reason), on. */
void kfred_env(void)
{
	kprintf("env cpu.fred %s\n", kfred.cpu ? "yes" : "no");
	kprintf("env cpu.lkgs %s\n", kfred.lkgs ? "yes" : "no");
	if (!kcfg.fred) {
		kprintf("env kernel.fred off\n");
		return;
	}
	if (!kfred.usable) {
		kprintf("env kernel.fred unavailable: %s\n", kfred.why);
		return;
	}
	kprintf("env kernel.fred on\n");
	kprintf("env fred.mode CR4.FRED set around each fred-* batch (the other paths run "
		"through the IDT), events dispatched on their type and vector, ERETU back\n");
	kprintf("env fred.stack_levels #DB %u, NMI %u, #MC %u, #DF %u, every other event 0 "
		"(IA32_FRED_STKLVLS 0x%lx); RSP0 entry stack, RSP1 #DB, RSP2 NMI and #MC, RSP3 #DF "
		"stack\n",
		(unsigned)(kfred.stklvls >> (2 * VEC_DB)) & 3,
		(unsigned)(kfred.stklvls >> (2 * VEC_NMI)) & 3,
		(unsigned)(kfred.stklvls >> (2 * VEC_MC)) & 3,
		(unsigned)(kfred.stklvls >> (2 * VEC_DF)) & 3, kfred.stklvls);
	kprintf("env fred.config entry page per path (page-aligned, ring-0 entry +256), red zone 0, "
		"interrupt stack level 0; IA32_FRED_SSP1-3 0 (no shadow stacks)\n");
}
