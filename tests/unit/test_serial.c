/* kentry: the bare-metal serial parser (src/emu/serial.c) against handwritten
 * kernel transcripts in tests/fixtures/serial/ (run from the repo root),
 * and the bare-metal id registry. */
#include "t.h"
#include "emu/boot.h"
#include "emu/serial.h"

#include <stdlib.h>

#define FIX "tests/fixtures/serial/"

/* Feeds a fixture through kserial_feed in chunks of `chunk` bytes (odd
 * sizes split lines anywhere), then flushes. Returns 0 when it was read. */
static int feed_fixture(struct kserial *s, const char *name, size_t chunk)
{
	char path[256];
	snprintf(path, sizeof(path), FIX "%s", name);
	size_t len;
	char *data = t_slurp(path, &len);
	T_CHECK(data != NULL);
	if (!data)
		return -1;
	for (size_t off = 0; off < len; off += chunk)
		kserial_feed(s, data + off, len - off < chunk ? len - off : chunk);
	kserial_flush(s);
	free(data);
	return 0;
}

static const struct kresult *get(struct krun *run, const char *id)
{
	return krun_find(run, id, "bare-metal");
}

struct prog_log {
	size_t calls;
	size_t last_index, last_total;
	char last_id[64];
	int in_order;
};

static void on_progress(void *arg, const char *id, size_t index, size_t total, const char *state)
{
	struct prog_log *l = arg;
	if (index != l->calls || strcmp(state, "running") != 0)
		l->in_order = 0;
	l->calls++;
	l->last_index = index;
	l->last_total = total;
	snprintf(l->last_id, sizeof(l->last_id), "%s", id);
}

static void test_registry(void)
{
	T_EQ_U64(kboot_id_count(), 51); /* 19 IDT, 15 FRED, 17 legacy */
	T_STREQ(kboot_id(0), "int-gate");
	T_STREQ(kboot_id(4), "syscall");
	T_STREQ(kboot_id(18), "call-gate/iretq");
	T_STREQ(kboot_id(19), "fred-syscall");
	T_STREQ(kboot_id(33), "fred-syscall/sysretq");
	T_STREQ(kboot_id(34), "legacy-int-gate");
	T_STREQ(kboot_id(50), "legacy-exc-bp-task");
	T_CHECK(kboot_id(51) == NULL);
	T_CHECK(kboot_id_index("int-gate") == 0);
	T_CHECK(kboot_id_index("compat-call-gate") == 8);
	T_CHECK(kboot_id_index("exc-ud-locknop") == 10);
	T_CHECK(kboot_id_index("int-gate/sysretq") == 17);
	T_CHECK(kboot_id_index("call-gate/iretq") == 18);
	T_CHECK(kboot_id_index("nope") == -1);
	T_CHECK(kboot_id_index("") == -1);
	T_CHECK(kboot_id_index("SYSCALL") == -1);
	T_CHECK(kboot_id_index(NULL) == -1);
	int all = 1;
	for (size_t i = 0; i < kboot_id_count(); i++) {
		if (kboot_id_index(kboot_id(i)) != (int)i || !kboot_id_summary(i) ||
		    !*kboot_id_summary(i))
			all = 0;
	}
	T_CHECK(all);
	T_CHECK(kboot_id_summary(51) == NULL);
	T_CHECK(strstr(kboot_cpu_choices, "intel") && strstr(kboot_cpu_choices, "amd"));
}

/* Which kernel measures which id, and the legacy ids' counterparts: every
 * counterpart is a long-mode id, every legacy id without one says why. */
