/* kentry results: text for people and for shells (see text.h). */
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when the bytes
 * there are not one (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* The escape for the character at s (len bytes, 0 when it is not valid
 * UTF-8), or NULL when it is printed as it is. buf holds 16 bytes. */
static const char *escape_of(const unsigned char *s, size_t len, char *buf)
{
	if (len == 1) {
		switch (s[0]) {
		case '\n': return "\\n";
		case '\r': return "\\r";
		case '\t': return "\\t";
		case 0x1b: return "\\e";
		default: break;
		}
	}
	if (len == 0 || (len == 1 && (s[0] < 0x20 || s[0] == 0x7f))) {
		snprintf(buf, 16, "\\x%02x", s[0]);
		return buf;
	}
	if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0) { /* C1 controls */
		snprintf(buf, 16, "\\xc2\\x%02x", s[1]);
		return buf;
	}
	return NULL;
}

/* The next piece of *s as it is shown (an escape or the character itself),
 * its length in *n; advances *s. NULL at the end. */
static const char *next_piece(const unsigned char **s, size_t *n, char *buf)
{
	if (!**s)
		return NULL;
	size_t len = utf8_len(*s);
	const char *piece = escape_of(*s, len, buf);
	if (!piece)
		piece = (const char *)*s;
	*n = piece == (const char *)*s ? len : strlen(piece);
	*s += len ? len : 1;
	return piece;
}

char *ktext_escape(char *out, size_t n, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t used = 0, w;
	char buf[16];
	for (const char *p; (p = next_piece(&s, &w, buf)) && used + w + 1 <= n; used += w)
		memcpy(out + used, p, w);
	out[used] = '\0';
	return out;
}

void ktext_fputs(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t w;
	char buf[16];
	for (const char *p; (p = next_piece(&s, &w, buf));)
		fwrite(p, 1, w, f);
}

void ktext_md(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t w;
	char buf[16];
	for (const char *p; (p = next_piece(&s, &w, buf));) {
		if (w == 1 && *p == '|')
			fputs("\\|", f);
		else
			fwrite(p, 1, w, f);
	}
}

void ktext_csv(FILE *f, const char *str)
{
	const char *s = str ? str : "";
	if (!strpbrk(s, ",\"")) {
		ktext_fputs(f, s);
		return;
	}
	fputc('"', f);
	const unsigned char *u = (const unsigned char *)s;
	size_t w;
	char buf[16];
	for (const char *p; (p = next_piece(&u, &w, buf));) {
		if (w == 1 && *p == '"')
			fputc('"', f);
		fwrite(p, 1, w, f);
	}
	fputc('"', f);
}

int ktext_needs_escape(const char *str)
{
	char buf[16];
	for (const unsigned char *s = (const unsigned char *)(str ? str : ""); *s;) {
		size_t len = utf8_len(s);
		if (escape_of(s, len, buf))
			return 1;
		s += len ? len : 1;
	}
	return 0;
}

#define SHORT_SLOTS 8
#define SHORT_MAX 400

const char *ktext_short(const char *s, size_t max)
{
	static char slots[SHORT_SLOTS][SHORT_MAX * 4 + 8];
	static unsigned next;
	char *out = slots[next++ % SHORT_SLOTS];
	if (max < 16)
		max = 16;
	if (max > SHORT_MAX)
		max = SHORT_MAX;
	/* escape at most what could be shown: the head, and the tail apart */
	size_t slen = s ? strlen(s) : 0;
	static char esc[SHORT_MAX * 16 + 8];
	if (slen <= SHORT_MAX * 4) {
		ktext_escape(esc, sizeof(esc), s);
	} else {
		/* very long: only the first and the last SHORT_MAX bytes can be
		 * shown; escape those (each at most 4x longer) */
		char part[SHORT_MAX + 1];
		memcpy(part, s, SHORT_MAX);
		part[SHORT_MAX] = '\0';
		size_t h = strlen(ktext_escape(esc, SHORT_MAX * 4 + 1, part));
		memcpy(esc + h, "...", 4);
		memcpy(part, s + slen - SHORT_MAX, SHORT_MAX + 1);
		ktext_escape(esc + h + 3, SHORT_MAX * 4 + 1, part);
	}
	size_t elen = strlen(esc);
	if (elen <= max) {
		memcpy(out, esc, elen + 1);
		return out;
	}
	/* keep about two thirds at the head and one third at the tail, both
	 * cut at a UTF-8 character boundary */
	size_t keep = max - 3, head = keep * 2 / 3, tail = keep - head;
	while (head > 0 && ((unsigned char)esc[head] & 0xc0) == 0x80)
		head--;
	size_t from = elen - tail;
	while (from < elen && ((unsigned char)esc[from] & 0xc0) == 0x80)
		from++;
	memcpy(out, esc, head);
	memcpy(out + head, "...", 3);
	memcpy(out + head + 3, esc + from, elen - from + 1);
	return out;
}

const char *ktext_arg(const char *s)
{
	return ktext_short(s, 120);
}

static int shell_safe(const char *w)
{
	if (!*w)
		return 0;
	for (; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		      (*w >= '0' && *w <= '9') || strchr("_@%+=:,./-", *w)))
			return 0;
	return 1;
}

char *ktext_shell_join(const char *const *argv, size_t n)
{
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += strlen(argv[i]) * 4 + 3;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			out[used++] = ' ';
		const char *w = argv[i];
		if (shell_safe(w)) {
			size_t l = strlen(w);
			memcpy(out + used, w, l);
			used += l;
			continue;
		}
		out[used++] = '\'';
		for (; *w; w++) {
			if (*w == '\'') {
				memcpy(out + used, "'\\''", 4);
				used += 4;
			} else {
				out[used++] = *w;
			}
		}
		out[used++] = '\'';
	}
	out[used] = '\0';
	return out;
}

void ktext_words_free(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}

int ktext_shell_split(const char *line, char ***words)
{
	size_t len = strlen(line);
	char **v = calloc(len / 2 + 2, sizeof(*v));
	char *cur = malloc(len + 1);
	int n = 0;
	*words = NULL;
	if (!v || !cur) {
		free(v);
		free(cur);
		return -1;
	}
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		size_t k = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');
				if (!e)
					goto bad;
				memcpy(cur + k, p + 1, (size_t)(e - p - 1));
				k += (size_t)(e - p - 1);
				p = e + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					cur[k++] = *p++;
				}
				if (*p != '"')
					goto bad;
				p++;
			} else if (*p == '\\' && p[1]) {
				cur[k++] = p[1];
				p += 2;
			} else {
				cur[k++] = *p++;
			}
		}
		cur[k] = '\0';
		v[n] = malloc(k + 1);
		if (!v[n])
			goto bad;
		memcpy(v[n++], cur, k + 1);
	}
	free(cur);
	v[n] = NULL;
	*words = v;
	return n;
bad:
	free(cur);
	ktext_words_free(v);
	return -1;
}
