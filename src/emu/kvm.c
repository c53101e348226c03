/* kentry emu: what KVM does to the bare-metal paths. See kvm.h. */
#include "kvm.h"
#include "boot.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* AMD's rules (APM) for AuthenticAMD and HygonGenuine; Intel's (SDM) for
 * every other vendor, as the kernel's probe does. */
static int is_amd(const char *vendor)
{
	return vendor && (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"));
}

static int in(const char *id, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(id, *set))
			return 1;
	return 0;
}

enum kkvm_action kkvm_path(const char *id, const char *host_vendor, const char *guest_vendor,
			   char *text, size_t len)
{
	static const char *const sysenter64[] = { "sysenter", "sysenter/iretq", NULL };
	if (len)
		text[0] = '\0';
	if (!host_vendor || !guest_vendor || !*host_vendor || !*guest_vendor ||
	    is_amd(host_vendor) == is_amd(guest_vendor))
		return KKVM_NONE;
	if (!is_amd(host_vendor)) {
		/* Intel host, AMD guest model */
		int legacy = !strcmp(id, "legacy-syscall");
		if (legacy || !strcmp(id, "compat-syscall")) {
			snprintf(text, len, "KVM would time its instruction emulator: syscall %s raises "
					    "#UD on this Intel host (%s) and KVM emulates it for the AMD "
					    "guest model",
				 legacy ? "in legacy mode" : "from compatibility mode", host_vendor);
			return KKVM_SKIP;
		}
		if (in(id, sysenter64) || !strcmp(id, "compat-sysenter")) {
			snprintf(text, len, "under KVM the Intel host CPU (%s) runs sysenter itself; an "
					    "AMD CPU raises #UD here",
				 host_vendor);
			return KKVM_NOTE;
		}
		return KKVM_NONE;
	}
	/* AMD host, Intel guest model */
	if (in(id, sysenter64)) {
		snprintf(text, len, "sysenter in 64-bit mode raises #UD on this AMD host (%s) and KVM's "
				    "instruction emulator does not handle it in 64-bit mode: the Intel "
				    "guest model would see #UD where Intel documents a round trip",
			 host_vendor);
		return KKVM_SKIP;
	}
	if (!strcmp(id, "compat-sysenter")) {
		snprintf(text, len, "KVM would time its instruction emulator: sysenter and sysexit raise "
				    "#UD on this AMD host (%s) in long mode and KVM emulates both for "
				    "the Intel guest model",
			 host_vendor);
		return KKVM_SKIP;
	}
	if (!strcmp(id, "compat-syscall") || !strcmp(id, "legacy-syscall")) {
		snprintf(text, len, "under KVM the AMD host CPU (%s) runs syscall from %s mode "
				    "itself; an Intel CPU raises #UD here",
			 host_vendor, id[0] == 'c' ? "compatibility" : "legacy");
		return KKVM_NOTE;
	}
	/* (legacy-sysenter: both vendors run SYSENTER/SYSEXIT in legacy mode) */
	return KKVM_NONE;
}

/* A hardware task switch of the legacy kernel: every one is a VM exit
 * (VMX exits on a task switch unconditionally; KVM sets the SVM task-switch
 * intercept too) and KVM's emulator performs it (kvm_task_switch). */
static int task_switch(const char *id)
{
	size_t l = strlen(id);
	return !strncmp(id, "legacy-task-", 12) ||
	       (!strncmp(id, "legacy-", 7) && l > 5 && !strcmp(id + l - 5, "-task"));
}

const char *kkvm_flag(const char *id)
{
	if (!strcmp(id, "legacy-exc-ud-task"))
		return "times VM exits: KVM intercepts every #UD and every task switch and emulates "
		       "the switch in software, so this is the hypervisor's round trip, not the CPU's";
	if (task_switch(id))
		return "times VM exits: a task switch exits to KVM (VMX always; KVM intercepts it "
		       "under SVM too) and KVM's emulator performs it, so this is the hypervisor's "
		       "task switch, not the CPU's";
	if (strcmp(id, "exc-ud") && strcmp(id, "exc-ud-locknop") && strcmp(id, "legacy-exc-ud"))
		return NULL;
	return "times a VM exit: KVM intercepts every #UD (to emulate instructions across "
	       "vendors) and reinjects it, so this is the hypervisor's round trip, not the CPU's "
	       "exception delivery";
}

