/* kentry kernel: a Linux process's standard output and standard error on
 * the serial line, as records that nothing else can be mistaken for and
 * that carry any bytes (docs/serial-protocol.md, "Running a program"):
 *
 *   out <fd> <hex>
 *
 * fd 1 or 2, then the bytes written, two lowercase hex digits each, at
 * most OUT_CHUNK bytes to a record. The host (kentry exec) decodes them
 * and writes them to its own standard output or error as they come, so
 * the program's two streams keep their order relative to each other and
 * to the kernel's own lines. A program's text can never look like a
 * protocol record: it is never on the line as text. */
#include "linux.h"
#include "kernel.h"

#define OUT_CHUNK 256

void kprogout(int fd, const void *buf, uint64_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = buf;
	char line[8 + 2 * OUT_CHUNK + 2];
	while (n) {
		uint64_t k = n < OUT_CHUNK ? n : OUT_CHUNK;
		unsigned i = 0;
		line[i++] = 'o';
		line[i++] = 'u';
		line[i++] = 't';
		line[i++] = ' ';
		line[i++] = (char)('0' + fd);
		line[i++] = ' ';
		for (uint64_t j = 0; j < k; j++) {
			line[i++] = hex[p[j] >> 4];
			line[i++] = hex[p[j] & 15];
		}
		line[i++] = '\n';
		line[i] = 0;
		console_write(line);
		p += k;
		n -= k;
	}
}
