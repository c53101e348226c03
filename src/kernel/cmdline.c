/* kentry kernels: the Multiboot command line (docs/serial-protocol.md).
 *
 * Shared by the long-mode kernel (src/kernel) and the legacy 32-bit one
 * (src/kernel32): both take the same words and select paths the same way.
 * Portable C only (built -m64 and -m32). */
#include "kernel.h"

struct kconfig kcfg;

/* Copies the command line out of the Multiboot information (it may lie in
 * memory the kernel later maps for ring 3), newlines turned into spaces. */
void kcfg_copy_cmdline(uint32_t magic, uint32_t info)
{
	kcfg.cmdline[0] = 0;
	if (magic != 0x2BADB002u || !info)
		return;
	const uint32_t *mbi = (const uint32_t *)(uintptr_t)info;
	if (!(mbi[0] & (1u << 2)) || !mbi[4])
		return;
	const char *s = (const char *)(uintptr_t)mbi[4];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof(kcfg.cmdline); i++)
		kcfg.cmdline[i] = (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
	kcfg.cmdline[i] = 0;
}

static uint32_t parse_u32(const char *s, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	return v;
}

/* Space-separated words: the ones both kernels know are read here, any
 * other goes to own() (the kernel's own words; may be NULL), which ignores
 * what it does not know (such as the kernel's own path, which QEMU and
 * GRUB put first). ring3_if defaults to 1. */
void kcfg_parse(void (*own)(const char *w, size_t n))
{
	uint32_t samples = 0;
	kcfg.ring3_if = 1;
	const char *p = kcfg.cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - w);
		if (n == 5 && !strncmp(w, "quick", 5))
			kcfg.quick = 1;
		else if (n == 10 && !strncmp(w, "ring3_if=", 9) && (w[9] == '0' || w[9] == '1'))
			kcfg.ring3_if = w[9] - '0';
		else if (n > 8 && !strncmp(w, "samples=", 8))
			samples = parse_u32(w + 8, n - 8);
		else if (n > 6 && !strncmp(w, "batch=", 6))
			kcfg.batch = parse_u32(w + 6, n - 6);
		else if (n > 6 && !strncmp(w, "crash=", 6) && n - 6 < sizeof(kcfg.crash)) {
			memcpy(kcfg.crash, w + 6, n - 6);
			kcfg.crash[n - 6] = 0;
		} else if (n > 5 && !strncmp(w, "only=", 5) && n - 5 < sizeof(kcfg.only)) {
			memcpy(kcfg.only, w + 5, n - 5);
			kcfg.only[n - 5] = 0;
		} else if (own)
			own(w, n);
	}
	kcfg.samples = samples ? samples : kcfg.quick ? 30 : 200;
}

int kcfg_selected(const char *id)
{
	if (!kcfg.only[0])
		return 1;
	size_t l = strlen(id);
	const char *p = kcfg.only;
	while (*p) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		if ((size_t)(e - p) == l && !strncmp(p, id, l))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}
