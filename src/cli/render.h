/* kentry: views of the result model (table, JSON, CSV, Markdown), reading
 * saved JSON back, anomaly analysis, and files written whole or not at all. */
#ifndef KENTRY_CLI_RENDER_H
#define KENTRY_CLI_RENDER_H

#include <stdio.h>
#include "core/result.h"

/* Converts cycles to ns where a TSC frequency is known and flags anomalies:
 * a path whose median is ten times that of `syscall` in the same world or
 * more, with the likely cause where the environment suggests one. */
void kanalyze(struct krun *run);

/* Human table of one world's results (world NULL: all). */
void krender_env(FILE *f, const struct kenv *env, const char *title);
void krender_table(FILE *f, const struct krun *run, const char *world);
void krender_compare(FILE *f, const struct krun *a, const struct krun *b,
		     const char *name_a, const char *name_b);

/* Serialisations into a malloc'd string. Return 0 or -1. */
int kexport_json(const struct krun *run, char **out);
int kexport_csv(const struct krun *run, char **out);
int kexport_markdown(const struct krun *run, char **out);

/* Parses a kentry JSON result document. Returns 0, or -1 with a one-line
 * reason in err (the run is left empty). */
int kjson_parse(const char *text, struct krun *run, char *err, size_t errlen);
int kjson_load(const char *path, struct krun *run, char *err, size_t errlen);

/* Output files: checked before measuring, written to a temporary file in the
 * same directory, flushed and renamed into place. */
int kio_check_writable(const char *path, char *err, size_t errlen);
int kio_write_atomic(const char *path, const char *data, char *err,
		     size_t errlen);

#endif
