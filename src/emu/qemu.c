/* kentry boot: runs the bare-metal kernel under QEMU and turns its serial
 * output (docs/serial-protocol.md) into the result model. See boot.h and
 * docs/boot.md.
 *
 * QEMU is started with fork/exec (no shell), its serial console on its
 * stdout (a pipe), its stderr on a second pipe, stdin on /dev/null. Both
 * pipes are read live with poll(); every path out of kboot_run kills and
 * reaps QEMU, and QEMU gets PR_SET_PDEATHSIG so that it dies with kentry. */
#include "boot.h"
#include "proc.h"
#include "serial.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *find_qemu(void)
{
	const char *env = getenv("KENTRY_QEMU");
	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *p = path;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char cand[4096];
		if (n > 0 && n < sizeof(cand) - 32) {
			snprintf(cand, sizeof(cand), "%.*s/qemu-system-x86_64", (int)n, p);
			struct stat st;
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
				return xstrdup(cand);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* "QEMU emulator version 7.2.22 (Debian ...)" -> "7.2.22". */
static void qemu_version(const char *qemu, char *out, size_t len)
{
	char *argv[] = { (char *)qemu, (char *)"--version", NULL };
	char *text;
	snprintf(out, len, "unknown");
	if (run_capture(argv, &text, 10) == 0 && text) {
		const char *v = strstr(text, "version ");
		if (v) {
			v += 8;
			size_t n = strcspn(v, " \n\r");
			snprintf(out, len, "%.*s", (int)n, v);
		}
	}
	free(text);
}

/* The model names QEMU knows ("x86 NAME  description" lines), as one
 * malloc'd string of names each followed by '\n'; NULL when unknown. */
static char *qemu_cpu_models(const char *qemu)
{
	char *argv[] = { (char *)qemu, (char *)"-cpu", (char *)"help", NULL };
	char *text;
	if (run_capture(argv, &text, 10) != 0 || !text) {
		free(text);
		return NULL;
	}
	size_t cap = strlen(text) + 2, len = 0;
	char *names = xmalloc(cap);
	names[0] = '\0';
	for (char *save = NULL, *ln = strtok_r(text, "\n", &save); ln;
	     ln = strtok_r(NULL, "\n", &save)) {
		if (strncmp(ln, "x86 ", 4) != 0)
			continue;
		char *nm = ln + 4;
		while (*nm == ' ')
			nm++;
		size_t n = strcspn(nm, " \r");
		if (!n)
			continue;
		memcpy(names + len, nm, n);
		len += n;
		names[len++] = '\n';
		names[len] = '\0';
	}
	free(text);
	if (len == 0) {
		free(names);
		return NULL;
	}
	return names;
}

/* The canonical spelling of model in the list (case-insensitive), or 0. */
static int model_lookup(const char *names, const char *model, char *out, size_t len)
{
	size_t ml = strlen(model);
	for (const char *p = names; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == ml && strncasecmp(p, model, n) == 0) {
			snprintf(out, len, "%.*s", (int)n, p);
			return 1;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

/* Resolves --cpu into a QEMU -cpu value for the given accelerator.
 * Returns 0, or 2 (unknown model) with a message. note gets a remark. */
static int resolve_cpu(const char *want, const char *models, int kvm, char *out, size_t len,
		       char *note, size_t notelen, char *err, size_t errlen)
{
	static const char *const intel[] = { "Skylake-Client", "Haswell", "Nehalem", "core2duo" };
	static const char *const amd[] = { "EPYC", "Opteron_G5", "phenom" };
	note[0] = '\0';
	if (!want || !*want || strcmp(want, "auto") == 0)
		want = kvm ? "host" : "max";
	if (strcmp(want, "host") == 0 && !kvm) {
		snprintf(out, len, "max");
		snprintf(note, notelen, "-cpu host needs KVM; TCG runs 'max' (every feature TCG emulates)");
		return 0;
	}
	if (strcmp(want, "host") == 0 || strcmp(want, "max") == 0) {
		snprintf(out, len, "%s", want);
		return 0;
	}
	const char *const *list = NULL;
	size_t nl = 0;
	if (strcmp(want, "intel") == 0) {
		list = intel;
		nl = sizeof(intel) / sizeof(intel[0]);
	} else if (strcmp(want, "amd") == 0) {
		list = amd;
		nl = sizeof(amd) / sizeof(amd[0]);
	}
	if (list) {
		for (size_t i = 0; i < nl; i++)
			if (!models || model_lookup(models, list[i], out, len))
				return 0;
		snprintf(out, len, "%s", list[0]);
		return 0;
	}
	if (!models) {
		snprintf(out, len, "%s", want); /* QEMU will judge */
		return 0;
	}
	if (model_lookup(models, want, out, len))
		return 0;
	snprintf(err, errlen,
		 "unknown QEMU CPU model '%s': valid values are %s", want, kboot_cpu_choices);
	return 2;
}

/* ------------------------------------------------------------------ */
/* One QEMU run                                                        */

enum att_end {
	ATT_EXITED,   /* QEMU exited by itself (status in st) */
	ATT_TIMEOUT,  /* the whole-run limit passed; QEMU killed */
	ATT_NOLIFE,   /* no kernel header within the sign-of-life limit */
	ATT_KVMERR,   /* QEMU reported a KVM error; QEMU killed */
	ATT_SPAWN,    /* could not start QEMU */
};

#define STDERR_TAIL 8

struct attempt {
	/* in */
	const char *qemu, *kernel, *cmdline, *cpu;
	int kvm, icount, verbose;
	double limit_s, life_s;
	const struct kboot_opts *o;
	/* out */
	struct krun run;
	struct kserial ser;
	int st;
	enum att_end end;
	double elapsed;
	char kvm_error[256];
	char *errtail[STDERR_TAIL];
	size_t errtail_n, errtail_pos;
};

struct linebuf {
	char buf[KSERIAL_LINE_MAX];
	size_t n;
	int overflow;
};

static void errtail_push(struct attempt *a, const char *line)
{
	free(a->errtail[a->errtail_pos]);
	a->errtail[a->errtail_pos] = xstrdup(line);
	a->errtail_pos = (a->errtail_pos + 1) % STDERR_TAIL;
	if (a->errtail_n < STDERR_TAIL)
		a->errtail_n++;
}

/* QEMU's stderr, oldest first; warnings left out when anything else is
 * there. */
static void errtail_format(const struct attempt *a, char *buf, size_t len)
{
	int others = 0;
	for (size_t k = 0; k < a->errtail_n; k++) {
		size_t i = (a->errtail_pos + STDERR_TAIL - a->errtail_n + k) % STDERR_TAIL;
		if (!strstr(a->errtail[i], "warning:"))
			others = 1;
	}
	if (len)
		buf[0] = '\0';
	for (size_t k = 0; k < a->errtail_n; k++) {
		size_t i = (a->errtail_pos + STDERR_TAIL - a->errtail_n + k) % STDERR_TAIL;
		if (others && strstr(a->errtail[i], "warning:"))
			continue;
		bufcat(buf, len, "\n  qemu: %s", a->errtail[i]);
	}
}

static void on_stderr_line(struct attempt *a, const char *raw)
{
	char buf[KSERIAL_LINE_MAX];
	sanitize(buf, sizeof(buf), raw);
	/* QEMU prefixes its messages with its program name: drop it. */
	char *line = buf;
	const char *base = strrchr(a->qemu, '/');
	base = base ? base + 1 : a->qemu;
	size_t bl = strlen(base);
	if (strncmp(line, base, bl) == 0 && line[bl] == ':' && line[bl + 1] == ' ')
		line += bl + 2;
	else if (strncmp(line, "qemu-system-x86_64: ", 20) == 0)
		line += 20;
	if (!line[0])
		return;
	if (a->verbose)
		fprintf(stderr, "qemu: %s\n", line);
	errtail_push(a, line);
	if (!a->kvm)
		return;
	if (a->kvm_error[0]) {
		/* "KVM internal error. Suberror: 1" is followed by the kind */
		if (strstr(line, "emulation failure") && !strstr(a->kvm_error, "emulation failure"))
			bufcat(a->kvm_error, sizeof(a->kvm_error), ", emulation failure");
		return;
	}
	static const char *const sigs[] = { "KVM internal error", "emulation failure",
					    "failed to initialize kvm", "failed to initialize KVM",
					    "Could not access KVM", "kvm run failed",
					    "KVM: entry failed" };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strstr(line, sigs[i])) {
			snprintf(a->kvm_error, sizeof(a->kvm_error), "%.200s", line);
			return;
		}
}

static void feed(struct attempt *a, struct linebuf *lb, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			lb->buf[lb->n] = '\0';
			on_stderr_line(a, lb->buf);
			lb->n = 0;
			lb->overflow = 0;
		} else if (lb->n + 1 < sizeof(lb->buf)) {
			lb->buf[lb->n++] = c;
		} else {
			lb->overflow = 1; /* the rest of a very long line is dropped */
		}
	}
}

static void flush_partial(struct attempt *a, struct linebuf *lb)
{
	if (lb->n == 0)
		return;
	lb->buf[lb->n] = '\0';
	on_stderr_line(a, lb->buf);
	lb->n = 0;
}

static void attempt_feed(struct attempt *a, struct linebuf *lb, int fd_index, const char *data,
			 size_t n)
{
	if (fd_index == 0)
		kserial_feed(&a->ser, data, n);
	else
		feed(a, lb, data, n);
}

static void attempt_flush(struct attempt *a, struct linebuf *lb, int fd_index)
{
	if (fd_index == 0)
		kserial_flush(&a->ser);
	else
		flush_partial(a, lb);
}

struct attempt_io {
	struct attempt *a;
	struct linebuf *lb;
};

static void attempt_data(void *arg, int i, const char *buf, size_t n)
{
	struct attempt_io *io = arg;
	attempt_feed(io->a, &io->lb[i], i, buf, n);
}

static void attempt_eof(void *arg, int i)
{
	struct attempt_io *io = arg;
	attempt_flush(io->a, &io->lb[i], i);
}

static void attempt_run(struct attempt *a)
{
	char *argv[40];
	int k = 0;
	char icount_arg[] = "shift=0";
	argv[k++] = (char *)a->qemu;
	argv[k++] = (char *)"-kernel";
	argv[k++] = (char *)a->kernel;
	if (a->cmdline && *a->cmdline) {
		argv[k++] = (char *)"-append";
		argv[k++] = (char *)a->cmdline;
	}
	argv[k++] = (char *)"-nodefaults";
	argv[k++] = (char *)"-display";
	argv[k++] = (char *)"none";
	argv[k++] = (char *)"-monitor";
	argv[k++] = (char *)"none";
	argv[k++] = (char *)"-serial";
	argv[k++] = (char *)"stdio";
	argv[k++] = (char *)"-no-reboot";
	argv[k++] = (char *)"-device";
	argv[k++] = (char *)"isa-debug-exit,iobase=0xf4,iosize=0x04";
	argv[k++] = (char *)"-m";
	argv[k++] = (char *)"128M";
	argv[k++] = (char *)"-smp";
	argv[k++] = (char *)"1";
	argv[k++] = (char *)"-accel";
	argv[k++] = (char *)(a->kvm ? "kvm" : "tcg");
	argv[k++] = (char *)"-cpu";
	argv[k++] = (char *)a->cpu;
	if (a->icount) {
		argv[k++] = (char *)"-icount";
		argv[k++] = icount_arg;
	}
	argv[k] = NULL;

	krun_init(&a->run);
	kserial_init(&a->ser, &a->run);
	a->ser.progress = a->o->progress;
	a->ser.progress_arg = a->o->progress_arg;
	a->ser.only = a->o->only;
	a->ser.n_only = a->o->only ? a->o->n_only : 0;
	a->ser.echo = a->verbose;
	if (a->verbose) {
		fprintf(stderr, "kentry boot:");
		for (int i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
	}

	int ofd, efd;
	double t0 = now_s();
	pid_t pid = spawn(argv, &ofd, &efd);
	if (pid < 0) {
		a->end = ATT_SPAWN;
		snprintf(a->kvm_error, sizeof(a->kvm_error), "%s", strerror(errno));
		return;
	}
	struct linebuf *lb = xmalloc(2 * sizeof(*lb));
	lb[0].n = lb[1].n = 0;
	lb[0].overflow = lb[1].overflow = 0;
	struct pollfd pf[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
	int open_n = 2;
	a->end = ATT_EXITED;
	double end_seen_at = 0, kvm_err_at = 0;
	while (open_n > 0) {
		double t = now_s();
		if (t - t0 > a->limit_s) {
			a->end = ATT_TIMEOUT;
			break;
		}
		if (a->life_s > 0 && !a->ser.header_seen && t - t0 > a->life_s) {
			a->end = ATT_NOLIFE;
			break;
		}
		if (a->kvm_error[0]) {
			/* a moment more for QEMU's next lines (the kind of error) */
			if (kvm_err_at == 0)
				kvm_err_at = t;
			else if (t - kvm_err_at > 0.3) {
				a->end = ATT_KVMERR;
				break;
			}
		}
		/* After `end` QEMU should exit at once (isa-debug-exit); on
		 * real-hardware-like behaviour (a halt) do not wait the whole
		 * limit. */
		if (a->ser.end_seen) {
			if (end_seen_at == 0)
				end_seen_at = t;
			else if (t - end_seen_at > 5) {
				a->end = ATT_TIMEOUT;
				break;
			}
		}
		struct attempt_io io = { a, lb };
		if (pump(pf, &open_n, 100, attempt_data, attempt_eof, &io) < 0)
			break;
	}
	for (int i = 0; i < 2; i++) {
		if (pf[i].fd >= 0) {
			attempt_flush(a, &lb[i], i);
			close(pf[i].fd);
		}
	}
	free(lb);
	if (a->end == ATT_EXITED && a->kvm_error[0])
		a->end = ATT_KVMERR;
	a->st = kill_reap(pid);
	a->elapsed = now_s() - t0;
}

/* A fresh attempt at booting: everything but the accelerator and model. */
static void attempt_init(struct attempt *a, const char *qemu, const char *kernel,
			 const char *cmdline, double limit, const struct kboot_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->qemu = qemu;
	a->kernel = kernel;
	a->cmdline = cmdline;
	a->icount = o->icount;
	a->verbose = o->verbose;
	a->limit_s = limit;
	a->o = o;
}

static void attempt_free(struct attempt *a)
{
	kserial_free(&a->ser);
	krun_free(&a->run);
	for (size_t i = 0; i < STDERR_TAIL; i++) {
		free(a->errtail[i]);
		a->errtail[i] = NULL;
	}
}

static void status_text(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "QEMU exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "QEMU killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "QEMU wait status %#x", st);
}

/* Why KVM could not be used by this attempt, or "" when it could. */
static void kvm_failure(const struct attempt *a, char *why, size_t len)
{
	why[0] = '\0';
	if (a->end == ATT_KVMERR)
		snprintf(why, len, "could not run the guest (QEMU: %s)", a->kvm_error);
	else if (a->end == ATT_NOLIFE)
		snprintf(why, len, "guest showed no sign of life within %.0f s", a->life_s);
	else if (a->end == ATT_EXITED && !a->ser.header_seen) {
		char et[512];
		errtail_format(a, et, sizeof(et));
		const char *first = et[0] ? et + strlen("\n  qemu: ") : "no message";
		const char *nl = strchr(first, '\n');
		snprintf(why, len, "failed to start the guest (QEMU: %.*s)",
			 (int)(nl ? (size_t)(nl - first) : strlen(first)), first);
	}
}

static int kvm_usable(char *why, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno == ENOENT)
		snprintf(why, len, "is not available (no /dev/kvm)");
	else
		snprintf(why, len, "cannot be used (/dev/kvm: %s)", strerror(errno));
	return 0;
}

#define KBOOT_LIFE_S 10.0   /* KVM's sign-of-life limit under --accel auto */
#define KBOOT_LIMIT_FULL 60.0
#define KBOOT_LIMIT_QUICK 30.0

int kboot_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen)
{
	err[0] = '\0';
	const char *kernel = o->kernel_path ? o->kernel_path : "build/kentry-kernel.elf";
	const char *accel = o->accel ? o->accel : "auto";

	char *qemu = find_qemu();
	if (!qemu) {
		snprintf(err, errlen, "qemu-system-x86_64 not found: install the Debian package "
				      "qemu-system-x86");
		return 3;
	}
	struct stat kst;
	int kst_rc = stat(kernel, &kst), kst_errno = errno;
	if (kst_rc != 0 || !S_ISREG(kst.st_mode) || access(kernel, R_OK) != 0) {
		snprintf(err, errlen, "kernel image %s %s: run make", kernel,
			 kst_rc != 0 && kst_errno == ENOENT ? "not found"
							    : "is not a readable file");
		free(qemu);
		return 3;
	}
	if (o->icount && strcmp(accel, "kvm") == 0) {
		snprintf(err, errlen, "--icount needs TCG: use --accel tcg or auto with --icount");
		free(qemu);
		return 2;
	}

	char qver[64];
	qemu_version(qemu, qver, sizeof(qver));
	char *models = qemu_cpu_models(qemu);

	/* Validate the model once (as if under TCG; 'host' is always valid). */
	char cpu[128], cpu_note[160];
	int rc = resolve_cpu(o->cpu, models, 1, cpu, sizeof(cpu), cpu_note, sizeof(cpu_note),
			     err, errlen);
	if (rc) {
		free(models);
		free(qemu);
		return rc;
	}

	char cmdline[2048] = "";
	if (o->samples)
		bufcat(cmdline, sizeof(cmdline), "samples=%u", (unsigned)o->samples);
	if (o->only && o->n_only) {
		bufcat(cmdline, sizeof(cmdline), "%sonly=", cmdline[0] ? " " : "");
		for (size_t i = 0; i < o->n_only; i++)
			bufcat(cmdline, sizeof(cmdline), "%s%s", i ? "," : "", o->only[i]);
	}
	if (o->quick)
		bufcat(cmdline, sizeof(cmdline), "%squick", cmdline[0] ? " " : "");
	if (o->batch)
		bufcat(cmdline, sizeof(cmdline), "%sbatch=%u", cmdline[0] ? " " : "",
		       (unsigned)o->batch);
	/* $KENTRY_BOOT_APPEND: more kernel words (tests: crash=ud|df|hang) */
	const char *more = getenv("KENTRY_BOOT_APPEND");
	if (more && *more)
		bufcat(cmdline, sizeof(cmdline), "%s%s", cmdline[0] ? " " : "", more);

	/* The whole-run limit: opts, else $KENTRY_BOOT_TIMEOUT (seconds; for
	 * tests), else a default scaled by the samples asked for. */
	double limit = o->timeout_s;
	const char *env_limit = getenv("KENTRY_BOOT_TIMEOUT");
	if (!(limit > 0) && env_limit && *env_limit)
		limit = strtod(env_limit, NULL);
	if (!(limit > 0)) {
		limit = o->quick ? KBOOT_LIMIT_QUICK : KBOOT_LIMIT_FULL;
		if (o->samples > 200)
			limit *= o->samples / 200.0;
		if (o->icount)
			limit *= 2;
	}

	int try_kvm = 0;
	char fallback[512] = "";
	if (o->icount) {
		try_kvm = 0;
	} else if (strcmp(accel, "kvm") == 0) {
		char why[256];
		if (!kvm_usable(why, sizeof(why))) {
			snprintf(err, errlen, "KVM %s: use --accel tcg (or auto)", why);
			free(models);
			free(qemu);
			return 3;
		}
		try_kvm = 1;
	} else if (strcmp(accel, "auto") == 0) {
		try_kvm = kvm_usable(fallback, sizeof(fallback));
	}

	struct attempt a;
	attempt_init(&a, qemu, kernel, cmdline, limit, o);
	int used_kvm = 0;

	if (try_kvm) {
		resolve_cpu(o->cpu, models, 1, cpu, sizeof(cpu), cpu_note, sizeof(cpu_note), err,
			    errlen);
		a.cpu = cpu;
		a.kvm = 1;
		a.life_s = strcmp(accel, "auto") == 0 ? KBOOT_LIFE_S : 0;
		attempt_run(&a);
		kvm_failure(&a, fallback, sizeof(fallback));
		if (fallback[0] && strcmp(accel, "auto") == 0) {
			attempt_free(&a);
			attempt_init(&a, qemu, kernel, cmdline, limit, o);
		} else {
			used_kvm = 1;
		}
	}
	if (!used_kvm) {
		if (fallback[0] && strcmp(accel, "auto") == 0)
			fprintf(stderr, "kentry boot: KVM %s; falling back to TCG\n", fallback);
		resolve_cpu(o->cpu, models, 0, cpu, sizeof(cpu), cpu_note, sizeof(cpu_note), err,
			    errlen);
		if (o->cpu && strcmp(o->cpu, "host") == 0)
			fprintf(stderr, "kentry boot: --cpu host needs KVM; TCG runs QEMU's 'max' "
					"model instead\n");
		a.cpu = cpu;
		a.kvm = 0;
		a.life_s = 0;
		attempt_run(&a);
	}
	free(models);

	/* The facts about the run, then the guest's own. */
	kenv_set(&run->guest_env, "accel", used_kvm ? "kvm" : "tcg");
	if (!used_kvm && fallback[0] && strcmp(accel, "auto") == 0)
		kenv_set(&run->guest_env, "accel.fallback", fallback);
	kenv_set(&run->guest_env, "qemu.cpu", cpu);
	if (o->cpu && *o->cpu && strcmp(o->cpu, "auto") != 0 && strcmp(o->cpu, cpu) != 0)
		kenv_set(&run->guest_env, "qemu.cpu.requested", o->cpu);
	if (cpu_note[0])
		kenv_set(&run->guest_env, "qemu.cpu.note", cpu_note);
	kenv_set(&run->guest_env, "qemu.version", qver);
	kenv_set(&run->guest_env, "icount", o->icount ? "shift=0" : "off");
	kenv_set(&run->guest_env, "qemu.cmdline", cmdline);
	kenv_setf(&run->guest_env, "qemu.seconds", "%.1f", a.elapsed);

	char tail[KSERIAL_TAIL * 200], etail[STDERR_TAIL * 200], stt[64];
	kserial_tail(&a.ser, tail, sizeof(tail));
	errtail_format(&a, etail, sizeof(etail));
	status_text(a.st, stt, sizeof(stt));
	const char *lastp = a.ser.last_progress[0] ? a.ser.last_progress : "none yet";
	const char *tail_or = tail[0] ? tail : "\n  (no serial output)";
	const char *missing = NULL;
	rc = 0;

	if (a.end == ATT_SPAWN) {
		snprintf(err, errlen, "cannot start %s: %s", qemu, a.kvm_error);
		rc = 3;
	} else if (used_kvm && fallback[0]) {
		/* --accel kvm: no fallback; QEMU's register dump is left out */
		snprintf(err, errlen, "KVM %s, last path started: %s; use --accel tcg or auto. "
				      "Last serial lines:%s",
			 fallback, lastp, tail_or);
		missing = "KVM could not run the guest";
		rc = 4;
	} else if (a.end == ATT_TIMEOUT) {
		if (a.ser.end_seen)
			snprintf(err, errlen, "the kernel printed its end line but QEMU did not exit "
					      "within 5 s (isa-debug-exit missing?); QEMU was killed");
		else
			snprintf(err, errlen, "guest hung: no end line within %.0f s (last path "
					      "started: %s); QEMU was killed. Last serial lines:%s",
				 limit, lastp, tail_or);
		missing = "the guest hung";
		rc = 4;
	} else if (a.end == ATT_NOLIFE) {
		snprintf(err, errlen, "guest showed no sign of life within %.0f s; QEMU was killed",
			 a.life_s);
		missing = "the guest never started";
		rc = 4;
	} else if (WIFEXITED(a.st) && WEXITSTATUS(a.st) == 1 && !a.ser.header_seen) {
		snprintf(err, errlen, "QEMU could not boot %s (%s):%s", kernel, stt,
			 etail[0] ? etail : " no message");
		missing = "QEMU did not boot the kernel";
		rc = 4;
	} else if (!a.ser.end_seen) {
		int reset = WIFEXITED(a.st) && WEXITSTATUS(a.st) == 0;
		snprintf(err, errlen, "%s: the serial output ended without an end line (%s; last "
				      "path started: %s). Last serial lines:%s%s",
			 reset ? "guest reset (triple fault?)" : "guest stopped early", stt, lastp,
			 tail_or, etail);
		missing = reset ? "guest reset (triple fault?)" : "the guest stopped early";
		rc = 4;
	} else if (a.ser.tap_not_ok > 0 || !a.ser.end_pass ||
		   !(WIFEXITED(a.st) && WEXITSTATUS(a.st) == 33)) {
		if (a.ser.tap_not_ok > 0)
			snprintf(err, errlen, "the kernel's self-checks failed (%d of %d): %s (%s)",
				 a.ser.tap_not_ok, a.ser.tap_ok + a.ser.tap_not_ok, a.ser.failures,
				 stt);
		else if (!a.ser.end_pass)
			snprintf(err, errlen, "the kernel reported a failed run (end fail %u/%u, %s); "
					      "last serial lines:%s",
				 a.ser.end_measured, a.ser.end_total, stt, tail_or);
		else
			snprintf(err, errlen, "the kernel printed 'end pass' but %s (expected 33 from "
					      "isa-debug-exit)", stt);
		rc = 4;
	}

	kserial_finish(&a.ser, o->only && o->n_only ? o->only : NULL, o->only ? o->n_only : 0,
		       o->icount, missing);
	krun_merge(run, &a.run);
	attempt_free(&a);
	free(qemu);
	return rc;
}

