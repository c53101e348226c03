/* kentry boot --fuzz N --seed S [--replay K]: random ring-3 sequences
 * through the full paths, one boot per CPU model; what they raised, what
 * they entered, and the first broken invariant with how to reproduce it. */
#include "cmd.h"
#include "emu/boot.h"
#include "emu/serial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void print_counts(const char *title, const struct kfuzz_count *c, size_t n)
{
	if (!n)
		return;
	printf("  %s\n", title);
	for (size_t i = 0; i < n; i++)
		printf("    %10llu  %s\n", (unsigned long long)c[i].count, c[i].what);
}

int cmd_fuzz(const struct kcli *c)
{
	if (c->json || c->csv || c->markdown) {
		fprintf(stderr, "kentry boot --fuzz: the report is printed only (no --json/--csv/--markdown)\n");
		return KEXIT_USAGE;
	}
	/* the run's limit: KENTRY_BOOT_TIMEOUT when set (checked before
	 * anything runs), else one that grows with N */
	double limit = 0;
	char err[256];
	int erc = kcli_env_number("KENTRY_BOOT_TIMEOUT", 1, 86400, &limit, err, sizeof(err));
	if (erc) {
		fprintf(stderr, "kentry: %s seconds\n", err);
		return erc;
	}
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));
	uint64_t seed = c->has_seed ? c->seed : (uint64_t)time(NULL);
	/* --replay K: sequence K; with --fuzz N, K to K+N-1 */
	uint64_t n = c->replay >= 0 && !c->fuzz_n ? 1 : c->fuzz_n;
	struct progress pg = { c->progress < 0 ? isatty(2) : c->progress, "fuzz" };
	int rc = 0;
	printf("kentry %s\n\n", KENTRY_VERSION);
	if (c->replay >= 0 && n == 1)
		printf("Fuzzer: replaying sequence %lld of seed %llu\n", (long long)c->replay,
		       (unsigned long long)seed);
	else if (c->replay >= 0)
		printf("Fuzzer: replaying sequences %lld to %llu of seed %llu\n", (long long)c->replay,
		       (unsigned long long)c->replay + n - 1, (unsigned long long)seed);
	else
		printf("Fuzzer: %llu random ring-3 sequences through the full paths, seed %llu%s\n",
		       (unsigned long long)n, (unsigned long long)seed,
		       c->has_seed ? "" : " (from the clock: give --seed to repeat this run)");
	for (size_t k = 0; k < c->n_models; k++) {
		struct kfuzz_report rep;
		memset(&rep, 0, sizeof(rep));
		struct boot_setup b;
		boot_opts(c, libexec, KBOOT_LONG, 0, &b);
		struct kboot_opts o = b.o;
		o.cpu = c->models[k];
		o.progress = progress_cb;
		o.progress_arg = &pg;
		o.fuzz_n = n;
		o.fuzz_seed = seed;
		o.fuzz_has_replay = c->replay >= 0;
		o.fuzz_replay = c->replay >= 0 ? (uint64_t)c->replay : 0;
		o.fuzz_report = &rep;
		/* Under QEMU TCG, -icount by default, as --selftest: the
		 * watchdog that ends a looping sequence is the local APIC
		 * timer, whose time is then a count of instructions, so a
		 * sequence's outcome does not depend on the host (a
		 * translation, a preempted QEMU) and --replay is exact. The
		 * period: 200000 instructions, four times the longest
		 * sequence that ended among 100000 of seed 1 (49537 TSC ticks
		 * under -icount, a push loop that runs down the user stack;
		 * docs/selftest.md). Under KVM it is emulated time (2 ms). */
		o.icount = c->icount || (strcmp(c->accel, "kvm") != 0 &&
					 (!c->emulator || strcmp(c->emulator, "bochs") != 0));
		o.fuzz_wd = o.icount ? 200000 : 0;
		/* about 0.4 ms a sequence under -icount here: a generous limit */
		o.timeout_s = limit > 0 ? limit : 60.0 + (double)n * (o.icount ? 0.004 : 0.002);
		struct krun guest;
		krun_init(&guest);
		char err[8192];
		int brc = kboot_run(&o, &guest, err, sizeof(err));
		progress_done(&pg);
		const char *model = kenv_get(&guest.guest_env, "emulator.cpu") ? kenv_get(&guest.guest_env, "emulator.cpu")
									       : c->models[k];
		const char *secs = kenv_get(&guest.guest_env, "qemu.seconds");
		if (!secs)
			secs = kenv_get(&guest.guest_env, "bochs.seconds");
		char em[200];
		emulator_line(&guest.guest_env, em, sizeof(em));
		printf("\n%s (%s), %s\n", model,
		       kenv_get(&guest.guest_env, "cpu.vendor") ? kenv_get(&guest.guest_env, "cpu.vendor") : "?", em);
		mitigations_line(stdout, &guest.guest_env);
		if (!rep.done) {
			fprintf(stderr, "kentry boot --fuzz (%s): %s\n", model, err);
			rc = KEXIT_GUEST;
		} else {
			double guest_s = rep.hz ? (double)rep.ticks / (double)rep.hz : 0;
			printf("  ran %llu sequence%s", (unsigned long long)rep.ran, rep.ran == 1 ? "" : "s");
			if (guest_s > 0 && c->replay < 0 && !o.icount)
				printf(" in %.2f s of guest time (%.0f sequences/s)", guest_s,
				       (double)rep.ran / guest_s);
			if (secs)
				printf("; the emulator ran %s s", secs);
			/* under -icount guest time counts instructions: the rate
			 * is per second of the emulator's run (boot included) */
			if (secs && atof(secs) > 0 && c->replay < 0 && o.icount)
				printf(" (%.0f sequences/s)", (double)rep.ran / atof(secs));
			printf("\n");
			for (size_t i = 0; i < rep.nlines; i++)
				printf("  sequence %s\n", rep.lines[i]);
			if (rep.lines_dropped)
				printf("  (the lines of %zu more sequences were not kept: at most %d are; "
				       "replay the rest as a range of its own, --replay K --fuzz N)\n",
				       rep.lines_dropped, KFUZZ_MAX_LINES);
			print_counts("how the sequences ended", rep.vectors, rep.nvectors);
			print_counts("kernel entries through the full paths", rep.entries, rep.nentries);
			if (rep.broken) {
				printf("  BROKEN INVARIANT at sequence %llu: %s\n  reproduce: kentry boot --accel tcg --seed %llu --replay %llu --cpu %s%s%s%s\n",
				       (unsigned long long)rep.broken_seq, rep.broken_what,
				       (unsigned long long)seed, (unsigned long long)rep.broken_seq, model,
				       c->icount ? " --icount" : "", c->mitigations ? " --mitigations " : "",
				       c->mitigations ? c->mitigations : "");
				if (!rc)
					rc = KEXIT_FAIL;
			} else if (brc && rep.tap_failed) {
				fprintf(stderr, "kentry boot --fuzz (%s): %s\n", model, err);
				if (!rc)
					rc = KEXIT_FAIL;
			} else {
				printf("  no invariant broken\n");
			}
		}
		krun_free(&guest);
		kfuzz_report_free(&rep);
	}
	return rc;
}
