/* Legacy paths beside their long-mode counterparts: the pairs view
 * (src/results/pairs.c), the table's path column for long ids, and the
 * anomaly cause named for task switches under QEMU TCG. */
#include "unit/t.h"
#include "results/analyze.h"
#include "results/pairs.h"
#include "results/table.h"

#include <stdlib.h>

static struct kresult *measured(struct krun *run, const char *id, double m)
{
	struct kresult *r = krun_add(run, id, "bare-metal", "round-trip");
	double v[3] = { m, m, m };
	kstats_compute(v, 3, &r->cycles);
	return r;
}

static char *render_pairs(const struct krun *run, const struct kpair *p, size_t n, size_t *rows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	*rows = krender_pairs(f, run, "bare-metal", p, n, "legacy path", "long-mode path",
			      "legacy/long");
	fclose(f);
	return buf;
}

int main(void)
{
	struct krun run;
	krun_init(&run);
	kenv_set(&run.guest_env, "accel", "tcg");
	measured(&run, "syscall", 300);
	measured(&run, "int-gate", 800);
	kresult_skip(krun_add(&run, "compat-syscall", "bare-metal", "round-trip"), "#UD");
	measured(&run, "legacy-int-gate", 600);
	measured(&run, "legacy-task-gate", 14000);
	measured(&run, "legacy-exc-ud-task", 14100);
	measured(&run, "legacy-syscall", 84);
	measured(&run, "legacy-call-gate-params", 500);

	const struct kpair p[] = {
		{ "legacy-int-gate", "int-gate", NULL },
		{ "legacy-task-gate", NULL, "IA-32e mode has no hardware task switching" },
		{ "legacy-syscall", "compat-syscall", NULL },
		{ "legacy-sysenter", "compat-sysenter", NULL }, /* no result: no row */
		{ "legacy-exc-ud-task", "exc-ud", NULL },       /* counterpart not run */
	};
	size_t rows;
	char *out = render_pairs(&run, p, 5, &rows);
	printf("%s", out);
	T_EQ_U64(rows, 4);
	T_CHECK(strstr(out, "legacy path") && strstr(out, "legacy/long"));
	/* 600 / 800 = 0.75 on the int-gate row */
	char *line = strstr(out, "legacy-int-gate");
	T_CHECK(line && strstr(line, "600.0") && strstr(line, "800.0") && strstr(line, "0.75"));
	line = strstr(out, "legacy-task-gate");
	T_CHECK(line && strstr(line, "none: IA-32e mode has no hardware task switching"));
	line = strstr(out, "legacy-syscall");
	T_CHECK(line && strstr(line, "84.00") && strstr(line, "skipped"));
	T_CHECK(strstr(out, "legacy-sysenter") == NULL);
	line = strstr(out, "legacy-exc-ud-task");
	T_CHECK(line && strstr(line, "(not run)"));
	free(out);

	/* nothing of the pairs in the run: no header, no rows */
	struct krun empty;
	krun_init(&empty);
	out = render_pairs(&empty, p, 5, &rows);
	T_EQ_U64(rows, 0);
	T_STREQ(out, "");
	free(out);
	krun_free(&empty);

	/* the table's path column grows to the longest id: columns stay aligned */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	krender_table(f, &run, "bare-metal");
	fclose(f);
	char *a = strstr(buf, "\n  syscall "), *b = strstr(buf, "\n  legacy-call-gate-params ");
	T_CHECK(a && b);
	if (a && b) {
		/* the median column ends at the same offset in both lines */
		char *ea = strstr(a, "300.0"), *eb = strstr(b, "500.0");
		T_CHECK(ea && eb && (ea - a) == (eb - b));
	}
	free(buf);

	/* anomalies: task switches under TCG name the CR3 reload, other
	 * bare-metal paths the generic TCG cause */
	kanalyze(&run);
	const struct kresult *t = krun_find(&run, "legacy-task-gate", "bare-metal");
	T_CHECK(t->anomaly && strstr(t->anomaly, "47x syscall") && strstr(t->anomaly, "CR3"));
	t = krun_find(&run, "legacy-exc-ud-task", "bare-metal");
	T_CHECK(t->anomaly && strstr(t->anomaly, "CR3"));
	t = krun_find(&run, "legacy-int-gate", "bare-metal");
	T_CHECK(t->anomaly == NULL); /* 2x syscall: not flagged */
	krun_free(&run);
	return T_DONE();
}
