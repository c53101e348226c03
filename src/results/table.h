/* kentry results: the human table of a run (strings from a file escaped). */
#ifndef KENTRY_RESULTS_TABLE_H
#define KENTRY_RESULTS_TABLE_H

#include <stdio.h>
#include "core/result.h"

/* Human table of one world's results (world NULL: all). */
void krender_env(FILE *f, const struct kenv *env, const char *title);
void krender_table(FILE *f, const struct krun *run, const char *world);

#endif
