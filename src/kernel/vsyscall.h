/* kentry kernel: the vsyscall page at 0xffffffffff600000 (vsyscall.c),
 * in the modes Linux has had, chosen at boot (vsyscall=MODE):
 *   native   the page holds code that makes the system call (mov $nr,
 *            %rax; syscall; ret at +0 gettimeofday, +1024 time, +2048
 *            getcpu): user R X;
 *   emulate  the same bytes, readable but not executable: a call faults
 *            (#PF, instruction fetch) and the kernel emulates it;
 *   xonly    not mapped for user space at all: a call faults and is
 *            emulated, a read faults and kills (Linux's default since 5.3);
 *   none     not mapped: a call is a SIGSEGV. */
#ifndef KENTRY_KERNEL_VSYSCALL_H
#define KENTRY_KERNEL_VSYSCALL_H

#include <stdint.h>
#include "regs.h"

enum { KVSYS_NONE, KVSYS_XONLY, KVSYS_EMULATE, KVSYS_NATIVE };
extern int kvsyscall_mode;

/* Maps the page (in the kernel space's upper half, which every process
 * shares) for a mode; at boot, and again to switch (gettimeofday
 * measurement). */
void kvsyscall_set(int mode);
const char *kvsyscall_name(int mode);
int kvsyscall_parse(const char *s, unsigned n); /* -1 unknown */
/* proc.c: a #PF at addr in the page. 1: emulated (the frame returns to the
 * caller), 0: not (the program dies of SIGSEGV); may kill the process
 * itself with Linux's reason. */
int kvsyscall_fault(struct kregs *f, uint64_t addr);

#endif
