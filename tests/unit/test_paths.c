/* Unit tests of the Linux world's registry and runner (src/linux/paths*.c,
 * runner.c): stable ids, probes, a real quick measurement, and the skip
 * reasons of a missing helper, an op a path does not offer, and a seccomp
 * filter that kills the measuring child. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/linux.h"
#include "linux/paths.h"
#include "cmd/cli.h"
#include "results/json.h"
#include <errno.h>
#include <fcntl.h>
#include "unit/t.h"

static const char *const IDS[] = {
	"syscall", "syscall-enosys", "libc-syscall", "int80-64", "int80-32",
	"vsyscall32-entry", "sysenter-32", "syscall-32", "vsyscall", "vdso",
	"vdso-32", "ud2-sigill", "int3-sigtrap", "pagefault-sigsegv", "sud-sigsys",
};
#define NIDS (sizeof IDS / sizeof IDS[0])

static const char *libexec(void)
{
	const char *b = getenv("BUILD");
	return b && *b ? b : "build";
}

static struct kresult *bench_one(struct krun *run, const char *id, enum klinux_op op,
				 const char *dir)
{
	const char *only[1] = { id };
	struct klinux_opts o = { 0 };
	o.op = op;
	o.samples = 50;
	o.quick = 1;
	o.cpu = -1;
	o.only = only;
	o.n_only = 1;
	o.libexec_dir = dir;
	if (klinux_bench(&o, run) != 0 || run->n == 0)
		return NULL;
	return &run->r[run->n - 1];
}

/* In a fresh process: a seccomp filter that kills on getppid, then bench
 * "syscall". Exit 0 when the result is the seccomp skip. */
static int seccomp_child(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 2; /* cannot test here */
	struct krun run;
	krun_init(&run);
	struct kresult *r = bench_one(&run, "syscall", KOP_NULL, libexec());
	int ok = r && r->status == KR_SKIPPED && r->reason &&
		 strstr(r->reason, "seccomp") != NULL;
	if (!ok && r)
		printf("# seccomp result: %s\n", r->reason ? r->reason : "(measured)");
	krun_free(&run);
	return ok ? 0 : 1;
}

/* In a fresh process: a seccomp filter that makes sched_setaffinity fail
 * with EPERM (as in a sandbox that forbids it). 0 when the filter is in
 * place, 2 when this kernel cannot do it. */
static int forbid_affinity(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sched_setaffinity, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 2;
	return 0;
}

/* Measuring children that cannot be pinned: the result says so and the
 * run's environment says "not pinned", never "pinned". Exit 0 when it
 * does. */
static int unpinned_child(void)
{
	if (forbid_affinity())
		return 2;
	struct krun run;
	krun_init(&run);
	const char *only[1] = { "syscall" };
	struct klinux_opts o = { 0 };
	o.op = KOP_NULL;
	o.samples = 20;
	o.rounds = 1;
	o.cpu = 0;
	o.only = only;
	o.n_only = 1;
	o.libexec_dir = libexec();
	int ok = klinux_bench(&o, &run) == 0 && run.n == 1 &&
		 run.r[0].status == KR_MEASURED && run.r[0].note &&
		 strstr(run.r[0].note, "not pinned: sched_setaffinity to CPU 0 failed") &&
		 kenv_get(&run.env, "cpu.pinned") &&
		 strcmp(kenv_get(&run.env, "cpu.pinned"), "no") == 0 &&
		 kenv_get(&run.env, "cpu.pin_error");
	if (!ok && run.n)
		printf("# unpinned result: note %s, cpu.pinned %s\n",
		       run.r[0].note ? run.r[0].note : "(none)",
		       kenv_get(&run.env, "cpu.pinned") ? kenv_get(&run.env, "cpu.pinned")
							 : "(unset)");
	krun_free(&run);
	return ok ? 0 : 1;
}

/* The whole command under the same sandbox, without --cpu: it warns,
 * measures, and writes cpu.pinned "no" into the result file. */
static int unpinned_command(const char *json)
{
	if (forbid_affinity())
		return 2;
	char *argv[] = { "kentry", "bench", "--quick", "--only", "syscall", "--no-progress",
			 "--json", (char *)json, NULL };
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 1);
	return kentry_main(8, argv);
}

