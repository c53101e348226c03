/* kentry results: anomaly analysis. */
#ifndef KENTRY_RESULTS_ANALYZE_H
#define KENTRY_RESULTS_ANALYZE_H

#include "core/result.h"

/* Converts cycles to ns where a TSC frequency is known and flags anomalies:
 * a path whose median is ten times that of `syscall` in the same world or
 * more, with the likely cause where the environment suggests one. */
void kanalyze(struct krun *run);

#endif
