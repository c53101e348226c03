/* kentry kernel: mitigations at the entry, chosen at boot (mitigations=
 * LIST), each measured alone and the whole list together, on every full
 * path (variants full+<name>, full+all). mitig.h says what each one adds
 * where; docs/mitigations.md the rules of `auto` and their sources.
 *
 * What this file does:
 *   - parses the list (names, "all", "auto");
 *   - decides by trying what this CPU or emulator can do: an MSR that is
 *     not there (IA32_SPEC_CTRL, IA32_PRED_CMD) raises #GP in wrmsr_safe,
 *     CR4.PCIDE that cannot be set raises #GP in a contained probe; what
 *     cannot run is skipped with its reason, never faked;
 *   - resolves `auto` into the set Linux would choose here, from CPUID,
 *     IA32_ARCH_CAPABILITIES and the family/model lists of Linux's
 *     arch/x86/kernel/cpu/common.c and bugs.c;
 *   - builds the KPTI twin of the kernel's address space (kpti.c; a
 *     Linux process's is built with its space, kproc_kpti);
 *   - switches between sets: the mitigated copy of the full stubs
 *     (full_mitig.S, .entry.text.mitig) is put back to its pristine bytes
 *     and patched for the set (kpatch_reapply), and the CPU state the set
 *     needs is set: CR4.PCIDE and the kernel PCID, the CR3 bits ring 3
 *     runs with, the GS bases, IA32_SPEC_CTRL;
 *   - checks that state at every observed entry and after every
 *     excursion (self-test, fuzzer, measurement batches). */
#include "mitig.h"
#include "cpu.h"
#include "harden.h"
#include "kernel.h"
#include "layout.h"
#include "trap.h"
#include "vm.h"

#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define CR4_PCIDE          (1ull << 17)
#define KERNEL_PCID        1ull
void kpti_flush_pcid(uint64_t user_cr3, uint64_t kernel_cr3); /* entry.S */ /* as Linux: kernel ASID 0 is PCID 1, its user half 0x801 */

/* IA32_ARCH_CAPABILITIES bits (Intel SDM vol. 4, MSR 10AH) */
#define ARCH_CAP_RDCL_NO  (1ull << 0)
#define ARCH_CAP_IBRS_ALL (1ull << 1)
#define ARCH_CAP_RSBA     (1ull << 2)
#define ARCH_CAP_MDS_NO   (1ull << 5)
#define ARCH_CAP_TAA_NO   (1ull << 8)
#define ARCH_CAP_RRSBA    (1ull << 19)
#define ARCH_CAP_BHI_NO   (1ull << 20)

/* The names and descriptions: mitig.def, shared with the host. */
static const char *const names[] = {
#define KMITIG(name, what) name,
#include "mitig.def"
#undef KMITIG
};
static const char *const what[] = {
#define KMITIG(name, what) what,
#include "mitig.def"
#undef KMITIG
};
_Static_assert(sizeof(names) / sizeof(names[0]) == KM_COUNT, "mitig.def and KM_COUNT");

struct kmset kmsets[KM_MAX_SETS];
unsigned kmnsets;
int kmitig_current = -1;

static uint32_t requested;  /* KM_* bits asked for (after auto) */
static int asked, want_auto, want_all;
static int avail[KM_COUNT];
static char why[KM_COUNT][200];  /* why not available, or a note when it is */
static char auto_why[KM_COUNT][240];
static uint32_t auto_mask;
static uint64_t kgs_base = 0x00000000deadbee0ull; /* any value: kentry's kernel does not use GS */
static uint64_t ugs_base = 0;                      /* ring 3's GS base */

const char *kmitig_name(unsigned m)
{
	return m < KM_COUNT ? names[m] : "?";
}

int kmitig_requested(void)
{
	return asked;
}

int kmitig_parse(const char *list, char *bad, unsigned badlen)
{
	asked = 1;
	size_t n;
	for (const char *p = list, *w; (w = kword_next(&p, &n));) {
		int k = kword_index(names, KM_COUNT, w, n);
		if (k >= 0)
			requested |= 1u << k;
		else if (n == 4 && !strncmp(w, "auto", 4))
			want_auto = 1;
		else if (n == 3 && !strncmp(w, "all", 3))
			want_all = 1;
		else if (n) {
			kword_copy(bad, badlen, w, n);
			return -1;
		}
	}
	return 0;
}

