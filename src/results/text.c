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

/* The escape for the character at s (len bytes), or NULL when it is
 * printed as it is. buf holds at least 9 bytes. */
static const char *escape_of(const unsigned char *s, size_t len, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	if (len == 0) {
		buf[0] = '\\';
		buf[1] = 'x';
		buf[2] = hex[s[0] >> 4];
		buf[3] = hex[s[0] & 15];
		buf[4] = '\0';
		return buf;
	}
	if (len == 1) {
		switch (s[0]) {
		case '\n': return "\\n";
		case '\r': return "\\r";
		case '\t': return "\\t";
		case 0x1b: return "\\e";
		default: break;
		}
		if (s[0] < 0x20 || s[0] == 0x7f) {
			buf[0] = '\\';
			buf[1] = 'x';
			buf[2] = hex[s[0] >> 4];
			buf[3] = hex[s[0] & 15];
			buf[4] = '\0';
			return buf;
		}
		return NULL;
	}
	if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0) { /* C1 controls */
		buf[0] = '\\';
		buf[1] = 'x';
		buf[2] = 'c';
		buf[3] = '2';
		buf[4] = '\\';
		buf[5] = 'x';
		buf[6] = hex[s[1] >> 4];
		buf[7] = hex[s[1] & 15];
		buf[8] = '\0';
		return buf;
	}
	return NULL;
}

char *ktext_escape(char *out, size_t n, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t used = 0;
	char buf[16];
	while (*s) {
		size_t len = utf8_len(s);
		const char *esc = escape_of(s, len, buf);
		size_t step = len ? len : 1;
		const char *src = esc ? esc : (const char *)s;
		size_t w = esc ? strlen(esc) : step;
		if (used + w + 1 > n)
			break;
		memcpy(out + used, src, w);
		used += w;
		s += step;
	}
	out[used] = '\0';
	return out;
}

int ktext_needs_escape(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	char buf[16];
	while (*s) {
		size_t len = utf8_len(s);
		if (escape_of(s, len, buf))
			return 1;
		s += len ? len : 1;
	}
	return 0;
}

void ktext_fputs(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	char buf[16];
	while (*s) {
		size_t len = utf8_len(s);
		const char *esc = escape_of(s, len, buf);
		if (esc)
			fputs(esc, f);
		else
			fwrite(s, 1, len, f);
		s += len ? len : 1;
	}
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
