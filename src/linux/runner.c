/* kentry: the Linux world's runner.
 *
 * Every measurement happens in a forked child pinned to the chosen CPU, so
 * that a path which traps fatally (SIGILL from an instruction this CPU does
 * not have in this mode, SIGSEGV from an unmapped vsyscall page, SIGSYS
 * from a seccomp filter) costs nothing but that child. Availability is
 * therefore always decided by trying.
 *
 * One child serves one path for the whole run: it prepares the path once,
 * then takes one round of samples each time the runner asks, over a pipe,
 * in the text protocol of compat32/proto.h (for 32-bit paths the child
 * execs the 32-bit helper, which speaks the same protocol on its stdin and
 * stdout). The runner drives the children round-robin, rounds spread over
 * the run, so that every path sees the same mixture of the host's states
 * and the ratios between paths stay stable; a child kept alive keeps its
 * batch size, its vDSO lookup and its signal handlers from round to round
 * (re-forking would cost ~0.3 ms per round and path here, ~0.7 ms with the
 * 32-bit helper's exec, and redo all of that). Each round reports the
 * child's involuntary context switches; the runner adds the steal time the
 * hypervisor reports for the CPU (/proc/stat) and judges the rounds
 * (core/rounds.h): a disturbed path gets more rounds, and is flagged when
 * the disturbance persists. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cpuinfo.h"
#include "core/rounds.h"
#include "core/stats.h"
#include "linux/compat32/proto.h"
#include "linux/linux.h"
#include "linux/paths.h"
#include "linux/pin.h"

#define CHILD_TIMEOUT_MS 20000
#define SPREAD_LIMIT 0.10

static void death_reason(size_t i, int sig, char *why, size_t n);

/* ---- child side ---------------------------------------------------------- */

/* Checks that gettimeofday through the path lands a plausible time (a
 * path passing its arguments wrongly is caught); NULL or a skip reason. */
static const char *check_gtod(struct kpath_run *r)
{
	if (!r->tv)
		return NULL;
	memset(r->tv, 0, r->tv_compat ? 8 : sizeof(struct timeval));
	(void)r->op(&r->ctx, 1);
	long sec = r->tv_compat ? (long)*(int32_t *)r->tv : ((struct timeval *)r->tv)->tv_sec;
	long now = (long)time(NULL);
	if (sec < now - 5 || sec > now + 5)
		return "gettimeofday through this path returned no plausible time (argument "
		       "passing broken?)";
	return NULL;
}

/* Runs a 64-bit path in this (child) process on stdin/stdout: a probe
 * (one call) or rounds until stdin ends. The path's state (SUD on, a
 * scratch page) is undone before `end`. */
