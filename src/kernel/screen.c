/* kentry kernel: the screen. See screen.h.
 *
 * The screen reads the kernel's console lines (console.c hands it every
 * character) and keeps a grid of character cells (chars and VGA colour
 * attributes), drawn to VGA text memory or rendered with the built-in font
 * into the framebuffer. Layout, in rows:
 *   0        title (the kernel's header line)
 *   1, 2     CPU, TSC and samples (from the env lines)
 *   3        column heads
 *   4 ...    one row per path as its result arrives (two columns when
 *            they do not fit: 19 paths fill 80 x 25 exactly)
 *   last-1   the latest failure (a `not ok` or `# FATAL` line)
 *   last     status: the path being measured, then the end line
 * Nothing scrolls, so a slow (uncached) framebuffer is written a few
 * thousand pixels per line, never whole screens. Drawing happens between
 * paths, outside every timed region. */
#include "screen.h"
#include "cpu.h"
#include "font.h"
#include "kernel.h"
#include "layout.h"
#include "vm.h"

/* console.c calls this with every character it sends, when set */
extern void (*console_screen_hook)(char c);

enum kind { NONE, VGA_TEXT, FRAMEBUFFER };

#define MAX_COLS 160
#define MAX_ROWS 80
#define MAX_RESULTS 128

static struct {
	enum kind kind;
	int ready;                 /* reachable through the current page tables */
	uint64_t addr;             /* physical = virtual (identity) until screen_map puts
				    * a framebuffer in the MMIO window (vm.h) */
	uint32_t pitch, width, height, bpp;
	uint8_t rpos, rsize, gpos, gsize, bpos, bsize;
	int cols, rows;
	uint16_t cell[MAX_ROWS][MAX_COLS]; /* char | attr << 8 */
	char line[200];            /* the console line being assembled */
	unsigned line_n;
	char cpu[64], vendor[16], tsc_hz[24], tsc_method[32], samples[12];
	unsigned probes, progress;
	int ended;
	struct {
		char id[40], median[16], min[16], p99[16], reason[80];
		int skipped;
	} res[MAX_RESULTS];
	unsigned n_res;
	int two_columns;
} S;

/* VGA attributes: background << 4 | foreground */
#define A_NORMAL 0x07
#define A_BRIGHT 0x0f
#define A_TITLE 0x70
#define A_HEAD 0x0e
#define A_DIM 0x08
#define A_FAIL 0x0c
#define A_PASS 0x0a
#define A_STATUS 0x0b

static const uint8_t vga_rgb[16][3] = {
	{ 0, 0, 0 },       { 0, 0, 170 },     { 0, 170, 0 },     { 0, 170, 170 },
	{ 170, 0, 0 },     { 170, 0, 170 },   { 170, 85, 0 },    { 170, 170, 170 },
	{ 85, 85, 85 },    { 85, 85, 255 },   { 85, 255, 85 },   { 85, 255, 255 },
	{ 255, 85, 85 },   { 255, 85, 255 },  { 255, 255, 85 },  { 255, 255, 255 },
};

/* ---- drawing ------------------------------------------------------------- */

static uint32_t pixel_value(uint8_t colour)
{
	const uint8_t *c = vga_rgb[colour & 15];
	return (uint32_t)(c[0] >> (8 - S.rsize)) << S.rpos |
	       (uint32_t)(c[1] >> (8 - S.gsize)) << S.gpos |
	       (uint32_t)(c[2] >> (8 - S.bsize)) << S.bpos;
}

static void render(int r, int c)
{
	uint16_t v = S.cell[r][c];
	char ch = (char)(v & 0xff);
	uint8_t attr = (uint8_t)(v >> 8);
	if (S.kind == VGA_TEXT) {
		((volatile uint16_t *)(uintptr_t)S.addr)[r * S.cols + c] = v;
		return;
	}
	uint32_t fg = pixel_value(attr & 15), bg = pixel_value(attr >> 4);
	const uint16_t *g = kfont_glyphs[(ch >= 0x20 && ch <= 0x7e ? ch : '?') - 0x20];
	unsigned bytes = S.bpp / 8;
	for (unsigned y = 0; y < kfont_height; y++) {
		volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(
			S.addr + (uint64_t)(r * kfont_height + y) * S.pitch +
			(uint64_t)c * kfont_width * bytes);
		for (unsigned x = 0; x < kfont_width; x++, p += bytes) {
			uint32_t px = (g[y] & (0x8000u >> x)) ? fg : bg;
			if (bytes == 4)
				*(volatile uint32_t *)p = px;
			else if (bytes == 2)
				*(volatile uint16_t *)p = (uint16_t)px;
			else
				p[0] = (uint8_t)px, p[1] = (uint8_t)(px >> 8), p[2] = (uint8_t)(px >> 16);
		}
	}
}

