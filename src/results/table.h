/* kentry results: human views of the result model. */
#ifndef KENTRY_RESULTS_TABLE_H
#define KENTRY_RESULTS_TABLE_H

#include <stdio.h>
#include "core/result.h"

/* Human table of one world's results (world NULL: all). */
void krender_env(FILE *f, const struct kenv *env, const char *title);
void krender_table(FILE *f, const struct krun *run, const char *world);
void krender_compare(FILE *f, const struct krun *a, const struct krun *b,
		     const char *name_a, const char *name_b);

#endif