int main(void)
{
	/* Registry: the stable ids, in order, each found by its index. */
	T_EQ_U64(klinux_path_count(), NIDS);
	int ids_ok = 1;
	for (size_t i = 0; i < NIDS && i < klinux_path_count(); i++) {
		if (strcmp(klinux_path_id(i), IDS[i]) != 0 ||
		    klinux_path_index(IDS[i]) != (int)i || !klinux_path_summary(i) ||
		    !klinux_path_summary(i)[0])
			ids_ok = 0;
	}
	T_CHECK(ids_ok);
	T_CHECK(klinux_path_index("no-such-path") == -1);
	T_CHECK(klinux_path_index(NULL) == -1);
	T_CHECK(klinux_path_id(NIDS) == NULL);

	/* Probes that work on any x86-64 Linux running this test. */
	char why[256];
	T_CHECK(klinux_probe((size_t)klinux_path_index("syscall"), KOP_NULL, libexec(),
			     why, sizeof why) == 1);
	T_CHECK(klinux_probe((size_t)klinux_path_index("ud2-sigill"), KOP_NULL, libexec(),
			     why, sizeof why) == 1);
	T_CHECK(klinux_probe((size_t)klinux_path_index("pagefault-sigsegv"), KOP_NULL,
			     libexec(), why, sizeof why) == 1);
	T_CHECK(klinux_probe((size_t)klinux_path_index("ud2-sigill"), KOP_GETTIMEOFDAY,
			     libexec(), why, sizeof why) == 0);
	T_STREQ(why, "op gettimeofday: not offered by this path");

	/* Exactly what a CPU can do from 32-bit code is decided by trying: at
	 * least one of the raw fast entries fails on every real vendor. */
	int se = klinux_probe((size_t)klinux_path_index("sysenter-32"), KOP_NULL, libexec(),
			      why, sizeof why);
	printf("# sysenter-32: %s\n", se ? "available" : why);
	int sc = klinux_probe((size_t)klinux_path_index("syscall-32"), KOP_NULL, libexec(),
			      why, sizeof why);
	printf("# syscall-32: %s\n", sc ? "available" : why);

	/* A real quick measurement. */
	struct krun run;
	krun_init(&run);
	struct kresult *r = bench_one(&run, "syscall", KOP_NULL, libexec());
	T_CHECK(r && r->status == KR_MEASURED);
	if (r && r->status == KR_MEASURED) {
		T_CHECK(r->cycles.n >= 50);
		T_CHECK(r->cycles.median > 10 && r->cycles.median < 1e6);
		T_CHECK(r->batch >= 1);
		T_STREQ(r->world, "linux");
		T_STREQ(r->op, "null");
	}
	r = bench_one(&run, "vdso", KOP_GETTIMEOFDAY, libexec());
	T_CHECK(r && r->status == KR_MEASURED && r->cycles.median > 0);
	r = bench_one(&run, "sud-sigsys", KOP_NULL, libexec());
	T_CHECK(r && (r->status == KR_MEASURED ||
		      (r->reason && strstr(r->reason, "5.11"))));
	/* Syscall User Dispatch with a handler that makes a real system call
	 * (gettimeofday emulated without the vDSO, as on a machine whose
	 * clocksource is hpet or acpi_pm): the handler lets its own system
	 * calls through, so the path is measured, not killed by a nested
	 * SIGSYS. */
	kpath_sud_emulate_by_syscall(1);
	r = bench_one(&run, "sud-sigsys", KOP_GETTIMEOFDAY, libexec());
	kpath_sud_emulate_by_syscall(0);
	T_CHECK(r && (r->status == KR_MEASURED ||
		      (r->reason && strstr(r->reason, "5.11"))));
	if (r && r->status != KR_MEASURED)
		printf("# sud-sigsys gettimeofday by syscall: %s\n", r->reason);
	else if (r)
		printf("# sud-sigsys gettimeofday by syscall: median %.1f ticks\n",
		       r->cycles.median);
	/* What a SIGSYS death is attributed to. */
	klinux_sigsys_reason(1, 0, why, sizeof why);
	T_CHECK(strstr(why, "Syscall User Dispatch") && strstr(why, "nested") &&
		!strstr(why, "blocked by a seccomp filter"));
	klinux_sigsys_reason(0, 2, why, sizeof why);
	T_STREQ(why, "blocked by a seccomp filter (SIGSYS)");
	klinux_sigsys_reason(1, 2, why, sizeof why);
	T_CHECK(strstr(why, "seccomp") && strstr(why, "Syscall User Dispatch"));
	klinux_sigsys_reason(0, 0, why, sizeof why);
	T_CHECK(strstr(why, "no seccomp filter is installed") != NULL);
	klinux_sigsys_reason(0, -1, why, sizeof why);
	T_CHECK(strstr(why, "SIGSYS") != NULL);
	r = bench_one(&run, "syscall-enosys", KOP_GETTIMEOFDAY, libexec());
	T_CHECK(r && r->status == KR_SKIPPED);
	T_STREQ(r ? r->reason : NULL, "op gettimeofday: not offered by this path");

	/* Missing helper. */
	r = bench_one(&run, "int80-32", KOP_NULL, "/nonexistent-kentry-dir");
	T_CHECK(r && r->status == KR_SKIPPED && r->reason &&
		strstr(r->reason, "gcc-multilib"));
	krun_free(&run);

	/* A seccomp filter kills the measuring child: reported, not fatal. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(seccomp_child());
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		printf("# seccomp unavailable here, not tested\n");
	else
		T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* Pinning that fails is recorded, not claimed. */
	pid = fork();
	if (pid == 0)
		_exit(unpinned_child());
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		printf("# seccomp unavailable here, unpinned runs not tested\n");
	else
		T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char json[] = "/tmp/kentry-unpinned-XXXXXX";
	int jfd = mkstemp(json);
	if (jfd >= 0)
		close(jfd);
	unlink(json);
	pid = fork();
	if (pid == 0)
		_exit(unpinned_command(json));
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2 && access(json, F_OK) != 0) {
		printf("# seccomp unavailable here, unpinned command not tested\n");
	} else {
		T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		struct krun back;
		char err[512];
		T_CHECK(kjson_load(json, &back, NULL, err, sizeof err) == KINPUT_OK);
		T_STREQ(kenv_get(&back.env, "cpu.pinned"), "no");
		T_CHECK(kenv_get(&back.env, "cpu.pin_error") &&
			strstr(kenv_get(&back.env, "cpu.pin_error"), "Operation not permitted"));
		krun_free(&back);
	}
	unlink(json);

	return T_DONE();
}
