/* kentry results: CSV and Markdown exports. */
#include "export.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* CSV and Markdown                                                    */

/* Text views: control characters from the data are escaped (text.h), so
 * printing a view never sends one to a terminal. */

#define CSV_HEADER "world,id,op,status,reason,samples,min_cycles,median_cycles,mean_cycles," \
	"stddev_cycles,p99_cycles,min_ns,median_ns,mean_ns,stddev_ns,p99_ns,note,anomaly,variant," \
	"mode,batch,rounds,headline_cycles,round_spread,disturbed\n"

int kexport_csv(const struct krun *run, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return -1;
	fputs(CSV_HEADER, f);
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		ktext_csv(f, r->world);
		fputc(',', f);
		ktext_csv(f, r->id);
		fputc(',', f);
		ktext_csv(f, r->op);
		fputc(',', f);
		fputs(r->status == KR_MEASURED ? "measured," : "skipped,", f);
		ktext_csv(f, r->reason);
		if (r->status == KR_MEASURED) {
			fprintf(f, ",%llu,%.2f,%.2f,%.2f,%.2f,%.2f", (unsigned long long)r->cycles.n,
				r->cycles.min, r->cycles.median, r->cycles.mean, r->cycles.stddev,
				r->cycles.p99);
			if (r->has_ns)
				fprintf(f, ",%.2f,%.2f,%.2f,%.2f,%.2f", r->ns.min, r->ns.median,
					r->ns.mean, r->ns.stddev, r->ns.p99);
			else
				fputs(",,,,,", f);
		} else {
			fputs(",,,,,,,,,,,", f);
		}
		fputc(',', f);
		ktext_csv(f, r->note);
		fputc(',', f);
		ktext_csv(f, r->anomaly);
		fputc(',', f);
		ktext_csv(f, r->variant);
		if (r->status == KR_MEASURED)
			fprintf(f, ",%s,%u,%u,%.2f,%.4f,%s", kresult_mode(r), r->batch, r->rounds,
				kresult_headline(r, 0), r->round_spread, r->disturbed ? "yes" : "no");
		else
			fputs(",,,,,,", f);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int kexport_markdown(const struct krun *run, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return -1;
	fprintf(f, "# kentry %s results\n\n",
		ktext_short(run->kentry_version ? run->kentry_version : KENTRY_VERSION, 40));
	if (run->created)
		fprintf(f, "Run at %s.\n\n", ktext_short(run->created, 60));
	const struct kenv *envs[2] = { &run->env, &run->guest_env };
	const char *titles[2] = { "Environment", "Bare-metal guest" };
	for (int e = 0; e < 2; e++) {
		if (envs[e]->n == 0)
			continue;
		fprintf(f, "## %s\n\n| fact | value |\n| --- | --- |\n", titles[e]);
		for (size_t i = 0; i < envs[e]->n; i++) {
			fputs("| ", f);
			ktext_md(f, envs[e]->e[i].key);
			fputs(" | ", f);
			ktext_md(f, envs[e]->e[i].value);
			fputs(" |\n", f);
		}
		fputc('\n', f);
	}
	/* the bare-metal unit once, not in every row's notes */
	const char *count_note = kcount_note(kenv_get(&run->guest_env, "icount"));
	fprintf(f, "## Results\n\n"
		   "Figures are TSC ticks (guest instructions where the TSC counted them: QEMU\n"
		   "--icount, Bochs); the first is the headline (the lower quartile of the round\n"
		   "medians for a run in rounds, else the median). A sample is one batch of calls:\n"
		   "min, mean, stddev and p99 are of batch means unless the batch is 1.\n\n");
	if (count_note)
		fprintf(f, "Bare-metal world: %s.\n\n", count_note);
	fprintf(f, "| world | path | op | headline ticks | headline ns | min | mean | stddev | p99 | samples | notes |\n"
		   "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
	for (size_t i = 0; i < run->n; i++) {
		const struct kresult *r = &run->r[i];
		fprintf(f, "| %s | `%s`%s%s | %s | ", r->world, r->id, r->variant ? " " : "",
			r->variant ? r->variant : "", r->op);
		if (r->status == KR_SKIPPED) {
			fputs("skipped | | | | | | | ", f);
			ktext_md(f, r->reason);
		} else {
			fprintf(f, "%.1f | ", kresult_headline(r, 0));
			if (r->has_ns)
				fprintf(f, "%.1f", kresult_headline(r, 1));
			fprintf(f, " | %.1f | %.1f | %.1f | %.1f | %llu | ", r->cycles.min,
				r->cycles.mean, r->cycles.stddev, r->cycles.p99,
				(unsigned long long)r->cycles.n);
			if (r->anomaly) {
				fputs("**", f);
				ktext_md(f, r->anomaly);
				fputs("** ", f);
			}
			if (r->disturbed) {
				fputs("**disturbed: ", f);
				ktext_md(f, r->disturbance);
				fputs("** ", f);
			}
			if (r->wide)
				fputs("wide spread; ", f);
			char *note = knote_without(r->note, strcmp(r->world, "bare-metal") == 0
								   ? count_note : NULL);
			ktext_md(f, note);
			free(note);
		}
		fputs(" |\n", f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