/* ---- the pristine mitigated copy -------------------------------------------------- */

extern char __mitig_text_start[], __mitig_text_end[];
#define PRISTINE_MAX 16384
static uint8_t pristine[PRISTINE_MAX];

void kmitig_save_pristine(void)
{
	size_t n = (size_t)(__mitig_text_end - __mitig_text_start);
	if (n > PRISTINE_MAX)
		kernel_fail_end("mitig: the mitigated stubs outgrew their pristine copy");
	memcpy(pristine, __mitig_text_start, n);
}

/* ---- what the CPU says ------------------------------------------------------------- */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static struct {
	int intel, amd;          /* GenuineIntel; AuthenticAMD or HygonGenuine */
	uint32_t family, model;
	int pcid, invpcid, fsgsbase, smap, rtm, md_clear, spec_ctrl, arch_cap_cpuid, bhi_ctrl;
	int amd_ibpb, amd_ibrs;
	int have_arch_cap;
	uint64_t arch_cap;
} c;

static void read_cpu(void)
{
	uint32_t r[4], max, maxe;
	cpuid(0, 0, r);
	max = r[0];
	c.intel = r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;
	c.amd = (r[1] == 0x68747541 && r[3] == 0x69746e65 && r[2] == 0x444d4163) ||
		(r[1] == 0x6f677948 && r[3] == 0x6e65476e && r[2] == 0x656e6975);
	cpuid(1, 0, r);
	uint32_t fam = (r[0] >> 8) & 0xf, mod = (r[0] >> 4) & 0xf;
	if (fam == 0xf)
		fam += (r[0] >> 20) & 0xff;
	if (fam == 0x6 || fam >= 0xf)
		mod |= ((r[0] >> 16) & 0xf) << 4;
	c.family = fam;
	c.model = mod;
	c.pcid = (r[2] >> 17) & 1;
	if (max >= 7) {
		cpuid(7, 0, r);
		c.fsgsbase = r[1] & 1;
		c.invpcid = (r[1] >> 10) & 1;
		c.rtm = (r[1] >> 11) & 1;
		c.smap = (r[1] >> 20) & 1;
		c.md_clear = (r[3] >> 10) & 1;
		c.spec_ctrl = (r[3] >> 26) & 1;
		c.arch_cap_cpuid = (r[3] >> 29) & 1;
		if (r[0] >= 2) {
			cpuid(7, 2, r);
			c.bhi_ctrl = (r[3] >> 4) & 1;
		}
	}
	cpuid(0x80000000u, 0, r);
	maxe = r[0];
	if (maxe >= 0x80000008u) {
		cpuid(0x80000008u, 0, r);
		c.amd_ibpb = (r[1] >> 12) & 1;
		c.amd_ibrs = (r[1] >> 14) & 1;
	}
	if (c.arch_cap_cpuid && rdmsr_safe(MSR_ARCH_CAPABILITIES, &c.arch_cap) == 0)
		c.have_arch_cap = 1;
}

static void toggle_pcide(void *arg)
{
	(void)arg;
	write_cr4(read_cr4() | CR4_PCIDE);
	write_cr4(read_cr4() & ~CR4_PCIDE);
}

/* What kpti-pcid does with PCID, once: CR4.PCIDE with CR3's PCID 0, the
 * kernel's PCID, a CR3 write with the no-flush bit, then all undone. */
static void try_pcid(void *arg)
{
	(void)arg;
	uint64_t cr3 = read_cr3();
	write_cr4(read_cr4() | CR4_PCIDE);
	write_cr3(cr3 | KERNEL_PCID);
	write_cr3(cr3 | KERNEL_PCID | (1ull << CR3_NOFLUSH_BIT));
	write_cr3(cr3);
	write_cr4(read_cr4() & ~CR4_PCIDE);
}

