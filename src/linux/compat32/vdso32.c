/* kentry: the vDSO reader compiled into the 32-bit helper. The Makefile
 * builds every C file of compat32/ with -m32; including the one source
 * keeps a single parser for both processes (it reads both ELF classes). */
#include "linux/vdso.c"
