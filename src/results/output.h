/* kentry results: output files, written whole or not at all. */
#ifndef KENTRY_RESULTS_OUTPUT_H
#define KENTRY_RESULTS_OUTPUT_H

#include <stddef.h>

/* Output files: checked before measuring, written to a temporary file in the
 * same directory, flushed and renamed into place. */
int kio_check_writable(const char *path, char *err, size_t errlen);
int kio_write_atomic(const char *path, const char *data, char *err,
		     size_t errlen);

#endif