static void test_modes(void)
{
	unsigned m = 0;
	T_CHECK(kboot_mode_parse("long", &m) == 0 && m == KBOOT_LONG);
	T_CHECK(kboot_mode_parse("legacy32", &m) == 0 && m == KBOOT_LEGACY32);
	T_CHECK(kboot_mode_parse("all", &m) == 0 && m == (KBOOT_LONG | KBOOT_LEGACY32));
	T_CHECK(kboot_mode_parse("legacy", &m) == -1);
	T_CHECK(kboot_mode_parse("", &m) == -1);
	T_STREQ(kboot_mode_name(KBOOT_LEGACY32), "legacy32");
	T_STREQ(kboot_mode_image(KBOOT_LONG), "kentry-kernel.elf");
	T_STREQ(kboot_mode_image(KBOOT_LEGACY32), "kentry-kernel32.elf");

	const char *ids[64];
	T_EQ_U64(kboot_mode_ids(KBOOT_LONG, ids, 64), 19);
	T_STREQ(ids[18], "call-gate/iretq");
	T_EQ_U64(kboot_mode_ids(KBOOT_LEGACY32, ids, 64), 17);
	T_STREQ(ids[0], "legacy-int-gate");
	T_EQ_U64(kboot_mode_ids(KBOOT_LONG | KBOOT_LEGACY32, ids, 64), 36);
	/* the FRED mode adds the long kernel's fred-* ids, after the IDT ones */
	T_EQ_U64(kboot_mode_ids(KBOOT_LONG | KBOOT_FRED, ids, 64), 34);
	T_STREQ(ids[19], "fred-syscall");
	T_EQ_U64(kboot_mode_ids(KBOOT_LEGACY32 | KBOOT_FRED, ids, 64), 17);
	T_STREQ(kboot_mode_image(KBOOT_LONG | KBOOT_FRED), "kentry-kernel.elf");
	T_STREQ(kboot_mode_name(KBOOT_LONG | KBOOT_FRED), "long");
	T_EQ_U64(kboot_mode_ids(KBOOT_LEGACY32, ids, 3), 3);

	int ok = 1, legacy = 0, none = 0, fred = 0;
	for (size_t i = 0; i < kboot_id_count(); i++) {
		const char *why, *cp = kboot_id_counterpart(i, &why);
		int is_legacy = strncmp(kboot_id(i), "legacy-", 7) == 0;
		if (is_legacy != (kboot_id_mode(i) == KBOOT_LEGACY32))
			ok = 0; /* the prefix says the kernel */
		if (kboot_id_fred(i)) {
			/* a fred-* id's IDT counterpart: a long-mode id without FRED */
			fred++;
			int k = cp ? kboot_id_index(cp) : -1;
			if (k < 0 || kboot_id_fred((size_t)k) || kboot_id_mode((size_t)k) != KBOOT_LONG ||
			    why)
				ok = 0;
			continue;
		}
		if (!is_legacy && (cp || why))
			ok = 0;
		if (is_legacy) {
			legacy++;
			if (cp && (kboot_id_index(cp) < 0 ||
				   kboot_id_mode((size_t)kboot_id_index(cp)) != KBOOT_LONG))
				ok = 0;
			if (!cp && !(why && *why))
				ok = 0;
			none += !cp;
		}
	}
	T_CHECK(ok);
	T_EQ_U64(legacy, 17);
	T_EQ_U64(fred, 15);
	T_EQ_U64(none, 4); /* call gate with parameters, three task switches */
	const char *why;
	T_STREQ(kboot_id_counterpart((size_t)kboot_id_index("fred-int3"), &why), "exc-bp");
	T_STREQ(kboot_id_counterpart((size_t)kboot_id_index("legacy-int80"), &why), "compat-int80");
	T_CHECK(kboot_id_counterpart((size_t)kboot_id_index("legacy-task-gate"), &why) == NULL);
	T_CHECK(strstr(why, "task switching") != NULL);
}

/* A transcript of the legacy kernel: its env line says legacy32, so the
 * ids it did not print are the legacy ones (not the 19 long-mode ones),
 * and the progress totals count the legacy kernel's paths. */
static void test_legacy32(void)
{
	struct krun run;
	struct kserial s;
	struct prog_log pl = { .in_order = 1 };
	krun_init(&run);
	kserial_init(&s, &run);
	s.progress = on_progress;
	s.progress_arg = &pl;
	if (feed_fixture(&s, "legacy32.txt", 13) == 0) {
		T_CHECK(s.end_seen && s.end_pass);
		T_STREQ(kenv_get(&run.guest_env, "kernel.mode"), "legacy32");
		T_EQ_U64(pl.last_total, 17);
		T_EQ_U64(pl.last_index, 8); /* legacy-syscall is the 9th legacy id */
		kserial_finish(&s, NULL, 0, 0, NULL);
		T_EQ_U64(run.n, 17);
		T_CHECK(get(&run, "int-gate") == NULL);
		const struct kresult *r = get(&run, "legacy-task-gate");
		T_CHECK(r && r->status == KR_MEASURED && r->cycles.median == 20449.0 && r->has_ns);
		T_CHECK(r && r->note && strstr(r->note, "handler task"));
		r = get(&run, "legacy-exc-bp-task");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "no result"));
		T_STREQ(run.r[0].id, "legacy-int-gate");
		T_STREQ(run.r[16].id, "legacy-exc-bp-task");
	}
	kserial_free(&s);
	krun_free(&run);

	/* the runner's mode wins over a missing env line (a kernel that died
	 * before printing it); both variants asked for (--mode all, --variant
	 * both), but the legacy kernel has the minimal one only, so no @full
	 * row is missing */
	krun_init(&run);
	kserial_init(&s, &run);
	s.mode = KBOOT_LEGACY32;
	s.variants = 3;
	kserial_line(&s, "kentry-kernel 0.1.0 protocol 1");
	kserial_finish(&s, NULL, 0, 0, "the guest hung");
	T_EQ_U64(run.n, 17);
	T_CHECK(get(&run, "legacy-sysenter") && get(&run, "syscall") == NULL);
	int minimal = 1;
	for (size_t i = 0; i < run.n; i++)
		if (run.r[i].variant)
			minimal = 0;
	T_CHECK(minimal);
	kserial_free(&s);
	krun_free(&run);
}

/* A transcript of the FRED mode: its env line says kernel.fred on, so the
 * fred-* ids it did not print are missing too (and not without it). */
