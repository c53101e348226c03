/* kentry kernel: debug exceptions, NMIs and the local APIC timer while the
 * self-test or the fuzzer runs.
 *
 * Outside those runs the generic rules of trap.c apply (a #DB ends a
 * ring-3 excursion, an NMI is counted). During them, trap_dispatch asks
 * kevent_trap first:
 *   #DB  ring 0, RIP inside a full stub's single-step region (sysenter and
 *        call-gate stubs, up to the popfq that clears TF): the expected
 *        trap of a user's TF, ignored, as Linux ignores the SYSENTER ones;
 *        ring 0, a data breakpoint (DR6.B0): the MOV SS case, recorded
 *        (where, on which stack) and resumed;
 *        ring 0, a single step at a SYSCALL stub's first instruction: an
 *        emulator that takes SYSCALL's trap from the TF before FMASK
 *        (Bochs; hardware does not, Xen's XSA-204): counted, resumed;
 *        ring 0, anything else: the kernel was single-stepped or hit where
 *        it must not be: recorded as a failure, TF cleared to stop it;
 *        ring 3, stepping traced: the RIP is recorded and ring 3 resumes,
 *        as under a debugger;
 *   NMI  counted, with where it landed (ring 0 at a stub's first
 *        instruction, with RSP outside every kernel stack: the SYSCALL
 *        window) and whether its frame is on the NMI IST stack;
 *   timer counted likewise; sends a self-NMI every nmi_every ticks; ends
 *        a runaway ring-3 excursion when it is the watchdog (a due tick
 *        that lands in ring 0 fires again soon at another phase:
 *        watchdog_retry).
 * Every ring-0 #DB and NMI frame must be on its IST stack (off_ist
 * counts those that are not: harden_off=ist_* shows it). */
#include "events.h"
#include "apic.h"
#include "kernel.h"
#include "layout.h"
#include "trap.h"

struct kevents kev;

extern char kist_db_top[], kist_nmi_top[], kentry_stack[], kentry_stack_top[];
extern char kist_stacks[], kist_stacks_end[], boot_stack_top[];
extern const uint64_t kentry_step_regions[], kentry_step_regions_end[];
extern void kf_syscall64(void), kf_syscall32(void), kf_syscall64_iret(void);
extern void kf_syscall64_mitig(void), kf_syscall32_mitig(void), kf_syscall64_iret_mitig(void);

#define IST_SIZE 8192

static void (*const *stub_list)(void);
static unsigned nstubs;

void kevents_set_stubs(void (*const *stubs)(void), unsigned n)
{
	stub_list = stubs;
	nstubs = n < 64 ? n : 64;
}

int kevents_stub_index(uint64_t rip)
{
	for (unsigned i = 0; i < nstubs; i++)
		if ((uint64_t)(uintptr_t)stub_list[i] == rip)
			return (int)i;
	return -1;
}

void kevents_reset(void)
{
	int armed = kev.armed, st = kev.step_trace, ru = kev.resume_user_db, df = kev.df_ends_run;
	int nd = kev.nmi_from_db;
	uint64_t wd = kev.watchdog;
	unsigned ne = kev.nmi_every;
	memset(&kev, 0, sizeof(kev));
	kev.armed = armed;
	kev.step_trace = st;
	kev.resume_user_db = ru;
	kev.watchdog = wd;
	kev.nmi_every = ne;
	kev.df_ends_run = df;
	kev.nmi_from_db = nd;
}

uint64_t read_dr6(void)
{
	uint64_t v;
	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

void write_dr7(uint64_t v)
{
	__asm__ volatile("mov %0, %%dr7" : : "r"(v));
}

void write_dr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%dr0" : : "r"(v));
}

static void clear_dr6(void)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0ff0ull));
}

static int in_step_region(uint64_t rip)
{
	for (const uint64_t *p = kentry_step_regions; p < kentry_step_regions_end; p += 2)
		if (rip >= p[0] && rip <= p[1])
			return 1;
	return 0;
}

static int on_stack(const void *p, const char *top, uint64_t size)
{
	uintptr_t a = (uintptr_t)p;
	return a < (uintptr_t)top && a >= (uintptr_t)top - size;
}

/* RSP values the kernel runs on: the boot stack, the entry stack, the IST
 * stacks. Anything else in ring 0 is a stack ring 3 chose. */
static int kernel_stack(uint64_t rsp)
{
	return (rsp > (uint64_t)(uintptr_t)kentry_stack &&
		rsp <= (uint64_t)(uintptr_t)kist_stacks_end) ||
	       (rsp <= (uint64_t)(uintptr_t)boot_stack_top &&
		rsp > (uint64_t)(uintptr_t)boot_stack_top - 65536);
}

static int syscall_stub(uint64_t rip)
{
	return rip == (uint64_t)(uintptr_t)kf_syscall64 || rip == (uint64_t)(uintptr_t)kf_syscall32 ||
	       rip == (uint64_t)(uintptr_t)kf_syscall64_iret ||
	       rip == (uint64_t)(uintptr_t)kf_syscall64_mitig ||
	       rip == (uint64_t)(uintptr_t)kf_syscall32_mitig ||
	       rip == (uint64_t)(uintptr_t)kf_syscall64_iret_mitig;
}

