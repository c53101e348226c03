/* kentry emu: a captured serial console read back. See capture.h.
 *
 * Three passes over the physical lines (split at \n, line numbers 1-based):
 *   1. clean each line: drop \r and NUL, terminal escape sequences (CSI,
 *      OSC and two-byte ones); note any other byte the kernel never sends;
 *   2. find the runs (from a kentry-kernel header to its end line) and take
 *      the last complete one;
 *   3. check every line of that run against what the kernel prints, in
 *      order, then build the results with the serial parser (serial.c),
 *      the same one `kentry boot` uses live. */
#include "capture.h"
#include "boot.h"
#include "serial.h"
#include "util.h"
#include "results/input.h"
#include "results/text.h"
#include "results/validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAPTURE (64u << 20)

struct cline {
	const char *raw;
	size_t len;
};

/* Cleans one raw line into out: escape sequences, \r and NUL dropped, tab
 * as a space; *garbage set for any other byte outside printable ASCII. */
static void clean(const char *raw, size_t len, char *out, size_t outlen, int *garbage)
{
	size_t n = 0;
	*garbage = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == 0x1b) {
			if (i + 1 < len && raw[i + 1] == '[') { /* CSI: parameters, final 0x40-0x7e */
				i += 2;
				while (i < len && !((unsigned char)raw[i] >= 0x40 &&
						    (unsigned char)raw[i] <= 0x7e))
					i++;
			} else if (i + 1 < len && raw[i + 1] == ']') { /* OSC: to BEL or ESC \ */
				i += 2;
				while (i < len && raw[i] != 0x07 &&
				       !(raw[i] == 0x1b && i + 1 < len && raw[i + 1] == '\\'))
					i++;
				if (i < len && raw[i] == 0x1b)
					i++;
			} else if (i + 2 < len && strchr("()*+", raw[i + 1])) { /* charset */
				i += 2;
			} else {
				i++; /* ESC and one byte (ESC 7, ESC =, ...) */
			}
			continue;
		}
		if (c == '\r' || c == 0)
			continue;
		if (c == '\t')
			c = ' ';
		if (c < 0x20 || c >= 0x7f) {
			*garbage = 1;
			continue;
		}
		if (n + 1 < outlen)
			out[n++] = (char)c;
		else
			*garbage = 1; /* longer than any line the kernel prints */
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static const char *header_in(const char *text)
{
	const char *h = strstr(text, "kentry-kernel ");
	char ver[64], proto[16];
	if (h && sscanf(h, "kentry-kernel %63s protocol %15s", ver, proto) == 2)
		return h;
	return NULL;
}

static int is_end(const char *text)
{
	char verdict[8];
	unsigned m, t;
	return strncmp(text, "end ", 4) == 0 &&
	       sscanf(text + 4, "%7s %u/%u", verdict, &m, &t) == 3 &&
	       (!strcmp(verdict, "pass") || !strcmp(verdict, "fail"));
}

/* A path token the host knows: <id> or <id>@<variant>. */
static int known_token(const char *tok)
{
	char id[64];
	const char *at = strchr(tok, '@');
	size_t n = at ? (size_t)(at - tok) : strlen(tok);
	if (n == 0 || n >= sizeof(id) || (at && !at[1]))
		return 0;
	memcpy(id, tok, n);
	id[n] = '\0';
	for (const char *p = at ? at + 1 : ""; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.+", *p))
			return 0;
	return kboot_id_index(id) >= 0;
}

static int parse_uint(const char *s, unsigned *v, const char **end)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	char *e;
	errno = 0;
	unsigned long x = strtoul(s, &e, 10);
	if (errno || x > 0xffffffffu)
		return -1;
	*v = (unsigned)x;
	*end = e;
	return 0;
}

/* The statistics of a measured result in order (min <= p25 <= median <=
 * p75 <= p99 <= max): a flipped digit usually breaks it. */
