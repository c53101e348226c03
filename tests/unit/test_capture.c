/* kentry show --serial: a real capture (COM1 of the hybrid image booted by
 * OVMF, saved by tests/integration/boot_iso.sh: firmware and GRUB escape
 * sequences, \r\n lines, then the kernel) read back, and copies of it cut,
 * flipped, reordered and doubled, each refused with the line where it
 * breaks (src/emu/capture.c). Run from the repository root. */
#include "t.h"
#include "emu/capture.h"

#include <stdlib.h>

#define FIX "tests/fixtures/serial/"

/* A copy of s with the first `from` after `after` replaced by `to`. */
static char *edit(const char *s, const char *after, const char *from, const char *to)
{
	const char *a = after ? strstr(s, after) : s;
	const char *p = a ? strstr(a, from) : NULL;
	if (!p) {
		printf("# edit: '%s' not found\n", from);
		return strdup(s);
	}
	size_t n = strlen(s) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);
	size_t head = (size_t)(p - s);
	memcpy(out, s, head);
	strcpy(out + head, to);
	strcat(out, p + strlen(from));
	return out;
}

/* The number of the line where `needle` first appears (1-based). */
static size_t line_of(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);
	size_t ln = 1;
	for (const char *q = s; p && q < p; q++)
		if (*q == '\n')
			ln++;
	return p ? ln : 0;
}

static int parse(const char *data, struct krun *run, struct kcapture_info *info, char *err,
		 size_t errlen)
{
	krun_init(run);
	return kcapture_parse(data, strlen(data), "cap", run, info, err, errlen);
}

/* Refused (6), with "cap:LINE:" and `what` in the message. */
static void refused(const char *data, size_t line, const char *what)
{
	struct krun run;
	struct kcapture_info info;
	char err[1024], at[32];
	int rc = parse(data, &run, &info, err, sizeof(err));
	snprintf(at, sizeof(at), "cap:%zu:", line);
	T_CHECK(rc == 6);
	T_CHECK(strstr(err, at) == err);
	T_CHECK(strstr(err, what) != NULL);
	T_CHECK(run.n == 0);
	if (rc != 6 || strstr(err, at) != err || !strstr(err, what))
		printf("#   want line %zu and '%s', got: %s\n", line, what, err);
	krun_free(&run);
}

