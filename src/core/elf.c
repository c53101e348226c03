/* kentry core: static ELF executables, checked. See elf.h.
 *
 * ELF fields are read byte by byte, little-endian, from offsets checked
 * against the length first (the ELF64 and ELF32 layouts of the System V
 * gABI), so the same code reads either class in either build and never
 * reads outside the image. */
#include "elf.h"

enum {
	ET_REL_ = 1, ET_EXEC_ = 2, ET_DYN_ = 3, ET_CORE_ = 4,
	EM_386_ = 3, EM_X86_64_ = 62,
	PT_LOAD_ = 1, PT_DYNAMIC_ = 2, PT_INTERP_ = 3, PT_PHDR_ = 6,
	PT_GNU_STACK_ = 0x6474e551,
};

/* ---- a small formatter (no libc here): %s, %lu, %lx ---------------------- */

struct out {
	char *b;
	size_t n, i;
};

static void put(struct out *o, char c)
{
	if (o->i + 1 < o->n)
		o->b[o->i++] = c;
}

static void put_num(struct out *o, uint64_t v, unsigned base)
{
	char tmp[24];
	int k = 0;
	do {
		tmp[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16) {
		put(o, '0');
		put(o, 'x');
	}
	while (k)
		put(o, tmp[--k]);
}

/* fmt: %s (a string), %u (uint64 decimal), %x (uint64 hex with 0x) */
static int fail(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* printf-format checking above is for the reader; the formatter takes
 * %s, %lu and %lx and every number as uint64_t. */
static int fail(char *err, size_t n, const char *fmt, ...)
{
	struct out o = { err, n, 0 };
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p++;
		if (*p == 's') {
			for (const char *s = __builtin_va_arg(ap, const char *); *s; s++)
				put(&o, *s);
		} else if (*p == 'l' && (p[1] == 'u' || p[1] == 'x')) {
			put_num(&o, __builtin_va_arg(ap, uint64_t), p[1] == 'u' ? 10 : 16);
			p++;
		} else {
			put(&o, '%');
			if (!*p)
				break;
			put(&o, *p);
		}
	}
	__builtin_va_end(ap);
	if (n)
		err[o.i] = 0;
	return -1;
}

/* ---- reading -------------------------------------------------------------------- */

struct img {
	const unsigned char *p;
	uint64_t len;
};

static uint64_t rd(const struct img *m, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)m->p[off + i] << (8 * i);
	return v;
}