static int ordered(const struct kresult *r)
{
	const struct kstats *s = &r->cycles;
	return s->min <= s->p25 && s->p25 <= s->median && s->median <= s->p75 &&
	       s->p75 <= s->p99 && s->p99 <= s->max && s->min <= s->mean && s->mean <= s->max;
}

struct check {
	const char *name;
	char *err;
	size_t errlen;
	unsigned tap;       /* self-checks seen */
	int plan_seen;
	char current[64];   /* the path of the last progress line */
	unsigned progress, measured, results;
	char **ids;         /* the progress tokens, for kserial_finish */
	size_t n_ids;
};

static int corrupt(struct check *c, size_t ln, const char *text, const char *why)
{
	snprintf(c->err, c->errlen, "%s:%zu: corrupted capture: %s ('%.80s')", c->name, ln, why,
		 text);
	return 6;
}

/* Before the next path (or the end line): the samples lines of the path
 * in progress, when it printed any, hold all its samples (a line lost from
 * the capture would leave fewer). 0 or 6. */
static int samples_whole(struct check *c, struct kserial *s, size_t ln, const char *t)
{
	if (!c->current[0])
		return 0;
	char id[64], *at;
	snprintf(id, sizeof(id), "%s", c->current);
	at = strchr(id, '@');
	if (at)
		*at++ = '\0';
	const struct kresult *r = krun_find_variant(s->run, id, "bare-metal", at);
	if (!r || r->status != KR_MEASURED || !r->n_samples || r->n_samples == r->cycles.n)
		return 0;
	char why[160];
	snprintf(why, sizeof(why), "%.63s has %zu of its %zu samples: a samples line is missing",
		 c->current, r->n_samples, (size_t)r->cycles.n);
	return corrupt(c, ln, t, why);
}

