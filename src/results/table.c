/* kentry results: human views (environment, table, comparison). */
#include "table.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* human output                                                        */

/* An environment value as the table shows it: escaped (it may come from a
 * file), dflt when absent or empty. */
static const char *env_or(const struct kenv *e, const char *k, const char *dflt)
{
	const char *v = kenv_get(e, k);
	return ktext_short(v && *v ? v : dflt, 400);
}

void krender_env(FILE *f, const struct kenv *env, const char *title)
{
	if (env->n == 0)
		return;
	fprintf(f, "%s\n", title);
	if (kenv_get(env, "cpu.vendor")) {
		fprintf(f, "  CPU         %s (%s, family %s model %s stepping %s",
			env_or(env, "cpu.name", "?"), env_or(env, "cpu.vendor", "?"),
			env_or(env, "cpu.family", "?"), env_or(env, "cpu.model", "?"),
			env_or(env, "cpu.stepping", "?"));
		if (kenv_get(env, "cpu.microcode"))
			fprintf(f, ", microcode %s", env_or(env, "cpu.microcode", "?"));
		fprintf(f, ")\n");
	}
	if (kenv_get(env, "hypervisor"))
		fprintf(f, "  hypervisor  %s\n", env_or(env, "hypervisor", "none"));
	if (kenv_get(env, "kernel.release")) {
		fprintf(f, "  kernel      Linux %s; KPTI %s; vsyscall %s; seccomp %s",
			env_or(env, "kernel.release", "?"), env_or(env, "kpti", "?"),
			env_or(env, "vsyscall.mode", "?"), env_or(env, "seccomp", "?"));
		/* FRED: on or off, and why off when the CPU has it */
		if (kenv_get(env, "kernel.fred")) {
			const char *cf = env_or(env, "kernel.cmdline_fred", "none");
			fprintf(f, "; FRED %s", env_or(env, "kernel.fred", "?"));
			if (strcmp(cf, "none") != 0)
				fprintf(f, " (%s)", cf);
			else if (strcmp(env_or(env, "kernel.fred", ""), "off") == 0 &&
				 strcmp(env_or(env, "cpu.fred", ""), "yes") == 0)
				fprintf(f, " (the CPU has it)");
			else if (strcmp(env_or(env, "cpu.fred", ""), "no") == 0)
				fprintf(f, " (not in this CPU)");
		}
		fprintf(f, "\n");
	}
	if (kenv_get(env, "accel")) {
		fprintf(f, "  QEMU        %s, accel %s, cpu model %s, icount %s\n",
			env_or(env, "qemu.version", "?"), env_or(env, "accel", "?"),
			env_or(env, "qemu.cpu", "?"), env_or(env, "icount", "off"));
		if (kenv_get(env, "accel.fallback"))
			fprintf(f, "  fallback    %s\n", env_or(env, "accel.fallback", ""));
	}
	if (strcmp(env_or(env, "emulator", ""), "bochs") == 0)
		fprintf(f, "  Bochs       %s, cpu model %s; its TSC counts instructions (1 tick = 1 "
			"instruction)\n",
			env_or(env, "emulator.version", "?"), env_or(env, "emulator.cpu", "?"));
	const char *hz = kenv_get(env, "tsc.hz");
	if (hz) {
		double v = strtod(hz, NULL);
		if (v > 0)
			fprintf(f, "  TSC         %.3f GHz (%s); invariant %s", v / 1e9,
				env_or(env, "tsc.method", "?"), env_or(env, "cpu.invariant_tsc", "?"));
		else
			fprintf(f, "  TSC         frequency unknown (%s): figures in TSC ticks only",
				env_or(env, "tsc.method", "none"));
		if (kenv_get(env, "cpu.pinned") && strcmp(env_or(env, "cpu.pinned", ""), "no") == 0)
			fprintf(f, "; NOT pinned (%s)", env_or(env, "cpu.pin_error", "?"));
		else if (kenv_get(env, "cpu.pinned"))
			fprintf(f, "; pinned to CPU %s", env_or(env, "cpu.pinned", "?"));
		fprintf(f, "\n");
		if (kenv_get(env, "tsc.resolution"))
			fprintf(f, "  timer       resolution %s ticks (the least difference of two"
				   " back-to-back fenced reads)\n",
				env_or(env, "tsc.resolution", "?"));
		if (kenv_get(env, "tsc.warning"))
			fprintf(f, "  TSC check   %s\n", env_or(env, "tsc.warning", ""));
	}
	if (kenv_get(env, "variant.minimal") || kenv_get(env, "variant.full")) {
		fprintf(f, "  variants    ran: %s\n", env_or(env, "kernel.variants", "?"));
		if (kenv_get(env, "variant.minimal"))
			fprintf(f, "              minimal (no suffix): %s\n", env_or(env, "variant.minimal", ""));
		if (kenv_get(env, "variant.full"))
			fprintf(f, "              full: %s\n", env_or(env, "variant.full", ""));
		/* the mitigated ones (kentry boot --mitigations) */
		for (size_t i = 0; i < env->n; i++)
			if (strncmp(env->e[i].key, "variant.full+", 13) == 0) {
				fprintf(f, "              %s: ", ktext_short(env->e[i].key + 8, 40));
				ktext_fputs(f, env->e[i].value);
				fputc('\n', f);
			}
	}
	if (kenv_get(env, "kernel.mitigations"))
		fprintf(f, "  mitigations %s (each alone, and all together when several)\n",
			env_or(env, "kernel.mitigations", "?"));
	if (kenv_get(env, "kernel.touch_pages"))
		fprintf(f, "  touches     ring 3 reads %s pages after each return (in the op and the "
			   "empty loop)\n", env_or(env, "kernel.touch_pages", "?"));
	if (kenv_get(env, "kernel.ring3_if"))
		fprintf(f, "  ring 3      RFLAGS.IF = %s%s\n", env_or(env, "kernel.ring3_if", "?"),
			strcmp(env_or(env, "kernel.ring3_if", "?"), "1") == 0
				? " (interrupt sources masked at the PIC and APIC)"
				: " (the older mode: no interrupt can be taken at all)");
	/* the legacy kernel of a two-kernel run (its facts under legacy32.) */
	if (kenv_get(env, "legacy32.kernel.mode"))
		fprintf(f, "  legacy32    the legacy 32-bit kernel too: ring 3 RFLAGS.IF = %s; %s\n",
			env_or(env, "legacy32.kernel.ring3_if", "?"),
			env_or(env, "legacy32.kernel.interrupts", "interrupts: ?"));
	if (kenv_get(env, "kernel.cmdline_mitigations"))
		fprintf(f, "  switches    %s\n", env_or(env, "kernel.cmdline_mitigations", "none"));
	/* every vulnerability file: the mitigated or vulnerable ones a line
	 * each, those that say "Not affected" on one wrapped line after them */
	int header = 0;
	char spared[2048] = "";
	size_t used = 0, col = 16;
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->e[i].key, "vulnerabilities.", 16) != 0)
			continue;
		const char *name = env->e[i].key + 16;
		if (strcmp(env->e[i].value, "Not affected") != 0) {
			if (!header++)
				fprintf(f, "  mitigations\n");
			fprintf(f, "    %-22s ", ktext_short(name, 60));
			ktext_fputs(f, env->e[i].value);
			fputc('\n', f);
			continue;
		}
		name = ktext_short(name, 60);
		int wrap = used && col + 2 + strlen(name) > 78;
		int w = snprintf(spared + used, sizeof(spared) - used, "%s%s", used == 0 ? "" :
				 wrap ? ",\n                " : ", ", name);
		if (w < 0 || (size_t)w >= sizeof(spared) - used)
			break;
		used += (size_t)w;
		col = wrap ? 16 + strlen(name) : col + (size_t)w;
	}
	if (used)
		fprintf(f, "  not affected  %s\n", spared);
}

