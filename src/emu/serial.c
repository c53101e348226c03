/* kentry emu: the serial-protocol parser (docs/serial-protocol.md): turns
 * the kernel's console lines into the result model. */
#include "serial.h"
#include "boot.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The serial parser                                                   */

#define WORLD "bare-metal"
#define OP "round-trip"

void kserial_init(struct kserial *s, struct krun *run)
{
	memset(s, 0, sizeof(*s));
	s->run = run;
	kring_init(&s->tail, KSERIAL_TAIL);
}

void kserial_free(struct kserial *s)
{
	kring_free(&s->tail);
	free(s->first_failure);
	free(s->failures);
	for (size_t i = 0; i < s->n_pending; i++) {
		free(s->pending[i].id);
		free(s->pending[i].text);
	}
	free(s->pending);
	free(s->partial);
	s->partial = NULL;
	s->first_failure = NULL;
	s->failures = NULL;
	s->pending = NULL;
	s->n_pending = 0;
}

/* The last console lines, oldest first, each on its own line indented. */
void kserial_tail(const struct kserial *s, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	for (size_t k = 0; k < s->tail.n; k++)
		bufcat(buf, len, "\n  | %s", kring_get(&s->tail, k));
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n >= 64)
		return 0;
	const char *at = strchr(id, '@');
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./@", *p) && !(*p == '+' && at && p > at))
			return 0;
	return !at || (at != id && at[1] && !strchr(at + 1, '@'));
}

/* A serial token is "<id>" or "<id>@<variant>" (docs/serial-protocol.md):
 * splits it into buffers of at least 64 bytes. */
static void split_token(const char *tok, char *id, char *variant)
{
	const char *at = strchr(tok, '@');
	size_t n = at ? (size_t)(at - tok) : strlen(tok);
	snprintf(id, 64, "%.*s", (int)n, tok);
	snprintf(variant, 64, "%s", at ? at + 1 : "");
}

static struct kresult *find_bm(struct kserial *s, const char *tok)
{
	char id[64], variant[64];
	split_token(tok, id, variant);
	return krun_find_variant(s->run, id, WORLD, variant);
}

/* A fresh result for a token (an earlier one of the same token is reset). */
static struct kresult *result_for(struct kserial *s, const char *tok)
{
	struct kresult *r = find_bm(s, tok);
	if (!r) {
		char id[64], variant[64];
		split_token(tok, id, variant);
		r = krun_add(s->run, id, WORLD, s->op_gtod ? "gettimeofday" : OP);
		kresult_set_variant(r, variant);
		return r;
	}
	free(r->reason);
	r->reason = NULL;
	r->status = KR_MEASURED;
	memset(&r->cycles, 0, sizeof(r->cycles));
	memset(&r->ns, 0, sizeof(r->ns));
	r->has_ns = 0;
	r->batch = 0;
	r->overhead_cycles = 0;
	kresult_set_samples(r, NULL, 0);
	return r;
}

/* Notes may come before their result: kept by token until it appears. */
static void apply_pending_notes(struct kserial *s, struct kresult *r)
{
	for (size_t i = 0; i < s->n_pending; i++) {
		if (s->pending[i].id && find_bm(s, s->pending[i].id) == r) {
			kresult_set_note(r, "%s", s->pending[i].text);
			free(s->pending[i].id);
			free(s->pending[i].text);
			s->pending[i].id = s->pending[i].text = NULL;
		}
	}
}

static int parse_num(const char *v, double *out)
{
	if (!*v || isspace((unsigned char)*v))
		return -1;
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (*end || errno || !isfinite(d) || d < 0)
		return -1;
	*out = d;
	return 0;
}

/* "result <id> measured k=v ...": every field of the protocol is required;
 * unknown keys are ignored (forward compatible). */