/* One line of the run, after its header. 0 or 6. */
static int check_line(struct check *c, struct kserial *s, size_t ln, const char *t)
{
	const char *e;
	unsigned v;
	if (!*t || t[0] == '#' || !strcmp(t, "TAP version 13"))
		return 0;
	if (!strncmp(t, "env ", 4)) {
		if (t[4] == ' ' || !t[4])
			return corrupt(c, ln, t, "an env line without its key");
		return 0;
	}
	if (!strncmp(t, "ok ", 3) || !strncmp(t, "not ok ", 7)) {
		const char *num = t + (t[0] == 'o' ? 3 : 7);
		if (c->plan_seen)
			return corrupt(c, ln, t, "a self-check after the plan");
		if (parse_uint(num, &v, &e) || strncmp(e, " - ", 3))
			return corrupt(c, ln, t, "a self-check line without its number");
		if (v != c->tap + 1) {
			char why[96];
			snprintf(why, sizeof(why), "self-check %u where %u comes next", v, c->tap + 1);
			return corrupt(c, ln, t, why);
		}
		c->tap = v;
		return 0;
	}
	if (!strncmp(t, "1..", 3)) {
		if (parse_uint(t + 3, &v, &e) || *e)
			return corrupt(c, ln, t, "a malformed plan line");
		if (v != c->tap) {
			char why[96];
			snprintf(why, sizeof(why), "the plan says %u self-checks, %u were printed", v,
				 c->tap);
			return corrupt(c, ln, t, why);
		}
		c->plan_seen = 1;
		return 0;
	}
	if (!strncmp(t, "progress ", 9)) {
		if (samples_whole(c, s, ln, t))
			return 6;
		if (!known_token(t + 9))
			return corrupt(c, ln, t, "progress names no path this kentry knows");
		snprintf(c->current, sizeof(c->current), "%.63s", t + 9);
		c->ids = xrealloc(c->ids, (c->n_ids + 1) * sizeof(*c->ids));
		c->ids[c->n_ids++] = xstrdup(t + 9);
		c->progress++;
		return 0;
	}
	if (!strncmp(t, "result ", 7)) {
		char tok[64];
		size_t n = strcspn(t + 7, " ");
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < 63 ? n : 63), t + 7);
		if (!known_token(tok))
			return corrupt(c, ln, t, "a result for no path this kentry knows");
		if (strcmp(tok, c->current) != 0)
			return corrupt(c, ln, t, "a result for another path than the one in progress");
		const char *kind = t + 7 + n;
		int measured = !strncmp(kind, " measured ", 10);
		if (!measured && strncmp(kind, " skipped ", 9))
			return corrupt(c, ln, t, "a result neither measured nor skipped");
		if (kserial_line(s, t) != 0)
			return corrupt(c, ln, t, "a malformed result");
		if (measured) {
			char id[64], *at;
			snprintf(id, sizeof(id), "%s", tok);
			at = strchr(id, '@');
			if (at)
				*at++ = '\0';
			const struct kresult *r = krun_find_variant(s->run, id, "bare-metal", at);
			if (!r || r->status != KR_MEASURED || !ordered(r))
				return corrupt(c, ln, t, "statistics out of order (min <= p25 <= median "
							 "<= p75 <= p99 <= max)");
			c->measured++;
		}
		c->results++;
		return 0;
	}
	if (!strncmp(t, "samples ", 8)) {
		/* the samples of the result just read: the parser keeps them
		 * only if they add up to its sample count (kserial_finish) */
		char tok[64];
		size_t n = strcspn(t + 8, " ");
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < 63 ? n : 63), t + 8);
		if (!known_token(tok) || strcmp(tok, c->current) != 0)
			return corrupt(c, ln, t, "samples for another path than the one in progress");
		for (const char *v = t + 8 + n; *v;) {
			char *e;
			while (*v == ' ')
				v++;
			errno = 0;
			double d = strtod(v, &e);
			if (e == v || errno || (*e && *e != ' ') || d != d)
				return corrupt(c, ln, t, "a sample that is not a number");
			v = e;
		}
		if (kserial_line(s, t) != 0)
			return corrupt(c, ln, t, "samples that do not belong to a measured result, or "
						 "more of them than it has");
		return 0;
	}
	if (!strncmp(t, "note ", 5)) {
		char tok[64];
		size_t n = strcspn(t + 5, " ");
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < 63 ? n : 63), t + 5);
		if (!known_token(tok) || !t[5 + n])
			return corrupt(c, ln, t, "a note for no path this kentry knows");
		return 0;
	}
	if (is_end(t)) {
		if (samples_whole(c, s, ln, t))
			return 6;
		unsigned m, tot;
		char verdict[8];
		sscanf(t + 4, "%7s %u/%u", verdict, &m, &tot);
		if (tot != c->progress || m != c->measured) {
			char why[160];
			snprintf(why, sizeof(why), "the end line counts %u/%u, the capture holds %u "
						   "measured of %u paths",
				 m, tot, c->measured, c->progress);
			return corrupt(c, ln, t, why);
		}
		return 0;
	}
	return corrupt(c, ln, t, "not a line the kernel prints");
}