static int fits(uint64_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static const char *machine_name(uint64_t m)
{
	switch (m) {
	case 2: return "SPARC";
	case 3: return "i386";
	case 8: return "MIPS";
	case 20: return "PowerPC";
	case 21: return "PowerPC64";
	case 22: return "S/390";
	case 40: return "ARM";
	case 43: return "SPARC V9";
	case 50: return "IA-64";
	case 62: return "x86-64";
	case 183: return "AArch64";
	case 243: return "RISC-V";
	case 258: return "LoongArch";
	}
	return "an unknown machine";
}

static uint64_t page_down(uint64_t a)
{
	return a & ~0xfffull;
}

int kelf_check(const void *image, uint64_t len, struct kelf *out, char *err, size_t errlen)
{
	const struct img m = { image, len };
	struct kelf e;
	for (size_t i = 0; i < sizeof(e); i++)
		((unsigned char *)&e)[i] = 0;

	if (len >= 2 && m.p[0] == '#' && m.p[1] == '!')
		return fail(err, errlen, "not an ELF file but a script (#!): kentry exec runs static ELF executables");
	if (len < 4 || m.p[0] != 0x7f || m.p[1] != 'E' || m.p[2] != 'L' || m.p[3] != 'F')
		return fail(err, errlen, "not an ELF file (no \\177ELF magic in its first 4 bytes)");
	if (len < 16)
		return fail(err, errlen, "truncated: %lu bytes, shorter than the ELF identification (16)", len);
	uint64_t cls = m.p[4], data = m.p[5];
	if (cls != 1 && cls != 2)
		return fail(err, errlen, "unknown ELF class %lu (1: 32-bit, 2: 64-bit)", cls);
	if (data != 1)
		return fail(err, errlen, "not little-endian (EI_DATA %lu): x86 programs are little-endian", data);
	if (m.p[6] != 1)
		return fail(err, errlen, "unknown ELF version %lu", (uint64_t)m.p[6]);
	e.is64 = cls == 2;
	uint64_t ehsize = e.is64 ? 64 : 52;
	if (len < ehsize)
		return fail(err, errlen, "truncated: %lu bytes, shorter than the ELF header (%lu)", len, ehsize);

	uint64_t type = rd(&m, 16, 2), machine = rd(&m, 18, 2);
	if (type == ET_REL_)
		return fail(err, errlen, "an object file (ET_REL), not an executable: link it first");
	if (type == ET_CORE_)
		return fail(err, errlen, "a core dump (ET_CORE), not an executable");
	if (type != ET_EXEC_ && type != ET_DYN_)
		return fail(err, errlen, "not an executable (e_type %lu)", type);
	if (e.is64 && machine != EM_X86_64_)
		return fail(err, errlen, "wrong machine: a 64-bit program for %s (e_machine %lu); kentry's kernel runs x86-64 and i386 programs",
			    machine_name(machine), machine);
	if (!e.is64 && machine == EM_X86_64_)
		return fail(err, errlen, "an x32-ABI program (32-bit ELF for x86-64): kentry's kernel runs x86-64 and i386 programs");
	if (!e.is64 && machine != EM_386_)
		return fail(err, errlen, "wrong machine: a 32-bit program for %s (e_machine %lu); kentry's kernel runs x86-64 and i386 programs",
			    machine_name(machine), machine);
	e.pie = type == ET_DYN_;
	uint64_t entry = rd(&m, 24, e.is64 ? 8 : 4);
	e.phoff = rd(&m, e.is64 ? 32 : 28, e.is64 ? 8 : 4);
	e.phentsize = (uint32_t)rd(&m, e.is64 ? 54 : 42, 2);
	e.phnum = (uint32_t)rd(&m, e.is64 ? 56 : 44, 2);
	uint64_t want = e.is64 ? 56 : 32;
	if (e.phnum == 0)
		return fail(err, errlen, "no program headers: nothing to load");
	if (e.phentsize != want)
		return fail(err, errlen, "program header entries of %lu bytes (this class has %lu)",
			    (uint64_t)e.phentsize, want);
	if (e.phnum > KELF_MAX_PHDRS)
		return fail(err, errlen, "absurd number of program headers: %lu (at most %lu)",
			    (uint64_t)e.phnum, (uint64_t)KELF_MAX_PHDRS);
	if (!fits(len, e.phoff, (uint64_t)e.phnum * want))
		return fail(err, errlen, "truncated: the program headers end at byte %lu, the file has %lu",
			    e.phoff + (uint64_t)e.phnum * want, len);

	uint64_t top = e.is64 ? KELF_TOP64 : KELF_TOP32;
	/* first pass: the segments as the file gives them */
	uint64_t first = ~0ull, phdr_mem = 0;
	int have_phdr = 0;
	for (uint32_t i = 0; i < e.phnum; i++) {
		uint64_t ph = e.phoff + (uint64_t)i * want;
		uint64_t ptype = rd(&m, ph, 4);
		uint64_t flags = e.is64 ? rd(&m, ph + 4, 4) : rd(&m, ph + 24, 4);
		uint64_t off = e.is64 ? rd(&m, ph + 8, 8) : rd(&m, ph + 4, 4);
		uint64_t va = e.is64 ? rd(&m, ph + 16, 8) : rd(&m, ph + 8, 4);
		uint64_t fsz = e.is64 ? rd(&m, ph + 32, 8) : rd(&m, ph + 16, 4);
		uint64_t msz = e.is64 ? rd(&m, ph + 40, 8) : rd(&m, ph + 20, 4);
		if (ptype == PT_INTERP_) {
			char interp[64];
			unsigned k = 0;
			for (; k + 1 < sizeof(interp) && fits(len, off, k + 1) && k < fsz && m.p[off + k]; k++)
				interp[k] = (m.p[off + k] >= 32 && m.p[off + k] < 127) ? (char)m.p[off + k] : '?';
			interp[k] = 0;
			return fail(err, errlen, "dynamically linked (it asks for the interpreter %s): kentry exec runs static executables",
				    k ? interp : "(unreadable)");
		}
		if (ptype == PT_GNU_STACK_)
			e.exec_stack = (flags & KELF_PF_X) != 0;
		if (ptype == PT_PHDR_) {
			have_phdr = 1;
			phdr_mem = va;
		}
		if (ptype != PT_LOAD_)
			continue;
		unsigned k = e.nseg;
		if (k >= KELF_MAX_LOAD)
			return fail(err, errlen, "absurd number of loadable segments: more than %lu",
				    (uint64_t)KELF_MAX_LOAD);
		if (fsz > msz)
			return fail(err, errlen, "segment %lu: its file size %lx exceeds its memory size %lx",
				    (uint64_t)k, fsz, msz);
		if (!fits(len, off, fsz))
			return fail(err, errlen, "truncated: segment %lu needs file bytes up to %lu, the file has %lu",
				    (uint64_t)k, off + fsz < off ? (uint64_t)~0ull : off + fsz, len);
		if (msz > KELF_MAX_BYTES)
			return fail(err, errlen, "segment %lu: absurd size, %lu bytes (at most %lu MiB in all)",
				    (uint64_t)k, msz, (uint64_t)(KELF_MAX_BYTES >> 20));
		if (va + msz < va)
			return fail(err, errlen, "segment %lu wraps around the address space (at %lx, %lu bytes)",
				    (uint64_t)k, va, msz);
		e.seg[k].vaddr = va;
		e.seg[k].memsz = msz;
		e.seg[k].offset = off;
		e.seg[k].filesz = fsz;
		e.seg[k].flags = (uint32_t)flags & 7;
		e.nseg++;
		if (va < first)
			first = va;
	}
	if (!e.nseg)
		return fail(err, errlen, "no loadable segment (PT_LOAD)");

	/* ET_DYN: placed as Linux places a static-pie, at ELF_ET_DYN_BASE */
	if (e.pie) {
		uint64_t base = e.is64 ? KELF_DYN_BASE64 : KELF_DYN_BASE32;
		if (first > base)
			return fail(err, errlen, "a position-independent program whose first segment is at %lx: too high to place",
				    first);
		e.bias = base - page_down(first);
	}
	e.entry = entry + e.bias;

	e.lo = ~0ull;
	uint64_t total = 0;
	for (unsigned k = 0; k < e.nseg; k++) {
		struct kelf_seg *s = &e.seg[k];
		s->vaddr += e.bias;
		uint64_t end = s->vaddr + s->memsz;
		if (end < s->vaddr)
			return fail(err, errlen, "segment %lu wraps around the address space", (uint64_t)k);
		if (s->vaddr < KELF_USER_MIN)
			return fail(err, errlen, "segment %lu at %lx lies in the kernel's range (below %lx)",
				    (uint64_t)k, s->vaddr, (uint64_t)KELF_USER_MIN);
		if (end > top)
			return fail(err, errlen, "segment %lu ends at %lx, beyond the program's part of the %s address space (%lx and up is the stack, vDSO and mmap area)",
				    (uint64_t)k, end, e.is64 ? "64-bit" : "32-bit", top);
		for (unsigned j = 0; j < k; j++) {
			const struct kelf_seg *t = &e.seg[j];
			if (s->memsz && t->memsz && s->vaddr < t->vaddr + t->memsz && t->vaddr < end)
				return fail(err, errlen, "segments %lu and %lu overlap (%lx-%lx and %lx-%lx)",
					    (uint64_t)j, (uint64_t)k, t->vaddr, t->vaddr + t->memsz, s->vaddr, end);
		}
		uint64_t plo = page_down(s->vaddr), phi = (end + 0xfff) & ~0xfffull;
		total += phi - plo;
		if (total > KELF_MAX_BYTES)
			return fail(err, errlen, "absurd size: the segments need more than %lu MiB",
				    (uint64_t)(KELF_MAX_BYTES >> 20));
		if (plo < e.lo)
			e.lo = plo;
		if (phi > e.hi)
			e.hi = phi;
	}
	e.bytes = total;

	int entry_ok = 0;
	for (unsigned k = 0; k < e.nseg; k++)
		if ((e.seg[k].flags & KELF_PF_X) && e.entry >= e.seg[k].vaddr &&
		    e.entry < e.seg[k].vaddr + e.seg[k].memsz)
			entry_ok = 1;
	if (!entry_ok)
		return fail(err, errlen, "entry point %lx is outside every executable segment", e.entry);

	/* AT_PHDR: PT_PHDR when there is one, else where the segment that
	 * holds the headers' file bytes puts them (as Linux computes it) */
	if (have_phdr) {
		e.phdr_vaddr = phdr_mem + e.bias;
	} else {
		for (unsigned k = 0; k < e.nseg; k++)
			if (e.phoff >= e.seg[k].offset &&
			    e.phoff - e.seg[k].offset < e.seg[k].filesz)
				e.phdr_vaddr = e.seg[k].vaddr + (e.phoff - e.seg[k].offset);
	}
	*out = e;
	if (errlen)
		err[0] = 0;
	return 0;
}