static void put(int r, int c, char ch, uint8_t attr)
{
	if (r < 0 || r >= S.rows || c < 0 || c >= S.cols)
		return;
	uint16_t v = (uint16_t)((uint8_t)ch | attr << 8);
	if (S.cell[r][c] == v)
		return;
	S.cell[r][c] = v;
	if (S.ready)
		render(r, c);
}

/* Text at (r, c) in a field of `width` cells: cut, or padded with spaces. */
static void text(int r, int c, int width, const char *s, uint8_t attr)
{
	for (int i = 0; i < width; i++)
		put(r, c + i, *s ? *s++ : ' ', attr);
}

static void redraw(void)
{
	for (int r = 0; r < S.rows; r++)
		for (int c = 0; c < S.cols; c++)
			render(r, c);
}

/* ---- what the console says ----------------------------------------------- */

static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The value of key=... in a result line, copied into out. */
static void field(const char *line, const char *key, char *out, unsigned len)
{
	unsigned kl = (unsigned)strlen(key);
	out[0] = 0;
	for (const char *p = line; *p; p++) {
		if (*p != ' ' || strncmp(p + 1, key, kl) != 0 || p[1 + kl] != '=')
			continue;
		p += kl + 2;
		unsigned i = 0;
		while (p[i] && p[i] != ' ' && i + 1 < len) {
			out[i] = p[i];
			i++;
		}
		out[i] = 0;
		return;
	}
}

