/* kentry: bounds-checked vDSO ELF reader. See vdso.h.
 *
 * Every read goes through rd8/rd16/rd32/rdw, which check the offset against
 * v->len first; the table offsets stored in struct kvdso are validated once
 * at parse time, and each entry is checked again when it is read, so a bad
 * index or size can only ever produce an error. */
#include "linux/vdso.h"

#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

/* ELF constants (the generic ABI), spelled out so that the parser depends on
 * no particular <elf.h> and reads either class in either build. */
enum {
	EI_CLASS_ = 4, EI_DATA_ = 5, EI_VERSION_ = 6,
	CLASS32 = 1, CLASS64 = 2, DATA2LSB = 1,
	PT_LOAD_ = 1, PT_DYNAMIC_ = 2,
	STT_FUNC_ = 2, STB_GLOBAL_ = 1, STB_WEAK_ = 2,
	VER_FLG_BASE_ = 1,
};
#define DT_NULL_ 0
#define DT_HASH_ 4
#define DT_STRTAB_ 5
#define DT_SYMTAB_ 6
#define DT_STRSZ_ 10
#define DT_SYMENT_ 11
#define DT_GNU_HASH_ 0x6ffffef5
#define DT_VERSYM_ 0x6ffffff0
#define DT_VERDEF_ 0x6ffffffc
#define DT_VERDEFNUM_ 0x6ffffffd

/* Upper bounds on table walks: no real vDSO comes near them, and they turn
 * a hostile cycle into an error instead of a hang. */
#define MAX_DYN 4096u
#define MAX_WALK 65536u

static void seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen) {
		size_t n = strlen(msg);
		if (n >= errlen)
			n = errlen - 1;
		memcpy(err, msg, n);
		err[n] = '\0';
	}
}

