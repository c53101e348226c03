/* kentry results: CSV and Markdown exports. */
#ifndef KENTRY_RESULTS_EXPORT_H
#define KENTRY_RESULTS_EXPORT_H

#include "core/result.h"

/* Serialisations into a malloc'd string. Return 0 or -1. */
int kexport_csv(const struct krun *run, char **out);
int kexport_markdown(const struct krun *run, char **out);

#endif