static void copy(char *dst, const char *src, unsigned len)
{
	unsigned i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static int table_top(void) { return 4; }
static int table_rows(void) { return S.rows - 2 - table_top(); }

static void draw_result(unsigned k)
{
	int rows = table_rows();
	int colw = S.two_columns ? S.cols / 2 : S.cols;
	int r = table_top() + (int)k % (rows > 0 ? rows : 1);
	int c = S.two_columns ? (int)k / (rows > 0 ? rows : 1) * colw : 0;
	char buf[MAX_COLS + 1];
	if (S.res[k].skipped) {
		text(r, c, 20, S.res[k].id, A_NORMAL);
		ksnprintf(buf, sizeof(buf), "skipped: %s", S.res[k].reason);
		text(r, c + 20, colw - 21, buf, A_DIM);
		return;
	}
	text(r, c, 20, S.res[k].id, A_NORMAL);
	ksnprintf(buf, sizeof(buf), "%10s", S.res[k].median);
	text(r, c + 20, 10, buf, A_BRIGHT);
	if (S.two_columns)
		ksnprintf(buf, sizeof(buf), "%8s", S.res[k].min);
	else
		ksnprintf(buf, sizeof(buf), "%10s %10s", S.res[k].min, S.res[k].p99);
	text(r, c + 30, colw - 31, buf, A_NORMAL);
}

static void draw_table(void)
{
	int r = table_top() - 1;
	if (S.two_columns) {
		text(r, 0, S.cols / 2, "path                    median     min", A_HEAD);
		text(r, S.cols / 2, S.cols / 2, "path                    median     min", A_HEAD);
	} else {
		text(r, 0, S.cols, "path                    median        min        p99  TSC ticks per round trip",
		     A_HEAD);
	}
	for (int r = table_top(); r < table_top() + table_rows(); r++)
		text(r, 0, S.cols, "", A_NORMAL);
	for (unsigned k = 0; k < S.n_res; k++)
		draw_result(k);
}

static void status(const char *s, uint8_t attr)
{
	text(S.rows - 1, 0, S.cols, s, attr);
}

static void on_line(const char *l)
{
	char buf[MAX_COLS + 1];
	if (starts(l, "kentry-kernel ")) {
		ksnprintf(buf, sizeof(buf), " %s: every way into ring 0, timed from ring 3", l);
		text(0, 0, S.cols, buf, A_TITLE);
		status("starting: self-checks", A_STATUS);
	} else if (starts(l, "env cpu.name ")) {
		copy(S.cpu, l + 13, sizeof(S.cpu));
	} else if (starts(l, "env cpu.vendor ")) {
		copy(S.vendor, l + 15, sizeof(S.vendor));
	} else if (starts(l, "env tsc.hz ")) {
		copy(S.tsc_hz, l + 11, sizeof(S.tsc_hz));
	} else if (starts(l, "env tsc.method ")) {
		copy(S.tsc_method, l + 15, sizeof(S.tsc_method));
	} else if (starts(l, "env kernel.samples ")) {
		copy(S.samples, l + 19, sizeof(S.samples));
		ksnprintf(buf, sizeof(buf), "CPU  %s (%s)", S.cpu, S.vendor);
		text(1, 0, S.cols, buf, A_NORMAL);
		uint64_t hz = 0;
		for (const char *p = S.tsc_hz; *p >= '0' && *p <= '9'; p++)
			hz = hz * 10 + (uint64_t)(*p - '0');
		ksnprintf(buf, sizeof(buf), "TSC  %lu.%03lu GHz (%s); %s samples per path; COM1 "
					    "115200 8N1 has every figure",
			  (unsigned long)(hz / 1000000000u),
			  (unsigned long)(hz % 1000000000u / 1000000u), S.tsc_method, S.samples);
		text(2, 0, S.cols, buf, A_NORMAL);
		draw_table();
	} else if (starts(l, "# probe ")) {
		S.probes++;
		ksnprintf(buf, sizeof(buf), "probing %s", l + 8);
		status(buf, A_STATUS);
	} else if (starts(l, "not ok ") || starts(l, "# FATAL") || starts(l, "# fatal")) {
		text(S.rows - 2, 0, S.cols, l, A_FAIL);
	} else if (starts(l, "progress ")) {
		S.progress++;
		ksnprintf(buf, sizeof(buf), "measuring %s (%u of %u)", l + 9, S.progress, S.probes);
		status(buf, A_STATUS);
	} else if (starts(l, "result ") && S.n_res < MAX_RESULTS) {
		const char *id = l + 7;
		unsigned n = 0;
		while (id[n] && id[n] != ' ')
			n++;
		unsigned k = S.n_res++;
		copy(S.res[k].id, id, n + 1 < sizeof(S.res[k].id) ? n + 1 : sizeof(S.res[k].id));
		const char *kind = id + n;
		S.res[k].skipped = starts(kind, " skipped");
		if (S.res[k].skipped) {
			copy(S.res[k].reason, kind[8] ? kind + 9 : "", sizeof(S.res[k].reason));
		} else {
			field(l, "median", S.res[k].median, sizeof(S.res[k].median));
			field(l, "min", S.res[k].min, sizeof(S.res[k].min));
			field(l, "p99", S.res[k].p99, sizeof(S.res[k].p99));
		}
		if (!S.two_columns && (int)S.n_res > table_rows()) {
			S.two_columns = 1;
			draw_table();
		} else {
			draw_result(k);
		}
	} else if (starts(l, "end ")) {
		S.ended = 1;
		ksnprintf(buf, sizeof(buf), "%s: %s; stopped (full results on COM1)", l,
			  starts(l, "end pass") ? "every check passed" : "FAILED");
		status(buf, starts(l, "end pass") ? A_PASS : A_FAIL);
	}
}

static void screen_putc(char c)
{
	if (c == '\n') {
		S.line[S.line_n] = 0;
		if (S.line_n)
			on_line(S.line);
		S.line_n = 0;
	} else if (c != '\r' && S.line_n + 1 < sizeof(S.line)) {
		S.line[S.line_n++] = c;
	}
}

/* ---- setting up ------------------------------------------------------------ */

static void clear(void)
{
	for (int r = 0; r < S.rows; r++)
		for (int c = 0; c < S.cols; c++)
			S.cell[r][c] = (uint16_t)(' ' | A_NORMAL << 8);
}

/* Red, green and blue as (position, size) byte pairs: each 1 to 8 bits
 * inside the pixel, none overlapping. */
static int rgb_fields_sane(const uint8_t *f, uint32_t bpp)
{
	uint32_t seen = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t pos = f[2 * i], size = f[2 * i + 1];
		if (size < 1 || size > 8 || pos + size > bpp)
			return 0;
		uint32_t mask = ((1u << size) - 1) << pos;
		if (seen & mask)
			return 0;
		seen |= mask;
	}
	return 1;
}

/* A word of the BIOS data area (physical 0x400...), identity-mapped. The
 * address goes through a register so the compiler does not take a small
 * constant pointer for a null one. */