/* What runs here, decided by trying; why[] says why not, or notes. */
static void probe_cpu(void)
{
	for (unsigned m = 0; m < KM_COUNT; m++)
		avail[m] = 1;
	/* kpti-pcid: only where CPUID offers PCID (Linux uses it only then;
	 * an emulator may leave the bits unchecked and then misbehave), and
	 * what it does must not fault: tried in a contained probe */
	uint32_t st = 0;
	if (!c.pcid) {
		avail[KM_KPTI_PCID] = 0;
		st = kprobe_run(toggle_pcide, 0);
		ksnprintf(why[KM_KPTI_PCID], sizeof(why[0]), "no PCID: CPUID.1:ECX[17] clear%s",
			  st ? "" : " (yet setting CR4.PCIDE did not fault: the emulator departs from "
				    "the SDM, which reserves it then)");
	} else if ((st = kprobe_run(try_pcid, 0)) != 0) {
		avail[KM_KPTI_PCID] = 0;
		ksnprintf(why[KM_KPTI_PCID], sizeof(why[0]),
			  "CPUID offers PCID, but setting CR4.PCIDE and loading CR3 with a PCID and the "
			  "no-flush bit raised %s", st - 0x100 < 32 ? trap_name(st - 0x100) : "a fault");
	} else {
		ksnprintf(why[KM_KPTI_PCID], sizeof(why[0]), "INVPCID %s",
			  c.invpcid ? "present: used to flush the user PCID when a user mapping changes"
				    : "absent: the user PCID is flushed by a CR3 write without the no-flush bit");
	}
	/* ibrs, ibpb: only where CPUID enumerates them (as Linux: an emulator
	 * may ignore writes to MSRs it does not have, QEMU's TCG does), and
	 * the MSR must take the write (wrmsr_safe: #GP where it is absent);
	 * IA32_SPEC_CTRL must also give the IBRS bit back */
	int ibrs_cpuid = c.spec_ctrl || c.amd_ibrs, ibpb_cpuid = c.spec_ctrl || c.amd_ibpb;
	uint64_t v = 0;
	int w = wrmsr_safe(MSR_SPEC_CTRL, 1);
	int r = w == 0 ? rdmsr_safe(MSR_SPEC_CTRL, &v) : -1;
	wrmsr_safe(MSR_SPEC_CTRL, 0);
	if (!ibrs_cpuid || w || r || !(v & 1)) {
		avail[KM_IBRS] = 0;
		ksnprintf(why[KM_IBRS], sizeof(why[0]), "%s%s",
			  ibrs_cpuid ? "IBRS enumerated by CPUID, but "
				     : "no IBRS: CPUID does not enumerate it (7.0:EDX[26], 0x80000008:EBX[14]); ",
			  w ? "wrmsr 0x48 (IA32_SPEC_CTRL) raised #GP"
			  : r ? "rdmsr 0x48 raised #GP"
			  : !(v & 1) ? "IA32_SPEC_CTRL took the IBRS bit and reads back 0: not implemented"
				     : "the MSR takes it (ignored without CPUID, as Linux does)");
	}
	w = wrmsr_safe(MSR_PRED_CMD, 1);
	if (!ibpb_cpuid || w) {
		avail[KM_IBPB] = 0;
		ksnprintf(why[KM_IBPB], sizeof(why[0]), "%s%s",
			  ibpb_cpuid ? "IBPB enumerated by CPUID, but "
				     : "no IBPB: CPUID does not enumerate it (7.0:EDX[26], 0x80000008:EBX[12]); ",
			  w ? "wrmsr 0x49 (IA32_PRED_CMD) raised #GP"
			    : "wrmsr 0x49 did not fault (an emulator that ignores writes to MSRs it lacks)");
	}
	/* swapgs: the GS bases must be writable (every x86-64 CPU) */
	if (wrmsr_safe(MSR_GS_BASE, ugs_base) || wrmsr_safe(MSR_KERNEL_GS_BASE, kgs_base)) {
		avail[KM_SWAPGS] = 0;
		ksnprintf(why[KM_SWAPGS], sizeof(why[0]), "the GS base MSRs raised #GP");
	}
	/* verw runs everywhere; whether it clears anything is the CPU's */
	ksnprintf(why[KM_VERW], sizeof(why[0]),
		  c.md_clear ? "MD_CLEAR (CPUID.7.0:EDX[10]) set: verw clears the CPU buffers"
		  : c.amd    ? "MD_CLEAR (CPUID.7.0:EDX[10]) clear, as on AMD, which MDS does not "
			       "affect: the figure is the instruction's"
			     : "MD_CLEAR (CPUID.7.0:EDX[10]) clear: verw runs but this CPU does not say "
			       "it clears buffers (Linux: \"Clear CPU buffers attempted, no microcode\"); "
			       "the figure is the instruction's");
}

