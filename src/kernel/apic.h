/* kentry kernel: 8259 PICs, local APIC, I/O APIC (apic.c). */
#ifndef KENTRY_KERNEL_APIC_H
#define KENTRY_KERNEL_APIC_H

#include <stdint.h>

struct kapic {
	int present;        /* a local APIC (CPUID.1:EDX[9]) is in use */
	int x2;             /* x2APIC mode (registers are MSRs) */
	int pic_masked;
	uint64_t base;      /* xAPIC MMIO base (physical) */
	uint64_t regs;      /* where the kernel reaches it (vm.h kvm_map_io) */
	uint32_t id, lvts;  /* APIC id, number of LVT entries */
	char state[200];    /* `env kernel.interrupts` */
};
extern struct kapic kapic;

/* Remaps and masks the PICs, software-enables the local APIC with every
 * LVT entry masked (needs vm_init: maps the MMIO page). */
void apic_init(void);
/* 1 when the PIC masks and every LVT entry read back masked. */
int apic_all_masked(void);
void apic_eoi(void);
void apic_timer_start(uint32_t count, int periodic);
void apic_timer_stop(void);
void apic_self_nmi(void);
uint32_t apic_timer_current(void);
/* NMIs from PIT channel 0 through the I/O APIC, every divisor/1.193182 MHz; 0 when there is no I/O APIC */
int apic_pit_nmi(int on, unsigned divisor);

#endif
