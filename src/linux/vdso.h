/* kentry: a bounds-checked reader of the vDSO's in-memory ELF image.
 *
 * The kernel maps the vDSO into every process and tells user space where
 * through the auxiliary vector (AT_SYSINFO_EHDR). It is an ELF shared object
 * laid out so that file offsets equal offsets from the mapping's start, with
 * one PT_LOAD segment and a PT_DYNAMIC segment pointing at the dynamic
 * symbol table, its string table, a SysV (DT_HASH) and/or GNU hash table and
 * symbol versioning (DT_VERSYM, DT_VERDEF). See the kernel's
 * tools/testing/selftests/vDSO/parse_vdso.c for the reference reader.
 *
 * This parser treats the image as untrusted bytes of length `len`: every
 * offset, size, count, index and string is checked against `len` before it
 * is read, chains and version lists are walked with an iteration bound, so
 * a truncated, corrupted or hostile copy gives an error, never an
 * out-of-bounds read or an endless loop. It reads both ELF classes (the
 * 64-bit vDSO and the 32-bit one, "linux-gate.so.1") whatever the build, and
 * is compiled into the 32-bit helper as well (compat32/vdso32.c includes
 * vdso.c). Only little-endian x86 images are accepted. */
#ifndef KENTRY_LINUX_VDSO_H
#define KENTRY_LINUX_VDSO_H

#include <stddef.h>
#include <stdint.h>

struct kvdso {
	const unsigned char *image; /* first byte of the ELF image */
	size_t len;                 /* bytes of image that may be read */
	int is64;                   /* ELFCLASS64 */
	uint64_t load_vaddr;        /* p_vaddr of the PT_LOAD holding offset 0 */
	uint64_t load_offset;       /* its p_offset */
	uint64_t load_filesz;       /* its p_filesz, clipped to len */
	/* Image offsets (already validated against len) of the dynamic tables. */
	size_t symtab, syment, nsyms; /* nsyms: bound from the hash or len */
	size_t strtab, strsz;
	size_t hash;       /* DT_HASH, 0 when absent */
	size_t nbucket, nchain;
	size_t gnu_hash;   /* DT_GNU_HASH, 0 when absent */
	size_t versym;     /* DT_VERSYM, 0 when absent */
	size_t verdef;     /* DT_VERDEF, 0 when absent */
	size_t verdefnum;  /* DT_VERDEFNUM (0: walk until vd_next == 0) */
};

/* Parses `len` bytes at `image`. Returns 0 and fills *out, or -1 with a
 * one-line reason in err (may be NULL). */
int kvdso_parse(const void *image, size_t len, struct kvdso *out, char *err,
		size_t errlen);

/* Address (inside the parsed image) of the defined function or object
 * `name`; when `version` is not NULL the symbol's version must match it
 * (e.g. "LINUX_2.6"; a symbol without version information is accepted).
 * NULL when absent or when the tables are inconsistent. */
void *kvdso_sym(const struct kvdso *v, const char *name, const char *version);

/* The live vDSO of this process: its start (getauxval(AT_SYSINFO_EHDR)) and
 * mapped length (the [vdso] line of /proc/self/maps, else the extent of the
 * PT_LOAD segments). Returns 0, or -1 with a reason. */
int kvdso_live(const void **image, size_t *len, char *err, size_t errlen);

/* kvdso_live() followed by kvdso_parse(). */
int kvdso_open_live(struct kvdso *out, char *err, size_t errlen);

#endif