/* ---- auto: what Linux would choose on this CPU ---------------------------------------
 * docs/mitigations.md lists the rules with their sources. In short: the
 * vulnerability from Linux's tables (AMD and Hygon are listed as not
 * affected by Meltdown, MDS, the swapgs variant of Spectre v1 and BHI;
 * Intel is affected unless IA32_ARCH_CAPABILITIES says NO; Intel Atom
 * exceptions are not modelled), then Linux's default mitigation of it. */

/* Intel family 6 models Linux lists as affected by RETBleed (common.c
 * cpu_vuln_blacklist): Skylake, Kaby Lake, Cannon Lake, Ice Lake (client),
 * Comet Lake, Lakefield, Rocket Lake. */
static int intel_retbleed_model(void)
{
	static const uint32_t m[] = { 0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0x66, 0x7e,
				      0xa5, 0xa6, 0x8a, 0xa7 };
	if (c.family != 6)
		return 0;
	for (unsigned i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (c.model == m[i])
			return 1;
	return 0;
}

static void decide_auto(void)
{
	uint64_t ac = c.have_arch_cap ? c.arch_cap : 0;
	const char *acs = c.have_arch_cap ? "" : " (no IA32_ARCH_CAPABILITIES: every NO bit clear)";
	auto_mask = 0;
	for (unsigned m = 0; m < KM_COUNT; m++)
		auto_why[m][0] = 0;
	if (!c.intel && !c.amd) {
		for (unsigned m = 0; m < KM_COUNT; m++)
			ksnprintf(auto_why[m], sizeof(auto_why[0]),
				  "no: neither Intel nor AMD/Hygon: Linux's tables for this vendor are not modelled");
		return;
	}
	/* Meltdown -> KPTI (with PCID where the CPU has it) */
	int meltdown = c.intel && !(ac & ARCH_CAP_RDCL_NO);
	if (meltdown) {
		unsigned k = avail[KM_KPTI_PCID] ? KM_KPTI_PCID : KM_KPTI;
		auto_mask |= 1u << k;
		ksnprintf(auto_why[KM_KPTI], sizeof(auto_why[0]), "%s: Meltdown (Intel, RDCL_NO clear%s): pti=auto%s",
			  k == KM_KPTI ? "yes" : "no (kpti-pcid instead)", acs,
			  k == KM_KPTI ? ", no PCID here" : "");
		ksnprintf(auto_why[KM_KPTI_PCID], sizeof(auto_why[0]), "%s: Meltdown%s",
			  k == KM_KPTI_PCID ? "yes" : "no",
			  k == KM_KPTI_PCID ? ", and the CPU has PCID: Linux uses it for KPTI"
					    : ": KPTI, but no PCID here");
	} else {
		const char *r = c.amd ? "no: AMD/Hygon are not affected by Meltdown (Linux: NO_MELTDOWN)"
				      : "no: IA32_ARCH_CAPABILITIES.RDCL_NO set: not affected by Meltdown";
		ksnprintf(auto_why[KM_KPTI], sizeof(auto_why[0]), "%s", r);
		ksnprintf(auto_why[KM_KPTI_PCID], sizeof(auto_why[0]), "%s", r);
	}
	/* Spectre v1 through swapgs: the user-entry lfence (FENCE_SWAPGS_USER)
	 * only without KPTI, and only when FSGSBASE is on or SMAP does not
	 * stop the speculation */
	if (c.amd) {
		ksnprintf(auto_why[KM_SWAPGS], sizeof(auto_why[0]),
			  "no: AMD/Hygon are not affected by the swapgs variant of Spectre v1 (NO_SWAPGS)");
	} else if (meltdown) {
		ksnprintf(auto_why[KM_SWAPGS], sizeof(auto_why[0]),
			  "no: KPTI's CR3 write already serializes after swapgs (Linux adds no lfence)");
	} else if (c.fsgsbase || !c.smap) {
		auto_mask |= 1u << KM_SWAPGS;
		ksnprintf(auto_why[KM_SWAPGS], sizeof(auto_why[0]),
			  "yes: swapgs variant of Spectre v1 without KPTI, %s: FENCE_SWAPGS_USER",
			  c.fsgsbase ? "FSGSBASE present" : "no SMAP");
	} else {
		ksnprintf(auto_why[KM_SWAPGS], sizeof(auto_why[0]),
			  "no: SMAP without FSGSBASE stops the speculation (Linux adds no lfence)");
	}
	/* MDS and TSX Async Abort -> CLEAR_CPU_BUF: verw on every exit */
	int mds = c.intel && !(ac & ARCH_CAP_MDS_NO);
	int taa = c.intel && c.rtm && !(ac & ARCH_CAP_TAA_NO);
	if (mds || taa) {
		auto_mask |= 1u << KM_VERW;
		ksnprintf(auto_why[KM_VERW], sizeof(auto_why[0]), "yes: %s%s%s: verw on every exit to user mode%s",
			  mds ? "MDS (MDS_NO clear)" : "", mds && taa ? ", " : "",
			  taa ? "TAA (TSX present, TAA_NO clear)" : "",
			  c.md_clear ? "" : " (without MD_CLEAR: \"attempted, no microcode\")");
	} else {
		ksnprintf(auto_why[KM_VERW], sizeof(auto_why[0]), "no: %s",
			  c.amd ? "AMD/Hygon are not affected by MDS (NO_MDS)"
				: "MDS_NO set and no TSX left to abort");
	}
	/* Spectre v2 on Intel: eIBRS where ARCH_CAPABILITIES has IBRS_ALL
	 * (set once, nothing per entry); else IBRS on every entry where the
	 * CPU is affected by RETBleed and has IBRS; else retpolines */
	int retbleed = c.intel && (intel_retbleed_model() || (ac & ARCH_CAP_RSBA));
	int eibrs = c.intel && (ac & ARCH_CAP_IBRS_ALL);
	int kibrs = c.intel && !eibrs && retbleed && c.spec_ctrl;
	if (kibrs) {
		auto_mask |= 1u << KM_IBRS;
		ksnprintf(auto_why[KM_IBRS], sizeof(auto_why[0]),
			  "yes: Spectre v2 with RETBleed (family 6 model 0x%x%s), no eIBRS: spectre_v2=ibrs",
			  c.model, (ac & ARCH_CAP_RSBA) ? ", RSBA" : "");
	} else {
		ksnprintf(auto_why[KM_IBRS], sizeof(auto_why[0]), "no: %s",
			  c.amd ? "on AMD Linux does not use IBRS per entry (retpolines or AutoIBRS)"
			  : eibrs ? "enhanced IBRS (IBRS_ALL): set once at boot, nothing per entry"
			  : !retbleed ? "not in Linux's RETBleed list: retpolines"
				      : "affected by RETBleed but no IBRS (CPUID.7.0:EDX[26] clear): retpolines");
	}
	/* IBPB on entry: only retbleed=ibpb or srso=ibpb ask for it */
	ksnprintf(auto_why[KM_IBPB], sizeof(auto_why[0]), "no: %s",
		  c.amd && c.family >= 0x15 && c.family <= 0x19
			  ? "Linux's default against RETBleed/SRSO here is the untrained return thunk or "
			    "Safe RET (a return thunk, not modelled by kentry); IBPB on entry only with "
			    "retbleed=ibpb or srso=ibpb"
			  : "Linux uses IBPB on entry only with retbleed=ibpb or srso=ibpb");
	/* RSB filling: at context switch and VM exit, not on entry from user */
	ksnprintf(auto_why[KM_RSB], sizeof(auto_why[0]),
		  "no: Linux fills the RSB at context switch and VM exit, not on entry from ring 3");
	/* BHI -> the clearing loop on system calls, unless retpolines cover
	 * it (no RRSBA) or the CPU has BHI_DIS_S */
	int bhi = c.intel && !(ac & ARCH_CAP_BHI_NO);
	int retpoline = c.intel && !eibrs && !kibrs;
	if (!bhi)
		ksnprintf(auto_why[KM_BHB], sizeof(auto_why[0]), "no: %s",
			  c.amd ? "AMD/Hygon are not affected by BHI (NO_BHI)" : "BHI_NO set");
	else if (retpoline && !(ac & ARCH_CAP_RRSBA))
		ksnprintf(auto_why[KM_BHB], sizeof(auto_why[0]),
			  "no: BHI, but retpolines mitigate it without RRSBA");
	else if (c.bhi_ctrl)
		ksnprintf(auto_why[KM_BHB], sizeof(auto_why[0]),
			  "no: BHI, mitigated in hardware by BHI_DIS_S (CPUID.7.2:EDX[4])");
	else {
		auto_mask |= 1u << KM_BHB;
		ksnprintf(auto_why[KM_BHB], sizeof(auto_why[0]),
			  "yes: BHI (BHI_NO clear), %s, no BHI_DIS_S: the clearing loop on system calls",
			  retpoline ? "retpolines with RRSBA" : "IBRS");
	}
}

/* ---- the sets ------------------------------------------------------------------------ */

static void add_set(uint32_t mask, const char *name)
{
	struct kmset *s = &kmsets[kmnsets++];
	memset(s, 0, sizeof(*s));
	s->mask = mask;
	ksnprintf(s->name, sizeof(s->name), "%s", name);
}

static void build_sets(void)
{
	kmnsets = 0;
	unsigned n = 0;
	for (unsigned m = 0; m < KM_COUNT; m++) {
		if (!(requested & (1u << m)))
			continue;
		n++;
		add_set(1u << m, names[m]);
		if (!avail[m])
			ksnprintf(kmsets[kmnsets - 1].skip, sizeof(kmsets[0].skip), "%s: %s", names[m],
				  why[m]);
	}
	if (n < 2)
		return;
	/* all: every listed one that runs here; kpti-pcid replaces kpti */
	uint32_t all = 0;
	char left[200] = "";
	size_t u = 0;
	for (unsigned m = 0; m < KM_COUNT; m++) {
		if (!(requested & (1u << m)))
			continue;
		if (avail[m])
			all |= 1u << m;
		else
			u += (size_t)ksnprintf(left + u, sizeof(left) - u, "%s%s", u ? ", " : "",
					       names[m]);
	}
	int both = (all & (1u << KM_KPTI)) && (all & (1u << KM_KPTI_PCID));
	if (both)
		all &= ~(1u << KM_KPTI);
	add_set(all, "all");
	struct kmset *s = &kmsets[kmnsets - 1];
	if (!all)
		ksnprintf(s->skip, sizeof(s->skip), "none of the listed mitigations runs here");
	else if (u || both)
		ksnprintf(s->note, sizeof(s->note), "%s%s%s%s", u ? "left out (cannot run here): " : "",
			  left, u && both ? "; " : "", both ? "kpti-pcid in place of kpti" : "");
}

int kmitig_find(uint32_t mask)
{
	for (unsigned i = 0; i < kmnsets; i++)
		if ((kmsets[i].mask & mask) == mask && !kmsets[i].skip[0])
			return (int)i;
	return -1;
}

int kmitig_test_set(void)
{
	if (!kmnsets)
		return -1;
	int i = (int)kmnsets - 1; /* "all", or the only one */
	return kmsets[i].skip[0] ? -1 : i;
}

static void flush_user_pcid(void)
{
	/* the user PCID's TLB entries outlive CR3 writes with the no-flush
	 * bit: drop them after a user mapping changed */
	uint64_t pcid = KERNEL_PCID | CR3_USER_PCID;
	if (c.invpcid) {
		struct {
			uint64_t pcid, addr;
		} d = { pcid, 0 };
		__asm__ volatile("invpcid %0, %1" : : "m"(d), "r"(1ull) : "memory");
		return;
	}
	/* no INVPCID: load the user PCID once without the no-flush bit */
	uint64_t k = read_cr3();
	kpti_flush_pcid((k & ~0xfffull) + CR3_TWIN + pcid, k | (1ull << CR3_NOFLUSH_BIT));
}

void kmitig_setup(void)
{
	read_cpu();
	probe_cpu();
	decide_auto();
	if (want_auto)
		requested |= auto_mask;
	if (want_all)
		requested |= (1u << KM_COUNT) - 1;
	if (requested & ((1u << KM_KPTI) | (1u << KM_KPTI_PCID))) {
		if (kvm_pti_build(&kvm_kernel, &kvm_kernel_twin) != 0) {
			for (unsigned m = KM_KPTI; m <= KM_KPTI_PCID; m++) {
				avail[m] = 0;
				ksnprintf(why[m], sizeof(why[0]),
					  "the page-table pool ran out building the user tables");
			}
		}
	}
	build_sets();
	if (avail[KM_SWAPGS]) {
		wrmsr(MSR_GS_BASE, ugs_base);
		wrmsr(MSR_KERNEL_GS_BASE, kgs_base);
	}
}

/* ---- switching ------------------------------------------------------------------------ */

/* The state ring 3 runs with: its GS base (the kernel's waits in
 * KERNEL_GS_BASE for the entry's swapgs), IA32_SPEC_CTRL = 0. */
static void resync(void)
{
	if (avail[KM_SWAPGS]) {
		wrmsr(MSR_GS_BASE, ugs_base);
		wrmsr(MSR_KERNEL_GS_BASE, kgs_base);
	}
	if (avail[KM_IBRS])
		wrmsr(MSR_SPEC_CTRL, 0);
}

static uint32_t cur_mask(void)
{
	return kmitig_current >= 0 ? kmsets[kmitig_current].mask : 0;
}

void kmitig_apply(int i)
{
	if (i == kmitig_current)
		return;
	uint32_t old = cur_mask(), m = i >= 0 ? kmsets[i].mask : 0;
	kmitig_current = i;
	/* the stubs: pristine bytes, then this set's patches */
	uint64_t f = kpatch_features & ~(((1ull << (KF_M_LAST - KF_MITIG_FIRST + 1)) - 1)
					 << KF_MITIG_FIRST);
	for (unsigned k = 0; k < KM_COUNT; k++)
		if (m & (1u << k))
			f |= 1ull << KF_M(k);
	if ((m & (1u << KM_SWAPGS)) && !(m & ((1u << KM_KPTI) | (1u << KM_KPTI_PCID))))
		f |= 1ull << KF_M_FENCE;
	if (kharden_on(KH(KPTI_EXIT))) { /* harden_off=kpti_exit: tests only */
		if (m & (1u << KM_KPTI))
			f |= 1ull << KF_M_KPTI_EXIT;
		if (m & (1u << KM_KPTI_PCID))
			f |= 1ull << KF_M_PCID_EXIT;
	}
	uint64_t cr0 = read_cr0();
	write_cr0(cr0 & ~(1ull << 16));
	memcpy(__mitig_text_start, pristine, (size_t)(__mitig_text_end - __mitig_text_start));
	write_cr0(cr0);
	kpatch_reapply(f, (uintptr_t)__mitig_text_start, (uintptr_t)__mitig_text_end);
	/* PCID: on with kpti-pcid (set with CR3's PCID 0, then the kernel's
	 * PCID), off otherwise (back to PCID 0 first) */
	int pcid = !!(m & (1u << KM_KPTI_PCID)), was = !!(old & (1u << KM_KPTI_PCID));
	uint64_t cr3 = kvm_current->cr3; /* the kernel's space or a process's */
	if (pcid && !was) {
		write_cr3(cr3);
		write_cr4(read_cr4() | CR4_PCIDE);
		kvm_cr3_pcid = KERNEL_PCID;
		write_cr3(cr3 | KERNEL_PCID);
		kvm_twin_changed = flush_user_pcid;
		flush_user_pcid();
	} else if (!pcid && was) {
		kvm_twin_changed = 0;
		kvm_cr3_pcid = 0;
		write_cr3(cr3);
		write_cr4(read_cr4() & ~CR4_PCIDE);
	}
	kpti_user_bits = pcid ? CR3_TWIN | CR3_USER_PCID | (1ull << CR3_NOFLUSH_BIT)
		       : (m & (1u << KM_KPTI)) ? CR3_TWIN : 0;
	kpti_kernel_noflush = pcid ? 1ull << CR3_NOFLUSH_BIT : 0;
	resync();
}

/* ---- checks ---------------------------------------------------------------------------- */

static uint64_t user_cr3(void)
{
	return (kvm_current->cr3 | kvm_cr3_pcid | kpti_user_bits) & ~(1ull << CR3_NOFLUSH_BIT);
}

const char *kmitig_check_entry(void)
{
	static char buf[120];
	uint32_t m = cur_mask();
	if (m & ((1u << KM_KPTI) | (1u << KM_KPTI_PCID))) {
		uint64_t cr3 = read_cr3(), want = kvm_current->cr3 | kvm_cr3_pcid;
		if (cr3 != want) {
			ksnprintf(buf, sizeof(buf), "C ran on CR3 0x%lx, not the kernel's tables 0x%lx",
				  cr3, want);
			return buf;
		}
	}
	if ((m & (1u << KM_SWAPGS)) && rdmsr(MSR_GS_BASE) != kgs_base) {
		ksnprintf(buf, sizeof(buf), "C ran with GS base 0x%lx, not the kernel's",
			  rdmsr(MSR_GS_BASE));
		return buf;
	}
	if ((m & (1u << KM_IBRS)) && !(rdmsr(MSR_SPEC_CTRL) & 1))
		return "C ran with IA32_SPEC_CTRL.IBRS clear";
	return 0;
}

const char *kmitig_check_after_user(uint32_t st)
{
	static char buf[160];
	uint32_t m = cur_mask();
	if (!m)
		return 0;
	const char *w = 0;
	int ring3 = st == KURUN_TIMEOUT || (st >= 0x100 && st < 0x200 && (kurun.cs & 3) == 3);
	uint64_t seen = st == KURUN_DONE ? kpti_cr3_at_done : ring3 ? kpti_cr3_at_trap : 0;
	if ((m & ((1u << KM_KPTI) | (1u << KM_KPTI_PCID))) && (st == KURUN_DONE || ring3) &&
	    seen != user_cr3()) {
		ksnprintf(buf, sizeof(buf), "ring 3 ran on CR3 0x%lx, not its user tables 0x%lx",
			  seen, user_cr3());
		w = buf;
	} else if ((m & (1u << KM_SWAPGS)) &&
		   (rdmsr(MSR_GS_BASE) != ugs_base || rdmsr(MSR_KERNEL_GS_BASE) != kgs_base)) {
		ksnprintf(buf, sizeof(buf), "ring 3 ended with GS base 0x%lx (kernel GS base 0x%lx): "
			  "a swapgs did not pair", rdmsr(MSR_GS_BASE), rdmsr(MSR_KERNEL_GS_BASE));
		w = buf;
	} else if ((m & (1u << KM_IBRS)) && (rdmsr(MSR_SPEC_CTRL) & 1)) {
		w = "ring 3 ran with IA32_SPEC_CTRL.IBRS set: an exit did not clear it";
	}
	if (w)
		resync();
	return w;
}

/* ---- env lines ------------------------------------------------------------------------- */

void kmitig_list(char *buf, size_t n, uint32_t mask)
{
	size_t u = 0;
	buf[0] = 0;
	for (unsigned m = 0; m < KM_COUNT; m++)
		if (mask & (1u << m))
			u += (size_t)ksnprintf(buf + u, n - u, "%s%s", u ? "," : "", names[m]);
	if (!u)
		ksnprintf(buf, n, "none");
}

void kmitig_env(void)
{
	char b[200];
	if (c.have_arch_cap)
		kprintf("env cpu.arch_capabilities 0x%lx\n", c.arch_cap);
	else
		kprintf("env cpu.arch_capabilities %s\n",
			c.arch_cap_cpuid ? "unreadable (rdmsr raised #GP)" : "absent");
	kprintf("env cpu.invpcid %s\n", c.invpcid ? "yes" : "no");
	kprintf("env cpu.spec_ctrl %s\n", c.spec_ctrl || c.amd_ibrs ? "yes" : "no");
	kprintf("env cpu.md_clear %s\n", c.md_clear ? "yes" : "no");
	kmitig_list(b, sizeof(b), auto_mask);
	kprintf("env mitig.linux_auto %s\n", b);
	if (!asked)
		return;
	kmitig_list(b, sizeof(b), requested);
	kprintf("env kernel.mitigations %s%s\n", b, want_auto ? " (auto)" : "");
	size_t u = 0;
	char vars[400] = "";
	for (unsigned i = 0; i < kmnsets; i++)
		u += (size_t)ksnprintf(vars + u, sizeof(vars) - u, "%sfull+%s", u ? "," : "",
				       kmsets[i].name);
	kprintf("env kernel.mitigation_variants %s\n", u ? vars : "none");
	for (unsigned m = 0; m < KM_COUNT; m++) {
		if (want_auto)
			kprintf("env mitig.auto.%s %s\n", names[m], auto_why[m]);
		if (!(requested & (1u << m)))
			continue;
		if (avail[m])
			kprintf("env variant.full+%s full, plus %s%s%s\n", names[m], what[m],
				why[m][0] ? "; " : "", why[m]);
		else
			kprintf("env variant.full+%s skipped: %s\n", names[m], why[m]);
	}
	for (unsigned i = 0; i < kmnsets; i++)
		if (!strcmp(kmsets[i].name, "all") && kmsets[i].skip[0]) {
			kprintf("env variant.full+all skipped: %s\n", kmsets[i].skip);
		} else if (!strcmp(kmsets[i].name, "all")) {
			kmitig_list(b, sizeof(b), kmsets[i].mask);
			kprintf("env variant.full+all full, plus every listed mitigation that runs here "
				"together: %s%s%s\n", b, kmsets[i].note[0] ? "; " : "", kmsets[i].note);
		}
}
