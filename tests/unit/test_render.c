/* The result model's views: JSON round trip, malformed files rejected with
 * a clear reason, CSV/Markdown escaping, anomaly flags, atomic writes. */
#include "unit/t.h"
#include "results/analyze.h"
#include "results/export.h"
#include "results/json.h"
#include "results/output.h"
#include "results/table.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void fill(struct krun *run)
{
	krun_init(run);
	run->kentry_version = strdup("9.9.9");
	run->created = strdup("2026-01-01T00:00:00Z");
	kenv_set(&run->env, "cpu.vendor", "GenuineIntel");
	kenv_set(&run->env, "hypervisor", "KVMKVMKVM");
	kenv_set(&run->env, "kernel.release", "6.18.44-test");
	kenv_set(&run->env, "tsc.hz", "2000000000");
	kenv_set(&run->env, "vulnerabilities.meltdown", "Mitigation: PTI");
	struct kresult *r = krun_add(run, "syscall", "linux", "null");
	double v[5] = { 100, 101, 102, 103, 200 };
	kstats_compute(v, 5, &r->cycles);
	r->batch = 40;
	r->overhead_cycles = 52.5;
	/* measured in 4 rounds, the last two on a busy host, and flagged */
	r->rounds = 4;
	r->round_medians = malloc(4 * sizeof(double));
	double rm[4] = { 101, 100.5, 130, 131 };
	memcpy(r->round_medians, rm, sizeof rm);
	r->headline = 100.5;
	r->round_spread = 30.5 / 100.5;
	r->switched_rounds = 3;
	r->slow_rounds = 2;
	r->fast_rounds = 0;
	r->round_iqr = 0.02;
	r->nivcsw = 7;
	r->steal = 1;
	kresult_set_disturbance(r, "3 of 4 rounds were switched out: the CPU was shared");
	r = krun_add(run, "int80-64", "linux", "null");
	double w[3] = { 5000, 5100, 5200 };
	kstats_compute(w, 3, &r->cycles);
	r->batch = 1;
	kresult_set_note(r, "needs \"quotes\", commas | and pipes");
	r = krun_add(run, "sysenter-32", "linux", "null");
	kresult_skip(r, "sysenter from 32-bit code raises #UD on AMD CPUs (SIGILL caught)");
	r = krun_add(run, "vdso", "linux", "null");
	double x[3] = { 30, 31, 32 };
	kstats_compute(x, 3, &r->cycles);
	r->batch = 100;
	r = krun_add(run, "syscall", "bare-metal", "round-trip");
	double y[3] = { 2, 2, 2 };
	kstats_compute(y, 3, &r->cycles);
	r->batch = 1024;
	r = krun_add(run, "syscall", "bare-metal", "round-trip");
	kresult_set_variant(r, "full");
	double z[3] = { 40, 41, 42 };
	kstats_compute(z, 3, &r->cycles);
	r->batch = 200;
}

