/* kentry emu: notes on what is known to differ between QEMU and Bochs for
 * a path, with the vendor's documentation as referee (docs/boot.md, "Where
 * QEMU and Bochs differ"). A note is added only where the run shows what
 * the table says this emulator shows (the status and, for counts, the
 * figure), so a note never outlives the difference it explains;
 * tests/integration/boot_bochs.sh runs both emulators and checks that every
 * difference has its notes and every note its difference. */
#include "emu.h"

#include <string.h>

struct kdiff {
	const char *emulators; /* the runs it applies to: "bochs", "qemu-icount", "qemu-tcg" */
	int amd;               /* -1: any vendor; 0: Intel's rules; 1: AMD's */
	const char *ids;       /* the paths it applies to (space-separated): the long-mode
				* one and its legacy kernel form share their cause */
	enum kresult_status status; /* what this emulator shows */
	double count;          /* and its count (instructions); 0: not checked */
	const char *note;
};

static const struct kdiff diffs[] = {
	/* Counting a faulting instruction. A fault is delivered before its
	 * instruction completes, with the saved RIP on it (Intel SDM vol. 3A
	 * 6.5, AMD APM vol. 2 8.2): it retires nothing. */
	{ "bochs", -1, "exc-pf legacy-exc-pf", KR_MEASURED, 4,
	  "QEMU -icount counts 3: Bochs counts the faulting load as an instruction, QEMU does not "
	  "(a fault retires nothing: Intel SDM vol. 3A 6.5)" },
	{ "bochs", -1, "exc-de legacy-exc-de", KR_MEASURED, 3,
	  "QEMU -icount counts 2: Bochs counts the faulting div as an instruction, QEMU does not "
	  "(a fault retires nothing: Intel SDM vol. 3A 6.5)" },
	{ "qemu-icount", -1, "exc-pf legacy-exc-pf", KR_MEASURED, 3,
	  "Bochs counts 4: it counts the faulting load too, which retires nothing (Intel SDM vol. "
	  "3A 6.5)" },
	{ "qemu-icount", -1, "exc-de legacy-exc-de", KR_MEASURED, 2,
	  "Bochs counts 3: it counts the faulting div too, which retires nothing (Intel SDM vol. "
	  "3A 6.5)" },
	/* SYSCALL outside 64-bit mode (compatibility or legacy mode): #UD on
	 * Intel (SDM vol. 2B, SYSCALL) */
	{ "bochs", 0, "compat-syscall legacy-syscall", KR_SKIPPED, 0,
	  "QEMU's TCG runs it on its Intel models; Intel documents #UD outside 64-bit mode (SDM "
	  "vol. 2B, SYSCALL), as Bochs does" },
	{ "qemu-icount qemu-tcg", 0, "compat-syscall legacy-syscall", KR_MEASURED, 0,
	  "Bochs raises #UD here, as Intel documents (SDM vol. 2B, SYSCALL: #UD outside 64-bit "
	  "mode); QEMU's TCG departs from it" },
	/* SYSENTER and SYSEXIT in long mode: #UD on AMD (APM vol. 3) */
	{ "bochs", 1, "sysenter", KR_MEASURED, 0,
	  "QEMU raises #UD here, as AMD documents (APM vol. 3, SYSENTER: #UD in long mode); "
	  "Bochs's AMD models run it" },
	{ "bochs", 1, "sysenter/iretq", KR_MEASURED, 0,
	  "QEMU raises #UD here, as AMD documents (APM vol. 3, SYSENTER: #UD in long mode); "
	  "Bochs's AMD models run it" },
	{ "qemu-icount qemu-tcg", 1, "sysenter", KR_SKIPPED, 0,
	  "Bochs's AMD models run it, departing from AMD's documentation (APM vol. 3, SYSENTER)" },
	{ "qemu-icount qemu-tcg", 1, "sysenter/iretq", KR_SKIPPED, 0,
	  "Bochs's AMD models run it, departing from AMD's documentation (APM vol. 3, SYSENTER)" },
	{ "bochs", 1, "compat-sysenter", KR_MEASURED, 0,
	  "QEMU lets sysenter in and raises #UD on sysexit in ring 0; AMD documents #UD for both "
	  "in long mode (APM vol. 3, SYSENTER, SYSEXIT): neither emulator follows it here" },
	{ "qemu-icount qemu-tcg", 1, "compat-sysenter", KR_SKIPPED, 0,
	  "Bochs's AMD models run sysenter and sysexit here; AMD documents #UD for both in long "
	  "mode (APM vol. 3, SYSENTER, SYSEXIT)" },
};

/* `word` is one of the space-separated words of `list` */
static int listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

void kemu_difference_notes(struct krun *run, const char *emulator)
{
	const char *v = kenv_get(&run->guest_env, "cpu.vendor");
	if (!v)
		return;
	int amd = !strcmp(v, "AuthenticAMD") || !strcmp(v, "HygonGenuine");
	for (size_t i = 0; i < run->n; i++) {
		struct kresult *r = &run->r[i];
		if (strcmp(r->world, "bare-metal") != 0 || r->variant)
			continue;
		for (size_t k = 0; k < sizeof(diffs) / sizeof(diffs[0]); k++) {
			const struct kdiff *d = &diffs[k];
			if (!listed(d->ids, r->id) || !listed(d->emulators, emulator) ||
			    (d->amd >= 0 && d->amd != amd) || d->status != r->status ||
			    (d->count > 0 && r->cycles.median != d->count))
				continue;
			kresult_set_note(r, "%s", d->note);
		}
	}
}
