/* A static C program for kentry's kernel (tests/programs/README.md): its
 * arguments, then the time through every way a Linux program has, one
 * line each ("time <how> <seconds>.<microseconds>"), then it exits with
 * the status its first argument names. Built with musl and glibc,
 * 64- and 32-bit. Environment: NO_VSYSCALL=1 leaves the vsyscall page out
 * (for vsyscall=none). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "linux/vdso.h"

static void show(const char *how, long long sec, long usec)
{
	printf("time %s %lld.%06ld\n", how, sec, usec);
}

int main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("arg %d [%s]\n", i, argv[i]);

	struct timeval tv;
	struct timespec ts;
	gettimeofday(&tv, NULL);
	show("gettimeofday", tv.tv_sec, (long)tv.tv_usec);
	clock_gettime(CLOCK_REALTIME, &ts);
	show("clock_gettime", ts.tv_sec, ts.tv_nsec / 1000);
	time_t t = time(NULL);
	show("time", t, 0);
	struct timespec m1, m2;
	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	printf("monotonic %s\n", (m2.tv_sec > m1.tv_sec ||
				  (m2.tv_sec == m1.tv_sec && m2.tv_nsec >= m1.tv_nsec)) ? "ok" : "backwards");

	/* The kernel's own struct timeval: two longs (32-bit on i386, where
	 * musl's time_t is 64 bits and its struct timeval is not this). */
	struct { long sec, usec; } ktv;
	/* the system call itself, past the libc and its vDSO (musl's i386
	 * headers name the 32-bit-time call SYS_gettimeofday_time32) */
#ifdef SYS_gettimeofday
	long nr = SYS_gettimeofday;
#else
	long nr = SYS_gettimeofday_time32;
#endif
	if (syscall(nr, &ktv, NULL) == 0)
		show("syscall", ktv.sec, ktv.usec);

#ifdef __x86_64__
	/* the vsyscall page: gettimeofday at +0, time at +1024 */
	const char *nov = getenv("NO_VSYSCALL");
	if (!nov || strcmp(nov, "1")) {
		int (*vgtod)(struct timeval *, void *) = (void *)0xffffffffff600000UL;
		long (*vtime)(long *) = (void *)0xffffffffff600400UL;
		vgtod(&tv, NULL);
		show("vsyscall-gettimeofday", tv.tv_sec, (long)tv.tv_usec);
		show("vsyscall-time", vtime(NULL), 0);
	}
#endif

	/* the vDSO, found through the auxiliary vector with kentry's reader */
	printf("vdso at 0x%lx\n", getauxval(AT_SYSINFO_EHDR));
	struct kvdso v;
	char err[160];
	if (kvdso_open_live(&v, err, sizeof(err))) {
		printf("vdso unusable: %s\n", err);
	} else {
		int (*g)(void *, void *) = kvdso_sym(&v, "__vdso_gettimeofday", "LINUX_2.6");
		long (*tm)(long *) = kvdso_sym(&v, "__vdso_time", "LINUX_2.6");
		int (*gc)(unsigned *, unsigned *, void *) = kvdso_sym(&v, "__vdso_getcpu", "LINUX_2.6");
		if (g && g(&ktv, NULL) == 0)
			show("vdso-gettimeofday", ktv.sec, ktv.usec);
		else
			printf("vdso has no __vdso_gettimeofday\n");
		if (tm)
			show("vdso-time", tm(NULL), 0);
		unsigned cpu = 99, node = 99;
		if (gc && gc(&cpu, &node, NULL) == 0)
			printf("vdso-getcpu cpu %u node %u\n", cpu, node);
#ifdef __i386__
		if (getauxval(AT_SYSINFO) && kvdso_sym(&v, "__kernel_vsyscall", "LINUX_2.5") ==
						     (void *)getauxval(AT_SYSINFO))
			printf("AT_SYSINFO is __kernel_vsyscall\n");
#endif
	}
	int status = argc > 1 ? atoi(argv[1]) : 0;
	printf("exit %d\n", status);
	return status;
}
