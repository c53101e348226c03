/* A static program for kentry's kernel that passes system calls pointers
 * it must not (tests/programs/README.md): into the kernel's upper half,
 * into the kernel image below 4 MiB, to nothing, to a read-only page and
 * to an inaccessible one. Every call must return -EFAULT and the program
 * must go on; it prints one line per call, then "still running". */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void report(const char *what, long r)
{
	printf("%s: %s\n", what, r == -1 && errno == EFAULT ? "EFAULT" : "NOT EFAULT");
	fflush(stdout);
}

int main(void)
{
	void *upper = (void *)0xffff800000000000UL; /* the kernel's direct map */
	void *image = (void *)0x100000UL;           /* the kernel image */
	void *none = (void *)0x10000000UL;          /* nothing mapped */
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *no = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	report("write from the kernel's upper half", syscall(SYS_write, 1, upper, 16));
	report("write from the kernel image", syscall(SYS_write, 1, image, 16));
	report("write from an unmapped page", syscall(SYS_write, 1, none, 16));
	report("write from a PROT_NONE page", syscall(SYS_write, 1, no, 16));
	report("gettimeofday into the kernel image", syscall(SYS_gettimeofday, image, NULL));
	report("gettimeofday into the upper half", syscall(SYS_gettimeofday, upper, NULL));
	report("gettimeofday into a read-only page", syscall(SYS_gettimeofday, ro, NULL));
	report("uname into an unmapped page", syscall(SYS_uname, none));
	report("readlink of a kernel path pointer", syscall(SYS_readlink, image, ro, 16));
	struct iovec iov = { image, 16 };
	report("writev of kernel memory", syscall(SYS_writev, 1, &iov, 1));
	report("writev with the iovec in the kernel", syscall(SYS_writev, 1, image, 1));
	printf("still running\n");
	return 0;
}