int main(void)
{
	size_t len;
	char *cap = t_slurp(FIX "capture-ovmf.txt", &len);
	T_CHECK(cap != NULL && len > 1000);
	if (!cap)
		return T_DONE();
	size_t hdr = line_of(cap, "kentry-kernel "), end = line_of(cap, "\nend pass") + 1;

	/* the real capture */
	struct krun run;
	struct kcapture_info info;
	char err[1024];
	T_CHECK(parse(cap, &run, &info, err, sizeof(err)) == 0);
	T_EQ_U64(run.n, 19);
	T_EQ_U64(info.runs, 1);
	T_EQ_U64(info.first, hdr);
	T_EQ_U64(info.last, end);
	T_CHECK(hdr > 5); /* firmware and GRUB lines came first */
	const struct kresult *sc = krun_find(&run, "syscall", "bare-metal");
	T_CHECK(sc && sc->status == KR_MEASURED && sc->cycles.median > 0 && sc->has_ns);
	T_CHECK(sc && sc->cycles.min <= sc->cycles.median && sc->batch > 0);
	T_CHECK(sc && sc->n_samples == 200 && sc->n_samples == sc->cycles.n); /* samples lines */
	T_STREQ(kenv_get(&run.guest_env, "capture.file"), "cap");
	T_STREQ(kenv_get(&run.guest_env, "cpu.vendor"), "GenuineIntel");
	T_CHECK(kenv_get(&run.guest_env, "screen") &&
		!strncmp(kenv_get(&run.guest_env, "screen"), "framebuffer", 11));
	T_CHECK(krun_find(&run, "call-gate/iretq", "bare-metal") != NULL);
	krun_free(&run);

	/* \r\n everywhere (serial-over-LAN), and escapes inside kernel lines */
	size_t crlf_n = 0;
	char *crlf = malloc(2 * len + 1);
	for (size_t i = 0; i < len; i++) {
		if (cap[i] == '\n' && (i == 0 || cap[i - 1] != '\r'))
			crlf[crlf_n++] = '\r';
		crlf[crlf_n++] = cap[i];
	}
	crlf[crlf_n] = '\0';
	T_CHECK(parse(crlf, &run, &info, err, sizeof(err)) == 0);
	T_EQ_U64(run.n, 19);
	T_EQ_U64(info.first, hdr);
	krun_free(&run);
	char *esc = edit(cap, "result syscall ", "median=", "\x1b[0mmedian=");
	T_CHECK(parse(esc, &run, &info, err, sizeof(err)) == 0);
	krun_free(&run);
	free(esc);
	free(crlf);

	/* the fixtures made from it */
	char *trunc = t_slurp(FIX "capture-ovmf-truncated.txt", &len);
	char *corr = t_slurp(FIX "capture-ovmf-corrupted.txt", &len);
	if (trunc)
		refused(trunc, line_of(trunc, "progress exc-pf") + 1, "truncated capture");
	if (corr)
		refused(corr, line_of(cap, "result syscall "), "bytes the kernel never sends");

	/* corruptions, each at its line */
	size_t rs = line_of(cap, "result syscall ");
	char *c;
	c = edit(cap, "result syscall ", "p99=1", "p99="); /* a digit dropped */
	refused(c, rs, "statistics out of order");
	free(c);
	c = edit(cap, "result syscall ", "result syscall", "resu1t syscall");
	refused(c, rs, "not a line the kernel prints");
	free(c);
	c = edit(cap, "result syscall ", "result syscall", "result sysenter");
	refused(c, rs, "another path than the one in progress");
	free(c);
	c = edit(cap, "kentry-kernel", "progress syscall", "progress sysca11");
	refused(c, line_of(cap, "progress syscall"), "no path this kentry knows");
	free(c);
	c = edit(cap, "kentry-kernel", "\nok 5 ", "\nok 55 ");
	refused(c, line_of(cap, "\nok 5 ") + 1, "self-check 55 where 5 comes next");
	free(c);
	c = edit(cap, "kentry-kernel", "end pass 19/19", "end pass 18/19");
	refused(c, end, "the end line counts 18/19");
	free(c);
	c = edit(cap, "result syscall ", " stddev=", "");
	refused(c, rs, "a malformed result");
	free(c);
	size_t ss = line_of(cap, "samples syscall ");
	c = edit(cap, "samples syscall ", "samples syscall 98.31", "samples syscall 9x.31");
	refused(c, ss, "a sample that is not a number");
	free(c);
	c = edit(cap, "result syscall ", "samples syscall ", "samples sysenter ");
	refused(c, ss, "samples for another path");
	free(c);
	/* a digit changed in a samples line: the line is one the kernel can
	   print, the result is not one a result file may hold (validate.c) */
	c = edit(cap, "result syscall ", "samples syscall 98.31", "samples syscall 18.31");
	T_CHECK(parse(c, &run, &info, err, sizeof(err)) == 6);
	T_CHECK(strstr(err, "cap: results[") == err &&
		strstr(err, "(syscall).samples[0]: 18.31 is outside [min, max]"));
	printf("# %s\n", err);
	T_CHECK(run.n == 0);
	krun_free(&run);
	free(c);
	{ /* a whole samples line lost: the next path's progress line says so */
		const char *l = strstr(cap, "samples syscall ");
		const char *nl = l ? strchr(l, '\n') : NULL;
		char *lost = strdup(cap);
		if (nl)
			memmove(lost + (l - cap), nl + 1, strlen(nl + 1) + 1);
		refused(lost, line_of(lost, "progress compat-int80"),
			"syscall has 150 of its 200 samples");
		free(lost);
	}

	/* two runs: the last whole one is read */
	char *two = malloc(2 * strlen(cap) + 1);
	strcpy(two, cap);
	strcat(two, cap);
	T_CHECK(parse(two, &run, &info, err, sizeof(err)) == 0);
	T_EQ_U64(info.runs, 2);
	T_CHECK(info.first > end);
	T_EQ_U64(run.n, 19);
	krun_free(&run);
	if (trunc) {
		strcpy(two, cap);
		strcat(two, trunc);
		T_CHECK(parse(two, &run, &info, err, sizeof(err)) == 6);
		T_CHECK(strstr(err, "truncated capture") != NULL);
		T_CHECK(strstr(err, "earlier run") != NULL);
		krun_free(&run);
	}
	free(two);

	/* nothing of kentry's */
	T_CHECK(parse("SeaBIOS (version 1.16)\r\nBooting from DVD/CD...\r\n", &run, &info, err,
		      sizeof(err)) == 6);
	T_CHECK(strstr(err, "no kentry kernel header") != NULL);
	krun_free(&run);
	T_CHECK(parse("SeaBIOS\r\nkentry-kernel: this CPU has no long mode (CPUID 0x80000001 "
		      "EDX[29] = 0)\r\n",
		      &run, &info, err, sizeof(err)) == 6);
	T_CHECK(strstr(err, "cap:2: the kernel could not start on that machine: kentry-kernel: "
			    "this CPU has no long mode") == err);
	krun_free(&run);
	T_CHECK(parse("", &run, &info, err, sizeof(err)) == 6);
	krun_free(&run);
	/* read as every input file: missing or a directory is 3, not 6 */
	T_CHECK(kcapture_load("tests/fixtures/serial/no-such-capture.txt", &run, &info, err,
			      sizeof(err)) == 3);
	T_CHECK(strstr(err, "no-such-capture.txt: no such file") != NULL);
	T_CHECK(kcapture_load("tests/fixtures/serial", &run, &info, err, sizeof(err)) == 3);
	T_CHECK(strstr(err, "serial: is a directory, not a serial console capture") != NULL);
	T_CHECK(kcapture_load(FIX "capture-ovmf.txt", &run, &info, err, sizeof(err)) == 0);
	T_EQ_U64(run.n, 19);
	krun_free(&run);

	free(trunc);
	free(corr);
	free(cap);
	return T_DONE();
}
