/* What KVM does to the bare-metal paths, decided on the host side
 * (src/emu/kvm.c): which paths KVM's instruction emulator would run when the
 * guest model's vendor is not the host's (skipped with the reason), which
 * the host CPU runs against the guest vendor's documentation (a note), and
 * the #UD paths that always time a VM exit (flagged). No KVM host needed. */
#include "t.h"
#include "emu/boot.h"
#include "emu/kvm.h"

#define INTEL "GenuineIntel"
#define AMD "AuthenticAMD"
#define HYGON "HygonGenuine"

static enum kkvm_action act(const char *id, const char *host, const char *guest)
{
	char text[320];
	return kkvm_path(id, host, guest, text, sizeof(text));
}

/* -cpu help lines as QEMU 7.2 prints them */
static const char *const HELP =
	"Available CPUs:\n"
	"x86 Dhyana                (alias configured by machine type)\n"
	"x86 Dhyana-v1             Hygon Dhyana Processor\n"
	"x86 EPYC                  (alias configured by machine type)\n"
	"x86 EPYC-Rome-v1          AMD EPYC-Rome Processor\n"
	"x86 EPYC-v1               AMD EPYC Processor\n"
	"x86 Skylake-Client        (alias configured by machine type)\n"
	"x86 Skylake-Client-v1     Intel Core Processor (Skylake)\n"
	"x86 kvm64                 (alias configured by machine type)\n"
	"x86 kvm64-v1              Common KVM processor\n"
	"x86 max                   Enables all features supported by the accelerator in the current host\n";