static void test_fred(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	s.variants = 3;
	if (feed_fixture(&s, "fred.txt", 11) == 0) {
		T_CHECK(s.end_seen && s.end_pass);
		T_STREQ(kenv_get(&run.guest_env, "kernel.fred"), "on");
		kserial_finish(&s, NULL, 0, 0, NULL);
		size_t fred = 0, idt = 0;
		for (size_t i = 0; i < kboot_id_count(); i++) {
			if (kboot_id_mode(i) != KBOOT_LONG)
				continue;
			if (kboot_id_fred(i))
				fred++;
			else
				idt++;
		}
		T_CHECK(fred == 15 && idt == 19);
		T_EQ_U64(run.n, (fred + idt) * 2); /* every long id, both variants */
		const struct kresult *r = krun_find_variant(&run, "fred-syscall", "bare-metal", NULL);
		T_CHECK(r && r->status == KR_MEASURED && r->cycles.median == 4.0);
		r = krun_find_variant(&run, "fred-syscall", "bare-metal", "full");
		T_CHECK(r && r->status == KR_MEASURED && r->cycles.median == 85.0);
		r = krun_find_variant(&run, "fred-call-gate", "bare-metal", NULL);
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "0x48"));
		r = krun_find_variant(&run, "fred-int", "bare-metal", NULL);
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "no result"));
	}
	kserial_free(&s);
	krun_free(&run);

	/* the runner's word: the long kernel without the FRED mode expects
	 * no fred-* id; with it, every one */
	for (unsigned m = 0; m < 2; m++) {
		krun_init(&run);
		kserial_init(&s, &run);
		s.mode = KBOOT_LONG | (m ? KBOOT_FRED : 0);
		kserial_line(&s, "kentry-kernel 0.1.0 protocol 1");
		kserial_finish(&s, NULL, 0, 0, "the guest hung");
		T_EQ_U64(run.n, m ? 34 : 19);
		T_CHECK((krun_find(&run, "fred-syscall", "bare-metal") != NULL) == (m == 1));
		kserial_free(&s);
		krun_free(&run);
	}
}

static void test_pass(void)
{
	struct krun run;
	struct kserial s;
	struct prog_log pl = { .in_order = 1 };
	krun_init(&run);
	kserial_init(&s, &run);
	s.progress = on_progress;
	s.progress_arg = &pl;
	if (feed_fixture(&s, "pass.txt", 7) == 0) {
		T_CHECK(s.header_seen);
		T_CHECK(s.end_seen);
		T_CHECK(s.end_pass);
		T_EQ_U64(s.end_measured, 19);
		T_EQ_U64(s.end_total, 19);
		T_EQ_U64(s.tap_ok, 5);
		T_EQ_U64(s.tap_not_ok, 0);
		T_EQ_U64(s.tap_plan, 5);
		T_EQ_U64(s.malformed, 0);
		T_CHECK(s.first_failure == NULL);
		T_EQ_U64(pl.calls, 19);
		T_CHECK(pl.in_order);
		T_EQ_U64(pl.last_total, 19);
		T_STREQ(pl.last_id, "call-gate/iretq");
		T_STREQ(s.last_progress, "call-gate/iretq");
		kserial_finish(&s, NULL, 0, NULL, NULL);
		T_EQ_U64(run.n, 19);
		int measured = 0, ordered = 1;
		for (size_t i = 0; i < run.n; i++) {
			measured += run.r[i].status == KR_MEASURED;
			if (strcmp(run.r[i].id, kboot_id(i)) != 0)
				ordered = 0;
		}
		T_EQ_U64(measured, 19);
		T_CHECK(ordered);
		const struct kresult *r = get(&run, "syscall");
		T_CHECK(r != NULL);
		if (r) {
			T_STREQ(r->world, "bare-metal");
			T_STREQ(r->op, "round-trip");
			T_EQ_U64(r->cycles.n, 200);
			T_EQ_U64(r->batch, 16);
			T_NEAR(r->overhead_cycles, 40, 0);
			T_NEAR(r->cycles.min, 70, 0);
			T_NEAR(r->cycles.p25, 71, 0);
			T_NEAR(r->cycles.median, 72, 0);
			T_NEAR(r->cycles.p75, 73, 0);
			T_NEAR(r->cycles.p99, 79, 0);
			T_NEAR(r->cycles.max, 110, 0);
			T_NEAR(r->cycles.mean, 72.75, 1e-9);
			T_NEAR(r->cycles.stddev, 1.25, 1e-9);
			T_CHECK(r->has_ns);
			T_NEAR(r->ns.median, 36, 1e-9); /* tsc.hz 2 GHz */
			T_NEAR(r->ns.min, 35, 1e-9);
			T_CHECK(r->note == NULL && r->reason == NULL);
		}
		T_STREQ(kenv_get(&run.guest_env, "cpu.vendor"), "GenuineIntel");
		T_STREQ(kenv_get(&run.guest_env, "cpu.name"), "Intel Core Processor (Skylake)");
		T_STREQ(kenv_get(&run.guest_env, "kernel.version"), "0.1.0");
		T_STREQ(kenv_get(&run.guest_env, "kernel.protocol"), "1");
		T_STREQ(kenv_get(&run.guest_env, "tsc.method"), "pit");
		T_STREQ(kenv_get(&run.guest_env, "cmdline"), "quick");
		char tail[4096];
		kserial_tail(&s, tail, sizeof(tail));
		T_EQ_U64(s.tail.n, 10);
		T_CHECK(strstr(tail, "  | end pass 19/19") != NULL);
		T_CHECK(strstr(tail, "progress trap-gate") == NULL); /* only the last 10 */
	}
	kserial_free(&s);
	krun_free(&run);
}

static void test_icount(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	if (feed_fixture(&s, "pass.txt", 4096) == 0) {
		kserial_finish(&s, NULL, 0, "figures are guest instructions per round trip", NULL);
		const struct kresult *r = get(&run, "sysenter");
		T_CHECK(r && !r->has_ns);
		T_CHECK(r && r->note && strstr(r->note, "instructions"));
		T_NEAR(r ? r->cycles.median : 0, 74, 0);
	}
	kserial_free(&s);
	krun_free(&run);
}

