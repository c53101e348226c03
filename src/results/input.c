/* kentry results: an input file read whole. See input.h. */
#include "input.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int kinput_read(const char *path, const char *what, size_t max, char **buf, size_t *n,
		char *err, size_t errlen)
{
	*buf = NULL;
	*n = 0;
	char p[512]; /* kept: ktext_arg's buffers are reused */
	snprintf(p, sizeof(p), "%s", ktext_arg(path));
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", p, errno == ENOENT ? "no such file" : strerror(errno));
		return KINPUT_UNREADABLE;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not %s", p, what);
		return KINPUT_UNREADABLE;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		return KINPUT_UNREADABLE;
	}
	size_t cap = 1 << 16, len = 0, got;
	char *b = malloc(cap);
	int toolarge = 0;
	while (b && (got = fread(b + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 < cap)
			continue;
		if (len >= max) {
			toolarge = 1;
			break;
		}
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			toolarge = 1;
			break;
		}
		b = nb;
		cap *= 2;
	}
	int rerr = ferror(f) ? errno : 0;
	fclose(f);
	if (rerr) {
		free(b);
		snprintf(err, errlen, "%s: %s", p, strerror(rerr));
		return KINPUT_UNREADABLE;
	}
	if (!b || toolarge || len > max) {
		free(b);
		snprintf(err, errlen, "%s: too large for %s (%zu MiB at most)", p, what, max >> 20);
		return KINPUT_MALFORMED;
	}
	b[len] = '\0';
	*buf = b;
	*n = len;
	return KINPUT_OK;
}