static int parse_measured(struct kserial *s, const char *id, char *rest)
{
	static const char *const keys[] = { "samples", "batch", "overhead", "min", "p25",
					     "median", "p75", "p99", "max", "mean", "stddev" };
	enum { NK = sizeof(keys) / sizeof(keys[0]) };
	double val[NK];
	int have[NK] = { 0 };
	char why[160] = "";

	for (char *save = NULL, *tok = strtok_r(rest, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			snprintf(why, sizeof(why), "'%.40s' is not key=value", tok);
			break;
		}
		*eq = '\0';
		for (int k = 0; k < NK; k++) {
			if (strcmp(tok, keys[k]) != 0)
				continue;
			if (parse_num(eq + 1, &val[k])) {
				snprintf(why, sizeof(why), "%s='%.40s' is not a number", keys[k],
					 eq + 1);
				break;
			}
			have[k] = 1;
		}
		if (why[0])
			break;
	}
	if (!why[0]) {
		for (int k = 0; k < NK; k++) {
			if (!have[k]) {
				snprintf(why, sizeof(why), "no %s=", keys[k]);
				break;
			}
		}
	}
	if (!why[0] && (val[0] < 1 || val[0] != floor(val[0])))
		snprintf(why, sizeof(why), "samples=%g is not a positive whole number", val[0]);
	if (!why[0] && (val[1] < 1 || val[1] != floor(val[1]) || val[1] > 4294967295.0))
		snprintf(why, sizeof(why), "batch=%g is not a positive whole number", val[1]);

	struct kresult *r = result_for(s, id);
	if (why[0]) {
		kresult_skip(r, "kernel printed a malformed result (%s)", why);
		apply_pending_notes(s, r);
		return -1;
	}
	r->cycles.n = (uint64_t)val[0];
	r->batch = (uint32_t)val[1];
	r->overhead_cycles = val[2];
	r->cycles.min = val[3];
	r->cycles.p25 = val[4];
	r->cycles.median = val[5];
	r->cycles.p75 = val[6];
	r->cycles.p99 = val[7];
	r->cycles.max = val[8];
	r->cycles.mean = val[9];
	r->cycles.stddev = val[10];
	apply_pending_notes(s, r);
	return 0;
}

/* "samples <id> <v> <v> ...": more of the samples behind the measured
 * result of id, appended in order. A malformed line drops that result's
 * samples (the statistics stay); kserial_finish drops an incomplete set. */
static int samples_line(struct kserial *s, char *rest)
{
	char *save = NULL;
	char *tok = strtok_r(rest, " ", &save);
	if (!tok || !valid_id(tok))
		return -1;
	struct kresult *r = find_bm(s, tok);
	if (!r || r->status != KR_MEASURED)
		return -1;
	for (char *v = strtok_r(NULL, " ", &save); v; v = strtok_r(NULL, " ", &save)) {
		double d;
		if (parse_num(v, &d) != 0 || r->n_samples >= r->cycles.n) {
			kresult_set_samples(r, NULL, 0);
			return -1;
		}
		if (r->n_samples < 16 || (r->n_samples & (r->n_samples - 1)) == 0)
			r->samples = xrealloc(r->samples, (r->n_samples < 16 ? 16 : 2 * r->n_samples) *
							       sizeof(double));
		r->samples[r->n_samples++] = d;
	}
	return 0;
}

static void add_failure(struct kserial *s, const char *line)
{
	if (!s->first_failure)
		s->first_failure = xstrdup(line);
	size_t old = s->failures ? strlen(s->failures) : 0;
	if (old > 2048)
		return; /* enough to name them */
	size_t add = strlen(line);
	s->failures = xrealloc(s->failures, old + add + 3);
	if (old) {
		memcpy(s->failures + old, "; ", 2);
		old += 2;
	}
	memcpy(s->failures + old, line, add + 1);
}

/* The kernel this transcript comes from: the runner says, else the
 * kernel's `env kernel.mode` line, else the long-mode kernel (whose
 * transcripts predate the line). Its FRED mode (the fred-* ids expected
 * too): the runner says, else `env kernel.fred` other than "off" (the
 * mode was asked for; "unavailable: ..." when the CPU has no FRED, and
 * the kernel then reports every fred-* path skipped with that reason). */
static unsigned serial_mode(const struct kserial *s)
{
	unsigned mode;
	const char *m = kenv_get(&s->run->guest_env, "kernel.mode");
	const char *f = kenv_get(&s->run->guest_env, "kernel.fred");
	unsigned fred = f && strcmp(f, "off") != 0 ? KBOOT_FRED : 0;
	if (s->mode)
		return s->mode | ((s->mode & KBOOT_LONG) ? fred : 0);
	if (m && kboot_mode_parse(m, &mode) == 0 && (mode == KBOOT_LONG || mode == KBOOT_LEGACY32))
		return mode | (mode == KBOOT_LONG ? fred : 0);
	return KBOOT_LONG | fred;
}

#define MAX_MODE_IDS 64

