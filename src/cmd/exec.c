/* kentry exec: a static Linux program on kentry's own kernel.
 *
 * The program is checked here first with the same code the kernel checks
 * it with (core/elf.c): a file that is not a static x86-64 or i386
 * executable is refused before anything boots (status 6), naming the
 * problem. It is copied, with its argument block (kernel exec.h), into a
 * private directory, both handed to the kernel as Multiboot modules
 * (QEMU -initrd, or the Bochs run disk's `module` lines); the kernel
 * checks it again, runs it, and reports its output and its end on the
 * serial line (docs/serial-protocol.md, "Running a program"), which the
 * run control reads live: the output goes to kentry's own standard output
 * and error as it comes. */
#include "cmd.h"
#include "core/elf.h"
#include "emu/serial.h"
#include "results/text.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's argument block (src/kernel/exec.h) */
#define ARGS_MAGIC "kentry-args\n1\n\0\0"
#define ARGS_MAGIC_LEN 16
#define MAX_ARGS 4096
#define MAX_ARGBYTES (256u << 10)
#define MAX_PROGRAM (512ull << 20)

struct out_state {
	int failed;     /* a write to fd 1 or 2 failed */
	int err_no;
	int fd;
};

/* The program's bytes, to kentry's fd 1 or 2, whole. */
static void pass_out(void *arg, int fd, const unsigned char *buf, size_t n)
{
	struct out_state *o = arg;
	if (o->failed)
		return;
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->failed = 1;
			o->err_no = w < 0 ? errno : EIO;
			o->fd = fd;
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* The whole file at path into *buf: 0, or a status (3 missing, 6 too big)
 * with the message printed. */
static int read_program(const char *path, unsigned char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kentry exec: %s: %s\n", ktext_arg(path), strerror(errno));
		return KEXIT_MISSING;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "kentry exec: %s: not a regular file\n", ktext_arg(path));
		close(fd);
		return KEXIT_MISSING;
	}
	if ((unsigned long long)st.st_size > MAX_PROGRAM) {
		fprintf(stderr, "kentry exec: %s: absurd size, %lld bytes (at most %llu MiB)\n",
			ktext_arg(path), (long long)st.st_size, MAX_PROGRAM >> 20);
		close(fd);
		return KEXIT_DATA;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len ? *len : 1);
	size_t got = 0;
	while (*buf && got < *len) {
		ssize_t r = read(fd, *buf + got, *len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!*buf || got != *len) {
		fprintf(stderr, "kentry exec: %s: cannot read it\n", ktext_arg(path));
		free(*buf);
		return KEXIT_MISSING;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	const unsigned char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

/* The argument block: magic, argc, envc, the executable's path, argv,
 * envp, each NUL-terminated. 0, or -1 when it is too large. */
static int args_block(const struct kcli *c, const char *exe, char **out, size_t *len)
{
	size_t n = ARGS_MAGIC_LEN + 8 + strlen(exe) + 1;
	for (int i = 0; i < c->exec_argc; i++)
		n += strlen(c->exec_argv[i]) + 1;
	for (size_t i = 0; i < c->n_envs; i++)
		n += strlen(c->envs[i]) + 1;
	if (n > MAX_ARGBYTES || c->exec_argc > MAX_ARGS)
		return -1;
	char *b = malloc(n), *p = b;
	memcpy(p, ARGS_MAGIC, ARGS_MAGIC_LEN);
	p += ARGS_MAGIC_LEN;
	uint32_t v[2] = { (uint32_t)c->exec_argc, (uint32_t)c->n_envs };
	for (int k = 0; k < 2; k++) /* little-endian */
		for (int i = 0; i < 4; i++)
			*p++ = (char)(v[k] >> (8 * i));
	p = stpcpy(p, exe) + 1;
	for (int i = 0; i < c->exec_argc; i++)
		p = stpcpy(p, c->exec_argv[i]) + 1;
	for (size_t i = 0; i < c->n_envs; i++)
		p = stpcpy(p, c->envs[i]) + 1;
	*out = b;
	*len = n;
	return 0;
}

/* A private directory for the two modules; QEMU's -initrd list cannot
 * hold a space and needs commas doubled, so $TMPDIR is used only when it
 * has neither. */
static int make_rundir(char *dir, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strpbrk(tmp, " ,\"\n"))
		tmp = "/tmp";
	snprintf(dir, n, "%s/kentry-exec-XXXXXX", tmp);
	return mkdtemp(dir) ? 0 : -1;
}

int cmd_exec(const struct kcli *c)
{
	const char *prog = c->exec_argv[0];
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));

	unsigned char *img = NULL;
	size_t len = 0;
	int rc = read_program(prog, &img, &len);
	if (rc)
		return rc;
	/* the host's check; KENTRY_EXEC_NOCHECK=1 leaves it to the kernel
	 * (tests show that the kernel refuses on its own) */
	struct kelf e;
	char why[512];
	const char *nocheck = getenv("KENTRY_EXEC_NOCHECK");
	if (!(nocheck && !strcmp(nocheck, "1")) && kelf_check(img, len, &e, why, sizeof(why))) {
		fprintf(stderr, "kentry exec: %s: %s\n", ktext_arg(prog), why);
		free(img);
		return KEXIT_DATA;
	}

	double timeout = c->timeout;
	char err[8192];
	if (!timeout && (rc = kcli_env_number("KENTRY_BOOT_TIMEOUT", 1, 86400, &timeout, err,
					      sizeof(err)))) {
		fprintf(stderr, "kentry exec: %s seconds\n", err);
		free(img);
		return rc;
	}
	struct boot_setup b;
	boot_opts(c, libexec, KBOOT_LONG, timeout ? timeout : 1e9, &b);
	rc = kboot_validate(&b.o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "kentry exec: %s\n", err);
		free(img);
		return rc;
	}

	char abs[PATH_MAX];
	const char *exe = realpath(prog, abs) ? abs : prog;
	char *args = NULL;
	size_t alen = 0;
	if (args_block(c, exe, &args, &alen)) {
		fprintf(stderr, "kentry exec: the arguments and environment exceed %u KiB\n",
			MAX_ARGBYTES >> 10);
		free(img);
		return KEXIT_USAGE;
	}
	char dir[PATH_MAX], mprog[PATH_MAX + 16], margs[PATH_MAX + 16];
	if (make_rundir(dir, sizeof(dir))) {
		fprintf(stderr, "kentry exec: cannot make a run directory: %s\n", strerror(errno));
		free(img);
		free(args);
		return KEXIT_GUEST;
	}
	snprintf(mprog, sizeof(mprog), "%s/program", dir);
	snprintf(margs, sizeof(margs), "%s/args", dir);
	/* a copy: what was checked is what boots */
	if (write_file(mprog, img, len) || write_file(margs, args, alen)) {
		fprintf(stderr, "kentry exec: cannot write %s: %s\n", dir, strerror(errno));
		rc = KEXIT_GUEST;
	}
	free(img);
	free(args);

	struct out_state os = { 0, 0, 0 };
	struct kexec_report rep;
	memset(&rep, 0, sizeof(rep));
	rep.out = pass_out;
	rep.arg = &os;
	const char *mods[2] = { mprog, margs };
	struct kboot_opts o = b.o;
	o.modules = mods;
	o.n_modules = 2;
	o.vsyscall = c->vsyscall;
	o.mitigations = c->mitigations;
	o.exec = &rep;
	o.quiet = 1;
	/* a closed pipe on our standard output must not kill kentry before
	 * the guest is stopped and the run directory removed */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct krun run;
	krun_init(&run);
	if (!rc)
		rc = kboot_run(&o, &run, err, sizeof(err));
	signal(SIGPIPE, old);
	if (c->mitigations && kenv_get(&run.guest_env, "kernel.mitigations")) {
		/* a set that cannot run here (kpti-pcid under TCG) is skipped,
		 * never faked: the program then ran without it, and is told so */
		const char *vars = kenv_get(&run.guest_env, "kernel.mitigation_variants");
		const char *last = vars ? strrchr(vars, ',') : NULL, *set = last ? last + 1 : vars;
		char key[80];
		snprintf(key, sizeof(key), "variant.%s", set ? set : "");
		const char *what = set ? kenv_get(&run.guest_env, key) : NULL;
		if (!what || !strncmp(what, "skipped", 7)) {
			fprintf(stderr, "kentry exec: --mitigations %s: the program ran without them (",
				c->mitigations);
			ktext_fputs(stderr, what ? what : "none runs here");
			fprintf(stderr, ")\n");
		}
	}
	krun_free(&run);
	unlink(mprog);
	unlink(margs);
	rmdir(dir);

	if (rep.refused) {
		/* the kernel's own check (or its loader) refused the program */
		fprintf(stderr, "kentry exec: %s: refused by kentry's kernel: %s\n", ktext_arg(prog),
			rep.refused);
		kexec_report_free(&rep);
		return KEXIT_DATA;
	}
	if (rc && !rep.ended) {
		fprintf(stderr, "kentry exec: %s\n", err);
		kexec_report_free(&rep);
		return rc;
	}
	int status;
	if (rep.ended == 1) {
		status = rep.status;
	} else if (rep.ended == 2) {
		fprintf(stderr, "kentry exec: %s killed by signal %d (%s): %s\n", ktext_arg(prog),
			rep.status, rep.signame ? rep.signame : "?", rep.why ? rep.why : "");
		status = 128 + rep.status;
	} else {
		fprintf(stderr, "kentry exec: the kernel gave no exit record for %s\n", ktext_arg(prog));
		status = KEXIT_GUEST;
	}
	if (rc) /* the program ended, but the run did not pass (a kernel self-check) */
		fprintf(stderr, "kentry exec: %s\n", err);
	if (os.failed) {
		fprintf(stderr, "kentry exec: write error on the program's standard %s: %s\n",
			os.fd == 1 ? "output" : "error", strerror(os.err_no));
		status = KEXIT_IO;
	}
	kexec_report_free(&rep);
	return rc && !status ? rc : status;
}