static void test_skips_notes(void)
{
	static const char *const only[] = { "syscall", "sysenter", "compat-sysenter",
					    "compat-syscall", "exc-ud-locknop" };
	struct krun run;
	struct kserial s;
	struct prog_log pl = { .in_order = 1 };
	krun_init(&run);
	kserial_init(&s, &run);
	s.progress = on_progress;
	s.progress_arg = &pl;
	s.only = only;
	s.n_only = 5;
	if (feed_fixture(&s, "skips_notes.txt", 13) == 0) {
		T_EQ_U64(pl.calls, 5);
		T_EQ_U64(pl.last_total, 5);
		T_EQ_U64(pl.last_index, 4);
		T_CHECK(s.end_seen && s.end_pass);
		kserial_finish(&s, only, 5, NULL, NULL);
		T_EQ_U64(run.n, 5);
		const struct kresult *r = get(&run, "sysenter");
		T_CHECK(r && r->status == KR_SKIPPED);
		T_STREQ(r ? r->reason : NULL,
			"sysenter raises #UD in 64-bit mode on AMD (AuthenticAMD)");
		r = get(&run, "compat-sysenter");
		T_CHECK(r && r->status == KR_SKIPPED);
		T_STREQ(r ? r->reason : NULL, "skipped by the kernel (no reason given)");
		T_STREQ(r ? r->note : NULL, "printed before its result");
		r = get(&run, "exc-ud-locknop");
		T_CHECK(r && r->status == KR_MEASURED);
		T_STREQ(r ? r->note : NULL,
			"TCG raises #UD for LOCK NOP as documented; second note");
		T_CHECK(r && !r->has_ns); /* tsc.hz 0: no ns */
		r = get(&run, "syscall");
		T_STREQ(r ? r->note : NULL, "free text, with a comma");
		T_CHECK(get(&run, "int-gate") == NULL); /* not requested: absent */
		/* registry order: sysenter (3) before syscall (4) */
		T_STREQ(run.r[0].id, "sysenter");
		T_STREQ(run.r[1].id, "syscall");
		T_STREQ(kenv_get(&run.guest_env, "cpu.vendor"), "AuthenticAMD");
		T_STREQ(kenv_get(&run.guest_env, "tsc.hz"), "0");
	}
	kserial_free(&s);
	krun_free(&run);

	/* Every id expected: the ones the kernel did not print become skipped. */
	krun_init(&run);
	kserial_init(&s, &run);
	if (feed_fixture(&s, "skips_notes.txt", 1) == 0) {
		kserial_finish(&s, NULL, 0, NULL, NULL);
		T_EQ_U64(run.n, 19);
		const struct kresult *r = get(&run, "exc-gp");
		T_CHECK(r && r->status == KR_SKIPPED);
		T_STREQ(r ? r->reason : NULL, "kernel printed no result");
		T_STREQ(run.r[18].id, "call-gate/iretq");
	}
	kserial_free(&s);
	krun_free(&run);
}

static void test_notok(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	if (feed_fixture(&s, "notok.txt", 64) == 0) {
		T_EQ_U64(s.tap_not_ok, 2);
		T_EQ_U64(s.tap_ok, 3);
		T_CHECK(s.end_seen && !s.end_pass);
		T_EQ_U64(s.end_measured, 3);
		T_STREQ(s.first_failure,
			"not ok 3 - sysenter msrs read back (SYSENTER_EIP 0 != ffffffff80001000)");
		T_CHECK(s.failures && strstr(s.failures, "; not ok 5 - call gate selector arithmetic"));
		kserial_finish(&s, NULL, 0, NULL, NULL);
		T_EQ_U64(run.n, 19);
		const struct kresult *r = get(&run, "call-gate");
		T_CHECK(r && r->status == KR_MEASURED);
		r = get(&run, "sysenter");
		T_STREQ(r ? r->reason : NULL, "self-check failed");
	}
	kserial_free(&s);
	krun_free(&run);
}

static void test_truncated(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	if (feed_fixture(&s, "truncated.txt", 100) == 0) {
		T_CHECK(s.header_seen);
		T_CHECK(!s.end_seen);
		T_STREQ(s.last_progress, "exc-pf");
		kserial_finish(&s, NULL, 0, NULL, "guest reset (triple fault?)");
		T_EQ_U64(run.n, 19);
		const struct kresult *r = get(&run, "exc-bp");
		T_CHECK(r && r->status == KR_MEASURED);
		r = get(&run, "exc-pf");
		T_CHECK(r && r->status == KR_SKIPPED);
		T_STREQ(r ? r->reason : NULL,
			"the guest stopped during this path (guest reset (triple fault?))");
		r = get(&run, "exc-de");
		T_STREQ(r ? r->reason : NULL, "guest reset (triple fault?)");
		char tail[4096];
		kserial_tail(&s, tail, sizeof(tail));
		T_CHECK(strstr(tail, "result exc-pf measured samples=200 batch=16 overh") != NULL);
	}
	kserial_free(&s);
	krun_free(&run);
}