static void progress_line(struct kserial *s, const char *tok)
{
	snprintf(s->last_progress, sizeof(s->last_progress), "%.63s", tok);
	if (!s->progress)
		return;
	char id[64], variant[64];
	split_token(tok, id, variant);
	const char *ids[MAX_MODE_IDS];
	size_t n_ids = kboot_mode_ids(serial_mode(s), ids, MAX_MODE_IDS);
	const char *const *list = s->only ? s->only : ids;
	size_t total = s->only ? s->n_only : n_ids;
	size_t index = s->n_progress;
	for (size_t i = 0; i < total; i++)
		if (strcmp(list[i], id) == 0)
			index = i;
	if (index >= total)
		total = index + 1;
	s->progress(s->progress_arg, tok, index, total, "running");
}

static int serial_record(struct kserial *s, char *line);

void kst_report_free(struct kst_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->rows[i].path);
		free(r->rows[i].verdict);
		free(r->rows[i].expected);
		free(r->rows[i].observed);
	}
	for (size_t i = 0; i < r->ncases; i++)
		free(r->cases[i].title);
	free(r->rows);
	free(r->cases);
	memset(r, 0, sizeof(*r));
}

/* "selftest-case <n> <title>" and
 * "selftest <n> <path> <pass|fail|skip> <expected> -- <observed>". */
static int selftest_record(struct kserial *s, char *p)
{
	struct kst_report *r = s->selftest;
	char *end;
	if (strncmp(p, "selftest-case ", 14) == 0) {
		unsigned long n = strtoul(p + 14, &end, 10);
		if (end == p + 14 || *end != ' ' || n > 1000)
			return -1;
		if (r) {
			r->cases = xrealloc(r->cases, (r->ncases + 1) * sizeof(*r->cases));
			r->cases[r->ncases].n = (unsigned)n;
			r->cases[r->ncases].title = xstrdup(end + 1);
			r->ncases++;
		}
		return 0;
	}
	unsigned long n = strtoul(p + 9, &end, 10);
	if (end == p + 9 || *end != ' ' || n > 1000)
		return -1;
	char *path = end + 1, *sp = strchr(path, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	char *verdict = sp + 1;
	sp = strchr(verdict, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	if (strcmp(verdict, "pass") && strcmp(verdict, "fail") && strcmp(verdict, "skip"))
		return -1;
	char *expected = sp + 1, *sep = strstr(expected, " -- ");
	if (!sep)
		return -1;
	*sep = '\0';
	if (r) {
		r->rows = xrealloc(r->rows, (r->n + 1) * sizeof(*r->rows));
		struct kst_row *row = &r->rows[r->n++];
		row->ncase = (unsigned)n;
		row->path = xstrdup(path);
		row->verdict = xstrdup(verdict);
		row->expected = xstrdup(expected);
		row->observed = xstrdup(sep + 4);
	}
	return 0;
}

void kfuzz_report_free(struct kfuzz_report *r)
{
	for (size_t i = 0; i < r->nvectors; i++)
		free(r->vectors[i].what);
	for (size_t i = 0; i < r->nentries; i++)
		free(r->entries[i].what);
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->vectors);
	free(r->entries);
	free(r->lines);
	free(r->broken_what);
	memset(r, 0, sizeof(*r));
}

static int fuzz_u64(const char *s, const char *key, uint64_t *out)
{
	const char *p = strstr(s, key);
	if (!p)
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p + strlen(key), &end, 10);
	if (errno || end == p + strlen(key))
		return -1;
	*out = v;
	return 0;
}

/* "fuzz done ran=R seed=S ticks=T hz=H", "fuzz vector <count> <what>",
 * "fuzz entry <count> <what>", "fuzz broken seq=K <what>", "fuzz seq ...". */
