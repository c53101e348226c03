/* kentry: the Linux world's runner.
 *
 * Every measurement happens in a forked child pinned to the chosen CPU, so
 * that a path which traps fatally (SIGILL from an instruction this CPU does
 * not have in this mode, SIGSEGV from an unmapped vsyscall page, SIGSYS
 * from a seccomp filter) costs nothing but that child. The child writes its
 * samples to a pipe in the text protocol of compat32/proto.h; for 32-bit
 * paths it execs the 32-bit helper with the pipe as stdout, and the helper
 * speaks the same protocol. The parent reads with a deadline, reaps the
 * child, and turns whatever happened into a measured result or a skip with
 * its reason. Availability is therefore always decided by trying. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cpuinfo.h"
#include "core/stats.h"
#include "linux/compat32/proto.h"
#include "linux/linux.h"
#include "linux/paths.h"

#define CHILD_TIMEOUT_MS 20000
#define SPREAD_LIMIT 0.10

struct child_out {
	int ended;         /* saw "end" */
	int ok;            /* probe: saw "ok" */
	char reason[256];  /* "skip" reason, or why the child failed */
	char note[256];
	uint32_t batch;
	double overhead;
	double *s;
	size_t n, cap;
};

/* ---- child side ---------------------------------------------------------- */

static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof set, &set);
}

/* Prepares, checks and times a 64-bit path; returns NULL when samples were
 * written to v, or a skip reason. A probe (v == NULL) makes one call. */
static const char *run64(struct kpath_run *r, uint32_t samples, double *v,
			 struct kmeasure_info *info)
{
	if (r->tv) {
		/* One call, then check that a plausible time arrived. */
		memset(r->tv, 0, r->tv_compat ? 8 : sizeof(struct timeval));
		(void)r->op(&r->ctx, 1);
		long sec = r->tv_compat ? (long)*(int32_t *)r->tv
					: ((struct timeval *)r->tv)->tv_sec;
		long now = (long)time(NULL);
		if (sec < now - 5 || sec > now + 5)
			return "gettimeofday through this path returned no plausible "
			       "time (argument passing broken?)";
	}
	if (!v) {
		(void)r->op(&r->ctx, 1);
		return NULL;
	}
	kmeasure_run(r->op, r->empty, &r->ctx, samples, KMEASURE_TARGET_CYCLES, v, info);
	return NULL;
}

/* Runs a 64-bit path in this (child) process and writes the protocol. The
 * path's state (SUD on, a scratch page) is undone before any output. */
static void child64(size_t i, enum klinux_op op, uint32_t samples, int probe, FILE *f)
{
	const struct kpath *p = &kpaths[i];
	struct kpath_run r;
	char why[256] = "";
	memset(&r, 0, sizeof r);
	const char *skip = NULL;
	double *v = NULL;
	struct kmeasure_info info = { 0 };
	if (p->prepare(&r, op, why, sizeof why) != 0)
		skip = why[0] ? why : "preparation failed";
	else if (!probe && !(v = malloc(sizeof(double) * samples)))
		skip = "out of memory for samples";
	else
		skip = run64(&r, samples, v, &info);
	if (r.finish)
		r.finish(&r);
	if (skip)
		kproto_skip(f, skip);
	else if (probe) {
		fprintf(f, "ok\nend\n");
		fflush(f);
	} else
		kproto_samples(f, &info, v, samples);
	free(v);
}

static const char *cmdline_has(const char *key)
{
	static char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, key);
}

static void helper_path(const char *libexec_dir, char *out, size_t n)
{
	if (libexec_dir && libexec_dir[0]) {
		snprintf(out, n, "%s/kentry-helper32", libexec_dir);
		return;
	}
	char exe[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0) {
		snprintf(out, n, "kentry-helper32");
		return;
	}
	exe[k] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, n, "%s/kentry-helper32", exe);
}

/* Whether the file starts like an i386 ELF executable (ELFCLASS32, EM_386). */
static int is_elf32_i386(const char *path)
{
	unsigned char h[20];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(h, 1, sizeof h, f);
	fclose(f);
	return n == sizeof h && memcmp(h, "\177ELF", 4) == 0 && h[4] == 1 &&
	       h[18] == 3 && h[19] == 0;
}

/* In the child: exec the 32-bit helper on the pipe (fd 1). Only returns on
 * failure, after writing the reason. */
