/* kentry results: the JSON result file (docs/schema.md). */
#ifndef KENTRY_RESULTS_JSON_H
#define KENTRY_RESULTS_JSON_H

#include <stddef.h>
#include "core/result.h"

/* Serialises a run into a malloc'd string. Returns 0 or -1. */
int kexport_json(const struct krun *run, char **out);

/* Parses a kentry JSON result document. Returns 0, or -1 with a one-line
 * reason in err (the run is left empty). */
int kjson_parse(const char *text, struct krun *run, char *err, size_t errlen);
int kjson_load(const char *path, struct krun *run, char *err, size_t errlen);

#endif