static int fuzz_record(struct kserial *s, char *p)
{
	struct kfuzz_report *r = s->fuzz;
	p += 5;
	if (strncmp(p, "done ", 5) == 0) {
		uint64_t ran, seed, ticks, hz;
		if (fuzz_u64(p, "ran=", &ran) || fuzz_u64(p, "seed=", &seed) ||
		    fuzz_u64(p, "ticks=", &ticks) || fuzz_u64(p, "hz=", &hz))
			return -1;
		if (r) {
			r->done = 1;
			r->ran = ran;
			r->seed = seed;
			r->ticks = ticks;
			r->hz = hz;
		}
		return 0;
	}
	int vec = strncmp(p, "vector ", 7) == 0, ent = strncmp(p, "entry ", 6) == 0;
	if (vec || ent) {
		char *q = p + (vec ? 7 : 6), *end;
		errno = 0;
		unsigned long long c = strtoull(q, &end, 10);
		if (errno || end == q || *end != ' ' || !end[1])
			return -1;
		if (r) {
			struct kfuzz_count **a = vec ? &r->vectors : &r->entries;
			size_t *n = vec ? &r->nvectors : &r->nentries;
			*a = xrealloc(*a, (*n + 1) * sizeof(**a));
			(*a)[*n].what = xstrdup(end + 1);
			(*a)[*n].count = c;
			(*n)++;
		}
		return 0;
	}
	if (strncmp(p, "broken ", 7) == 0) {
		uint64_t k;
		char *sp = strchr(p + 7, ' ');
		if (fuzz_u64(p, "seq=", &k) || !sp)
			return -1;
		if (r) {
			r->broken = 1;
			r->broken_seq = k;
			free(r->broken_what);
			r->broken_what = xstrdup(sp + 1);
		}
		return 0;
	}
	if (strncmp(p, "seq ", 4) == 0) {
		if (r && r->nlines < KFUZZ_MAX_LINES) { /* a replayed range */
			r->lines = xrealloc(r->lines, (r->nlines + 1) * sizeof(*r->lines));
			r->lines[r->nlines++] = xstrdup(p + 4);
		} else if (r) {
			r->lines_dropped++;
		}
		return 0;
	}
	return 0; /* other fuzz lines (start, progress) are console text */
}