static void fmt_num(char *buf, size_t n, double v)
{
	if (fabs(v) >= 100000.0)
		snprintf(buf, n, "%.0f", v);
	else if (fabs(v) >= 100.0)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

/* What a sample is and what the first figure is, above the columns: the
 * statistics of batched samples are of batch means, not of single calls. */
static void table_legend(FILE *f, const struct krun *run, const char *world)
{
	uint32_t bmin = 0, bmax = 0, rmax = 0;
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if ((world && strcmp(r->world, world) != 0) || r->status != KR_MEASURED)
			continue;
		if (!bmin || r->batch < bmin)
			bmin = r->batch;
		if (r->batch > bmax)
			bmax = r->batch;
		if (r->rounds > rmax)
			rmax = r->rounds;
	}
	if (!bmax)
		return;
	if (bmax == 1)
		fprintf(f, "  per-call statistics: each sample is one fenced call (batch 1), so min,"
			   " median and p99 are single-call figures\n");
	else
		fprintf(f, "  per-batch statistics: each sample is the mean of one batch of calls"
			   " (batch column): min,\n  p99, max and sd are of batch means, not of"
			   " single calls%s\n",
			bmin == 1 ? " (where batch is 1 they are)" : " (--batch 1 times single calls)");
	if (rmax)
		fprintf(f, "  headline: the lower quartile of the medians of the rounds spread over"
			   " the run; spread: their\n  range over the headline\n");
	else
		fprintf(f, "  headline: the median\n");
}

/* A note line under a row: the note without the counting sentence, which
 * the table states once above its rows. */