static void child64(size_t i, enum klinux_op op, int probe, uint32_t batch)
{
	const struct kpath *p = &kpaths[i];
	struct kpath_run r;
	char why[256] = "";
	memset(&r, 0, sizeof r);
	const char *skip = NULL;
	if (p->prepare(&r, op, why, sizeof why) != 0)
		skip = why[0] ? why : "preparation failed";
	else
		skip = check_gtod(&r);
	if (!skip && probe)
		(void)r.op(&r.ctx, 1);
	else if (!skip && kproto_serve(stdin, stdout, r.op, r.empty, &r.ctx, batch) != 0)
		skip = ""; /* it said why, and `end` */
	if (r.finish)
		r.finish(&r);
	if (skip && skip[0])
		kproto_skip(stdout, skip);
	else if (!skip)
		printf("%send\n", probe ? "ok\n" : "");
	fflush(stdout);
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

/* In the child: exec the 32-bit helper on stdin/stdout. Only returns on
 * failure, after writing the reason. */
static void child32(size_t i, enum klinux_op op, int probe, int cpu, uint32_t batch,
		    const char *libexec_dir)
{
	char path[PATH_MAX + 32], scpu[16], sbatch[16];
	helper_path(libexec_dir, path, sizeof path);
	snprintf(scpu, sizeof scpu, "%d", cpu);
	snprintf(sbatch, sizeof sbatch, "%u", (unsigned)batch);
	char *argv[] = { path, (char *)kpaths[i].id, (char *)KOP_NAME(op),
			 (char *)(probe ? "probe" : "serve"), scpu, sbatch, NULL };
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

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Lines from a child's output pipe, read with a deadline. */
struct chan {
	int fd;
	char *buf;
	size_t start, len, cap;
};

/* The next line (without its newline) in *line: 1; end of file: 0;
 * deadline passed or read error: -1. */
static int chan_line(struct chan *c, long deadline, char **line)
{
	for (;;) {
		char *nl = c->len > c->start ? memchr(c->buf + c->start, '\n', c->len - c->start)
					     : NULL;
		if (nl) {
			*nl = '\0';
			*line = c->buf + c->start;
			c->start = (size_t)(nl - c->buf) + 1;
			return 1;
		}
		if (c->start > 0) { /* keep the partial line at the front */
			memmove(c->buf, c->buf + c->start, c->len - c->start);
			c->len -= c->start;
			c->start = 0;
		}
		if (c->cap - c->len < 4096) {
			size_t nc = c->cap ? c->cap * 2 : 65536;
			char *nb = realloc(c->buf, nc);
			if (!nb)
				return -1;
			c->buf = nb;
			c->cap = nc;
		}
		long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		ssize_t k = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0) {
			if (c->len > c->start) { /* a last line without newline */
				c->buf[c->len] = '\0';
				*line = c->buf + c->start;
				c->start = c->len;
				return 1;
			}
			return 0;
		}
		c->len += (size_t)k;
	}
}

/* One path's child and everything it has reported. */
struct child {
	size_t i;                 /* registry index */
	struct kresult *r;
	pid_t pid;                /* 0 once reaped */
	int cmd;                  /* write end of its stdin, -1 when closed */
	struct chan out;          /* its stdout */
	int alive;                /* ready and serving rounds */
	int ended, ok;            /* saw `end`; probe: saw `ok` */
	int status;               /* wait status once reaped */
	char reason[512];         /* `skip` reason or why it failed */
	char note[256];
	char unpinned[320];
	uint32_t batch;
	double *overheads;        /* per round */
	double *s;                /* every sample of every round */
	size_t n, cap;
	struct kround *rounds;
	size_t nr, rcap;
	uint32_t want_more;       /* extra rounds still to take */
};

static void child_free(struct child *c)
{
	if (c->cmd >= 0)
		close(c->cmd);
	if (c->out.fd >= 0)
		close(c->out.fd);
	free(c->out.buf);
	free(c->s);
	free(c->rounds);
	free(c->overheads);
	c->cmd = c->out.fd = -1;
	c->out.buf = NULL;
	c->s = NULL;
	c->rounds = NULL;
	c->overheads = NULL;
}

/* Closes every descriptor above stderr (the pipes of the other children:
 * one of them held open here would keep its child from seeing the end of
 * its commands). */
static void close_others(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
#endif
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

/* Starts the child of path i (probe: one call; else serve rounds). */
static int spawn(struct child *c, enum klinux_op op, int probe, int cpu, uint32_t batch,
		 const char *libexec_dir)
{
	int in[2], out[2];
	c->cmd = c->out.fd = -1;
	if (pipe2(in, O_CLOEXEC) != 0) {
		snprintf(c->reason, sizeof c->reason, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) != 0) {
		snprintf(c->reason, sizeof c->reason, "pipe: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(c->reason, sizeof c->reason, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		close_others();
		if (cpu >= 0) {
			char why[300];
			if (kpin_to(cpu, why, sizeof why) != 0)
				printf("unpinned %s\n", why);
		}
		if (kpaths[c->i].compat32) {
			fflush(stdout);
			child32(c->i, op, probe, cpu, batch, libexec_dir);
			_exit(127);
		}
		child64(c->i, op, probe, batch);
		_exit(0);
	}
	close(in[0]);
	close(out[1]);
	c->pid = pid;
	c->cmd = in[1];
	c->out.fd = out[0];
	return 0;
}

static int append_sample(struct child *c, double v)
{
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		double *ns = realloc(c->s, nc * sizeof(double));
		if (!ns)
			return -1;
		c->s = ns;
		c->cap = nc;
	}
	c->s[c->n++] = v;
	return 0;
}

/* One protocol line. Returns 1 at `done`, `ready` or `end`, else 0. */
static int parse_line(struct child *c, char *line, struct kround *round, double *overhead)
{
	if (strncmp(line, "s ", 2) == 0) {
		(void)append_sample(c, strtod(line + 2, NULL));
	} else if (strncmp(line, "info ", 5) == 0) {
		unsigned b = 0, e = 0;
		double o = 0;
		long iv = 0, v = 0;
		if (sscanf(line + 5, "batch=%u overhead=%lf empties=%u nivcsw=%ld nvcsw=%ld", &b,
			   &o, &e, &iv, &v) == 5) {
			c->batch = b;
			if (overhead)
				*overhead = o;
			if (round)
				round->nivcsw = iv > 0 ? (uint32_t)iv : 0;
		}
	} else if (strncmp(line, "skip ", 5) == 0) {
		snprintf(c->reason, sizeof c->reason, "%s", line + 5);
	} else if (strncmp(line, "note ", 5) == 0) {
		snprintf(c->note, sizeof c->note, "%s", line + 5);
	} else if (strncmp(line, "unpinned ", 9) == 0) {
		snprintf(c->unpinned, sizeof c->unpinned, "%s", line + 9);
	} else if (strcmp(line, "ok") == 0) {
		c->ok = 1;
	} else if (strcmp(line, "ready") == 0 || strcmp(line, "done") == 0) {
		return 1;
	} else if (strcmp(line, "end") == 0) {
		c->ended = 1;
		return 1;
	}
	return 0;
}

/* Reads lines until `ready`, `done` or `end`: 1 on ready/done, 0 on end
 * or end of file, -1 on timeout. */
static int read_until(struct child *c, struct kround *round, double *overhead)
{
	long deadline = now_ms() + CHILD_TIMEOUT_MS;
	char *line;
	int k;
	while ((k = chan_line(&c->out, deadline, &line)) == 1)
		if (parse_line(c, line, round, overhead))
			return c->ended ? 0 : 1;
	return k < 0 ? -1 : 0;
}

/* Ends the child: end of its commands, the rest of its output, its exit
 * status (killed when it does not end in time). Sets c->reason when it
 * ended without a complete run. */
static void reap(struct child *c, int timed_out)
{
	if (c->cmd >= 0) {
		close(c->cmd);
		c->cmd = -1;
	}
	if (!timed_out) {
		long deadline = now_ms() + CHILD_TIMEOUT_MS;
		char *line;
		int k;
		while ((k = chan_line(&c->out, deadline, &line)) == 1)
			(void)parse_line(c, line, NULL, NULL);
		timed_out = k < 0;
	}
	if (timed_out && c->pid > 0)
		kill(c->pid, SIGKILL);
	int st = 0;
	while (c->pid > 0 && waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
	c->status = st;
	c->alive = 0;
	if (c->reason[0])
		return;
	if (timed_out)
		snprintf(c->reason, sizeof c->reason, "timed out after %d s (child killed)",
			 CHILD_TIMEOUT_MS / 1000);
	else if (WIFSIGNALED(st) && !c->ended)
		death_reason(c->i, WTERMSIG(st), c->reason, sizeof c->reason);
	else if (!c->ended)
		snprintf(c->reason, sizeof c->reason,
			 "measuring child exited with status %d without a result",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
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
	struct child c;
	memset(&c, 0, sizeof c);
	c.i = i;
	int ok = 0;
	if (spawn(&c, op, 1, -1, 0, libexec_dir) == 0) {
		reap(&c, 0);
		ok = c.ok && !c.reason[0];
	}
	if (!ok)
		snprintf(why, whylen, "%s", c.reason[0] ? c.reason : "probe failed");
	else if (whylen)
		why[0] = '\0';
	child_free(&c);
	return ok;
}

/* Steal time of cpu (or of all CPUs when cpu < 0) from /proc/stat, in
 * USER_HZ ticks: time the hypervisor ran something else while this guest
 * wanted the CPU. -1 when unknown. */
static long long read_steal(int cpu)
{
	char want[32], line[512];
	if (cpu >= 0)
		snprintf(want, sizeof want, "cpu%d ", cpu);
	else
		snprintf(want, sizeof want, "cpu ");
	FILE *f = fopen("/proc/stat", "re");
	long long steal = -1;
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		unsigned long long v[8] = { 0 };
		if (sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
			steal = (long long)v[7];
		break;
	}
	if (f)
		fclose(f);
	return steal;
}

/* One round of path c: `samples` samples, their context switches and the
 * CPU's steal time meanwhile. Returns 0, or -1 (the child is reaped and
 * c->reason says why). */
static int one_round(struct child *c, uint32_t samples, int cpu)
{
	if (c->nr == c->rcap) {
		size_t nc = c->rcap ? c->rcap * 2 : 32;
		struct kround *nr = realloc(c->rounds, nc * sizeof(*nr));
		double *no = realloc(c->overheads, nc * sizeof(double));
		if (nr)
			c->rounds = nr;
		if (no)
			c->overheads = no;
		if (!nr || !no) {
			snprintf(c->reason, sizeof c->reason, "out of memory for rounds");
			reap(c, 1);
			return -1;
		}
		c->rcap = nc;
	}
	struct kround *rd = &c->rounds[c->nr];
	memset(rd, 0, sizeof *rd);
	size_t first = c->n;
	long long st0 = read_steal(cpu);
	char cmd[32];
	int len = snprintf(cmd, sizeof cmd, "round %u\n", (unsigned)samples);
	int k = write(c->cmd, cmd, (size_t)len) == len ? read_until(c, rd, &c->overheads[c->nr])
						       : 0;
	long long st1 = read_steal(cpu);
	if (k != 1 || c->n - first != samples) {
		if (k == 1 && !c->reason[0])
			snprintf(c->reason, sizeof c->reason,
				 "the measuring child sent %zu samples for a round of %u",
				 c->n - first, (unsigned)samples);
		reap(c, k < 0);
		if (c->nr > 0) {
			char r[sizeof c->reason + 48];
			snprintf(r, sizeof r, "after %zu rounds: %s", c->nr, c->reason);
			memcpy(c->reason, r, sizeof c->reason - 1);
			c->reason[sizeof c->reason - 1] = '\0';
		}
		return -1;
	}
	if (st0 >= 0 && st1 > st0)
		rd->steal = (uint32_t)(st1 - st0);
	/* the round's median, from its own samples (sorted in a copy) */
	struct kstats s;
	double *tmp = malloc(samples * sizeof(double));
	if (tmp) {
		memcpy(tmp, c->s + first, samples * sizeof(double));
		kstats_compute(tmp, samples, &s);
		rd->median = s.median;
		rd->iqr = kstats_rel_spread(&s);
		free(tmp);
	}
	c->nr++;
	return 0;
}

/* Sleeps until `when` (ms, now_ms clock), so that rounds spread over the
 * run; nothing is measured meanwhile. */
static void pace(long when)
{
	long left = when - now_ms();
	if (left <= 0)
		return;
	struct timespec ts = { left / 1000, (left % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
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

/* Why a path's figure is flagged: the rounds that were switched out, the
 * rounds that ran slow. */
static void describe_disturbance(struct kresult *r, const struct kround_verdict *v)
{
	char a[200] = "", b[200] = "";
	if ((uint64_t)v->switched * 4 > v->rounds)
		snprintf(a, sizeof a,
			 "%u of %u rounds were switched out (%llu involuntary context switches, "
			 "%llu ticks of steal): the CPU was shared",
			 v->switched, v->rounds, (unsigned long long)v->nivcsw,
			 (unsigned long long)v->steal);
	if ((uint64_t)v->slow * 2 > v->rounds)
		snprintf(b, sizeof b,
			 "%u of %u rounds ran more than %.0f %% above the headline (rounds "
			 "spread %.0f %%): the host was busy",
			 v->slow, v->rounds, 100.0 * KROUND_SLOW, 100.0 * v->spread);
	else if (v->fast > 0)
		snprintf(b, sizeof b,
			 "%u of %u rounds ran more than %.0f %% below the headline (rounds "
			 "spread %.0f %%): the host was busy for most of the run and the "
			 "headline may be high",
			 v->fast, v->rounds, 100.0 * KROUND_SLOW, 100.0 * v->spread);
	kresult_set_disturbance(r, "%s%s%s", a, a[0] && b[0] ? "; " : "", b);
}

/* Turns what c reported into its result: skipped with the reason, or the
 * statistics of all its samples, its rounds and their verdict. */
static void fill_result(struct child *c, enum klinux_op op)
{
	struct kresult *r = c->r;
	if (c->reason[0] || c->nr == 0) {
		kresult_skip(r, "%s", c->reason[0] ? c->reason : "no samples");
		return;
	}
	r->status = KR_MEASURED;
	kstats_compute(c->s, c->n, &r->cycles);
	/* the samples behind the statistics, for compare and plot */
	r->samples = c->s;
	r->n_samples = c->n;
	c->s = NULL;
	c->n = c->cap = 0;
	r->batch = c->batch;
	struct kstats ov;
	kstats_compute(c->overheads, c->nr, &ov);
	r->overhead_cycles = ov.median;
	double *tmp = malloc(c->nr * sizeof(double));
	r->round_medians = malloc(c->nr * sizeof(double));
	if (tmp && r->round_medians) {
		struct kround_verdict v;
		kround_judge(c->rounds, c->nr, tmp, &v);
		for (size_t j = 0; j < c->nr; j++)
			r->round_medians[j] = c->rounds[j].median;
		r->rounds = (uint32_t)c->nr;
		r->headline = v.headline;
		r->round_spread = v.spread;
		r->switched_rounds = v.switched;
		r->slow_rounds = v.slow;
		r->fast_rounds = v.fast;
		r->nivcsw = v.nivcsw;
		r->steal = v.steal;
		r->round_iqr = v.iqr;
		r->wide = v.iqr > SPREAD_LIMIT;
		if (v.disturbed)
			describe_disturbance(r, &v);
	}
	free(tmp);
	if (c->unpinned[0])
		kresult_set_note(r, "not pinned: %s", c->unpinned);
	if (c->note[0])
		kresult_set_note(r, "%s", c->note);
	else if (op == KOP_GETTIMEOFDAY && strncmp(kpaths[c->i].id, "vdso", 4) == 0)
		clocksource_note(r);
}

/* Which round of the run, for one_pass. */
enum pass_kind { PASS_WARMUP, PASS_ROUND, PASS_MORE };

/* One round of every live child (PASS_MORE: of those that want more),
 * round-robin in registry order. A warm-up round is discarded. */
static void one_pass(struct child *ch, size_t nc, const struct klinux_opts *o,
		     uint32_t samples, enum pass_kind kind, uint32_t j, uint32_t of)
{
	char state[64];
	if (kind == PASS_WARMUP)
		snprintf(state, sizeof state, "warm-up round");
	else
		snprintf(state, sizeof state, "%sround %u/%u",
			 kind == PASS_MORE ? "disturbed: " : "", j + 1, of);
	for (size_t k = 0; k < nc; k++) {
		struct child *c = &ch[k];
		if (!c->alive || (kind == PASS_MORE && !c->want_more))
			continue;
		if (o->progress)
			o->progress(o->progress_arg, kpaths[c->i].id, k, nc, state);
		if (kind == PASS_MORE)
			c->want_more--;
		if (one_round(c, samples, o->cpu) == 0 && kind == PASS_WARMUP) {
			c->nr--;
			c->n -= samples;
		}
	}
}

/* Whether c's rounds so far call for more: disturbed, or samples spread
 * wide within the rounds. */
static int wants_more(const struct child *c)
{
	if (!c->alive || c->nr == 0)
		return 0;
	double *tmp = malloc(c->nr * sizeof(double));
	int more = 0;
	if (tmp) {
		struct kround_verdict v;
		kround_judge(c->rounds, c->nr, tmp, &v);
		more = v.disturbed || v.iqr > SPREAD_LIMIT;
	}
	free(tmp);
	return more;
}

int klinux_bench(const struct klinux_opts *o, struct krun *run)
{
	uint32_t samples = o->samples ? o->samples : (o->quick ? 100u : 1000u);
	uint32_t rounds = o->rounds ? o->rounds : (o->quick ? 3u : 10u);
	uint32_t extra = rounds; /* at most this many more for a disturbed path */
	size_t total = 0, nc = 0;
	for (size_t i = 0; i < kpaths_n; i++)
		total += selected(o, kpaths[i].id);
	struct child *ch = calloc(total ? total : 1, sizeof(*ch));
	if (!ch)
		return -1;

	/* A child that died leaves its command pipe without a reader: a
	 * write then fails with EPIPE instead of killing us. */
	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);

	/* Every selected path: its result, and a child that prepares it. */
	for (size_t i = 0; i < kpaths_n; i++) {
		const struct kpath *p = &kpaths[i];
		if (!selected(o, p->id))
			continue;
		struct child *c = &ch[nc++];
		c->i = i;
		c->cmd = c->out.fd = -1;
		c->r = krun_add(run, p->id, "linux", KOP_NAME(o->op));
		if (!(p->ops & (1u << o->op))) {
			snprintf(c->reason, sizeof c->reason, "%s", KSKIP_NOT_OFFERED);
			continue;
		}
		if (spawn(c, o->op, 0, o->cpu, o->batch, o->libexec_dir) == 0)
			c->alive = 1;
	}
	for (size_t k = 0; k < nc; k++) {
		struct child *c = &ch[k];
		if (!c->alive)
			continue;
		if (o->progress)
			o->progress(o->progress_arg, kpaths[c->i].id, k, nc, "starting");
		int rc = read_until(c, NULL, NULL);
		if (rc != 1)
			reap(c, rc < 0);
	}

	/* One warm-up round per path, discarded: it chooses the batch size
	 * and brings each child's pages, caches and predictors in (on the
	 * development machine the first round ran slow in 12 of 20 runs
	 * without it, in none of 8 with it). Then the rounds, spread over at
	 * least span_ms: round j does not start before start + j * span_ms /
	 * rounds. */
	one_pass(ch, nc, o, samples, PASS_WARMUP, 0, 0);
	long start = now_ms();
	double every = rounds ? (double)o->span_ms / rounds : 0;
	for (uint32_t j = 0; j < rounds; j++) {
		pace(start + (long)(j * every));
		one_pass(ch, nc, o, samples, PASS_ROUND, j, rounds);
	}
	/* Paths whose rounds were disturbed, or whose samples spread wide,
	 * get up to `extra` more rounds, still round-robin among them, spread
	 * over half the span. */
	size_t need = 0;
	for (size_t k = 0; k < nc; k++)
		if (wants_more(&ch[k])) {
			ch[k].want_more = extra;
			need++;
		}
	long more = now_ms();
	for (uint32_t j = 0; need && j < extra; j++) {
		pace(more + (long)(j * every / 2));
		one_pass(ch, nc, o, samples, PASS_MORE, j, extra);
	}
	for (size_t k = 0; k < nc; k++)
		if (ch[k].alive)
			reap(&ch[k], 0);

	int unpinned = 0;
	for (size_t k = 0; k < nc; k++) {
		struct child *c = &ch[k];
		if (c->unpinned[0] && !unpinned++) {
			kenv_set(&run->env, "cpu.pinned", "no");
			kenv_set(&run->env, "cpu.pin_error", c->unpinned);
		}
		fill_result(c, o->op);
		if (o->progress)
			o->progress(o->progress_arg, kpaths[c->i].id, k, nc,
				    c->r->status == KR_MEASURED ? "measured" : "skipped");
		child_free(c);
	}
	free(ch);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return 0;
}
