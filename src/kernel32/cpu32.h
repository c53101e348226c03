/* kentry legacy kernel: privileged-instruction wrappers of 32-bit
 * protected mode (ring 0). Port I/O, MSRs and halt_forever come from the
 * shared src/kernel/cpu.h, whose inline functions are mode-independent;
 * the control registers and table registers differ and are here. */
#ifndef KENTRY_KERNEL32_CPU32_H
#define KENTRY_KERNEL32_CPU32_H

#include <stdint.h>

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_WP (1u << 16)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define EFLAGS_IF (1u << 9)
#define EFLAGS_NT (1u << 14)

#define DEFINE_CR32(n)                                                      \
	static inline uint32_t read_cr##n##_32(void)                        \
	{                                                                   \
		uint32_t v;                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));           \
		return v;                                                   \
	}                                                                   \
	static inline void write_cr##n##_32(uint32_t v)                     \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");  \
	}
DEFINE_CR32(0)
DEFINE_CR32(2)
DEFINE_CR32(3)
DEFINE_CR32(4)
#undef DEFINE_CR32

struct __attribute__((packed)) dtr32 {
	uint16_t limit;
	uint32_t base;
};

static inline void lgdt32(const struct dtr32 *d) { __asm__ volatile("lgdt %0" : : "m"(*d)); }
static inline void lidt32(const struct dtr32 *d) { __asm__ volatile("lidt %0" : : "m"(*d)); }
static inline void sgdt32(struct dtr32 *d) { __asm__ volatile("sgdt %0" : "=m"(*d)); }
static inline void sidt32(struct dtr32 *d) { __asm__ volatile("sidt %0" : "=m"(*d)); }
static inline void ltr32(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel) : "memory"); }
static inline uint16_t str32(void)
{
	uint16_t s;
	__asm__ volatile("str %0" : "=r"(s));
	return s;
}

static inline uint32_t read_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

#endif