static void note_line(FILE *f, int w, const char *note, const char *count_note)
{
	char *rest = knote_without(note, count_note);
	if (!rest)
		return;
	fprintf(f, "  %-*s   note: ", w, "");
	ktext_fputs(f, rest);
	fputc('\n', f);
	free(rest);
}

void krender_table(FILE *f, const struct krun *run, const char *world)
{
	int bare = world && strcmp(world, "bare-metal") == 0;
	const char *icount = kenv_get(&run->guest_env, "icount");
	const char *unit = bare && strcmp(krun_bare_unit(run), "instructions") == 0 ? "instr" : "ticks";
	/* the unit of an instruction-counting run, once for every row */
	const char *count_note = bare ? kcount_note(icount) : NULL;
	if (count_note)
		fprintf(f, "  unit: %s\n", count_note);
	table_legend(f, run, world);
	/* the path column fits the longest label of this world (20 at least) */
	int w = 20;
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if (world && strcmp(r->world, world) != 0)
			continue;
		int l = (int)(strlen(r->id) + (r->variant ? 1 + strlen(r->variant) : 0));
		if (l > w && l < 60)
			w = l;
	}
	fprintf(f, "  %-*s %9s %9s %9s %9s %9s %6s %7s %6s\n", w, "path", "headline", "ns", "min",
		"median", "p99", "rounds", "spread", "batch");
	fprintf(f, "  %-*s %9s %9s %9s %9s %9s %6s %7s %6s\n", w, "", unit, "headline", unit, unit,
		unit, "", "", "");
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		if (world && strcmp(r->world, world) != 0)
			continue;
		char label[300];
		snprintf(label, sizeof(label), "%s%s%s", ktext_short(r->id, 100), r->variant ? " " : "",
			 r->variant ? ktext_short(r->variant, 100) : "");
		if (r->status == KR_SKIPPED) {
			fprintf(f, "  %-*s skipped: ", w, label);
			ktext_fputs(f, r->reason);
			fputc('\n', f);
			note_line(f, w, r->note, count_note);
			continue;
		}
		char head[32], ns[32], mn[32], med[32], p99[32], rounds[16] = "-", spread[16] = "-";
		fmt_num(head, sizeof(head), kresult_headline(r, 0));
		if (r->has_ns)
			fmt_num(ns, sizeof(ns), kresult_headline(r, 1));
		else
			snprintf(ns, sizeof(ns), "-");
		fmt_num(mn, sizeof(mn), r->cycles.min);
		fmt_num(med, sizeof(med), r->cycles.median);
		fmt_num(p99, sizeof(p99), r->cycles.p99);
		if (r->rounds) {
			snprintf(rounds, sizeof(rounds), "%u", r->rounds);
			snprintf(spread, sizeof(spread), "%.1f %%", 100.0 * r->round_spread);
		}
		fprintf(f, "  %-*s %9s %9s %9s %9s %9s %6s %7s %6u\n", w, label, head, ns, mn, med,
			p99, rounds, spread, r->batch);
		if (r->disturbed) {
			fprintf(f, "  %-*s ! disturbed: ", w, "");
			ktext_fputs(f, r->disturbance);
			fputc('\n', f);
		}
		if (r->wide)
			fprintf(f, "  %-*s ! wide spread (IQR %.0f%% of the median%s) after more"
				" rounds: treat with care\n", w, "",
				100.0 * (r->rounds ? r->round_iqr : kstats_rel_spread(&r->cycles)),
				r->rounds ? " within a round" : "");
		if (r->anomaly) {
			fprintf(f, "  %-*s ! ", w, "");
			ktext_fputs(f, r->anomaly);
			fputc('\n', f);
		}
		note_line(f, w, r->note, count_note);
		if (r->variant) {
			/* what this variant adds over the form it builds on: the
			 * default (minimal) one, or for "full+kpti" the "full" one */
			char bv[128];
			const char *plus = strrchr(r->variant, '+');
			snprintf(bv, sizeof(bv), "%.*s", plus ? (int)(plus - r->variant) : 0, r->variant);
			const struct kresult *base = plus ? krun_find_base((struct krun *)run, r)
							  : krun_find_variant((struct krun *)run, r->id,
									      r->world, NULL);
			if (base && strcmp(base->op, r->op) != 0)
				base = NULL;
			if (base && base->status == KR_MEASURED) {
				char d[32];
				double diff = r->cycles.median - base->cycles.median;
				fmt_num(d, sizeof(d), diff);
				fprintf(f, "  %-*s   %s adds %s%s %s", w, "", ktext_short(r->variant, 100),
					diff >= 0 ? "+" : "", d, unit);
				if (base->cycles.median > 0)
					fprintf(f, " (%+.1f %%)", 100.0 * diff / base->cycles.median);
				fprintf(f, " (median) over %s\n", plus ? bv : "minimal");
			}
		}
	}
}