int kcapture_parse(const char *data, size_t n, const char *path, struct krun *run,
		   struct kcapture_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	err[0] = '\0';
	char name[512]; /* the capture's name as messages show it */
	snprintf(name, sizeof(name), "%s", ktext_arg(path));
	/* the physical lines */
	size_t cap = 64, nl = 0;
	struct cline *L = xmalloc(cap * sizeof(*L));
	for (size_t i = 0; i < n;) {
		const char *nlp = memchr(data + i, '\n', n - i);
		size_t len = nlp ? (size_t)(nlp - (data + i)) : n - i;
		if (nl == cap)
			L = xrealloc(L, (cap *= 2) * sizeof(*L));
		L[nl].raw = data + i;
		L[nl].len = len;
		nl++;
		i += len + 1;
	}
	info->lines = nl;

	/* the runs: the last one with an end line */
	char text[KSERIAL_LINE_MAX];
	size_t hdr = 0, end = 0, last_hdr = 0; /* 1-based; 0: none */
	for (size_t i = 0; i < nl; i++) {
		int g;
		clean(L[i].raw, L[i].len, text, sizeof(text), &g);
		if (header_in(text)) {
			info->runs++;
			last_hdr = i + 1;
		} else if (last_hdr && is_end(text) && !g) {
			hdr = last_hdr;
			end = i + 1;
		}
	}
	if (!info->runs) {
		for (size_t i = 0; i < nl; i++) { /* the boot stub's reason, if it gave one */
			int g;
			clean(L[i].raw, L[i].len, text, sizeof(text), &g);
			const char *why = strstr(text, "kentry-kernel: ");
			if (why) {
				snprintf(err, errlen, "%s:%zu: the kernel could not start on that "
						      "machine: %.200s",
					 name, i + 1, why);
				free(L);
				return 6;
			}
		}
		snprintf(err, errlen, "%s: no kentry kernel header ('kentry-kernel <version> "
				      "protocol <n>') in %zu lines: not a capture of kentry's serial "
				      "console",
			 name, nl);
		free(L);
		return 6;
	}
	if (!hdr || last_hdr > end) {
		/* the last run has no end line */
		size_t last = nl;
		int g;
		while (last > last_hdr && L[last - 1].len == 0)
			last--;
		clean(L[last - 1].raw, L[last - 1].len, text, sizeof(text), &g);
		snprintf(err, errlen, "%s:%zu: truncated capture: the kernel's run from line %zu has "
				      "no end line (the capture stops at '%.80s')",
			 name, last, last_hdr, text);
		if (hdr)
			bufcat(err, errlen, "; the earlier run of lines %zu-%zu is whole: cut the "
					    "capture after line %zu to read it",
			       hdr, end, end);
		free(L);
		return 6;
	}
	info->first = hdr;
	info->last = end;

	/* check and read the run */
	struct krun tmp;
	krun_init(&tmp);
	struct kserial s;
	kserial_init(&s, &tmp);
	struct check c = { name, err, errlen, 0, 0, "", 0, 0, 0, NULL, 0 };
	int rc = 0;
	int g;
	clean(L[hdr - 1].raw, L[hdr - 1].len, text, sizeof(text), &g);
	kserial_line(&s, header_in(text));
	for (size_t i = hdr; i < end && !rc; i++) { /* lines hdr+1 .. end */
		clean(L[i].raw, L[i].len, text, sizeof(text), &g);
		if (g)
			rc = corrupt(&c, i + 1, text, "bytes the kernel never sends");
		else
			rc = check_line(&c, &s, i + 1, text);
		if (!rc && strncmp(text, "result ", 7) != 0 && strncmp(text, "samples ", 8) != 0)
			kserial_line(&s, text); /* those two went through check_line */
	}
	if (!rc) {
		kserial_finish(&s, (const char *const *)c.ids, c.n_ids, NULL, NULL);
		/* what a result file may hold, checked as for one read back */
		char why[1024];
		if (kvalidate_run(&tmp, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", name, why);
			rc = 6;
		}
	}
	if (!rc) {
		kenv_set(&run->guest_env, "capture.file", path);
		kenv_setf(&run->guest_env, "capture.lines", "%zu-%zu of %zu", hdr, end, nl);
		if (info->runs > 1)
			kenv_setf(&run->guest_env, "capture.runs", "%zu", info->runs);
		krun_merge(run, &tmp);
	}
	for (size_t i = 0; i < c.n_ids; i++)
		free(c.ids[i]);
	free(c.ids);
	kserial_free(&s);
	krun_free(&tmp);
	free(L);
	return rc;
}

int kcapture_load(const char *path, struct krun *run, struct kcapture_info *info, char *err,
		  size_t errlen)
{
	char *buf;
	size_t n;
	memset(info, 0, sizeof(*info));
	int rc = kinput_read(path, "a serial console capture", MAX_CAPTURE, &buf, &n, err, errlen);
	if (rc)
		return rc == KINPUT_UNREADABLE ? 3 : 6;
	rc = kcapture_parse(buf, n, path, run, info, err, errlen);
	free(buf);
	return rc;
}