static uint16_t bda_word(uintptr_t a)
{
	__asm__("" : "+r"(a));
	return *(volatile const uint16_t *)a;
}

void screen_init(uint32_t magic, uint32_t info)
{
	memset(&S, 0, sizeof(S));
	const uint8_t *mbi = (const uint8_t *)(uintptr_t)info;
	uint32_t flags = magic == 0x2BADB002u && info ? *(const uint32_t *)mbi : 0;
	if (flags & (1u << 12)) { /* Multiboot framebuffer fields, offset 88 on */
		S.addr = *(const uint64_t *)(mbi + 88);
		S.pitch = *(const uint32_t *)(mbi + 96);
		S.width = *(const uint32_t *)(mbi + 100);
		S.height = *(const uint32_t *)(mbi + 104);
		S.bpp = mbi[108];
		uint8_t type = mbi[109];
		if (type == 2) {
			S.kind = VGA_TEXT; /* EGA text: width and height in characters */
			S.cols = (int)S.width;
			S.rows = (int)S.height;
		} else if (type == 1 && (S.bpp == 32 || S.bpp == 24 || S.bpp == 16) &&
			   kfont_width && kfont_height) {
			S.kind = FRAMEBUFFER;
			/* The colour fields: GRUB writes them at 112 (its
			 * struct aligns the union that holds them), the
			 * Multiboot specification's table says 110; take the
			 * layout whose fields make sense. */
			const uint8_t *ci = rgb_fields_sane(mbi + 112, S.bpp) ? mbi + 112 : mbi + 110;
			S.rpos = ci[0], S.rsize = ci[1];
			S.gpos = ci[2], S.gsize = ci[3];
			S.bpos = ci[4], S.bsize = ci[5];
			S.cols = (int)(S.width / kfont_width);
			S.rows = (int)(S.height / kfont_height);
		}
	} else if (bda_word(0x463) == 0x3d4) {
		/* No loader information (QEMU -kernel): the BIOS data area
		 * names a colour VGA's CRT controller, so text mode 3 is on. */
		S.kind = VGA_TEXT;
		S.addr = 0xb8000;
		S.cols = 80;
		S.rows = 25;
	}
	if (S.kind == NONE || S.cols < 40 || S.rows < 12 || S.rsize > 8 || S.gsize > 8 ||
	    S.bsize > 8) {
		S.kind = NONE;
		return;
	}
	if (S.cols > MAX_COLS)
		S.cols = MAX_COLS;
	if (S.rows > MAX_ROWS)
		S.rows = MAX_ROWS;
	clear();
	/* The boot page tables map the first GiB; a framebuffer above waits
	 * for screen_map(). */
	uint64_t size = (uint64_t)S.pitch * S.height;
	S.ready = S.kind == VGA_TEXT || S.addr + size <= IDENTITY_TOP;
	if (S.kind == VGA_TEXT) {
		outb(0x3d4, 0x0a); /* cursor off (CRTC cursor start, bit 5) */
		outb(0x3d5, 0x20);
	}
	if (S.ready)
		redraw();
	console_screen_hook = screen_putc;
}

void screen_map(void)
{
	if (S.kind == NONE) {
		kprintf("env screen none\n");
		return;
	}
	uint64_t pa = S.addr;
	if (S.kind != VGA_TEXT) {
		/* A framebuffer goes in the MMIO window of the upper half,
		 * which every address space shares: a program's may use its
		 * identity address (VGA text at 0xb8000 is in the low memory
		 * every space keeps). */
		uint64_t size = (uint64_t)S.pitch * S.height;
		uint64_t va = kvm_map_io(pa, size, PTE_W | PTE_NX_IF);
		if (!va) {
			kprintf("env screen framebuffer %ux%ux%u at 0x%lx: cannot be mapped\n",
				(unsigned)S.width, (unsigned)S.height, (unsigned)S.bpp,
				(unsigned long)pa);
			S.kind = NONE;
			console_screen_hook = 0;
			return;
		}
		kvm_flush();
		S.addr = va;
		if (!S.ready) {
			S.ready = 1;
			redraw();
		}
	}
	if (S.kind == VGA_TEXT)
		kprintf("env screen vga-text %dx%d\n", S.cols, S.rows);
	else
		kprintf("env screen framebuffer %ux%ux%u at 0x%lx, %dx%d characters\n",
			(unsigned)S.width, (unsigned)S.height, (unsigned)S.bpp,
			(unsigned long)pa, S.cols, S.rows);
}
