/* kentry-helper32: times the compatibility-mode Linux paths from inside a
 * real 32-bit process (built -m32 -static, so it needs no 32-bit libc at
 * run time, only a kernel with IA32 emulation).
 *
 *   kentry-helper32 <path-id> <null|gettimeofday> probe|serve <cpu> [batch]
 *
 * probe: one call. serve: rounds of samples on the commands read from
 * stdin, until its end (batch 0 or absent: chosen by the first round).
 * Output on stdout: the protocol of proto.h. A path whose entry
 * instruction this CPU lacks in this mode kills the helper (SIGILL); the
 * runner reads the wait status and says why. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>

#include "linux/compat32/proto.h"
#include "linux/pin.h"
#include "linux/vdso.h"

struct kl32_ctx {
	uint32_t fn, nr, a0, a1;
};

uint64_t kl32_int80_op(void *ctx, uint32_t n);
uint64_t kl32_int80_empty(void *ctx, uint32_t n);
uint64_t kl32_kvsys_op(void *ctx, uint32_t n);
uint64_t kl32_kvsys_empty(void *ctx, uint32_t n);
uint64_t kl32_sysenter_op(void *ctx, uint32_t n);
uint64_t kl32_sysenter_empty(void *ctx, uint32_t n);
uint64_t kl32_syscall_op(void *ctx, uint32_t n);
uint64_t kl32_syscall_empty(void *ctx, uint32_t n);
uint64_t kl32_call_op(void *ctx, uint32_t n);
uint64_t kl32_call_empty(void *ctx, uint32_t n);

#define NR32_GETPPID 64
#define NR32_GETTIMEOFDAY 78

static struct {
	int32_t sec, usec; /* the compat (old) timeval */
	uint32_t pad[2];
} tv32;

/* How __kernel_vsyscall enters on this machine: the first entry opcode in
 * its first bytes (the kernel patches it at boot with alternatives). */
static const char *kvsys_method(const unsigned char *p)
{
	for (int i = 0; i + 1 < 24; i++) {
		if (p[i] == 0x0f && p[i + 1] == 0x34)
			return "sysenter";
		if (p[i] == 0x0f && p[i + 1] == 0x05)
			return "syscall";
		if (p[i] == 0xcd && p[i + 1] == 0x80)
			return "int $0x80";
	}
	return "unknown";
}

int main(int argc, char **argv)
{
	if (argc < 5 || (strcmp(argv[3], "probe") != 0 && strcmp(argv[3], "serve") != 0)) {
		fprintf(stderr, "usage: kentry-helper32 <path-id> <op> probe|serve <cpu> [batch]\n");
		return 2;
	}
	const char *id = argv[1];
	int gtod = strcmp(argv[2], "gettimeofday") == 0;
	int probe = strcmp(argv[3], "probe") == 0;
	int cpu = atoi(argv[4]);
	uint32_t batch = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 0;
	if (cpu >= 0) {
		char why[300];
		if (kpin_to(cpu, why, sizeof why) != 0)
			printf("unpinned %s\n", why);
	}

	struct kl32_ctx ctx = { 0, gtod ? NR32_GETTIMEOFDAY : NR32_GETPPID,
				gtod ? (uint32_t)(uintptr_t)&tv32 : 0, 0 };
	kbatch_fn op = NULL, empty = NULL;
	char note[160] = "";

	if (strcmp(id, "int80-32") == 0) {
		op = kl32_int80_op;
		empty = kl32_int80_empty;
	} else if (strcmp(id, "vsyscall32-entry") == 0) {
		unsigned long kv = getauxval(AT_SYSINFO);
		if (!kv) {
			kproto_skip(stdout, "no AT_SYSINFO (__kernel_vsyscall) in the auxiliary vector");
			return 0;
		}
		ctx.fn = (uint32_t)kv;
		snprintf(note, sizeof note, "__kernel_vsyscall enters with %s",
			 kvsys_method((const unsigned char *)kv));
		op = kl32_kvsys_op;
		empty = kl32_kvsys_empty;
	} else if (strcmp(id, "sysenter-32") == 0) {
		op = kl32_sysenter_op;
		empty = kl32_sysenter_empty;
	} else if (strcmp(id, "syscall-32") == 0) {
		op = kl32_syscall_op;
		empty = kl32_syscall_empty;
	} else if (strcmp(id, "vdso-32") == 0) {
		struct kvdso v;
		char err[128], why[192];
		if (kvdso_open_live(&v, err, sizeof err)) {
			snprintf(why, sizeof why, "32-bit vDSO unusable: %s", err);
			kproto_skip(stdout, why);
			return 0;
		}
		const char *name = gtod ? "__vdso_gettimeofday" : "__vdso_time";
		void *f = kvdso_sym(&v, name, "LINUX_2.6");
		if (!f) {
			snprintf(why, sizeof why, "32-bit vDSO has no %s (LINUX_2.6)", name);
			kproto_skip(stdout, why);
			return 0;
		}
		ctx.fn = (uint32_t)(uintptr_t)f;
		ctx.a1 = 0;
		op = kl32_call_op;
		empty = kl32_call_empty;
	} else {
		kproto_skip(stdout, "unknown 32-bit path id");
		return 0;
	}

	if (gtod) {
		/* One call, then check that a plausible time arrived: catches a
		 * path whose arguments do not reach the kernel as intended
		 * (the raw entries pass ECX in EBP, for instance). */
		memset(&tv32, 0, sizeof tv32);
		(void)op(&ctx, 1);
		long now = (long)time(NULL);
		if (tv32.sec < now - 5 || tv32.sec > now + 5) {
			kproto_skip(stdout, "gettimeofday through this path returned no "
					    "plausible time (argument passing broken?)");
			return 0;
		}
	}
	if (probe) {
		kproto_probe(stdout, op, &ctx);
		return 0;
	}
	if (note[0])
		printf("note %s\n", note);
	if (kproto_serve(stdin, stdout, op, empty, &ctx, batch) != 0)
		return 1; /* it said why, and `end` */
	printf("end\n");
	fflush(stdout);
	return 0;
}
