/* kentry kernel: the screen font, generated at build time (kernel.mk:
 * grub-mkfont renders DejaVu Sans Mono from Debian's fonts-dejavu-core,
 * tools/mkfont.c turns it into C). Printable ASCII, 0x20 to 0x7e; each
 * glyph one row per uint16_t, bit 15 the leftmost pixel of the cell. */
#ifndef KENTRY_KERNEL_FONT_H
#define KENTRY_KERNEL_FONT_H

#include <stdint.h>

#define KFONT_MAX_HEIGHT 32
extern const unsigned kfont_width, kfont_height;
extern const uint16_t kfont_glyphs[95][KFONT_MAX_HEIGHT];

#endif
