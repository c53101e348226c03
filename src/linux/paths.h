/* kentry: internals of the Linux world's path registry (paths*.c, runner.c).
 *
 * A path is one way into the kernel (or, for the vDSO, the way around it).
 * 64-bit paths are prepared and timed in the forked child itself; 32-bit
 * paths ("compat32") are timed by the 32-bit helper program, which the child
 * execs. Adding a path means: one row in the table of paths.c, a timed loop
 * (loops64.S, or compat32/loops32.S) and a prepare function. */
#ifndef KENTRY_LINUX_PATHS_H
#define KENTRY_LINUX_PATHS_H

#include <stddef.h>
#include <stdint.h>
#include "core/measure.h"
#include "linux/linux.h"

/* The context the assembly loops read (offsets fixed in loops64.S). */
struct kl_ctx {
	uint64_t fn; /* function called by kl_call_* */
	uint64_t nr; /* system call number */
	uint64_t a0, a1, a2;
};

/* Batch functions of loops64.S. */
uint64_t kl_syscall_op(void *ctx, uint32_t n);
uint64_t kl_syscall_empty(void *ctx, uint32_t n);
uint64_t kl_int80_op(void *ctx, uint32_t n);
uint64_t kl_int80_empty(void *ctx, uint32_t n);
uint64_t kl_call_op(void *ctx, uint32_t n);
uint64_t kl_call_empty(void *ctx, uint32_t n);
uint64_t kl_ud2_op(void *ctx, uint32_t n);
uint64_t kl_ud2_empty(void *ctx, uint32_t n);
uint64_t kl_int3_op(void *ctx, uint32_t n);
uint64_t kl_int3_empty(void *ctx, uint32_t n);
uint64_t kl_pf_op(void *ctx, uint32_t n);
uint64_t kl_pf_empty(void *ctx, uint32_t n);
extern const char kl_ud2_site[], kl_int3_site[], kl_pf_site[], kl_pf_resume[];
extern const char kl_sud_region_start[], kl_sud_region_end[], kl_sud_restorer[];

/* A prepared 64-bit path, ready to be timed. */
struct kpath_run {
	struct kl_ctx ctx;
	kbatch_fn op, empty;
	void (*finish)(struct kpath_run *); /* undo (e.g. turn SUD off), may be NULL */
	void *mem;       /* mapping to unmap in finish, may be NULL */
	size_t memlen;
	/* gettimeofday: where the timeval lands (checked after one call, so
	 * that a path passing its arguments wrongly is caught), and whether
	 * it is the 32-bit compat layout. */
	void *tv;
	int tv_compat;
};

#define KOPS(null, gtod) ((null) << KOP_NULL | (gtod) << KOP_GETTIMEOFDAY)

struct kpath {
	const char *id;
	const char *summary;
	int compat32;        /* runs in the 32-bit helper */
	unsigned ops;        /* KOPS(): the ops this path offers */
	/* 64-bit paths: fills *r; returns 0, or -1 with a skip reason. */
	int (*prepare)(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen);
};

extern const struct kpath kpaths[];
extern const size_t kpaths_n;

/* Maps one anonymous scratch page (prot, extra mmap flags) that finish()
 * unmaps; returns it, or NULL with a reason in why. */
void *kpath_map_page(struct kpath_run *r, int prot, int flags, char *why, size_t whylen);

/* Signal-delivered paths (paths_signal.c). */
int kpath_prep_ud2(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen);
int kpath_prep_int3(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen);
int kpath_prep_pf(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen);
int kpath_prep_sud(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen);

/* Tests: make sud-sigsys's handler emulate gettimeofday with a real system
 * call instead of the vDSO, as the vDSO itself does when the clocksource
 * cannot be read from user space (hpet, acpi_pm). Inherited by the
 * measuring children. */
void kpath_sud_emulate_by_syscall(int on);

/* Why a measuring child was killed by SIGSYS: path_uses_sud says whether
 * the path turned Syscall User Dispatch on; seccomp is the Seccomp field of
 * /proc/self/status the child inherited (0 none, 1 strict, 2 filter, -1
 * unknown). runner.c. */
void klinux_sigsys_reason(int path_uses_sud, int seccomp, char *why, size_t n);

#define KOP_NAME(op) ((op) == KOP_GETTIMEOFDAY ? "gettimeofday" : "null")
#define KSKIP_NOT_OFFERED "op gettimeofday: not offered by this path"

#endif