static void test_garbage(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	if (feed_fixture(&s, "garbage.txt", 7) == 0) {
		T_CHECK(s.header_seen); /* after escape sequences on its line */
		T_STREQ(kenv_get(&run.guest_env, "cpu.vendor"), "GenuineIntel"); /* BEL dropped */
		T_STREQ(kenv_get(&run.guest_env, "empty.value"), "");
		T_STREQ(kenv_get(&run.guest_env, "tsc.hz"), "1000000000"); /* no \r */
		T_EQ_U64(s.tap_ok, 1);
		T_CHECK(s.end_seen && s.end_pass);
		T_EQ_U64(s.malformed, 0);
		kserial_finish(&s, NULL, 0, NULL, NULL);
		const struct kresult *r = get(&run, "syscall");
		T_CHECK(r && r->status == KR_MEASURED);
		T_NEAR(r ? r->cycles.median : 0, 72, 0);
		T_NEAR(r ? r->ns.median : 0, 72, 1e-9);
		T_CHECK(r && r->note && strlen(r->note) < 1024 && r->note[0] == 'n');
		r = get(&run, "sysenter");
		T_CHECK(r && r->status == KR_MEASURED);
		T_NEAR(r ? r->cycles.median : 0, 82, 0);
		int printable = 1;
		for (size_t i = 0; i < s.tail.n; i++)
			for (const char *p = kring_get(&s.tail, i); p && *p; p++)
				if (*p < 0x20 || *p > 0x7e)
					printable = 0;
		T_CHECK(printable);
	}
	kserial_free(&s);
	krun_free(&run);
}

static void test_malformed(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	if (feed_fixture(&s, "malformed.txt", 3) == 0) {
		kserial_finish(&s, NULL, 0, NULL, NULL);
		const struct kresult *r = get(&run, "int-gate");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "no p99="));
		r = get(&run, "trap-gate");
		T_CHECK(r && r->status == KR_SKIPPED &&
			strstr(r->reason, "median='abc' is not a number"));
		r = get(&run, "call-gate");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "min="));
		r = get(&run, "sysenter"); /* an unknown key is ignored */
		T_CHECK(r && r->status == KR_MEASURED);
		T_NEAR(r ? r->cycles.median : 0, 62, 0);
		r = get(&run, "syscall");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "malformed"));
		r = get(&run, "compat-int80");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "neither measured nor skipped"));
		r = get(&run, "exc-ud");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "samples="));
		r = get(&run, "exc-bp");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "samples="));
		r = get(&run, "exc-de");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "'junk' is not key=value"));
		r = get(&run, "exc-gp");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "mean='nan'"));
		r = get(&run, "exc-pf");
		T_CHECK(r && r->status == KR_SKIPPED && strstr(r->reason, "min='1e400'"));
		T_CHECK(krun_find(&run, "bad$id", NULL) == NULL);
		T_EQ_U64(s.malformed, 14); /* 11 results, a note, two ends */
		T_CHECK(s.end_seen && s.end_pass); /* only the well-formed end line counts */
		T_EQ_U64(s.end_total, 19);
		T_EQ_U64(run.n, 19);
	}
	kserial_free(&s);
	krun_free(&run);

	/* Return values, line by line. */
	krun_init(&run);
	kserial_init(&s, &run);
	T_CHECK(kserial_line(&s, "hello, console") == 0);
	T_CHECK(kserial_line(&s, "") == 0);
	T_CHECK(kserial_line(&s, "result") == 0); /* no record: console text */
	T_CHECK(kserial_line(&s, "result bad$id measured samples=1") == -1);
	T_CHECK(kserial_line(&s, "result syscall measured samples=1") == -1);
	T_CHECK(kserial_line(&s, "note syscall") == -1);
	T_CHECK(kserial_line(&s, "note syscall fine\r") == 0);
	T_CHECK(kserial_line(&s, "end maybe 1/2") == -1);
	T_CHECK(kserial_line(&s, "end pass") == -1);
	T_CHECK(!s.end_seen);
	T_CHECK(kserial_line(&s, "progress a b") == -1);
	T_CHECK(kserial_line(&s, "result sysenter skipped   spaces first") == 0);
	T_STREQ(get(&run, "sysenter") ? get(&run, "sysenter")->reason : NULL, "spaces first");
	T_CHECK(kserial_line(&s, "result syscall measured samples=3 batch=1 overhead=0 min=1 "
				 "p25=1 median=1 p75=1 p99=1 max=1 mean=1 stddev=0") == 0);
	/* a second result of one id replaces the first, keeping its note */
	const struct kresult *r = get(&run, "syscall");
	T_CHECK(r && r->status == KR_MEASURED && r->reason == NULL);
	T_STREQ(r ? r->note : NULL, "fine");
	T_EQ_U64(run.n, 2);
	kserial_free(&s);
	krun_free(&run);
}

/* "<id>@<variant>" tokens: one result per (id, variant), notes follow
 * their token, a bad token is malformed. */
