/* kentry emu: what KVM does to the bare-metal paths, decided on the host
 * side (tested without a KVM host: tests/unit/test_kvm.c).
 *
 * KVM intercepts every #UD, on Intel (VMX exception bitmap) and AMD (SVM
 * exception intercepts) hosts alike, and runs some of the instructions that
 * raised it in its instruction emulator (arch/x86/kvm/emulate.c), following
 * the guest model's vendor:
 *  - syscall from compatibility mode: #UD on an Intel CPU; KVM emulates it
 *    for an AMD (or Hygon) guest model (em_syscall_is_enabled);
 *  - sysenter from compatibility mode and sysexit: #UD on an AMD CPU in
 *    long mode; KVM emulates both for an Intel guest model (em_sysenter,
 *    em_sysexit);
 *  - sysenter from 64-bit mode: #UD on an AMD CPU; KVM's emulator does not
 *    handle it (X86EMUL_UNHANDLEABLE), so an Intel guest model sees #UD where
 *    Intel documents a round trip.
 * A path that would be timed through the emulator, or fault where the
 * guest's vendor documents a round trip, is not measured: it is skipped
 * with the reason (docs/boot.md, "KVM"). A path the host CPU runs although
 * the guest's vendor documents #UD is measured (it is the host CPU's real
 * cost) with a note. exc-ud and exc-ud-locknop always time a VM exit and
 * are flagged. */
#ifndef KENTRY_EMU_KVM_H
#define KENTRY_EMU_KVM_H

#include <stddef.h>
#include "core/result.h"

enum kkvm_action {
	KKVM_NONE,
	KKVM_SKIP, /* KVM's emulator (or a #UD it cannot emulate) stands in for the CPU */
	KKVM_NOTE, /* the host CPU runs what the guest's vendor documents as #UD */
};

/* What running `id` under KVM means on a host of host_vendor for a guest
 * model of guest_vendor (CPUID vendor strings; NULL: unknown, KKVM_NONE).
 * text gets the reason or the note. */
enum kkvm_action kkvm_path(const char *id, const char *host_vendor, const char *guest_vendor,
			   char *text, size_t len);

/* The anomaly of a path that times a VM exit under KVM whatever the
 * vendors (exc-ud, exc-ud-locknop, legacy-exc-ud; the legacy kernel's task
 * switches, which KVM emulates), or NULL. */
const char *kkvm_flag(const char *id);

/* The vendor of a QEMU model from its description in `qemu -cpu help`
 * ("x86 EPYC-v1  AMD EPYC Processor"; an alias is looked up as NAME-v1),
 * or NULL when the description does not say. */
const char *kkvm_model_vendor(const char *cpu_help, const char *model);

/* The plan of a KVM run: the ids to ask the kernel for (the requested
 * ones, or all, without those KVM would emulate) and the skipped ones. */
#define KKVM_MAX_IDS 64
#define KKVM_MAX_SKIP 8
struct kkvm_plan {
	char host_vendor[16], guest_vendor[16]; /* guest: "" when unknown */
	size_t n_only;   /* ids in the out list; 0: run what was requested */
	int run_nothing; /* every requested id is skipped: no boot needed */
	struct {
		const char *id;
		char reason[320];
	} skip[KKVM_MAX_SKIP];
	size_t n_skip;
};
/* mode: the kernel (KBOOT_LONG, KBOOT_LEGACY32; 0: long), whose ids are
 * planned when only is NULL. */
void kkvm_plan(struct kkvm_plan *p, unsigned mode, const char *host_vendor,
	       const char *guest_vendor, const char *const *only, size_t n_only,
	       const char **out_only);

/* After a KVM run, on its bare-metal results: adds the planned skips,
 * then judges every result again with the vendor the guest reported
 * (cpu.vendor): a measured path KVM emulated becomes skipped (its figure
 * named in the reason), a native departure gets its note, exc-ud* their
 * flag. */
void kkvm_adjust(struct krun *run, const struct kkvm_plan *p, const char *host_vendor);

#endif
