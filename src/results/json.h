/* kentry results: the JSON result file (docs/schema.md): written in schema
 * version 2, read back in version 1 or 2. */
#ifndef KENTRY_RESULTS_JSON_H
#define KENTRY_RESULTS_JSON_H

#include <stddef.h>
#include "core/result.h"
#include "input.h"

/* Serialises a run into a malloc'd string. Returns 0 or -1. */
int kexport_json(const struct krun *run, char **out);

/* Parses a kentry result document (schema version 1 or 2) and checks it
 * (results/validate.h). Returns 0, or -1 with a one-line "FIELD: PROBLEM"
 * in err (the run is then left empty). *version gets the file's schema
 * version when not NULL. */
int kjson_parse(const char *text, struct krun *run, int *version, char *err, size_t errlen);

/* Reads (results/input.h) and parses a file. Returns KINPUT_OK;
 * KINPUT_UNREADABLE when the file cannot be read (missing: "no such file";
 * a directory: "is a directory"; no permission); KINPUT_MALFORMED when it
 * is not a valid result file. err gets "PATH: PROBLEM" on one line, strings
 * from the file escaped. */
int kjson_load(const char *path, struct krun *run, int *version, char *err, size_t errlen);

#endif
