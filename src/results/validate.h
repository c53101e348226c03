/* kentry results: what a result file must hold beyond its JSON types
 * (docs/schema.md), checked on the model read from it. */
#ifndef KENTRY_RESULTS_VALIDATE_H
#define KENTRY_RESULTS_VALIDATE_H

#include <stddef.h>
#include "core/result.h"

/* Checks every result (known world; id, variant and op of the allowed
 * characters; no two for the same world, id and variant; a skip with its
 * reason; figures finite, the order min <= p25 <= median <= p75 <= p99 <=
 * max, nothing negative but the minimum and the lower quartile; a sample
 * count of at least 1 that matches the saved samples; a batch of at least
 * 1) and the environment's TSC frequency. Returns 0, or -1 with "FIELD:
 * PROBLEM" in err, the field named as in the file
 * ("results[3] (syscall).cycles.median"). */
int kvalidate_run(const struct krun *run, char *err, size_t errlen);

/* Whether s is a valid id, variant or op: 1 to 64 of [A-Za-z0-9._/-]. */
int kvalidate_name(const char *s);
/* The same alphabet plus '+' (a variant such as full+kpti). */
int kvalidate_variant(const char *s);

#endif
