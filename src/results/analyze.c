/* kentry results: anomaly analysis of a run (see analyze.h). */
#include "analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* analysis                                                            */

static int id_in(const char *id, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(id, *set) == 0)
			return 1;
	return 0;
}

static int linux_at_least(const struct krun *run, int major, int minor)
{
	const char *rel = kenv_get(&run->env, "kernel.release");
	int a = 0, b = 0;
	if (!rel || sscanf(rel, "%d.%d", &a, &b) != 2)
		return 0;
	return a > major || (a == major && b >= minor);
}

/* The Linux kernel of the run uses FRED (env.c kernel.fred) */
static int fred_on(const struct krun *run)
{
	const char *f = kenv_get(&run->env, "kernel.fred");
	return f && strcmp(f, "on") == 0;
}

static char *cause_for(const struct krun *run, const struct kresult *r)
{
	static const char *const signals[] = { "ud2-sigill", "int3-sigtrap",
					       "pagefault-sigsegv", "sud-sigsys", NULL };
	static const char *const gates[] = { "int80-64", "int80-32", "int-gate",
					     "trap-gate", "compat-int80", "call-gate",
					     "compat-call-gate", NULL };
	const char *hv = kenv_get(&run->env, "hypervisor");
	const char *vs = kenv_get(&run->env, "vsyscall.mode");
	const char *kpti = kenv_get(&run->env, "kpti");
	char *s = NULL;
	int rc = 0;
	int under_hv = hv && strcmp(hv, "none") != 0;
	if (strcmp(r->id, "ud2-sigill") == 0 && under_hv)
		rc = asprintf(&s, "a signal round trip (two kernel entries and the FPU"
			      " state), and hypervisors of the KVM kind intercept every #UD"
			      " (%s here)", hv);
	else if (strcmp(r->world, "linux") == 0 && id_in(r->id, signals))
		rc = asprintf(&s, "a signal round trip: the exception entry, the signal frame"
			      " with the FPU state, and a second entry for rt_sigreturn");
	else if (strncmp(r->id, "int80-", 6) == 0 && fred_on(run))
		/* FRED delivers int $0x80 as a software-interrupt event: Linux
		 * (fred_intx, fred_int80_emulation) knows it from the event
		 * type and reads no APIC register */
		rc = asprintf(&s, "this kernel uses FRED: int 0x80 arrives as a software-interrupt"
			      " event and Linux reads no APIC register for it (no in-service check,"
			      " which IDT kernels since 6.7 make): that is not the cost here%s%s%s",
			      under_hv ? " (under " : "", under_hv ? hv : "", under_hv ? ")" : "");
	else if (strncmp(r->id, "int80-", 6) == 0 && under_hv && linux_at_least(run, 6, 7))
		rc = asprintf(&s, "since Linux 6.7 every int 0x80 through the IDT reads the local"
			      " APIC's in-service register to reject a forged external vector (under"
			      " FRED it need not: the event type says software interrupt);"
			      " under a hypervisor (%s here) that read is a VM exit", hv);
	else if (strcmp(r->id, "vsyscall") == 0 && vs && strcmp(vs, "native") != 0)
		rc = asprintf(&s, "vsyscall=%s: every call faults and the kernel emulates it", vs);
	else if (strcmp(r->world, "linux") == 0 && id_in(r->id, gates) && under_hv)
		rc = asprintf(&s, "IDT-vectored entries cost far more than syscall under"
			      " this hypervisor (%s): the hypervisor, not Linux, is the"
			      " likely cost%s", hv,
			      kpti && strcmp(kpti, "yes") == 0 ? "; KPTI also active" : "");
	else if (strcmp(r->world, "bare-metal") == 0) {
		const char *accel = kenv_get(&run->guest_env, "accel");
		size_t l = strlen(r->id);
		int task = strncmp(r->id, "legacy-task-", 12) == 0 ||
			   (strncmp(r->id, "legacy-", 7) == 0 && l > 5 &&
			    strcmp(r->id + l - 5, "-task") == 0);
		if (accel && strcmp(accel, "tcg") == 0 && task)
			rc = asprintf(&s, "a hardware task switch loads CR3 from the TSS, twice per"
				      " round trip, and QEMU TCG flushes its whole TLB on every CR3"
				      " load: the emulator's cost, not the hardware's");
		else if (accel && strcmp(accel, "tcg") == 0)
			rc = asprintf(&s, "emulated by QEMU TCG: the emulator's cost of this path,"
				      " not the hardware's");
	}
	if (rc < 0)
		s = NULL;
	return s;
}

void kanalyze(struct krun *run)
{
	double hz = 0.0;
	const char *h = kenv_get(&run->env, "tsc.hz");
	if (h)
		hz = strtod(h, NULL);
	double ghz_guest = 0.0;
	const char *gh = kenv_get(&run->guest_env, "tsc.hz");
	if (gh)
		ghz_guest = strtod(gh, NULL);
	int counting = strcmp(krun_bare_unit(run), "instructions") == 0;

	for (size_t i = 0; i < run->n; i++) {
		struct kresult *r = &run->r[i];
		if (r->status != KR_MEASURED)
			continue;
		if (!r->has_ns) {
			if (strcmp(r->world, "linux") == 0)
				kresult_set_ns(r, hz);
			else if (!counting)
				kresult_set_ns(r, ghz_guest);
		}
	}
	for (size_t i = 0; i < run->n; i++) {
		struct kresult *r = &run->r[i];
		if (r->status != KR_MEASURED || strcmp(r->id, "syscall") == 0 || r->anomaly)
			continue;
		/* against syscall in the same variant (a full path against full syscall) */
		struct kresult *base = krun_find_variant(run, "syscall", r->world, r->variant);
		if (!base || base->status != KR_MEASURED || !(base->cycles.median > 0.0) ||
		    strcmp(base->op, r->op) != 0)
			continue;
		double ratio = r->cycles.median / base->cycles.median;
		if (ratio < 10.0)
			continue;
		char *cause = cause_for(run, r);
		if (asprintf(&r->anomaly, "%.0fx syscall%s%s", ratio, cause ? ": " : "",
			     cause ? cause : "") < 0)
			r->anomaly = NULL;
		free(cause);
	}
}

