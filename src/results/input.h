/* kentry results: an input file read whole (a result file, a captured
 * serial console), with the same answers for every kind: a file that
 * cannot be read is "unreadable" (missing: "no such file"; a directory:
 * "is a directory"; no permission), one too large for its kind is
 * malformed. Commands turn the first into exit status 3, the second into
 * 6 (docs/schema.md). */
#ifndef KENTRY_RESULTS_INPUT_H
#define KENTRY_RESULTS_INPUT_H

#include <stddef.h>

enum { KINPUT_OK = 0, KINPUT_UNREADABLE = 1, KINPUT_MALFORMED = 2 };

/* Reads path into a malloc'd buffer (*buf, NUL-terminated, *n bytes
 * without the NUL) of at most max bytes; `what` names the kind in
 * messages ("a result file"). Returns KINPUT_OK, or another KINPUT_ code
 * with "PATH: PROBLEM" in err (the path escaped and shortened). */
int kinput_read(const char *path, const char *what, size_t max, char **buf, size_t *n,
		char *err, size_t errlen);

#endif
