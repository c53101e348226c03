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
	r = krun_add(run, "int80-64", "linux", "null");
	double w[3] = { 5000, 5100, 5200 };
	kstats_compute(w, 3, &r->cycles);
	kresult_set_note(r, "needs \"quotes\", commas | and pipes");
	r = krun_add(run, "sysenter-32", "linux", "null");
	kresult_skip(r, "sysenter from 32-bit code raises #UD on AMD CPUs (SIGILL caught)");
	r = krun_add(run, "vdso", "linux", "null");
	double x[3] = { 30, 31, 32 };
	kstats_compute(x, 3, &r->cycles);
	r = krun_add(run, "syscall", "bare-metal", "round-trip");
	double y[3] = { 2, 2, 2 };
	kstats_compute(y, 3, &r->cycles);
	r = krun_add(run, "syscall", "bare-metal", "round-trip");
	kresult_set_variant(r, "full");
	double z[3] = { 40, 41, 42 };
	kstats_compute(z, 3, &r->cycles);
}

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
	T_CHECK(krun_find(&run, "vdso", "linux")->anomaly == NULL);
	T_CHECK(krun_find(&run, "syscall", "linux")->has_ns);
	T_NEAR(krun_find(&run, "syscall", "linux")->ns.median, 51, 1e-9);

	/* JSON round trip */
	T_CHECK(kexport_json(&run, &s) == 0);
	T_CHECK(strstr(s, "\"schema_version\": 1") != NULL);
	T_CHECK(kjson_parse(s, &back, err, sizeof(err)) == 0);
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
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		err[0] = '\0';
		T_CHECK(kjson_parse(bad[k], &back, err, sizeof(err)) == -1);
		T_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		T_EQ_U64(back.n, 0);
	}

	/* CSV quoting */
	T_CHECK(kexport_csv(&run, &s) == 0);
	T_CHECK(strncmp(s, "world,id,op,status,reason,samples,", 34) == 0);
	T_CHECK(strstr(s, "\"needs \"\"quotes\"\", commas | and pipes\"") != NULL);
	T_CHECK(strstr(s, "linux,sysenter-32,null,skipped,") != NULL);
	free(s);
	/* Markdown escapes pipes */
	T_CHECK(kexport_markdown(&run, &s) == 0);
	T_CHECK(strstr(s, "commas \\| and pipes") != NULL);
	T_CHECK(strstr(s, "| linux | `syscall` | null | 102.0 |") != NULL);
	free(s);

	/* atomic writes: the file appears whole, no temporary is left */
	char dir[] = "/tmp/kentry-test-XXXXXX";
	T_CHECK(mkdtemp(dir) != NULL);
	char path[256];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	T_CHECK(kio_check_writable(path, err, sizeof(err)) == 0);
	T_CHECK(kio_write_atomic(path, "{\"x\":1}\n", err, sizeof(err)) == 0);
	s = slurp(path);
	T_STREQ(s, "{\"x\":1}\n");
	free(s);
	T_CHECK(kio_check_writable(dir, err, sizeof(err)) == -1); /* a directory */
	char nodir[300];
	snprintf(nodir, sizeof(nodir), "%s/missing/out.json", dir);
	T_CHECK(kio_check_writable(nodir, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "missing/out.json") != NULL);
	T_CHECK(kio_write_atomic(nodir, "x", err, sizeof(err)) == -1);
	/* loading a file that does not parse keeps it untouched */
	T_CHECK(kio_write_atomic(path, "{broken", err, sizeof(err)) == 0);
	T_CHECK(kjson_load(path, &back, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "not valid JSON") != NULL);
	s = slurp(path);
	T_STREQ(s, "{broken");
	free(s);
	unlink(path);
	T_CHECK(rmdir(dir) == 0); /* nothing else was left behind */

	krun_free(&run);
	return T_DONE();
}