void kexec_report_free(struct kexec_report *r)
{
	free(r->signame);
	free(r->why);
	free(r->refused);
	r->signame = r->why = r->refused = NULL;
	r->ended = r->status = 0;
	r->out_bytes = 0;
	r->end_seen = r->tap_failed = 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "out <fd> <hex>": fd 1 or 2, an even number of lowercase hex digits. */
static int out_record(struct kserial *s, const char *p)
{
	if ((p[0] != '1' && p[0] != '2') || p[1] != ' ')
		return -1;
	const char *h = p + 2;
	size_t n = strlen(h);
	if (n % 2 || n / 2 > 512)
		return -1;
	unsigned char buf[512];
	for (size_t i = 0; i < n / 2; i++) {
		int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
		if (a < 0 || b < 0)
			return -1;
		buf[i] = (unsigned char)(a << 4 | b);
	}
	s->exec->out_bytes += n / 2;
	if (s->exec->out)
		s->exec->out(s->exec->arg, p[0] - '0', buf, n / 2);
	return 0;
}

/* "exit status=N", "exit signal=N NAME what happened". */
static int exit_record(struct kserial *s, const char *p)
{
	struct kexec_report *r = s->exec;
	char *end;
	if (strncmp(p, "status=", 7) == 0) {
		long v = strtol(p + 7, &end, 10);
		if (end == p + 7 || *end || v < 0 || v > 255)
			return -1;
		r->ended = 1;
		r->status = (int)v;
		return 0;
	}
	if (strncmp(p, "signal=", 7) == 0) {
		long v = strtol(p + 7, &end, 10);
		if (end == p + 7 || *end != ' ' || v < 1 || v > 64)
			return -1;
		const char *name = end + 1, *sp = strchr(name, ' ');
		r->ended = 2;
		r->status = (int)v;
		free(r->signame);
		free(r->why);
		r->signame = sp ? strndup(name, (size_t)(sp - name)) : xstrdup(name);
		r->why = xstrdup(sp ? sp + 1 : "");
		return 0;
	}
	return -1;
}

int kserial_line(struct kserial *s, const char *raw)
{
	char line[KSERIAL_LINE_MAX];
	sanitize(line, sizeof(line), raw);
	if (s->exec && strncmp(line, "out ", 4) == 0) {
		/* the program's output: not console text (kept out of the tail) */
		s->lines++;
		int rc = out_record(s, line + 4);
		if (rc < 0)
			s->malformed++;
		return rc;
	}
	kring_push(&s->tail, line);
	s->lines++;
	int rc = serial_record(s, line);
	if (rc < 0)
		s->malformed++;
	return rc;
}

static int serial_record(struct kserial *s, char *line)
{
	/* The header may come after garbage on the same line. */
	const char *hdr = strstr(line, "kentry-kernel ");
	if (hdr && !s->header_seen) {
		char ver[64], proto[16];
		if (sscanf(hdr, "kentry-kernel %63s protocol %15s", ver, proto) == 2) {
			s->header_seen = 1;
			kenv_set(&s->run->guest_env, "kernel.version", ver);
			kenv_set(&s->run->guest_env, "kernel.protocol", proto);
			s->protocol = atoi(proto);
			return 0;
		}
	}

	if (!s->header_seen && !s->boot_error[0]) {
		const char *e = strstr(line, "kentry-kernel: ");
		if (e) { /* boot.S could not start the kernel, and says why */
			snprintf(s->boot_error, sizeof(s->boot_error), "%.159s", e);
			return 0;
		}
	}

	char *p = line;
	if (strncmp(p, "env ", 4) == 0) {
		p += 4;
		char *sp = strchr(p, ' ');
		if (sp)
			*sp = '\0';
		if (!*p)
			return -1;
		kenv_set(&s->run->guest_env, p, sp ? sp + 1 : "");
		return 0;
	}
	if (strncmp(p, "ok ", 3) == 0 && isdigit((unsigned char)p[3])) {
		s->tap_ok++;
		return 0;
	}
	if (strncmp(p, "not ok ", 7) == 0 && isdigit((unsigned char)p[7])) {
		s->tap_not_ok++;
		add_failure(s, line);
		return 0;
	}
	if (strncmp(p, "1..", 3) == 0 && isdigit((unsigned char)p[3])) {
		s->tap_plan = atoi(p + 3);
		return 0;
	}
	if (strncmp(p, "fuzz ", 5) == 0)
		return fuzz_record(s, p);
	if (s->exec && strncmp(p, "exit ", 5) == 0)
		return exit_record(s, p + 5);
	if (s->exec && strncmp(p, "exec refused ", 13) == 0) {
		free(s->exec->refused);
		s->exec->refused = xstrdup(p + 13);
		return 0;
	}
	if (strncmp(p, "selftest-case ", 14) == 0 ||
	    (strncmp(p, "selftest ", 9) == 0 && isdigit((unsigned char)p[9])))
		return selftest_record(s, p);
	if (strncmp(p, "progress ", 9) == 0) {
		if (!valid_id(p + 9))
			return -1;
		progress_line(s, p + 9);
		s->n_progress++;
		return 0;
	}
	if (strncmp(p, "result ", 7) == 0) {
		char *save = NULL;
		char *id = strtok_r(p + 7, " ", &save);
		char *kind = id ? strtok_r(NULL, " ", &save) : NULL;
		if (!id || !valid_id(id))
			return -1;
		if (kind && strcmp(kind, "measured") == 0)
			return parse_measured(s, id, save ? save : (char *)"");
		if (kind && strcmp(kind, "skipped") == 0) {
			struct kresult *r = result_for(s, id);
			const char *why = save ? save : "";
			while (*why == ' ')
				why++;
			kresult_skip(r, "%s", *why ? why : "skipped by the kernel (no reason given)");
			apply_pending_notes(s, r);
			return 0;
		}
		struct kresult *r = result_for(s, id);
		kresult_skip(r, "kernel printed a malformed result (kind '%.20s' is neither measured nor skipped)",
			     kind ? kind : "");
		return -1;
	}
	if (strncmp(p, "samples ", 8) == 0)
		return samples_line(s, p + 8);
	if (strncmp(p, "note ", 5) == 0) {
		char *id = p + 5;
		char *sp = strchr(id, ' ');
		if (sp)
			*sp++ = '\0';
		if (!valid_id(id) || !sp || !*sp)
			return -1;
		struct kresult *r = find_bm(s, id);
		if (r) {
			kresult_set_note(r, "%s", sp);
		} else {
			s->pending = xrealloc(s->pending, (s->n_pending + 1) * sizeof(*s->pending));
			s->pending[s->n_pending].id = xstrdup(id);
			s->pending[s->n_pending].text = xstrdup(sp);
			s->n_pending++;
		}
		return 0;
	}
	if (strncmp(p, "end ", 4) == 0) {
		char verdict[8];
		unsigned m, t;
		if (sscanf(p + 4, "%7s %u/%u", verdict, &m, &t) == 3 &&
		    (strcmp(verdict, "pass") == 0 || strcmp(verdict, "fail") == 0)) {
			s->end_seen = 1;
			s->end_pass = strcmp(verdict, "pass") == 0;
			s->end_measured = m;
			s->end_total = t;
			return 0;
		}
		return -1;
	}
	return 0; /* console text (including "TAP version 13") */
}

static void serial_line_end(struct kserial *s, int from_feed);

void kserial_feed(struct kserial *s, const char *data, size_t n)
{
	if (!s->partial)
		s->partial = xmalloc(KSERIAL_LINE_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			serial_line_end(s, 1);
		} else if (c != '\0' && s->partial_n + 1 < KSERIAL_LINE_MAX) {
			s->partial[s->partial_n++] = c;
		} /* else: NUL, or the rest of a very long line: dropped */
	}
}