/* off + size <= len, without overflow. */
static int fits(uint64_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static int rd8(const struct kvdso *v, uint64_t off, uint64_t *out)
{
	if (!fits(v->len, off, 1))
		return -1;
	*out = v->image[off];
	return 0;
}

static int rd16(const struct kvdso *v, uint64_t off, uint64_t *out)
{
	if (!fits(v->len, off, 2))
		return -1;
	const unsigned char *p = v->image + off;
	*out = (uint64_t)p[0] | (uint64_t)p[1] << 8;
	return 0;
}

static int rd32(const struct kvdso *v, uint64_t off, uint64_t *out)
{
	if (!fits(v->len, off, 4))
		return -1;
	const unsigned char *p = v->image + off;
	*out = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24;
	return 0;
}

static int rd64(const struct kvdso *v, uint64_t off, uint64_t *out)
{
	uint64_t lo, hi;
	if (rd32(v, off, &lo) || rd32(v, off + 4, &hi))
		return -1;
	*out = lo | hi << 32;
	return 0;
}

/* A class-sized word (Elf32_Addr/Off/Word vs Elf64_Addr/Off/Xword). */
static int rdw(const struct kvdso *v, uint64_t off, uint64_t *out)
{
	return v->is64 ? rd64(v, off, out) : rd32(v, off, out);
}

/* Image offset of a link-time virtual address, inside the loaded segment;
 * `size` bytes from there must also be inside it. */
static int vaddr_to_off(const struct kvdso *v, uint64_t vaddr, uint64_t size,
			uint64_t *off)
{
	if (vaddr < v->load_vaddr)
		return -1;
	uint64_t rel = vaddr - v->load_vaddr;
	if (!fits(v->load_filesz, rel, size))
		return -1;
	uint64_t o = v->load_offset + rel;
	if (o < v->load_offset || !fits(v->len, o, size))
		return -1;
	*off = o;
	return 0;
}

/* The NUL-terminated string at strtab + idx, or NULL when it is not wholly
 * inside the string table. */
static const char *str_at(const struct kvdso *v, uint64_t idx)
{
	if (idx >= v->strsz)
		return NULL;
	const char *s = (const char *)v->image + v->strtab + idx;
	if (!memchr(s, '\0', v->strsz - idx))
		return NULL;
	return s;
}

int kvdso_parse(const void *image, size_t len, struct kvdso *out, char *err,
		size_t errlen)
{
	struct kvdso v;
	memset(&v, 0, sizeof v);
	memset(out, 0, sizeof *out);
	v.image = image;
	v.len = len;
	if (!image || len < 16) {
		seterr(err, errlen, "image shorter than an ELF identification");
		return -1;
	}
	const unsigned char *id = image;
	if (memcmp(id, "\177ELF", 4) != 0) {
		seterr(err, errlen, "no ELF magic");
		return -1;
	}
	if (id[EI_CLASS_] != CLASS32 && id[EI_CLASS_] != CLASS64) {
		seterr(err, errlen, "unknown ELF class");
		return -1;
	}
	if (id[EI_DATA_] != DATA2LSB || id[EI_VERSION_] != 1) {
		seterr(err, errlen, "not a little-endian ELF version 1 image");
		return -1;
	}
	v.is64 = id[EI_CLASS_] == CLASS64;
	size_t ehsize = v.is64 ? 64 : 52;
	if (len < ehsize) {
		seterr(err, errlen, "image shorter than the ELF header");
		return -1;
	}

	/* Program headers. */
	uint64_t phoff, phentsize, phnum;
	if (rdw(&v, v.is64 ? 32 : 28, &phoff) ||
	    rd16(&v, v.is64 ? 54 : 42, &phentsize) ||
	    rd16(&v, v.is64 ? 56 : 44, &phnum)) {
		seterr(err, errlen, "truncated ELF header");
		return -1;
	}
	uint64_t phmin = v.is64 ? 56 : 32;
	if (phnum == 0 || phentsize < phmin) {
		seterr(err, errlen, "no program headers or bad e_phentsize");
		return -1;
	}
	if (!fits(len, phoff, phnum * phentsize)) {
		seterr(err, errlen, "program headers past the end of the image");
		return -1;
	}
	int have_load = 0, have_dyn = 0;
	uint64_t dyn_off = 0, dyn_size = 0;
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t ph = phoff + i * phentsize;
		uint64_t type, off, vaddr, filesz;
		if (rd32(&v, ph, &type) || rdw(&v, ph + (v.is64 ? 8 : 4), &off) ||
		    rdw(&v, ph + (v.is64 ? 16 : 8), &vaddr) ||
		    rdw(&v, ph + (v.is64 ? 32 : 16), &filesz)) {
			seterr(err, errlen, "truncated program header");
			return -1;
		}
		if (type == PT_LOAD_ && !have_load) {
			if (off >= len) {
				seterr(err, errlen, "PT_LOAD starts past the end of the image");
				return -1;
			}
			v.load_vaddr = vaddr;
			v.load_offset = off;
			v.load_filesz = filesz < len - off ? filesz : len - off;
			have_load = 1;
		} else if (type == PT_DYNAMIC_ && !have_dyn) {
			dyn_off = off;
			dyn_size = filesz;
			have_dyn = 1;
		}
	}
	if (!have_load || !have_dyn) {
		seterr(err, errlen, "no PT_LOAD or no PT_DYNAMIC segment");
		return -1;
	}
	uint64_t dynent = v.is64 ? 16 : 8;
	if (!fits(len, dyn_off, dyn_size) || dyn_size < dynent) {
		seterr(err, errlen, "PT_DYNAMIC past the end of the image");
		return -1;
	}

	/* Dynamic section: d_ptr values are link-time addresses. */
	uint64_t a_hash = 0, a_gnu = 0, a_str = 0, a_sym = 0, a_versym = 0,
		 a_verdef = 0, strsz = 0, syment = 0, verdefnum = 0;
	int saw_null = 0;
	for (uint64_t i = 0; i < dyn_size / dynent && i < MAX_DYN; i++) {
		uint64_t tag, val;
		if (rdw(&v, dyn_off + i * dynent, &tag) ||
		    rdw(&v, dyn_off + i * dynent + dynent / 2, &val)) {
			seterr(err, errlen, "truncated dynamic section");
			return -1;
		}
		if (tag == DT_NULL_) {
			saw_null = 1;
			break;
		}
		switch (tag) {
		case DT_HASH_: a_hash = val; break;
		case DT_GNU_HASH_: a_gnu = val; break;
		case DT_STRTAB_: a_str = val; break;
		case DT_SYMTAB_: a_sym = val; break;
		case DT_STRSZ_: strsz = val; break;
		case DT_SYMENT_: syment = val; break;
		case DT_VERSYM_: a_versym = val; break;
		case DT_VERDEF_: a_verdef = val; break;
		case DT_VERDEFNUM_: verdefnum = val; break;
		default: break;
		}
	}
	if (!saw_null) {
		seterr(err, errlen, "dynamic section without DT_NULL");
		return -1;
	}
	if (!a_str || !a_sym || (!a_hash && !a_gnu)) {
		seterr(err, errlen, "no DT_STRTAB, DT_SYMTAB or hash table");
		return -1;
	}

	uint64_t o;
	if (!strsz || vaddr_to_off(&v, a_str, strsz, &o)) {
		seterr(err, errlen, "string table missing or past the end");
		return -1;
	}
	v.strtab = (size_t)o;
	v.strsz = (size_t)strsz;

	uint64_t symmin = v.is64 ? 24 : 16;
	if (syment == 0)
		syment = symmin;
	if (syment < symmin || syment > 4096) {
		seterr(err, errlen, "bad DT_SYMENT");
		return -1;
	}
	v.syment = (size_t)syment;
	if (vaddr_to_off(&v, a_sym, syment, &o)) {
		seterr(err, errlen, "symbol table past the end");
		return -1;
	}
	v.symtab = (size_t)o;
	/* Without a SysV hash the symbol count is only bounded by the segment. */
	uint64_t seg_end = v.load_offset + v.load_filesz;
	v.nsyms = (size_t)((seg_end - v.symtab) / syment);

	if (a_hash) {
		uint64_t nb, nc;
		if (vaddr_to_off(&v, a_hash, 8, &o) || rd32(&v, o, &nb) ||
		    rd32(&v, o + 4, &nc)) {
			seterr(err, errlen, "DT_HASH past the end");
			return -1;
		}
		if (nb == 0 || !fits(v.load_filesz, 0, 8 + 4 * (nb + nc)) ||
		    vaddr_to_off(&v, a_hash, 8 + 4 * (nb + nc), &o)) {
			seterr(err, errlen, "DT_HASH buckets or chains past the end");
			return -1;
		}
		if (nc > v.nsyms) {
			seterr(err, errlen, "DT_HASH chain count exceeds the symbol table");
			return -1;
		}
		v.hash = (size_t)o;
		v.nbucket = (size_t)nb;
		v.nchain = (size_t)nc;
		v.nsyms = (size_t)nc;
	}
	if (a_gnu) {
		if (vaddr_to_off(&v, a_gnu, 16, &o)) {
			seterr(err, errlen, "DT_GNU_HASH past the end");
			return -1;
		}
		v.gnu_hash = (size_t)o;
	}
	if (a_versym) {
		if (vaddr_to_off(&v, a_versym, 2, &o)) {
			seterr(err, errlen, "DT_VERSYM past the end");
			return -1;
		}
		v.versym = (size_t)o;
	}
	if (a_verdef) {
		if (vaddr_to_off(&v, a_verdef, 20, &o)) {
			seterr(err, errlen, "DT_VERDEF past the end");
			return -1;
		}
		v.verdef = (size_t)o;
		v.verdefnum = (size_t)verdefnum;
	}
	if (v.versym && !v.verdef)
		v.versym = 0; /* versions without definitions: ignore them */
	*out = v;
	return 0;
}

