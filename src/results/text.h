/* kentry results: text for people and for shells. Strings that come from a
 * file (ids, reasons, notes, environment values) are escaped before they
 * reach a terminal; arguments quoted in error messages are shortened so the
 * reason after them is never cut; a command line is kept as shell words so
 * it can be pasted back into a shell. */
#ifndef KENTRY_RESULTS_TEXT_H
#define KENTRY_RESULTS_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Copies s into out (size n > 0, always terminated), replacing every
 * control character (C0, DEL and the C1 range U+0080..U+009F) and every
 * byte that is not part of well-formed UTF-8 by a visible escape: \n, \r,
 * \t, \e or \xHH. Printable ASCII and well-formed UTF-8 pass unchanged. A
 * copy that does not fit ends at a character boundary. Returns out. */
char *ktext_escape(char *out, size_t n, const char *s);

/* Whether s would be changed by ktext_escape. */
int ktext_needs_escape(const char *s);

/* Writes s to f escaped as above; ktext_md also as a Markdown table cell
 * ('|' as '\|'), ktext_csv as a CSV field (RFC 4180 quotes when needed). */
void ktext_fputs(FILE *f, const char *s);
void ktext_md(FILE *f, const char *s);
void ktext_csv(FILE *f, const char *s);

/* s escaped and, when longer than max bytes, shortened in the middle with
 * "..." (the head and the tail are kept: a path's file name survives). The
 * result lives in one of a few rotating static buffers: use it at once
 * (several in one printf are fine). max is clamped to [16, 400]. */
const char *ktext_short(const char *s, size_t max);
/* ktext_short with the length used in kentry's messages (120). */
const char *ktext_arg(const char *s);

/* argv as one line of shell words: a word of safe characters as it is,
 * any other in single quotes (an embedded ' as '\''). malloc'd. */
char *ktext_shell_join(const char *const *argv, size_t n);

/* Splits a line of shell words (single quotes, double quotes with \" \\ \$
 * \`, backslash escapes, blanks between words) into a NULL-terminated
 * malloc'd array of malloc'd words. Returns the word count, or -1 on an
 * unterminated quote (*words is then NULL). */
int ktext_shell_split(const char *line, char ***words);
void ktext_words_free(char **words);

#endif