static void serial_line_end(struct kserial *s, int from_feed)
{
	if (!s->partial || s->partial_n == 0)
		return;
	s->partial[s->partial_n] = '\0';
	s->partial_n = 0;
	s->partial_cut = !from_feed;
	if (s->echo)
		fprintf(stderr, "%s\n", s->partial);
	kserial_line(s, s->partial);
}

void kserial_flush(struct kserial *s)
{
	serial_line_end(s, 0);
}

static int id_rank(const struct kserial *s, const struct kresult *r)
{
	if (s->op_gtod) {
		/* a mitigated row ("full+kpti", "emulate+kpti") after its plain
		 * one: ranked by the form it builds on ("full": the unnamed one),
		 * the sets among themselves in the kernel's order (a stable sort) */
		char base[64];
		const char *v = r->variant ? r->variant : "", *plus = strrchr(v, '+');
		snprintf(base, sizeof(base), "%.*s", plus ? (int)(plus - v) : (int)strlen(v), v);
		if (plus && !strcmp(base, "full"))
			base[0] = '\0';
		for (size_t i = 0; i < kboot_gtod_count(); i++)
			if (!strcmp(kboot_gtod_id(i), r->id) &&
			    !strcmp(kboot_gtod_variant(i) ? kboot_gtod_variant(i) : "", base))
				return 2 * (int)i + (plus != NULL); /* the plain row first */
		return 2 * (int)kboot_gtod_count();
	}
	int i = kboot_id_index(r->id);
	return i < 0 ? (int)kboot_id_count() : i;
}

/* The mitigated variants expected ("full+kpti,..."): as the kernel lists
 * them (it resolves auto), or else as the host asked for them. */
static void mitig_variant_list(struct kserial *s, char *buf, size_t n)
{
	const char *kv = kenv_get(&s->run->guest_env, "kernel.mitigation_variants");
	snprintf(buf, n, "%s", kv ? (strcmp(kv, "none") ? kv : "") : s->mitig_variants);
}

/* op gettimeofday: each row of gtod.def whose id is expected, plain and
 * with each mitigation set ("full+kpti" -> the row's form + "+kpti") */
static void finish_gtod(struct kserial *s, const char *const *expect, size_t n_expect,
			const char *missing_reason)
{
	char mbuf[sizeof(s->mitig_variants)];
	mitig_variant_list(s, mbuf, sizeof(mbuf));
	const char *sets[16];
	size_t ns = 0;
	for (char *save = NULL, *t = strtok_r(mbuf, ",", &save); t && ns < 16; t = strtok_r(NULL, ",", &save))
		if (!strncmp(t, "full+", 5))
			sets[ns++] = t + 5;
	for (size_t i = 0; i < kboot_gtod_count(); i++) {
		const char *id = kboot_gtod_id(i), *var = kboot_gtod_variant(i);
		int want = !expect;
		for (size_t k = 0; expect && k < n_expect; k++)
			if (!strcmp(expect[k], id))
				want = 1;
		for (size_t m = 0; want && m <= ns; m++) {
			char v[128], tok[200];
			if (m == 0)
				snprintf(v, sizeof(v), "%s", var ? var : "");
			else
				snprintf(v, sizeof(v), "%s+%s", var ? var : "full", sets[m - 1]);
			snprintf(tok, sizeof(tok), "%s%s%s", id, v[0] ? "@" : "", v);
			if (find_bm(s, tok))
				continue;
			struct kresult *r = krun_add(s->run, id, WORLD, "gettimeofday");
			kresult_set_variant(r, v);
			if (!s->end_seen && strcmp(tok, s->last_progress) == 0)
				kresult_skip(r, "the guest stopped during this path (%s)", missing_reason);
			else
				kresult_skip(r, "%s", missing_reason);
			apply_pending_notes(s, r);
		}
	}
}