/* A measured result up to the point where the optional fields go. */
#define M_OK "{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\"," \
	"\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"measured\"," \
	"\"cycles\":{\"min\":1,\"median\":1,\"mean\":1,\"stddev\":0,\"p99\":1,\"samples\":1},"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(void)
{
	struct krun run, back;
	char err[1024];
	char *s;

	fill(&run);
	kanalyze(&run);
	struct kresult *i80 = krun_find(&run, "int80-64", "linux");
	T_CHECK(i80->anomaly != NULL);
	T_CHECK(strncmp(i80->anomaly, "50x syscall", 11) == 0);
	T_CHECK(strstr(i80->anomaly, "KVMKVMKVM") != NULL);
	T_CHECK(strstr(i80->anomaly, "in-service register") != NULL);
	/* under FRED Linux takes int $0x80 without the APIC check */
	free(i80->anomaly);
	i80->anomaly = NULL;
	kenv_set(&run.env, "kernel.fred", "on");
	kanalyze(&run);
	T_CHECK(i80->anomaly && strstr(i80->anomaly, "uses FRED") &&
		strstr(i80->anomaly, "reads no APIC register") && !strstr(i80->anomaly, "VM exit"));
	free(i80->anomaly);
	i80->anomaly = NULL;
	kenv_set(&run.env, "kernel.fred", "off");
	kanalyze(&run);
	T_CHECK(i80->anomaly && strstr(i80->anomaly, "in-service register"));
	T_CHECK(krun_find(&run, "vdso", "linux")->anomaly == NULL);
	T_CHECK(krun_find(&run, "syscall", "linux")->has_ns);
	T_NEAR(krun_find(&run, "syscall", "linux")->ns.median, 51, 1e-9);
	/* the headline: the rounds' lower quartile, in ns too; the median
	 * where there were no rounds */
	T_NEAR(kresult_headline(krun_find(&run, "syscall", "linux"), 0), 100.5, 0);
	T_NEAR(kresult_headline(krun_find(&run, "syscall", "linux"), 1), 50.25, 1e-9);
	T_NEAR(kresult_headline(krun_find(&run, "vdso", "linux"), 0), 31, 0);
	T_STREQ(kresult_mode(krun_find(&run, "syscall", "linux")), "per-batch");

	/* the table: ticks, its statistics named, the flag shown */
	char *tab = NULL;
	size_t tlen = 0;
	FILE *tf = open_memstream(&tab, &tlen);
	kenv_set(&run.env, "tsc.warning", "cpuid-0x15 says 2.592 GHz, -4.0 % from the measured 2.700 GHz: the measurement is used");
	kenv_set(&run.env, "cpu.pinned", "no");
	kenv_set(&run.env, "cpu.pin_error", "CPU 3 is not among the CPUs this process may use (0)");
	krender_env(tf, &run.env, "Linux world: this machine");
	krender_table(tf, &run, "linux");
	fclose(tf);
	T_CHECK(strstr(tab, "ticks") != NULL);
	T_CHECK(strstr(tab, "cycles") == NULL);
	T_CHECK(strstr(tab, "per-batch statistics") != NULL);
	T_CHECK(strstr(tab, "batch means") != NULL);
	T_CHECK(strstr(tab, "lower quartile") != NULL);
	T_CHECK(strstr(tab, "! disturbed: 3 of 4 rounds were switched out") != NULL);
	T_CHECK(strstr(tab, "  syscall                  100.5") != NULL);
	T_CHECK(strstr(tab, "30.3 %") != NULL); /* the rounds' spread */
	T_CHECK(strstr(tab, "TSC check   cpuid-0x15 says") != NULL);
	T_CHECK(strstr(tab, "NOT pinned (CPU 3 is not among") != NULL);
	T_CHECK(strstr(tab, "pinned to CPU no") == NULL);
	printf("%s", tab);
	free(tab);
	/* single calls: the table says so */
	struct krun one;
	krun_init(&one);
	struct kresult *o1 = krun_add(&one, "syscall", "linux", "null");
	double ov[3] = { 390, 400, 410 };
	kstats_compute(ov, 3, &o1->cycles);
	o1->batch = 1;
	tf = open_memstream(&tab, &tlen);
	krender_table(tf, &one, "linux");
	fclose(tf);
	T_CHECK(strstr(tab, "per-call statistics") != NULL);
	T_CHECK(strstr(tab, "single-call figures") != NULL);
	T_STREQ(kresult_mode(o1), "per-call");
	free(tab);
	krun_free(&one);

	/* an instruction-counting run: the unit once above the rows, each
	   result's note (as saved) keeping it, the rows' notes without it */
	const char *cn = kcount_note("bochs");
	T_CHECK(cn && strstr(cn, "Bochs") && strstr(cn, "instructions per round trip"));
	T_CHECK(kcount_note("shift=0") && strstr(kcount_note("shift=0"), "QEMU -icount"));
	T_CHECK(kcount_note("off") == NULL && kcount_note(NULL) == NULL);
	char *nw = knote_without("first; X; last", "X");
	T_STREQ(nw, "first; last");
	free(nw);
	T_CHECK(knote_without("X", "X") == NULL && knote_without(NULL, "X") == NULL);
	nw = knote_without("a, X; X b", "X"); /* only a whole part goes */
	T_STREQ(nw, "a, X; X b");
	free(nw);
	struct krun bm;
	krun_init(&bm);
	kenv_set(&bm.guest_env, "icount", "bochs");
	for (int k = 0; k < 2; k++) {
		struct kresult *b = krun_add(&bm, k ? "exc-pf" : "syscall", "bare-metal", "round-trip");
		double v[2] = { 2 + 2 * k, 2 + 2 * k };
		kstats_compute(v, 2, &b->cycles);
		b->batch = 64;
		if (k)
			kresult_set_note(b, "handler: drop the error code");
		kresult_set_note(b, "%s", cn);
	}
	tf = open_memstream(&tab, &tlen);
	krender_table(tf, &bm, "bare-metal");
	fclose(tf);
	T_CHECK(strstr(tab, "  unit: Bochs: figures are guest instructions") == tab);
	T_CHECK(strstr(strstr(tab, "instructions per round trip") + 1, "instructions per round trip") == NULL); /* once */
	T_CHECK(strstr(tab, "note: handler: drop the error code\n") != NULL);
	T_CHECK(strstr(tab, " instr ") != NULL);
	printf("%s", tab);
	free(tab);
	T_CHECK(kexport_markdown(&bm, &s) == 0);
	T_CHECK(strstr(s, "Bare-metal world: Bochs: figures are guest instructions") != NULL);
	T_CHECK(strstr(s, "| handler: drop the error code |") != NULL);
	free(s);
	T_CHECK(kexport_json(&bm, &s) == 0); /* the saved notes keep the unit */
	T_CHECK(strstr(s, "handler: drop the error code; Bochs: figures are guest") != NULL);
	free(s);
	krun_free(&bm);

	/* JSON round trip */
	T_CHECK(kexport_json(&run, &s) == 0);
	T_CHECK(strstr(s, "\"schema_version\": 2") != NULL);
	T_CHECK(strstr(s, "\"mode\": \"per-batch\"") != NULL);
	T_CHECK(strstr(s, "\"involuntary_switches\": 7") != NULL);
	T_CHECK(kjson_parse(s, &back, NULL, err, sizeof(err)) == 0);
	T_EQ_U64(back.n, 6);
	/* variants: one result per (world, id, variant) */
	T_CHECK(krun_find(&back, "syscall", "bare-metal")->variant == NULL);
	T_NEAR(krun_find(&back, "syscall", "bare-metal")->cycles.median, 2, 1e-9);
	T_NEAR(krun_find_variant(&back, "syscall", "bare-metal", "full")->cycles.median, 41, 1e-9);
	T_STREQ(back.kentry_version, "9.9.9");
	T_STREQ(kenv_get(&back.env, "vulnerabilities.meltdown"), "Mitigation: PTI");
	struct kresult *b = krun_find(&back, "syscall", "linux");
	T_NEAR(b->cycles.median, 102, 1e-9);
	T_NEAR(b->cycles.p99, 200, 1e-9);
	T_EQ_U64(b->cycles.n, 5);
	T_EQ_U64(b->batch, 40);
	T_CHECK(b->has_ns);
	/* the rounds and the flag read back */
	T_EQ_U64(b->rounds, 4);
	T_CHECK(b->round_medians && b->round_medians[2] == 130);
	T_NEAR(b->headline, 100.5, 0);
	T_NEAR(b->headline_ns, 50.25, 1e-9);
	T_NEAR(b->round_spread, 30.5 / 100.5, 1e-9);
	T_EQ_U64(b->switched_rounds, 3);
	T_EQ_U64(b->slow_rounds, 2);
	T_EQ_U64(b->fast_rounds, 0);
	T_NEAR(b->round_iqr, 0.02, 1e-12);
	T_EQ_U64(b->nivcsw, 7);
	T_EQ_U64(b->steal, 1);
	T_CHECK(b->disturbed);
	T_STREQ(b->disturbance, "3 of 4 rounds were switched out: the CPU was shared");
	T_CHECK(!krun_find(&back, "vdso", "linux")->disturbed);
	T_EQ_U64(krun_find(&back, "vdso", "linux")->rounds, 0);
	b = krun_find(&back, "sysenter-32", "linux");
	T_CHECK(b->status == KR_SKIPPED);
	T_STREQ(b->reason, "sysenter from 32-bit code raises #UD on AMD CPUs (SIGILL caught)");
	T_STREQ(krun_find(&back, "int80-64", "linux")->note, "needs \"quotes\", commas | and pipes");
	krun_free(&back);
	free(s);

	/* malformed documents: an error naming the problem, never a crash */
	static const char *const bad[] = {
		"", "[]", "{", "null", "{\"schema\":\"other\"}",
		"{\"schema\":\"kentry-results\"}",
		"{\"schema\":\"kentry-results\",\"schema_version\":99,\"kentry_version\":\"1\",\"environment\":{},\"results\":[]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"results\":[]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":{}}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{\"a\":1},\"results\":[]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[7]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"measured\"}]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"measured\",\"cycles\":{\"min\":1,\"median\":\"2\",\"mean\":1,\"stddev\":0,\"p99\":1,\"samples\":1}}]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"skipped\"}]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"maybe\"}]}",
		"{\"schema\":\"kentry-results\",\"schema\":\"kentry-results\"}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"skipped\",\"reason\":\"r\",\"variant\":3}]}",
		"{\"schema\":\"kentry-results\",\"schema_version\":1,\"kentry_version\":\"1\",\"environment\":{},\"results\":[{\"id\":\"x\",\"world\":\"linux\",\"status\":\"skipped\",\"reason\":\"r\"},{\"id\":\"x\",\"world\":\"linux\",\"status\":\"skipped\",\"reason\":\"r\"}]}",
		/* the trust fields: wrong types, rounds without as many medians */
		M_OK "\"mode\":\"sometimes\"}]}",
		M_OK "\"disturbed\":\"yes\"}]}",
		M_OK "\"disturbance\":7}]}",
		M_OK "\"rounds\":[1]}]}",
		M_OK "\"rounds\":{\"count\":2,\"medians\":[1],\"headline\":1,\"spread\":0,\"switched\":0,\"slow\":0,\"fast\":0,\"involuntary_switches\":0,\"steal_ticks\":0}}]}",
		M_OK "\"rounds\":{\"count\":0,\"medians\":[],\"headline\":1,\"spread\":0,\"switched\":0,\"slow\":0,\"fast\":0,\"involuntary_switches\":0,\"steal_ticks\":0}}]}",
		M_OK "\"rounds\":{\"count\":1,\"medians\":[\"1\"],\"headline\":1,\"spread\":0,\"switched\":0,\"slow\":0,\"fast\":0,\"involuntary_switches\":0,\"steal_ticks\":0}}]}",
		M_OK "\"rounds\":{\"count\":1,\"medians\":[1],\"headline\":1,\"spread\":0,\"switched\":-1,\"slow\":0,\"fast\":0,\"involuntary_switches\":0,\"steal_ticks\":0}}]}",
		M_OK "\"rounds\":{\"count\":1,\"medians\":[1],\"spread\":0,\"switched\":0,\"slow\":0,\"fast\":0,\"involuntary_switches\":0,\"steal_ticks\":0}}]}",
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		err[0] = '\0';
		T_CHECK(kjson_parse(bad[k], &back, NULL, err, sizeof(err)) == -1);
		T_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		T_EQ_U64(back.n, 0);
	}

	/* CSV quoting */
	T_CHECK(kexport_csv(&run, &s) == 0);
	T_CHECK(strncmp(s, "world,id,op,status,reason,samples,", 34) == 0);
	T_CHECK(strstr(s, "\"needs \"\"quotes\"\", commas | and pipes\"") != NULL);
	T_CHECK(strstr(s, "linux,sysenter-32,null,skipped,") != NULL);
	T_CHECK(strstr(s, ",mode,batch,rounds,headline_cycles,round_spread,disturbed\n") != NULL);
	T_CHECK(strstr(s, ",per-batch,40,4,100.50,0.3035,yes\n") != NULL);
	free(s);
	/* Markdown escapes pipes */
	T_CHECK(kexport_markdown(&run, &s) == 0);
	T_CHECK(strstr(s, "commas \\| and pipes") != NULL);
	T_CHECK(strstr(s, "| linux | `syscall` | null | 100.5 |") != NULL);
	T_CHECK(strstr(s, "**disturbed: 3 of 4 rounds") != NULL);
	T_CHECK(strstr(s, "headline ticks") != NULL);
	free(s);

	/* atomic writes: the file appears whole, no temporary is left */
	char dir[] = "/tmp/kentry-test-XXXXXX";
	T_CHECK(mkdtemp(dir) != NULL);
	char path[256];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	struct kout o;
	T_CHECK(kout_plan(&o, path, err, sizeof(err)) == 0);
	T_CHECK(kout_write(&o, "{\"x\":1}\n", 8, err, sizeof(err)) == 0);
	kout_free(&o);
	s = slurp(path);
	T_STREQ(s, "{\"x\":1}\n");
	free(s);
	T_CHECK(kout_plan(&o, dir, err, sizeof(err)) == -1); /* a directory */
	T_CHECK(strstr(err, "is a directory") != NULL);
	char nodir[300];
	snprintf(nodir, sizeof(nodir), "%s/missing/out.json", dir);
	T_CHECK(kout_plan(&o, nodir, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "missing/out.json") != NULL);
	/* loading a file that does not parse keeps it untouched */
	T_CHECK(kout_plan(&o, path, err, sizeof(err)) == 0);
	T_CHECK(kout_write(&o, "{broken", 7, err, sizeof(err)) == 0);
	kout_free(&o);
	T_CHECK(kjson_load(path, &back, NULL, err, sizeof(err)) == KINPUT_MALFORMED);
	T_CHECK(strstr(err, "not valid JSON") != NULL);
	s = slurp(path);
	T_STREQ(s, "{broken");
	free(s);
	unlink(path);
	T_CHECK(kjson_load(path, &back, NULL, err, sizeof(err)) == KINPUT_UNREADABLE);
	T_CHECK(strstr(err, "no such file") != NULL);
	T_CHECK(kjson_load(dir, &back, NULL, err, sizeof(err)) == KINPUT_UNREADABLE);
	T_CHECK(strstr(err, "is a directory") != NULL);
	T_CHECK(rmdir(dir) == 0); /* nothing else was left behind */

	krun_free(&run);
	return T_DONE();
}