static uint32_t elf_hash(const char *name)
{
	uint32_t h = 0, g;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = h * 33 + *p;
	return h;
}

/* Does version index `ver` name `version`? (Linear walk of the verdef list,
 * as the kernel's parse_vdso.c does.) */
static int version_matches(const struct kvdso *v, uint64_t ver, const char *version)
{
	ver &= 0x7fff; /* bit 15: hidden */
	uint64_t def = v->verdef;
	uint64_t limit = v->verdefnum ? v->verdefnum : MAX_WALK;
	for (uint64_t i = 0; i < limit && i < MAX_WALK; i++) {
		uint64_t flags, ndx, aux, next;
		if (rd16(v, def + 2, &flags) || rd16(v, def + 4, &ndx) ||
		    rd32(v, def + 12, &aux) || rd32(v, def + 16, &next))
			return 0;
		if (!(flags & VER_FLG_BASE_) && (ndx & 0x7fff) == ver) {
			uint64_t name;
			if (rd32(v, def + aux, &name))
				return 0;
			const char *s = str_at(v, name);
			return s && strcmp(s, version) == 0;
		}
		if (next == 0)
			return 0;
		def += next;
	}
	return 0;
}

/* Checks symbol i against name/version; returns its address or NULL. */
static void *check_sym(const struct kvdso *v, uint64_t i, const char *name,
		       const char *version)
{
	if (i >= v->nsyms)
		return NULL;
	uint64_t s = v->symtab + i * v->syment;
	uint64_t st_name, info, shndx, value;
	if (rd32(v, s, &st_name))
		return NULL;
	if (v->is64) {
		if (rd8(v, s + 4, &info) || rd16(v, s + 6, &shndx) ||
		    rd64(v, s + 8, &value))
			return NULL;
	} else {
		if (rd32(v, s + 4, &value) || rd8(v, s + 12, &info) ||
		    rd16(v, s + 14, &shndx))
			return NULL;
	}
	uint64_t type = info & 0xf, bind = info >> 4;
	if (type != STT_FUNC_ || (bind != STB_GLOBAL_ && bind != STB_WEAK_) ||
	    shndx == 0)
		return NULL;
	const char *sn = str_at(v, st_name);
	if (!sn || strcmp(sn, name) != 0)
		return NULL;
	if (version && v->versym) {
		uint64_t ver;
		if (rd16(v, v->versym + 2 * i, &ver))
			return NULL;
		if (!version_matches(v, ver, version))
			return NULL;
	}
	uint64_t off;
	if (vaddr_to_off(v, value, 1, &off))
		return NULL;
	return (void *)(uintptr_t)(v->image + off);
}