void kserial_finish(struct kserial *s, const char *const *expect, size_t n_expect,
		    const char *count_note, const char *missing_reason)
{
	if (!missing_reason)
		missing_reason = "kernel printed no result";
	/* A run cut in the middle of a result line: say where it stopped. */
	struct kresult *cut = s->end_seen || !s->last_progress[0] ? NULL
				: find_bm(s, s->last_progress);
	if (cut && cut->status == KR_SKIPPED && cut->reason &&
	    strncmp(cut->reason, "kernel printed a malformed result", 33) == 0 &&
	    s->partial_cut)
		kresult_skip(cut, "the guest stopped during this path (%s)", missing_reason);

	const char *ids[MAX_MODE_IDS];
	if (s->op_gtod && !(expect && !n_expect))
		finish_gtod(s, expect, n_expect, missing_reason);
	if (s->op_gtod)
		n_expect = 0; /* finish_gtod's rows are every expected one */
	else if (!expect) {
		n_expect = kboot_mode_ids(serial_mode(s), ids, MAX_MODE_IDS);
		expect = ids;
	}
	/* the variants expected of every path: minimal and full as asked (the
	 * legacy kernel has the minimal variant only), then the long-mode
	 * kernel's mitigated ones, as the kernel lists them (it resolves auto)
	 * or else as the host asked for them */
	int legacy = serial_mode(s) == KBOOT_LEGACY32;
	unsigned variants = legacy ? 1 : s->variants ? s->variants : 1;
	const char *names[KBOOT_NVARIANTS + 16];
	size_t nv = 0;
	char mbuf[sizeof(s->mitig_variants)];
	for (unsigned v = 0; v < KBOOT_NVARIANTS; v++)
		if ((variants >> v) & 1)
			names[nv++] = kboot_variant_name(v);
	mbuf[0] = '\0';
	if (!legacy)
		mitig_variant_list(s, mbuf, sizeof(mbuf));
	for (char *save = NULL, *t = strtok_r(mbuf, ",", &save); t && nv < sizeof(names) / sizeof(names[0]);
	     t = strtok_r(NULL, ",", &save))
		names[nv++] = t;
	for (size_t i = 0; i < n_expect; i++) {
		const char *id = expect[i];
		for (size_t v = 0; v < nv; v++) {
			char tok[160];
			snprintf(tok, sizeof(tok), "%s%s%s", id, names[v] ? "@" : "",
				 names[v] ? names[v] : "");
			if (!valid_id(tok) || find_bm(s, tok))
				continue;
			struct kresult *r = krun_add(s->run, id, WORLD, OP);
			kresult_set_variant(r, names[v]);
			if (!s->end_seen && strcmp(tok, s->last_progress) == 0)
				kresult_skip(r, "the guest stopped during this path (%s)",
					     missing_reason);
			else
				kresult_skip(r, "%s", missing_reason);
			apply_pending_notes(s, r);
		}
	}

	/* Registry order (stable; unknown ids last, in the kernel's order). */
	for (size_t i = 1; i < s->run->n; i++) {
		struct kresult tmp = s->run->r[i];
		if (strcmp(tmp.world, WORLD) != 0)
			continue;
		size_t j = i;
		while (j > 0 && strcmp(s->run->r[j - 1].world, WORLD) == 0 &&
		       id_rank(s, &s->run->r[j - 1]) > id_rank(s, &tmp)) {
			s->run->r[j] = s->run->r[j - 1];
			j--;
		}
		s->run->r[j] = tmp;
	}

	const char *hz_s = kenv_get(&s->run->guest_env, "tsc.hz");
	double hz = hz_s ? strtod(hz_s, NULL) : 0;
	for (size_t i = 0; i < s->run->n; i++) {
		struct kresult *r = &s->run->r[i];
		if (strcmp(r->world, WORLD) != 0 || r->status != KR_MEASURED)
			continue;
		if (r->samples && r->n_samples != r->cycles.n)
			kresult_set_samples(r, NULL, 0); /* the output was cut */
		if (count_note)
			kresult_set_note(r, "%s", count_note);
		else if (hz > 0)
			kresult_set_ns(r, hz);
	}
}

