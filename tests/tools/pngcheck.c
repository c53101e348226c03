/* pngcheck: decodes a PNG (8-bit RGB or RGBA, non-interlaced: what a
 * browser's screenshot is) and prints what the plot test needs to know
 * that the picture is not blank:
 *
 *   WIDTH HEIGHT NONWHITE MATCHING
 *
 * NONWHITE counts pixels with a channel below 240; MATCHING those within
 * 40 of the colour given as the second argument (RRGGBB hex), if any.
 * Exits 1 on anything it cannot decode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static int die(const char *why)
{
	fprintf(stderr, "pngcheck: %s\n", why);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return die("usage: pngcheck FILE.png [RRGGBB]");
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return die("cannot open the file");
	size_t cap = 1 << 20, n = 0, got;
	unsigned char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf || n < 8 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0)
		return die("not a PNG");
	uint32_t w = 0, h = 0;
	int depth = 0, ctype = -1, interlace = 0;
	unsigned char *z = NULL;
	size_t zn = 0;
	for (size_t off = 8; off + 12 <= n;) {
		uint32_t len = be32(buf + off);
		const unsigned char *type = buf + off + 4, *data = buf + off + 8;
		if (off + 12 + (size_t)len > n)
			return die("truncated chunk");
		if (memcmp(type, "IHDR", 4) == 0 && len >= 13) {
			w = be32(data);
			h = be32(data + 4);
			depth = data[8];
			ctype = data[9];
			interlace = data[12];
		} else if (memcmp(type, "IDAT", 4) == 0) {
			z = realloc(z, zn + len);
			memcpy(z + zn, data, len);
			zn += len;
		} else if (memcmp(type, "IEND", 4) == 0) {
			break;
		}
		off += 12 + (size_t)len;
	}
	if (depth != 8 || (ctype != 2 && ctype != 6) || interlace || !w || !h || w > 20000 ||
	    h > 20000)
		return die("not an 8-bit RGB(A) non-interlaced PNG");
	size_t bpp = ctype == 6 ? 4 : 3, stride = (size_t)w * bpp;
	uLongf rawn = (uLongf)((stride + 1) * h);
	unsigned char *raw = malloc(rawn);
	if (!raw || uncompress(raw, &rawn, z, (uLong)zn) != Z_OK || rawn != (stride + 1) * h)
		return die("bad image data");
	unsigned long long nonwhite = 0, matching = 0;
	int want = argc > 2, wr = 0, wg = 0, wb = 0;
	if (want && sscanf(argv[2], "%2x%2x%2x", &wr, &wg, &wb) != 3)
		return die("colour as RRGGBB");
	unsigned char *prev = calloc(stride, 1), *cur;
	for (uint32_t y = 0; y < h; y++) {
		unsigned char ft = raw[y * (stride + 1)];
		cur = raw + y * (stride + 1) + 1;
		for (size_t i = 0; i < stride; i++) {
			int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
			int p = ft == 0 ? 0 : ft == 1 ? a : ft == 2 ? b : ft == 3 ? (a + b) / 2
			      : ft == 4 ? paeth(a, b, c) : -1;
			if (p < 0)
				return die("bad filter");
			cur[i] = (unsigned char)(cur[i] + p);
		}
		for (uint32_t x = 0; x < w; x++) {
			const unsigned char *px = cur + (size_t)x * bpp;
			if (px[0] < 240 || px[1] < 240 || px[2] < 240)
				nonwhite++;
			if (want && abs(px[0] - wr) <= 40 && abs(px[1] - wg) <= 40 && abs(px[2] - wb) <= 40)
				matching++;
		}
		memcpy(prev, cur, stride);
	}
	printf("%u %u %llu %llu\n", w, h, nonwhite, matching);
	return 0;
}
