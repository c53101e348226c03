/* kentry kernel: #DB, NMI and timer-interrupt handling for the self-test
 * and the fuzzer (events.c), and kernel invariants (invariant.c). */
#ifndef KENTRY_KERNEL_EVENTS_H
#define KENTRY_KERNEL_EVENTS_H

#include <stdint.h>
#include "regs.h"

#define KEV_TRACE_MAX 64

struct kevents {
	/* switches, set by the harness */
	int armed;          /* handle #DB/NMI/timer for a self-test or fuzz run */
	int step_trace;     /* ring-3 single-steps are recorded and resumed */
	int resume_user_db; /* a ring-3 data-breakpoint #DB is counted and resumed */
	unsigned nmi_every; /* timer: a self-NMI every n ticks (0: none) */
	uint64_t watchdog;  /* the timer's n-th tick, in ring 3, ends the excursion
			     * (KURUN_TIMEOUT); 0: never */
	int df_ends_run;    /* a #DF ends the excursion, reported, instead of the
			     * kernel (the FRED nested-delivery case) */
	int nmi_from_db;    /* a ring-0 breakpoint #DB sends itself an NMI (FRED:
			     * level 2 on top of level 1) */
	/* observations */
	uint64_t trace[KEV_TRACE_MAX];
	unsigned ntrace;
	uint64_t db_user, db_kstep, db_kbp, db_kbp_at_stub, db_kother, db_off_ist, db_syscall_tf;
	uint64_t db_first_rip;          /* the first ring-0 #DB outside a step region */
	uint64_t nmis, nmi_ring0, nmi_at_stub, nmi_user_rsp, nmi_off_ist;
	uint64_t nmi_on_db;             /* NMIs that interrupted code on the #DB stack */
	uint64_t ticks, tick_ring0, tick_at_stub;
	uint64_t wd_retries;            /* due watchdog ticks that landed in ring 0 */
	uint64_t at_stub[64];           /* interrupts/NMIs at each full stub's first instruction */
	/* the last #DF that ended a run (df_ends_run): its FRED frame */
	uint64_t df_frame, df_ss, df_cs;
};
extern struct kevents kev;

/* Called first by trap_dispatch: 1 when the event was handled and the
 * frame may be returned to. */
int kevent_trap(struct kregs *f);
void kevents_reset(void);
void kevents_drain(void);
/* The full stubs' entry points (index used by kev.at_stub). */
void kevents_set_stubs(void (*const *stubs)(void), unsigned n);
int kevents_stub_index(uint64_t rip);

uint64_t read_dr6(void);
void write_dr7(uint64_t v);
void write_dr0(uint64_t v);

/* Kernel invariants: what no user program may change. */
struct kinv {
	uint64_t gdt[13];
	uint64_t idt[512];
	uint8_t tss[104];
	uint64_t msr[8]; /* STAR LSTAR CSTAR FMASK SYSENTER_CS/ESP/EIP EFER */
	uint64_t cr0, cr3, cr4, dr7;
};
void kinv_take(struct kinv *v);
/* NULL when equal, else the first difference in words (static buffer). */
const char *kinv_diff(const struct kinv *before, const struct kinv *after);

#endif