static void child32(size_t i, enum klinux_op op, uint32_t samples, int cpu,
		    const char *libexec_dir)
{
	char path[PATH_MAX + 32], ssamples[16], scpu[16];
	helper_path(libexec_dir, path, sizeof path);
	snprintf(ssamples, sizeof ssamples, "%u", (unsigned)samples);
	snprintf(scpu, sizeof scpu, "%d", cpu);
	char *argv[] = { path, (char *)kpaths[i].id, (char *)KOP_NAME(op), ssamples,
			 scpu, NULL };
	execv(path, argv);
	int e = errno;
	char why[PATH_MAX + 128];
	if (e == ENOENT)
		snprintf(why, sizeof why,
			 "no 32-bit helper: build needs gcc-multilib (%s missing)", path);
	else if (e == ENOEXEC && !is_elf32_i386(path))
		snprintf(why, sizeof why, "%s is not a 32-bit x86 ELF executable (rebuild it)",
			 path);
	else if (e == ENOEXEC)
		/* A good i386 ELF refused: the kernel has no ia32 binfmt, or it
		 * is switched off at boot (CONFIG_IA32_EMULATION_DEFAULT_DISABLED
		 * or ia32_emulation=0). */
		snprintf(why, sizeof why, "%s",
			 cmdline_has("ia32_emulation=0")
				 ? "ia32_emulation=0 on the kernel command line"
				 : "kernel built without IA32 emulation (32-bit helper cannot run)");
	else
		snprintf(why, sizeof why, "cannot run the 32-bit helper %s: %s", path,
			 strerror(e));
	kproto_skip(stdout, why);
}

/* ---- parent side --------------------------------------------------------- */

static void out_free(struct child_out *c)
{
	free(c->s);
	memset(c, 0, sizeof *c);
}