static void test_variants(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	static const char *const lines[] = {
		"kentry-kernel 0.1.0 protocol 1",
		"env tsc.hz 1000000000",
		"progress syscall",
		"result syscall measured samples=3 batch=8 overhead=1.00 min=2.00 p25=2.00 "
		"median=2.00 p75=2.00 p99=2.00 max=2.00 mean=2.00 stddev=0.00",
		"note syscall@full saves the whole frame",
		"progress syscall@full",
		"result syscall@full measured samples=3 batch=8 overhead=1.00 min=40.00 "
		"p25=40.00 median=41.00 p75=42.00 p99=42.00 max=42.00 mean=41.00 stddev=1.00",
		"result int-gate@full skipped not built",
		"end pass 2/3",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		T_CHECK(kserial_line(&s, lines[i]) == 0);
	T_CHECK(kserial_line(&s, "result @full skipped x") < 0);
	T_CHECK(kserial_line(&s, "result syscall@ skipped x") < 0);
	T_CHECK(kserial_line(&s, "result a@b@c skipped x") < 0);
	const struct kresult *m = krun_find(&run, "syscall", "bare-metal");
	const struct kresult *f = krun_find_variant(&run, "syscall", "bare-metal", "full");
	T_CHECK(m && f && m != f);
	T_CHECK(m && m->variant == NULL && m->cycles.median == 2.0 && m->note == NULL);
	T_STREQ(f ? f->variant : NULL, "full");
	T_CHECK(f && f->cycles.median == 41.0);
	T_STREQ(f ? f->note : NULL, "saves the whole frame");
	const struct kresult *g = krun_find_variant(&run, "int-gate", "bare-metal", "full");
	T_CHECK(g && g->status == KR_SKIPPED);
	T_CHECK(krun_find(&run, "int-gate", "bare-metal") == NULL);
	kserial_free(&s);
	krun_free(&run);
}

/* "samples <token> v v ...": the values behind a result, kept when the
 * count matches, dropped when malformed or cut short. */
static void test_samples(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	static const char *const lines[] = {
		"kentry-kernel 0.1.0 protocol 1",
		"result syscall measured samples=4 batch=8 overhead=1.00 min=2.00 p25=2.00 "
		"median=2.50 p75=3.00 p99=3.00 max=3.00 mean=2.50 stddev=0.58",
		"samples syscall 2.00 2.00",
		"samples syscall 3.00 3.00",
		"result syscall@full measured samples=3 batch=8 overhead=1.00 min=40.00 "
		"p25=40.00 median=41.00 p75=42.00 p99=42.00 max=42.00 mean=41.00 stddev=1.00",
		"samples syscall@full 40.00 41.00",
		"result int-gate measured samples=2 batch=8 overhead=1.00 min=5.00 "
		"p25=5.00 median=5.00 p75=5.00 p99=5.00 max=5.00 mean=5.00 stddev=0.00",
		"end pass 3/3",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		T_CHECK(kserial_line(&s, lines[i]) == 0);
	T_CHECK(kserial_line(&s, "samples int-gate 5.00 x") == -1);
	T_CHECK(kserial_line(&s, "samples exc-ud 1.00") == -1); /* no such result */
	T_CHECK(kserial_line(&s, "samples syscall 9.00") == -1); /* more than samples= */
	const char *only[] = { "syscall", "int-gate" };
	kserial_finish(&s, only, 2, 0, NULL);
	const struct kresult *m = krun_find(&run, "syscall", "bare-metal");
	const struct kresult *f = krun_find_variant(&run, "syscall", "bare-metal", "full");
	const struct kresult *g = krun_find(&run, "int-gate", "bare-metal");
	/* the line with one sample too many dropped the set */
	T_CHECK(m && m->samples == NULL && m->status == KR_MEASURED);
	T_CHECK(f && f->samples == NULL);  /* 2 of 3: cut short */
	T_CHECK(g && g->samples == NULL);  /* malformed */
	kserial_free(&s);
	krun_free(&run);

	krun_init(&run);
	kserial_init(&s, &run);
	T_CHECK(kserial_line(&s, lines[1]) == 0);
	T_CHECK(kserial_line(&s, lines[2]) == 0);
	T_CHECK(kserial_line(&s, lines[3]) == 0);
	kserial_finish(&s, only, 1, 0, NULL);
	m = krun_find(&run, "syscall", "bare-metal");
	T_CHECK(m && m->n_samples == 4 && m->samples && m->samples[3] == 3.0);
	kserial_free(&s);
	krun_free(&run);
}

/* Both variants expected: every requested (id, variant) the kernel did not
 * print becomes skipped, each in its own result; the progress of a
 * variant token is placed by its id. */
static void test_variants_expected(void)
{
	struct krun run;
	struct kserial s;
	struct prog_log pl = { .in_order = 1 };
	krun_init(&run);
	kserial_init(&s, &run);
	s.variants = kboot_variant_mask("both");
	static const char *const only[] = { "int-gate", "syscall" };
	s.only = only;
	s.n_only = 2;
	s.progress = on_progress;
	s.progress_arg = &pl;
	T_CHECK(kserial_line(&s, "kentry-kernel 0.1.0 protocol 1") == 0);
	T_CHECK(kserial_line(&s, "progress syscall@full") == 0);
	T_EQ_U64(pl.last_index, 1);
	T_STREQ(pl.last_id, "syscall@full");
	T_CHECK(kserial_line(&s, "result syscall@full measured samples=3 batch=8 overhead=1.00 "
				 "min=40.00 p25=40.00 median=41.00 p75=42.00 p99=42.00 "
				 "max=42.00 mean=41.00 stddev=1.00") == 0);
	kserial_finish(&s, only, 2, 0, NULL);
	T_EQ_U64(run.n, 4);
	const struct kresult *a = krun_find_variant(&run, "int-gate", "bare-metal", NULL);
	const struct kresult *b = krun_find_variant(&run, "int-gate", "bare-metal", "full");
	const struct kresult *c = krun_find_variant(&run, "syscall", "bare-metal", NULL);
	const struct kresult *d = krun_find_variant(&run, "syscall", "bare-metal", "full");
	T_CHECK(a && a->status == KR_SKIPPED && b && b->status == KR_SKIPPED);
	T_CHECK(c && c->status == KR_SKIPPED);
	T_CHECK(d && d->status == KR_MEASURED);
	T_CHECK(kboot_variant_mask(NULL) == 3 && kboot_variant_mask("minimal") == 1 &&
		kboot_variant_mask("full") == 2);
	T_CHECK(kboot_variant_name(0) == NULL);
	T_STREQ(kboot_variant_name(1), "full");
	kserial_free(&s);
	krun_free(&run);
}

/* Mitigated variants ("<id>@full+kpti"): '+' is part of a variant only;
 * the variants the kernel lists (kernel.mitigation_variants, it resolves
 * auto) are expected of every path, else the ones the host asked for. */
static void test_mitigated_variants(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	s.variants = kboot_variant_mask("full");
	snprintf(s.mitig_variants, sizeof(s.mitig_variants), "full+kpti,full+verw,full+all");
	static const char *const only[] = { "syscall", "exc-pf" };
	T_CHECK(kserial_line(&s, "kentry-kernel 0.1.0 protocol 1") == 0);
	T_CHECK(kserial_line(&s, "env kernel.mitigation_variants full+kpti,full+swapgs,full+all") == 0);
	T_CHECK(kserial_line(&s, "result syscall@full+kpti measured samples=3 batch=8 overhead=1.00 "
				 "min=40.00 p25=40.00 median=41.00 p75=42.00 p99=42.00 "
				 "max=42.00 mean=41.00 stddev=1.00") == 0);
	T_CHECK(kserial_line(&s, "note syscall@full+kpti noted") == 0);
	T_CHECK(kserial_line(&s, "result exc-pf@full+swapgs skipped swapgs: the GS base MSRs raised #GP") == 0);
	T_CHECK(kserial_line(&s, "result sys+call@full skipped x") < 0);
	T_CHECK(kserial_line(&s, "result +@full skipped x") < 0);
	kserial_finish(&s, only, 2, 0, NULL);
	/* 2 paths x (full, full+kpti, full+swapgs, full+all): the kernel's list wins */
	T_EQ_U64(run.n, 8);
	const struct kresult *k = krun_find_variant(&run, "syscall", "bare-metal", "full+kpti");
	T_CHECK(k && k->status == KR_MEASURED && k->cycles.median == 41.0);
	T_STREQ(k ? k->note : NULL, "noted");
	const struct kresult *g = krun_find_variant(&run, "exc-pf", "bare-metal", "full+swapgs");
	T_CHECK(g && g->status == KR_SKIPPED && strstr(g->reason, "GS base") != NULL);
	T_CHECK(krun_find_variant(&run, "exc-pf", "bare-metal", "full+all") != NULL);
	T_CHECK(krun_find_variant(&run, "syscall", "bare-metal", "full+verw") == NULL);
	kserial_free(&s);
	krun_free(&run);

	/* no word from the kernel: the host's list */
	krun_init(&run);
	kserial_init(&s, &run);
	s.variants = kboot_variant_mask("full");
	snprintf(s.mitig_variants, sizeof(s.mitig_variants), "full+kpti");
	T_CHECK(kserial_line(&s, "kentry-kernel 0.1.0 protocol 1") == 0);
	kserial_finish(&s, only, 1, 0, "the guest stopped");
	T_EQ_U64(run.n, 2);
	k = krun_find_variant(&run, "syscall", "bare-metal", "full+kpti");
	T_CHECK(k && k->status == KR_SKIPPED);
	kserial_free(&s);
	krun_free(&run);
}

/* op gettimeofday with mitigations: "<id>@full+kpti" (the rows' one form
 * is full) and "vsyscall@emulate+kpti"; each mitigated row sorted beside
 * its plain one; rows the kernel never printed are filled in skipped, the
 * mitigated ones too. */
static void test_gtod_mitigated(void)
{
	struct krun run;
	struct kserial s;
	krun_init(&run);
	kserial_init(&s, &run);
	s.op_gtod = 1;
	static const char *const only[] = { "syscall", "vsyscall" };
	T_CHECK(kserial_line(&s, "kentry-kernel 0.1.0 protocol 1") == 0);
	T_CHECK(kserial_line(&s, "env kernel.mitigation_variants full+kpti") == 0);
	T_CHECK(kserial_line(&s, "result syscall@full+kpti measured samples=3 batch=8 overhead=1.00 "
				 "min=322.00 p25=322.00 median=322.00 p75=322.00 p99=322.00 "
				 "max=322.00 mean=322.00 stddev=0.00") == 0);
	T_CHECK(kserial_line(&s, "result vsyscall@emulate+kpti measured samples=3 batch=8 overhead=1.00 "
				 "min=329.00 p25=329.00 median=329.00 p75=329.00 p99=329.00 "
				 "max=329.00 mean=329.00 stddev=0.00") == 0);
	T_CHECK(kserial_line(&s, "result syscall measured samples=3 batch=8 overhead=1.00 "
				 "min=311.00 p25=311.00 median=311.00 p75=311.00 p99=311.00 "
				 "max=311.00 mean=311.00 stddev=0.00") == 0);
	kserial_finish(&s, only, 2, 0, "the guest stopped");
	T_EQ_U64(run.n, 6);
	static const char *const order[] = { "syscall", "syscall@full+kpti", "vsyscall@emulate",
					     "vsyscall@emulate+kpti", "vsyscall@native",
					     "vsyscall@native+kpti" };
	for (size_t i = 0; i < 6 && i < run.n; i++) {
		char tok[96];
		snprintf(tok, sizeof(tok), "%s%s%s", run.r[i].id, run.r[i].variant ? "@" : "",
			 run.r[i].variant ? run.r[i].variant : "");
		T_STREQ(tok, order[i]);
	}
	const struct kresult *k = krun_find_variant(&run, "syscall", "bare-metal", "full+kpti");
	T_CHECK(k && k->status == KR_MEASURED && k->cycles.median == 322.0);
	T_CHECK(krun_find_base(&run, k) == krun_find(&run, "syscall", "bare-metal"));
	k = krun_find_variant(&run, "vsyscall", "bare-metal", "native+kpti");
	T_CHECK(k && k->status == KR_SKIPPED && strstr(k->reason, "the guest stopped"));
	kserial_free(&s);
	krun_free(&run);
}

/* The self-test's and the fuzzer's records. */
static void test_selftest_fuzz_records(void)
{
	struct krun run;
	struct kserial s;
	struct kst_report st;
	struct kfuzz_report fz;
	memset(&st, 0, sizeof(st));
	memset(&fz, 0, sizeof(fz));
	krun_init(&run);
	kserial_init(&s, &run);
	s.selftest = &st;
	s.fuzz = &fz;
	T_CHECK(kserial_line(&s, "selftest-case 2 return to a non-canonical RIP [CVE-2012-0217]") == 0);
	T_CHECK(kserial_line(&s, "selftest 2 syscall@full pass no fast exit -- #GP in ring 3; exits: 0 fast") == 0);
	T_CHECK(kserial_line(&s, "selftest 2 sysenter@full skip no fast exit -- not run: #UD") == 0);
	T_CHECK(kserial_line(&s, "selftest 2 x maybe text -- y") < 0);
	T_CHECK(kserial_line(&s, "selftest 2 x pass no separator") < 0);
	T_CHECK(kserial_line(&s, "selftest-case x title") < 0);
	T_EQ_U64(st.ncases, 1);
	T_STREQ(st.cases[0].title, "return to a non-canonical RIP [CVE-2012-0217]");
	T_EQ_U64(st.n, 2);
	T_CHECK(st.rows[0].ncase == 2);
	T_STREQ(st.rows[0].path, "syscall@full");
	T_STREQ(st.rows[0].verdict, "pass");
	T_STREQ(st.rows[0].expected, "no fast exit");
	T_STREQ(st.rows[0].observed, "#GP in ring 3; exits: 0 fast");
	T_STREQ(st.rows[1].verdict, "skip");

	T_CHECK(kserial_line(&s, "fuzz start seed=5 n=10") == 0);
	T_CHECK(kserial_line(&s, "fuzz vector 7 #GP general protection") == 0);
	T_CHECK(kserial_line(&s, "fuzz entry 12 syscall") == 0);
	T_CHECK(kserial_line(&s, "fuzz broken seq=4 entry promise broken: x") == 0);
	T_CHECK(kserial_line(&s, "fuzz seq 4 code at 0x5fe000: 0f05") == 0);
	T_CHECK(kserial_line(&s, "fuzz done ran=5 seed=5 ticks=1000 hz=1000000000") == 0);
	T_CHECK(kserial_line(&s, "fuzz vector x y") < 0);
	T_CHECK(kserial_line(&s, "fuzz done ran=5") < 0);
	T_CHECK(fz.done && fz.ran == 5 && fz.seed == 5 && fz.ticks == 1000 && fz.hz == 1000000000);
	T_EQ_U64(fz.nvectors, 1);
	T_CHECK(fz.vectors[0].count == 7);
	T_STREQ(fz.vectors[0].what, "#GP general protection");
	T_EQ_U64(fz.nentries, 1);
	T_STREQ(fz.entries[0].what, "syscall");
	T_CHECK(fz.broken && fz.broken_seq == 4);
	T_STREQ(fz.broken_what, "entry promise broken: x");
	T_EQ_U64(fz.nlines, 1);
	T_STREQ(fz.lines[0], "4 code at 0x5fe000: 0f05");
	T_EQ_U64(fz.lines_dropped, 0);
	/* a replayed range longer than the lines kept: the rest is counted */
	for (unsigned i = 0; i < KFUZZ_MAX_LINES + 1; i++) /* one is kept already */
		kserial_line(&s, "fuzz seq 5 ok");
	T_EQ_U64(fz.nlines, KFUZZ_MAX_LINES);
	T_EQ_U64(fz.lines_dropped, 2);
	kst_report_free(&st);
	kfuzz_report_free(&fz);
	kserial_free(&s);
	krun_free(&run);
}

int main(void)
{
	test_samples();
	test_modes();
	test_legacy32();
	test_fred();
	test_registry();
	test_pass();
	test_icount();
	test_skips_notes();
	test_notok();
	test_truncated();
	test_garbage();
	test_malformed();
	test_variants();
	test_variants_expected();
	test_mitigated_variants();
	test_gtod_mitigated();
	test_selftest_fuzz_records();
	return T_DONE();
}