/* The description after the name on the "x86 NAME  description" line. */
static int describe(const char *help, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);
	for (const char *ln = help; ln && *ln;) {
		const char *end = strchr(ln, '\n');
		size_t ll = end ? (size_t)(end - ln) : strlen(ln);
		if (ll > 4 && !strncmp(ln, "x86 ", 4)) {
			const char *p = ln + 4;
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, " \r\n");
			if (n == nl && !strncasecmp(p, name, n)) {
				p += n;
				while (*p == ' ')
					p++;
				size_t dl = (size_t)(ln + ll - p);
				snprintf(out, len, "%.*s", (int)dl, p);
				return 1;
			}
		}
		ln = end ? end + 1 : NULL;
	}
	return 0;
}

const char *kkvm_model_vendor(const char *help, const char *model)
{
	char desc[256], v1[160];
	if (!help || !model)
		return NULL;
	if (!describe(help, model, desc, sizeof(desc)) || strstr(desc, "alias")) {
		snprintf(v1, sizeof(v1), "%s-v1", model);
		if (!describe(help, v1, desc, sizeof(desc)))
			return NULL;
	}
	if (strstr(desc, "Hygon"))
		return "HygonGenuine";
	if (strstr(desc, "AMD"))
		return "AuthenticAMD";
	if (strstr(desc, "Intel"))
		return "GenuineIntel";
	return NULL;
}

void kkvm_plan(struct kkvm_plan *p, unsigned mode, const char *host_vendor,
	       const char *guest_vendor, const char *const *only, size_t n_only,
	       const char **out_only)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->host_vendor, sizeof(p->host_vendor), "%s", host_vendor ? host_vendor : "");
	snprintf(p->guest_vendor, sizeof(p->guest_vendor), "%s", guest_vendor ? guest_vendor : "");
	const char *ids[KKVM_MAX_IDS];
	size_t n = only && n_only ? n_only
				  : kboot_mode_ids(mode ? mode : KBOOT_LONG, ids, KKVM_MAX_IDS);
	size_t kept = 0;
	for (size_t i = 0; i < n && i < KKVM_MAX_IDS; i++) {
		const char *id = only && n_only ? only[i] : ids[i];
		char why[320];
		if (kkvm_path(id, host_vendor, guest_vendor, why, sizeof(why)) == KKVM_SKIP &&
		    p->n_skip < KKVM_MAX_SKIP) {
			p->skip[p->n_skip].id = id;
			snprintf(p->skip[p->n_skip].reason, sizeof(p->skip[0].reason), "%s", why);
			p->n_skip++;
		} else {
			out_only[kept++] = id;
		}
	}
	if (p->n_skip == 0)
		return;
	p->n_only = kept;
	p->run_nothing = kept == 0;
}

/* The round-trip path whose mechanism a gettimeofday path (gtod.def)
 * enters by, for the KVM rules; NULL when KVM's emulator never stands in
 * for it (syscall from 64-bit code, int 0x80, the vsyscall page, the
 * vDSO). __kernel_vsyscall enters as the kernel chose for the guest's
 * vendor: sysenter on Intel, syscall on AMD. */
static const char *gtod_mechanism(const struct kresult *r, const char *guest)
{
	if (!r->op || strcmp(r->op, "gettimeofday") != 0)
		return r->id;
	if (!strcmp(r->id, "sysenter-32"))
		return "compat-sysenter";
	if (!strcmp(r->id, "syscall-32"))
		return "compat-syscall";
	if (!strcmp(r->id, "vsyscall32-entry"))
		return guest && (!strcmp(guest, "AuthenticAMD") || !strcmp(guest, "HygonGenuine"))
			       ? "compat-syscall"
			       : "compat-sysenter";
	return NULL;
}

void kkvm_adjust(struct krun *run, const struct kkvm_plan *p, const char *host_vendor)
{
	for (size_t i = 0; p && i < p->n_skip; i++) {
		struct kresult *r = krun_find(run, p->skip[i].id, "bare-metal");
		if (!r)
			r = krun_add(run, p->skip[i].id, "bare-metal", "round-trip");
		kresult_skip(r, "%s", p->skip[i].reason);
	}
	const char *guest = kenv_get(&run->guest_env, "cpu.vendor");
	for (size_t i = 0; i < run->n; i++) {
		struct kresult *r = &run->r[i];
		if (strcmp(r->world, "bare-metal") != 0 || r->status != KR_MEASURED)
			continue;
		char text[320];
		const char *mech = gtod_mechanism(r, guest);
		if (!mech)
			continue;
		enum kkvm_action a = kkvm_path(mech, host_vendor, guest, text, sizeof(text));
		if (a == KKVM_SKIP) {
			double median = r->cycles.median;
			kresult_skip(r, "%s (the %.0f ticks measured were not the CPU's)", text, median);
		} else if (a == KKVM_NOTE) {
			kresult_set_note(r, "%s", text);
		}
		const char *flag = kkvm_flag(mech);
		if (flag && r->status == KR_MEASURED && !r->anomaly)
			r->anomaly = strdup(flag);
	}
}