/* 1 when rip is a full stub's first instruction (counted per stub) */
static int at_stub(uint64_t rip)
{
	int i = kevents_stub_index(rip);
	if (i >= 0)
		kev.at_stub[i]++;
	return i >= 0;
}

static int debug_trap(struct kregs *f)
{
	uint64_t dr6 = read_dr6();
	clear_dr6();
	if ((f->cs & 3) == 0) {
		if (!on_stack(f, kist_db_top, IST_SIZE))
			kev.db_off_ist++;
		if (dr6 & 1) { /* B0: the self-test's breakpoint */
			kev.db_kbp++;
			if (kevents_stub_index(f->rip) >= 0)
				kev.db_kbp_at_stub++;
			if (kev.nmi_from_db)
				apic_self_nmi(); /* lands while this handler runs */
			/* an instruction breakpoint is a fault: RF lets the
			 * instruction run on return instead of faulting again */
			f->rflags |= RF_RF;
			return 1;
		}
		if (in_step_region(f->rip)) {
			kev.db_kstep++;
			return 1;
		}
		if ((dr6 & (1u << 14)) && syscall_stub(f->rip)) {
			/* SYSCALL's own single-step trap, taken from the TF
			 * before FMASK: hardware takes it from the masked
			 * RFLAGS (none), Bochs 2.7 delivers it here, at the
			 * stub's first instruction with RSP still the
			 * user's. Survivable only on the IST stack (checked
			 * above); counted and reported, not a kernel fault. */
			kev.db_syscall_tf++;
			return 1;
		}
		if (!kev.db_kother++)
			kev.db_first_rip = f->rip;
		f->rflags &= ~(uint64_t)RF_TF;
		return 1;
	}
	if ((dr6 & 1) && kev.resume_user_db) {
		kev.db_user++;
		return 1;
	}
	if (kev.step_trace && (dr6 & (1u << 14))) {
		if (kev.ntrace < KEV_TRACE_MAX)
			kev.trace[kev.ntrace++] = f->rip;
		kev.db_user++;
		return 1;
	}
	return 0;
}

/* The watchdog is due but its tick landed in ring 0: ring 3 loops on a
 * kernel entry through a gate that keeps IF = 1 (the trap gate, the call
 * gates), and the tick was taken at the stub's first instruction, where
 * the excursion cannot be ended (the stub has not yet made the kernel's
 * state its own). A periodic timer can alias with such a loop and land
 * in ring 0 forever: under -icount it does, the phase repeats exactly
 * (the fuzzer's `int 0x82; jmp .-2`). So fire again soon, as a one-shot,
 * after a count that changes with every try (a Weyl sequence over 1 to
 * 4096 bus ticks): the phase walks over the whole loop and reaches its
 * ring-3 instructions. A function of the number of tries alone, so under
 * -icount the tick that ends the loop, and the outcome, are the same in
 * every run. */
static void watchdog_retry(void)
{
	kev.wd_retries++;
	apic_timer_start(1 + (uint32_t)((kev.wd_retries * 2654435761u) % 4096u), 0);
}

int kevent_trap(struct kregs *f)
{
	if (f->vector == VEC_NMI) {
		kev.nmis++;
		if ((f->cs & 3) == 0) {
			kev.nmi_ring0++;
			kev.nmi_at_stub += at_stub(f->rip);
			if (!kernel_stack(f->rsp))
				kev.nmi_user_rsp++;
			if (!on_stack(f, kist_nmi_top, IST_SIZE))
				kev.nmi_off_ist++;
			if (f->rsp <= (uint64_t)(uintptr_t)kist_db_top &&
			    f->rsp > (uint64_t)(uintptr_t)kist_db_top - IST_SIZE)
				kev.nmi_on_db++;
		}
		return 1;
	}
	if (!kev.armed)
		return 0;
	if (f->vector == VEC_DB)
		return debug_trap(f);
	if (f->vector == VEC_APIC_TIMER) {
		kev.ticks++;
		if ((f->cs & 3) == 0) {
			kev.tick_ring0++;
			kev.tick_at_stub += at_stub(f->rip);
		}
		apic_eoi();
		if (kev.nmi_every && kev.ticks % kev.nmi_every == 0)
			apic_self_nmi();
		if (kev.watchdog && kev.ticks >= kev.watchdog && kurun.active) {
			if ((f->cs & 3) == 3) {
				/* where the tick found ring 3, and its registers
				 * (the fuzzer checks them like a fault's) */
				kurun.vector = f->vector;
				kurun.error = 0;
				kurun.rip = f->rip;
				kurun.cs = f->cs;
				kurun.cr2 = 0;
				kurun.frame = *f;
				kuser_abort(KURUN_TIMEOUT);
			}
			watchdog_retry();
		}
		return 1;
	}
	return 0;
}

/* After the timer was stopped: an interrupt it raised while ring 0 ran
 * (IF = 0) may still be pending in the APIC; take it now, in ring 0, so
 * that it does not land in the next ring-3 program. */
void kevents_drain(void)
{
	__asm__ volatile("sti; nop; nop; nop; cli" : : : "memory");
}