static void *lookup_sysv(const struct kvdso *v, const char *name, const char *version)
{
	uint64_t b, i;
	if (rd32(v, v->hash + 8 + 4 * (elf_hash(name) % v->nbucket), &b))
		return NULL;
	i = b;
	for (uint64_t steps = 0; i != 0 && steps <= v->nchain; steps++) {
		if (i >= v->nchain)
			return NULL;
		void *p = check_sym(v, i, name, version);
		if (p)
			return p;
		if (rd32(v, v->hash + 8 + 4 * v->nbucket + 4 * i, &i))
			return NULL;
	}
	return NULL;
}

static void *lookup_gnu(const struct kvdso *v, const char *name, const char *version)
{
	uint64_t nb, symoff, bloom_size;
	uint64_t g = v->gnu_hash;
	if (rd32(v, g, &nb) || rd32(v, g + 4, &symoff) || rd32(v, g + 8, &bloom_size))
		return NULL;
	if (nb == 0)
		return NULL;
	uint64_t word = v->is64 ? 8 : 4;
	uint64_t buckets = g + 16 + bloom_size * word;
	uint64_t chains = buckets + 4 * nb;
	uint32_t h = gnu_hash(name);
	uint64_t i;
	if (rd32(v, buckets + 4 * (h % nb), &i))
		return NULL;
	if (i == 0 || i < symoff)
		return NULL;
	for (uint64_t steps = 0; steps < MAX_WALK && i < v->nsyms; steps++, i++) {
		uint64_t ch;
		if (rd32(v, chains + 4 * (i - symoff), &ch))
			return NULL;
		if (((ch ^ h) >> 1) == 0) {
			void *p = check_sym(v, i, name, version);
			if (p)
				return p;
		}
		if (ch & 1)
			break;
	}
	return NULL;
}

void *kvdso_sym(const struct kvdso *v, const char *name, const char *version)
{
	if (!v || !v->image || !name)
		return NULL;
	if (v->hash && v->nbucket)
		return lookup_sysv(v, name, version);
	if (v->gnu_hash)
		return lookup_gnu(v, name, version);
	return NULL;
}

int kvdso_live(const void **image, size_t *len, char *err, size_t errlen)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	if (!base) {
		seterr(err, errlen, "no vDSO: AT_SYSINFO_EHDR is absent (vdso=0?)");
		return -1;
	}
	*image = (const void *)base;
	*len = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	if (f) {
		char line[512];
		while (fgets(line, sizeof line, f)) {
			if (!strstr(line, "[vdso]"))
				continue;
			unsigned long long lo, hi;
			if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo == base &&
			    hi > lo)
				*len = (size_t)(hi - lo);
			break;
		}
		fclose(f);
	}
	if (*len == 0) {
		/* No /proc: the ELF header and program headers are in the first
		 * page; the extent of the PT_LOAD segments is the image. */
		unsigned long pg = getauxval(AT_PAGESZ);
		struct kvdso v;
		memset(&v, 0, sizeof v);
		v.image = *image;
		v.len = pg ? pg : 4096;
		v.is64 = v.image[EI_CLASS_] == CLASS64;
		uint64_t phoff, phentsize, phnum, end = 0;
		if (rdw(&v, v.is64 ? 32 : 28, &phoff) ||
		    rd16(&v, v.is64 ? 54 : 42, &phentsize) ||
		    rd16(&v, v.is64 ? 56 : 44, &phnum)) {
			seterr(err, errlen, "cannot read the vDSO's ELF header");
			return -1;
		}
		for (uint64_t i = 0; i < phnum && i < 64; i++) {
			uint64_t ph = phoff + i * phentsize, type, off, filesz;
			if (rd32(&v, ph, &type) || rdw(&v, ph + (v.is64 ? 8 : 4), &off) ||
			    rdw(&v, ph + (v.is64 ? 32 : 16), &filesz))
				break;
			if (type == PT_LOAD_ && off + filesz > end)
				end = off + filesz;
		}
		if (end == 0) {
			seterr(err, errlen, "cannot find the vDSO's length");
			return -1;
		}
		*len = (size_t)end;
	}
	return 0;
}

int kvdso_open_live(struct kvdso *out, char *err, size_t errlen)
{
	const void *img;
	size_t len;
	if (kvdso_live(&img, &len, err, errlen))
		return -1;
	return kvdso_parse(img, len, out, err, errlen);
}
