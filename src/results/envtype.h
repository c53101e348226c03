/* kentry results: typed environment values (schema version 2).
 *
 * In memory every environment value is its text (what the table shows); in
 * a version 2 file each known key has a JSON type (docs/schema.md): numbers
 * as numbers, yes/no as booleans, lists as arrays, null for a fact that is
 * not known. Keys kentry does not know are typed by their text: yes/no a
 * boolean, a decimal number a number, anything else a string. */
#ifndef KENTRY_RESULTS_ENVTYPE_H
#define KENTRY_RESULTS_ENVTYPE_H

#include <jansson.h>
#include <stddef.h>

/* The JSON value of key's text (a new reference). */
json_t *kenvtype_to_json(const char *key, const char *text);

/* The text of key's JSON value (malloc'd in *text), or -1 with what is
 * wrong ("expected a number, got a string") in why. */
int kenvtype_from_json(const char *key, json_t *v, char **text, char *why, size_t whylen);

/* "a string", "a number", ... or "missing" (v NULL), for messages. */
const char *kjson_kind(const json_t *v);

#endif