int main(void)
{
	char text[320];
	const char *ids[] = { "int-gate", "trap-gate", "call-gate", "sysenter", "syscall",
			      "compat-int80", "compat-sysenter", "compat-syscall",
			      "compat-call-gate", "exc-ud", "exc-ud-locknop", "exc-bp", "exc-pf",
			      "exc-de", "exc-gp", "syscall/iretq", "sysenter/iretq",
			      "int-gate/sysretq", "call-gate/iretq" };
	size_t nids = sizeof(ids) / sizeof(ids[0]);
	const char *long_ids[64];
	T_EQ_U64(nids, kboot_mode_ids(KBOOT_LONG, long_ids, 64));

	/* same vendor (the default, -cpu host): nothing is KVM's doing */
	for (size_t i = 0; i < nids; i++) {
		T_CHECK(act(ids[i], INTEL, INTEL) == KKVM_NONE);
		T_CHECK(act(ids[i], AMD, AMD) == KKVM_NONE);
		T_CHECK(act(ids[i], AMD, HYGON) == KKVM_NONE); /* Hygon follows AMD */
		T_CHECK(act(ids[i], AMD, NULL) == KKVM_NONE);  /* unknown: no claim */
	}

	/* Intel host, AMD guest model */
	T_CHECK(kkvm_path("compat-syscall", INTEL, AMD, text, sizeof(text)) == KKVM_SKIP);
	T_CHECK(strstr(text, "instruction emulator") && strstr(text, "Intel host"));
	T_CHECK(act("compat-syscall", INTEL, HYGON) == KKVM_SKIP);
	T_CHECK(kkvm_path("sysenter", INTEL, AMD, text, sizeof(text)) == KKVM_NOTE);
	T_CHECK(strstr(text, "AMD CPU raises #UD") != NULL);
	T_CHECK(act("sysenter/iretq", INTEL, AMD) == KKVM_NOTE);
	T_CHECK(act("compat-sysenter", INTEL, AMD) == KKVM_NOTE);
	/* AMD host, Intel guest model */
	T_CHECK(kkvm_path("sysenter", AMD, INTEL, text, sizeof(text)) == KKVM_SKIP);
	T_CHECK(strstr(text, "does not handle it in 64-bit mode") != NULL);
	T_CHECK(act("sysenter/iretq", AMD, INTEL) == KKVM_SKIP);
	T_CHECK(kkvm_path("compat-sysenter", AMD, INTEL, text, sizeof(text)) == KKVM_SKIP);
	T_CHECK(strstr(text, "emulates both") != NULL);
	T_CHECK(act("compat-syscall", AMD, INTEL) == KKVM_NOTE);
	T_CHECK(act("compat-syscall", HYGON, INTEL) == KKVM_NOTE);
	/* everything else runs on the host CPU as the guest's vendor says */
	for (size_t i = 0; i < nids; i++) {
		if (!strstr(ids[i], "sysenter") && strcmp(ids[i], "compat-syscall") != 0) {
			T_CHECK(act(ids[i], INTEL, AMD) == KKVM_NONE);
			T_CHECK(act(ids[i], AMD, INTEL) == KKVM_NONE);
		}
	}

	/* #UD always exits to KVM */
	T_CHECK(kkvm_flag("exc-ud") && strstr(kkvm_flag("exc-ud"), "VM exit"));
	T_CHECK(kkvm_flag("exc-ud-locknop") != NULL);
	T_CHECK(kkvm_flag("exc-gp") == NULL && kkvm_flag("syscall") == NULL);

	/* the guest model's vendor, before the run */
	T_STREQ(kkvm_model_vendor(HELP, "EPYC"), AMD);
	T_STREQ(kkvm_model_vendor(HELP, "epyc-rome-v1"), AMD);
	T_STREQ(kkvm_model_vendor(HELP, "Skylake-Client"), INTEL);
	T_STREQ(kkvm_model_vendor(HELP, "Dhyana"), HYGON);
	T_CHECK(kkvm_model_vendor(HELP, "kvm64") == NULL); /* "Common KVM processor" */
	T_CHECK(kkvm_model_vendor(HELP, "max") == NULL);
	T_CHECK(kkvm_model_vendor(HELP, "nosuch") == NULL);
	T_CHECK(kkvm_model_vendor(NULL, "EPYC") == NULL);

	/* the plan of a KVM run: AMD host, Intel model, every path */
	struct kkvm_plan p;
	const char *run_ids[KKVM_MAX_IDS];
	kkvm_plan(&p, KBOOT_LONG, AMD, INTEL, NULL, 0, run_ids);
	T_EQ_U64(p.n_skip, 3);
	T_EQ_U64(p.n_only, nids - 3);
	T_CHECK(!p.run_nothing);
	for (size_t i = 0; i < p.n_only; i++)
		T_CHECK(strstr(run_ids[i], "sysenter") == NULL);
	/* same vendor: the run is as asked */
	kkvm_plan(&p, KBOOT_LONG, INTEL, INTEL, NULL, 0, run_ids);
	T_EQ_U64(p.n_skip, 0);
	T_EQ_U64(p.n_only, 0);
	/* nothing left to run */
	static const char *const only[] = { "compat-syscall" };
	kkvm_plan(&p, KBOOT_LONG, INTEL, AMD, only, 1, run_ids);
	T_EQ_U64(p.n_skip, 1);
	T_CHECK(p.run_nothing);

	/* after a KVM run (Intel host) whose guest turned out AMD: the
	 * emulated path is skipped with its figure named, the native departure
	 * noted, the #UD paths flagged */
	struct krun run;
	krun_init(&run);
	kenv_set(&run.guest_env, "cpu.vendor", AMD);
	static const char *const got[] = { "compat-syscall", "sysenter", "exc-ud", "syscall" };
	for (size_t i = 0; i < 4; i++) {
		struct kresult *r = krun_add(&run, got[i], "bare-metal", "round-trip");
		r->cycles.median = 1234;
		r->cycles.n = 30;
	}
	struct kkvm_plan none;
	kkvm_plan(&none, KBOOT_LONG, INTEL, NULL, NULL, 0, run_ids); /* vendor unknown before the run */
	kkvm_adjust(&run, &none, INTEL);
	const struct kresult *r = krun_find(&run, "compat-syscall", "bare-metal");
	T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "1234 ticks"));
	r = krun_find(&run, "sysenter", "bare-metal");
	T_CHECK(r && r->status == KR_MEASURED && r->note && strstr(r->note, "runs sysenter itself"));
	r = krun_find(&run, "exc-ud", "bare-metal");
	T_CHECK(r && r->status == KR_MEASURED && r->anomaly && strstr(r->anomaly, "VM exit"));
	r = krun_find(&run, "syscall", "bare-metal");
	T_CHECK(r && r->status == KR_MEASURED && !r->note && !r->anomaly);
	krun_free(&run);

	/* planned skips become results */
	krun_init(&run);
	kkvm_plan(&p, KBOOT_LONG, AMD, INTEL, NULL, 0, run_ids);
	kkvm_adjust(&run, &p, AMD);
	T_EQ_U64(run.n, 3);
	r = krun_find(&run, "compat-sysenter", "bare-metal");
	T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "KVM"));
	krun_free(&run);
	/* the legacy kernel: its own ids; SYSCALL in legacy mode crosses vendors
	 * as it does from compatibility mode; SYSENTER does not (both vendors
	 * run it in legacy mode); task switches and #UD always time KVM */
	kkvm_plan(&p, KBOOT_LEGACY32, INTEL, AMD, NULL, 0, run_ids);
	T_EQ_U64(p.n_skip, 1);
	T_STREQ(p.skip[0].id, "legacy-syscall");
	T_EQ_U64(p.n_only, 16);
	T_CHECK(strstr(p.skip[0].reason, "legacy mode") != NULL);
	kkvm_plan(&p, KBOOT_LEGACY32, AMD, INTEL, NULL, 0, run_ids);
	T_EQ_U64(p.n_skip, 0);
	T_CHECK(act("legacy-syscall", AMD, INTEL) == KKVM_NOTE);
	T_CHECK(act("legacy-sysenter", AMD, INTEL) == KKVM_NONE);
	T_CHECK(act("legacy-sysenter", INTEL, AMD) == KKVM_NONE);
	T_CHECK(act("legacy-task-gate", INTEL, AMD) == KKVM_NONE);
	T_CHECK(kkvm_flag("legacy-task-gate") && strstr(kkvm_flag("legacy-task-gate"), "task switch"));
	T_CHECK(kkvm_flag("legacy-task-call-tss") != NULL && kkvm_flag("legacy-exc-bp-task") != NULL);
	T_CHECK(strstr(kkvm_flag("legacy-exc-ud-task"), "#UD") != NULL);
	T_CHECK(kkvm_flag("legacy-exc-ud") != NULL);
	T_CHECK(kkvm_flag("legacy-int-gate") == NULL && kkvm_flag("legacy-call-gate-params") == NULL);

	return T_DONE();
}
