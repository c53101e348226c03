/* kentry kernel: serial console (COM1) and a small printf.
 *
 * The serial line is the kernel's machine-readable output and its format
 * is a contract (docs/serial-protocol.md); the screen (screen.c), when
 * there is one, is drawn from the same characters. Output is polled:
 * interrupts are never enabled in this kernel. */
#include "kernel.h"
#include "cpu.h"

#define COM1 0x3f8

void console_init(void)
{
	outb(COM1 + 1, 0x00); /* no UART interrupts */
	outb(COM1 + 3, 0x80); /* DLAB: set the divisor */
	outb(COM1 + 0, 0x01); /* 115200 baud (divisor 1) */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + 4, 0x03); /* DTR | RTS */
}

/* The screen (screen.c) sees every character too, when it is there. */
void (*console_screen_hook)(char c);

void console_putc(char c)
{
	/* Wait for THR empty (LSR bit 5); bounded so that a missing UART on
	 * real hardware does not hang the kernel. */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
	if (console_screen_hook)
		console_screen_hook(c);
}

void console_write(const char *s)
{
	while (*s)
		console_putc(*s++);
}

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void put_u64(struct out *o, uint64_t v, unsigned base, int width, char pad,
		    int neg)
{
	char tmp[24];
	int i = 0;
	do {
		unsigned d = (unsigned)(v % base);
		tmp[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	int len = i + (neg ? 1 : 0);
	if (neg && pad == '0')
		put(o, '-');
	for (; width > len; width--)
		put(o, pad);
	if (neg && pad != '0')
		put(o, '-');
	while (i)
		put(o, tmp[--i]);
}

/* Fixed-point rendering of a double with `prec` decimals (0..9), rounded
 * half away from zero. Enough for cycle counts; NaN and huge values are
 * printed as such rather than garbage. */
static void put_double(struct out *o, double v, int prec, int width)
{
	if (v != v) {
		put(o, 'n'), put(o, 'a'), put(o, 'n');
		return;
	}
	int neg = v < 0;
	if (neg)
		v = -v;
	if (v > 1.8e19) {
		if (neg)
			put(o, '-');
		put(o, 'i'), put(o, 'n'), put(o, 'f');
		return;
	}
	if (prec > 9)
		prec = 9;
	uint64_t scale = 1;
	for (int i = 0; i < prec; i++)
		scale *= 10;
	double r = v * (double)scale + 0.5;
	uint64_t ip, fp;
	if (r >= 1.8e19) { /* too big to scale: drop the decimals */
		ip = (uint64_t)v;
		fp = 0;
	} else {
		uint64_t t = (uint64_t)r;
		ip = t / scale;
		fp = t % scale;
	}
	char tmp[48];
	struct out t = { tmp, sizeof(tmp), 0 };
	if (neg && (ip || fp))
		put(&t, '-');
	put_u64(&t, ip, 10, 0, ' ', 0);
	if (prec > 0) {
		put(&t, '.');
		put_u64(&t, fp, 10, prec, '0', 0);
	}
	tmp[t.len < sizeof(tmp) ? t.len : sizeof(tmp) - 1] = 0;
	for (int w = (int)t.len; w < width; w++)
		put(o, ' ');
	for (size_t i = 0; tmp[i]; i++)
		put(o, tmp[i]);
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p++;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;
		if (*p == '0') {
			pad = '0';
			p++;
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			prec = 0;
			while (*p >= '0' && *p <= '9')
				prec = prec * 10 + (*p++ - '0');
		}
		/* C's sizes, so that the same format is right in the 64-bit and
		 * the 32-bit kernel: l = long, ll = long long, z = size_t. */
		while (*p == 'l' || *p == 'z') {
			lng = *p == 'z' ? 3 : lng + 1;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = lng == 1   ? (int64_t)va_arg(ap, long)
				    : lng == 2 ? (int64_t)va_arg(ap, long long)
				    : lng == 3 ? (int64_t)va_arg(ap, ptrdiff_t)
					       : (int64_t)va_arg(ap, int);
			uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_u64(&o, u, 10, width, pad, v < 0);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = lng == 1   ? (uint64_t)va_arg(ap, unsigned long)
				     : lng == 2 ? (uint64_t)va_arg(ap, unsigned long long)
				     : lng == 3 ? (uint64_t)va_arg(ap, size_t)
						: (uint64_t)va_arg(ap, unsigned);
			put_u64(&o, v, *p == 'x' ? 16 : 10, width, pad, 0);
			break;
		}
		case 'p':
			put(&o, '0'), put(&o, 'x');
			put_u64(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, width, pad, 0);
			break;
		case 'f':
			put_double(&o, va_arg(ap, double), prec < 0 ? 6 : prec, width);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t l = strlen(s);
			for (int w = (int)l; w < width; w++)
				put(&o, ' ');
			while (*s)
				put(&o, *s++);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			p--;
			break;
		default:
			put(&o, '%');
			put(&o, *p);
		}
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf);
}
