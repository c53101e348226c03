/* Uses of the vsyscall page that Linux's emulation refuses, one per
 * argument, for the emulate and xonly modes (tests/integration/
 * exec_errors.sh): each must end the program with SIGSEGV and the reason,
 * except a read of the page, which only xonly (and none) refuses.
 *   read        load the page's first byte and print it
 *   misaligned  call offset 8 (the entries are 0, 1024 and 2048)
 *   badstack    enter time() with RSP in the kernel's range: the return
 *               address cannot be read
 *   kernelret   enter time() with a return address in the upper half */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VSYSCALL 0xffffffffff600000UL

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(c, "read")) {
		const volatile uint8_t *p = (const volatile uint8_t *)VSYSCALL;
		printf("read 0x%02x\n", p[0]);
		return 0;
	}
	if (!strcmp(c, "misaligned")) {
		long (*f)(void *) = (long (*)(void *))(VSYSCALL + 8);
		f(NULL);
		printf("came back\n");
		return 0;
	}
	if (!strcmp(c, "badstack"))
		__asm__ volatile("xor %%edi, %%edi\n\tmov $0x1000, %%rsp\n\tjmp *%0"
				 : : "r"(VSYSCALL + 1024) : "rdi", "memory");
	if (!strcmp(c, "kernelret"))
		__asm__ volatile("xor %%edi, %%edi\n\tpushq %0\n\tjmp *%1"
				 : : "r"(0xffffffff80000000UL), "r"(VSYSCALL + 1024) : "rdi", "memory");
	printf("unknown case '%s'\n", c);
	return 2;
}