static void parse_line(struct child_out *c, char *line)
{
	if (strncmp(line, "s ", 2) == 0) {
		if (c->n == c->cap) {
			size_t nc = c->cap ? c->cap * 2 : 1024;
			double *ns = realloc(c->s, nc * sizeof(double));
			if (!ns)
				return;
			c->s = ns;
			c->cap = nc;
		}
		c->s[c->n++] = strtod(line + 2, NULL);
	} else if (strncmp(line, "info ", 5) == 0) {
		unsigned b = 0;
		double o = 0;
		if (sscanf(line + 5, "batch=%u overhead=%lf", &b, &o) == 2) {
			c->batch = b;
			c->overhead = o;
		}
	} else if (strncmp(line, "skip ", 5) == 0) {
		snprintf(c->reason, sizeof c->reason, "%s", line + 5);
	} else if (strncmp(line, "note ", 5) == 0) {
		snprintf(c->note, sizeof c->note, "%s", line + 5);
	} else if (strcmp(line, "ok") == 0) {
		c->ok = 1;
	} else if (strcmp(line, "end") == 0) {
		c->ended = 1;
	}
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *cpu_vendor(void)
{
	static struct kcpuinfo ci;
	static int done;
	if (!done) {
		kcpuinfo_read(&ci);
		done = 1;
	}
	if (strcmp(ci.vendor, "AuthenticAMD") == 0 || strcmp(ci.vendor, "HygonGenuine") == 0)
		return "AMD";
	if (strcmp(ci.vendor, "GenuineIntel") == 0)
		return "Intel";
	return ci.vendor[0] ? ci.vendor : "unknown";
}

/* The Seccomp field of our /proc/self/status (the children inherit the
 * filters of the parent): 0 none, 1 strict, 2 filter, -1 unknown. */
static int seccomp_mode(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int mode = -1;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			mode = atoi(line + 8);
	if (f)
		fclose(f);
	return mode;
}

void klinux_sigsys_reason(int path_uses_sud, int seccomp, char *why, size_t n)
{
	if (path_uses_sud && seccomp == 2)
		snprintf(why, n, "killed by SIGSYS: a seccomp filter, or a system call that "
				 "Syscall User Dispatch blocked while its own SIGSYS was being "
				 "handled");
	else if (path_uses_sud && seccomp >= 0)
		snprintf(why, n, "killed by SIGSYS: a system call that Syscall User Dispatch "
				 "blocked while its own SIGSYS was being handled (a nested "
				 "SIGSYS; no seccomp filter is installed)");
	else if (seccomp == 2)
		snprintf(why, n, "blocked by a seccomp filter (SIGSYS)");
	else if (seccomp >= 0)
		snprintf(why, n, "killed by SIGSYS, though no seccomp filter is installed "
				 "and this path does not use Syscall User Dispatch");
	else
		snprintf(why, n, "killed by SIGSYS (a seccomp filter, or Syscall User "
				 "Dispatch)");
}

/* The reason for a child that died of `sig` while running path i. */
static void death_reason(size_t i, int sig, char *why, size_t n)
{
	const char *id = kpaths[i].id;
	const char *vendor = cpu_vendor();
	if (sig == SIGILL && strcmp(id, "sysenter-32") == 0)
		snprintf(why, n, "sysenter from 32-bit code raises #UD on %s CPUs (SIGILL caught)",
			 vendor);
	else if (sig == SIGILL && strcmp(id, "syscall-32") == 0)
		snprintf(why, n, "syscall from 32-bit code raises #UD on %s CPUs (SIGILL caught)",
			 vendor);
	else if (sig == SIGILL)
		snprintf(why, n, "the entry instruction raised #UD (SIGILL)");
	else if (sig == SIGSEGV && strcmp(id, "vsyscall") == 0) {
		FILE *f = fopen("/proc/self/maps", "r");
		int mapped = 0;
		char line[512];
		while (f && fgets(line, sizeof line, f))
			if (strstr(line, "[vsyscall]"))
				mapped = 1;
		if (f)
			fclose(f);
		if (!mapped)
			snprintf(why, n, "vsyscall=none: the page is not mapped");
		else
			snprintf(why, n, "calling the vsyscall page raised SIGSEGV");
	} else if (sig == SIGSEGV && strncmp(id, "int80", 5) == 0)
		snprintf(why, n, "int $0x80 raised #GP (SIGSEGV): %s",
			 cmdline_has("ia32_emulation=0")
				 ? "ia32_emulation=0 on the kernel command line"
				 : "no IA32 emulation in this kernel");
	else if (sig == SIGSYS)
		klinux_sigsys_reason(strcmp(id, "sud-sigsys") == 0, seccomp_mode(), why, n);
	else
		snprintf(why, n, "measuring child died of signal %d (%s)", sig, strsignal(sig));
}

/* Runs path i in a contained child; fills *c. Returns 0 when the child
 * produced a complete run (samples, skip or probe ok), else -1 with
 * c->reason set. */
static int run_child(size_t i, enum klinux_op op, uint32_t samples, int cpu,
		     const char *libexec_dir, int probe, struct child_out *c)
{
	memset(c, 0, sizeof *c);
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0) {
		snprintf(c->reason, sizeof c->reason, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		snprintf(c->reason, sizeof c->reason, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		pin(cpu);
		if (kpaths[i].compat32) {
			if (dup2(fd[1], 1) < 0)
				_exit(126);
			child32(i, op, probe ? 0 : samples, cpu, libexec_dir);
			_exit(127);
		}
		FILE *f = fdopen(fd[1], "w");
		if (!f)
			_exit(126);
		child64(i, op, samples, probe, f);
		fclose(f);
		_exit(0);
	}
	close(fd[1]);

	/* Read everything with a deadline. */
	char *buf = NULL;
	size_t len = 0, cap = 0;
	long deadline = now_ms() + CHILD_TIMEOUT_MS;
	int timed_out = 0;
	for (;;) {
		long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pfd = { fd[0], POLLIN, 0 };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timed_out = pr == 0;
			break;
		}
		if (cap - len < 65536) {
			size_t nc = cap ? cap * 2 : 131072;
			char *nb = realloc(buf, nc);
			if (!nb)
				break;
			buf = nb;
			cap = nc;
		}
		ssize_t k = read(fd[0], buf + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(fd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;

	if (buf) {
		buf[len] = '\0';
		char *save = NULL;
		for (char *line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			parse_line(c, line);
		free(buf);
	}
	if (timed_out) {
		snprintf(c->reason, sizeof c->reason, "timed out after %d s (child killed)",
			 CHILD_TIMEOUT_MS / 1000);
		return -1;
	}
	if (WIFSIGNALED(st) && !c->ended) {
		death_reason(i, WTERMSIG(st), c->reason, sizeof c->reason);
		return -1;
	}
	if (!c->ended) {
		if (!c->reason[0])
			snprintf(c->reason, sizeof c->reason,
				 "measuring child exited with status %d without a result",
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

int klinux_probe(size_t i, enum klinux_op op, const char *libexec_dir, char *why,
		 size_t whylen)
{
	if (i >= kpaths_n) {
		snprintf(why, whylen, "no such path");
		return 0;
	}
	if (!(kpaths[i].ops & (1u << op))) {
		snprintf(why, whylen, "%s", KSKIP_NOT_OFFERED);
		return 0;
	}
	struct child_out c;
	int rc = run_child(i, op, 1, -1, libexec_dir, 1, &c);
	int ok = rc == 0 && c.ok && !c.reason[0];
	if (!ok)
		snprintf(why, whylen, "%s", c.reason[0] ? c.reason : "probe failed");
	else if (whylen)
		why[0] = '\0';
	out_free(&c);
	return ok;
}

/* The vDSO reads the clock in user space only when the clocksource allows
 * it (tsc, kvm-clock, hyperv_clocksource_tsc_page); otherwise it falls back
 * to the system call. Say which clocksource the figure was taken with. */
static void clocksource_note(struct kresult *r)
{
	char cs[64] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			"r");
	if (!f)
		return;
	if (fgets(cs, sizeof cs, f)) {
		cs[strcspn(cs, "\n")] = '\0';
		if (cs[0])
			kresult_set_note(r, "clocksource %s", cs);
	}
	fclose(f);
}

static int selected(const struct klinux_opts *o, const char *id)
{
	if (!o->only)
		return 1;
	for (size_t k = 0; k < o->n_only; k++)
		if (o->only[k] && strcmp(o->only[k], id) == 0)
			return 1;
	return 0;
}

int klinux_bench(const struct klinux_opts *o, struct krun *run)
{
	uint32_t samples = o->samples ? o->samples : (o->quick ? 100u : 1000u);
	int retries = o->quick ? 1 : 2;
	size_t total = 0, index = 0;
	for (size_t i = 0; i < kpaths_n; i++)
		total += selected(o, kpaths[i].id);

	for (size_t i = 0; i < kpaths_n; i++) {
		const struct kpath *p = &kpaths[i];
		if (!selected(o, p->id))
			continue;
		if (o->progress)
			o->progress(o->progress_arg, p->id, index, total, "running");
		struct kresult *r = krun_add(run, p->id, "linux", KOP_NAME(o->op));
		if (!r)
			return -1;
		if (!(p->ops & (1u << o->op))) {
			kresult_skip(r, "%s", KSKIP_NOT_OFFERED);
			goto next;
		}

		struct child_out best = { 0 };
		struct kstats best_st = { 0 };
		double best_spread = 0;
		int have = 0;
		for (int attempt = 0; attempt <= retries; attempt++) {
			struct child_out c;
			uint32_t n = samples << attempt;
			int rc = run_child(i, o->op, n, o->cpu, o->libexec_dir, 0, &c);
			if (rc != 0 || c.reason[0] || c.n == 0) {
				if (!have)
					kresult_skip(r, "%s",
						     c.reason[0] ? c.reason : "no samples");
				out_free(&c);
				break;
			}
			struct kstats st;
			kstats_compute(c.s, c.n, &st);
			double spread = kstats_rel_spread(&st);
			if (!have || spread < best_spread) {
				out_free(&best);
				best = c;
				best_st = st;
				best_spread = spread;
				have = 1;
			} else {
				out_free(&c);
			}
			if (spread <= SPREAD_LIMIT)
				break;
			if (o->progress)
				o->progress(o->progress_arg, p->id, index, total,
					    "wide spread, more samples");
		}
		if (have) {
			r->status = KR_MEASURED;
			r->cycles = best_st;
			r->batch = best.batch;
			r->overhead_cycles = best.overhead;
			r->wide = best_spread > SPREAD_LIMIT;
			if (best.note[0])
				kresult_set_note(r, "%s", best.note);
			else if (o->op == KOP_GETTIMEOFDAY && strncmp(p->id, "vdso", 4) == 0)
				clocksource_note(r);
		}
		out_free(&best);
	next:
		if (o->progress)
			o->progress(o->progress_arg, p->id, index, total,
				    r->status == KR_MEASURED ? "measured" : "skipped");
		index++;
	}
	return 0;
}
