/* kentry boot: the QEMU runner. See qemu.h and docs/boot.md.
 *
 * QEMU loads the Multiboot kernel itself (-kernel, -append), its serial
 * console is its stdout (a pipe), its stderr a second pipe, stdin
 * /dev/null; the run control (run.c) reads both live. --accel auto tries
 * KVM first and restarts under TCG when KVM cannot run the guest. */
#include "qemu.h"
#include "emu.h"
#include "kvm.h"
#include "proc.h"
#include "run.h"
#include "util.h"
#include "core/cpuinfo.h"
#include "results/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t kqemu_argv(const struct kqemu_cmd *c, const char **argv)
{
	size_t k = 0;
	argv[k++] = c->qemu;
	argv[k++] = "-kernel";
	argv[k++] = c->kernel;
	if (c->append && *c->append) {
		argv[k++] = "-append";
		argv[k++] = c->append;
	}
	if (c->initrd && *c->initrd) {
		argv[k++] = "-initrd";
		argv[k++] = c->initrd;
	}
	/* No VGA, NIC, drives or default monitor; COM1 is stdio. A triple
	 * fault exits (-no-reboot); the kernel's port 0xf4 write ends QEMU
	 * with status (value << 1) | 1. */
	static const char *const fixed[] = {
		"-nodefaults", "-display", "none", "-monitor", "none", "-serial", "stdio",
		"-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-m", "128M", "-smp", "1",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[k++] = fixed[i];
	argv[k++] = "-accel";
	argv[k++] = c->kvm ? "kvm" : "tcg";
	argv[k++] = "-cpu";
	argv[k++] = c->cpu;
	if (c->icount && !c->kvm) {
		argv[k++] = "-icount";
		argv[k++] = "shift=0";
	}
	argv[k] = NULL;
	return k;
}

/* ------------------------------------------------------------------ */
/* What this QEMU is                                                   */

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

/* `-cpu help` of one QEMU, asked once per kentry process. */
static struct {
	char *qemu;
	char *help;   /* the raw text (NULL: could not be run) */
	char *models; /* the names, one per line (NULL: none found) */
} cpu_help;

static void load_cpu_help(const char *qemu)
{
	if (cpu_help.qemu && strcmp(cpu_help.qemu, qemu) == 0)
		return;
	free(cpu_help.qemu);
	free(cpu_help.help);
	free(cpu_help.models);
	memset(&cpu_help, 0, sizeof(cpu_help));
	cpu_help.qemu = xstrdup(qemu);
	char *argv[] = { (char *)qemu, (char *)"-cpu", (char *)"help", NULL };
	char *text;
	if (run_capture(argv, &text, 10) != 0 || !text) {
		free(text);
		return;
	}
	cpu_help.help = text;
	size_t cap = strlen(text) + 2, len = 0;
	char *names = xmalloc(cap);
	names[0] = '\0';
	for (const char *ln = text; *ln;) {
		const char *nl = strchr(ln, '\n');
		size_t ll = nl ? (size_t)(nl - ln) : strlen(ln);
		if (ll > 4 && strncmp(ln, "x86 ", 4) == 0) {
			const char *nm = ln + 4;
			while (*nm == ' ')
				nm++;
			size_t n = strcspn(nm, " \r\n");
			if (n) {
				memcpy(names + len, nm, n);
				len += n;
				names[len++] = '\n';
				names[len] = '\0';
			}
		}
		ln += ll;
		if (*ln == '\n')
			ln++;
	}
	if (len)
		cpu_help.models = names;
	else
		free(names);
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

int kqemu_resolve_cpu(const char *want, const char *models, int kvm, char *out, size_t len,
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
		 "unknown QEMU CPU model '%s': valid values are intel, amd, host, or a QEMU "
		 "model name (qemu-system-x86_64 -cpu help)",
		 ktext_arg(want));
	return 2;
}

/* Whether /dev/kvm opens (else why not). */
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

/* Everything a QEMU boot with these options needs, checked before it runs:
 * --icount without --accel kvm, QEMU (*qemu, malloc'd), the kernel image,
 * a /dev/kvm that opens for --accel kvm, a model QEMU knows (its list asked
 * once). Returns 0, or 2 or 3 with the message in err (*qemu then NULL). */
static int qemu_needs(const struct kboot_opts *o, char **qemu, char *err, size_t errlen)
{
	const char *kernel = o->kernel_path ? o->kernel_path : "build/kentry-kernel.elf";
	*qemu = NULL;
	if (o->icount && o->accel && strcmp(o->accel, "kvm") == 0) {
		snprintf(err, errlen, "--icount needs TCG: use --accel tcg or auto with --icount");
		return 2;
	}
	int rc = kboot_need_program("KENTRY_QEMU", "qemu-system-x86_64",
				    "install the Debian package qemu-system-x86", qemu, err, errlen);
	if (!rc)
		rc = kboot_need_file("kernel image", kernel, "run make", err, errlen);
	char why[256];
	if (!rc && o->accel && strcmp(o->accel, "kvm") == 0 && !kvm_usable(why, sizeof(why))) {
		snprintf(err, errlen, "KVM %s: use --accel tcg (or auto)", why);
		rc = 3;
	}
	if (!rc) {
		load_cpu_help(*qemu);
		char cpu[128], note[160];
		rc = kqemu_resolve_cpu(o->cpu, cpu_help.models, 1, cpu, sizeof(cpu), note,
				       sizeof(note), err, errlen);
	}
	if (rc) {
		free(*qemu);
		*qemu = NULL;
	}
	return rc;
}

int kqemu_validate(const struct kboot_opts *o, char *err, size_t errlen)
{
	char *qemu;
	int rc = qemu_needs(o, &qemu, err, errlen);
	free(qemu);
	return rc;
}

/* ------------------------------------------------------------------ */
/* QEMU's stderr                                                       */

struct qwatch {
	const char *qemu;
	int kvm;
};

/* QEMU's stderr lines: drop its program-name prefix; under KVM, a line
 * that says KVM cannot run the guest ends the run (QEMU pauses the VM on
 * an internal error rather than exiting). */
static enum kemu_event qemu_watch(void *ctx, int tag, char **linep, char *what, size_t len)
{
	struct qwatch *w = ctx;
	char *line = *linep;
	(void)tag;
	const char *base = strrchr(w->qemu, '/');
	base = base ? base + 1 : w->qemu;
	size_t bl = strlen(base);
	if (strncmp(line, base, bl) == 0 && line[bl] == ':' && line[bl + 1] == ' ')
		line += bl + 2;
	else if (strncmp(line, "qemu-system-x86_64: ", 20) == 0)
		line += 20;
	*linep = line;
	/* The kernel asks for video information, which QEMU's own Multiboot
	 * loader does not give (GRUB does): QEMU says so on every run. */
	if (strstr(line, "multiboot knows VBE"))
		return KEV_QUIET;
	if (!w->kvm || !line[0])
		return KEV_NONE;
	if (what[0]) {
		/* "KVM internal error. Suberror: 1" is followed by the kind */
		if (strstr(line, "emulation failure") && !strstr(what, "emulation failure"))
			bufcat(what, len, ", emulation failure");
		return KEV_NONE;
	}
	static const char *const sigs[] = { "KVM internal error", "emulation failure",
					    "failed to initialize kvm", "failed to initialize KVM",
					    "Could not access KVM", "kvm run failed",
					    "KVM: entry failed" };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strstr(line, sigs[i])) {
			snprintf(what, len, "%.200s", line);
			return KEV_ERROR;
		}
	return KEV_NONE;
}

/* ------------------------------------------------------------------ */
/* One QEMU attempt                                                    */

static const struct kemu_traits qemu_traits = {
	.name = "QEMU",
	.prefix = "qemu",
	.exit_pass = 33,  /* isa-debug-exit: (0x10 << 1) | 1 */
	.exit_fail = 35,  /* (0x11 << 1) | 1 */
	.exit_reset = 0,  /* -no-reboot after a triple fault */
	.exit_noboot = 1, /* it could not load the image */
	.end_grace_s = 5,
	.end_hint = "isa-debug-exit missing?",
};

struct attempt {
	struct kemu_run r;
	struct qwatch w;
	const char *argv[KQEMU_ARGV_MAX];
	char *cmdline; /* argv as shell words (malloc'd): what the result records */
};

static void attempt_run(struct attempt *a, const struct kboot_opts *o, const struct kqemu_cmd *c,
			double limit, double life_s)
{
	kemu_init(&a->r, &qemu_traits, o, limit);
	a->w.qemu = c->qemu;
	a->w.kvm = c->kvm;
	size_t n = kqemu_argv(c, a->argv);
	free(a->cmdline);
	a->cmdline = ktext_shell_join(a->argv, n);
	a->r.argv = (char **)a->argv;
	a->r.life_s = life_s;
	a->r.watch = qemu_watch;
	a->r.ctx = &a->w;
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		a->r.end = KEMU_SPAWN;
		snprintf(a->r.what, sizeof(a->r.what), "pipe: %s", strerror(errno));
		return;
	}
	a->r.chan[0] = (struct kchan){ KCHAN_SERIAL, po[0], po[1], { 1, -1, -1 }, 0, 0 };
	a->r.chan[1] = (struct kchan){ KCHAN_LINES, pe[0], pe[1], { 2, -1, -1 }, 1, 0 };
	a->r.n_chan = 2;
	kemu_go(&a->r);
}

/* Why KVM could not be used by this attempt, or "" when it could. */
static void kvm_failure(const struct kemu_run *r, char *why, size_t len)
{
	why[0] = '\0';
	if (r->end == KEMU_EMUERR)
		snprintf(why, len, "could not run the guest (QEMU: %s)", r->what);
	else if (r->end == KEMU_NOLIFE)
		snprintf(why, len, "guest showed no sign of life within %.0f s", r->life_s);
	else if (r->end == KEMU_EXITED && !r->ser.header_seen) {
		char et[512];
		kemu_tail(r, et, sizeof(et));
		const char *first = et[0] ? et + strlen("\n  qemu: ") : "no message";
		const char *nl = strchr(first, '\n');
		snprintf(why, len, "failed to start the guest (QEMU: %.*s)",
			 (int)(nl ? (size_t)(nl - first) : strlen(first)), first);
	} else if ((r->end == KEMU_EXITED || r->end == KEMU_RESET) && r->ser.header_seen &&
		   !r->ser.end_seen && r->ser.tap_plan == 0) {
		/* The kernel started but reset before its self-checks were
		 * done: nothing was measured, and on machines whose KVM cannot
		 * run a guest (nested setups) this is how it shows when QEMU
		 * does not report an emulation failure. Treated like one: TCG
		 * under --accel auto, one message under --accel kvm. */
		snprintf(why, len, "reset the guest before its self-checks completed "
				   "(a triple fault after %zu console line%s; nothing measured)",
			 r->ser.lines, r->ser.lines == 1 ? "" : "s");
	}
}


#define KBOOT_LIFE_S 10.0 /* KVM's sign-of-life limit under --accel auto */

/* The vendor the guest model will report, when it can be told before the
 * run: the shorthands, host, else the model's description in -cpu help. */
static const char *guest_vendor_guess(const char *want, const char *host_vendor)
{
	if (!want || !*want || !strcmp(want, "auto") || !strcmp(want, "host"))
		return host_vendor;
	const char *v = kboot_shorthand_vendor(want);
	return v ? v : kkvm_model_vendor(cpu_help.help, want);
}

int kqemu_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen)
{
	err[0] = '\0';
	char default_kernel[64];
	snprintf(default_kernel, sizeof(default_kernel), "build/%s",
		 kboot_mode_image(o->mode ? o->mode : KBOOT_LONG));
	const char *kernel = o->kernel_path ? o->kernel_path : default_kernel;
	const char *accel = o->accel ? o->accel : "auto";

	char *qemu;
	int rc = qemu_needs(o, &qemu, err, errlen);
	if (rc)
		return rc;

	char qver[64];
	qemu_version(qemu, qver, sizeof(qver));

	char cmdline[2048];
	kboot_cmdline(o, cmdline, sizeof(cmdline));
	double limit = kboot_limit(o, 60, 30);
	if (o->icount && !(o->timeout_s > 0))
		limit *= 2;

	int try_kvm = 0;
	char fallback[512] = "";
	if (o->icount) {
		try_kvm = 0;
	} else if (strcmp(accel, "kvm") == 0) {
		try_kvm = 1; /* qemu_needs found /dev/kvm usable */
	} else if (strcmp(accel, "auto") == 0 && o->kvm_failed && *o->kvm_failed) {
		/* an earlier boot of the same run found KVM unusable */
		snprintf(fallback, sizeof(fallback), "%s", o->kvm_failed);
	} else if (strcmp(accel, "auto") == 0) {
		try_kvm = kvm_usable(fallback, sizeof(fallback));
	}

	struct kcpuinfo host;
	kcpuinfo_read(&host);
	struct attempt *a = xmalloc(sizeof(*a));
	a->cmdline = NULL;
	char cpu[128], cpu_note[160];
	/* -initrd: the modules, comma separated (a comma in a path doubled);
	 * QEMU takes what follows a space as the module's string, so the
	 * paths (kentry exec's own run directory) hold none */
	char initrd[8192] = "";
	for (size_t i = 0; i < o->n_modules; i++) {
		if (i)
			bufcat(initrd, sizeof(initrd), ",");
		for (const char *p = o->modules[i]; *p; p++)
			bufcat(initrd, sizeof(initrd), *p == ',' ? ",," : "%c", *p);
	}
	struct kqemu_cmd c = { qemu, kernel, cmdline, cpu, 0, o->icount, initrd };
	int used_kvm = 0, booted = 1;
	struct kboot_opts ko = *o; /* the KVM attempt: without the ids KVM would emulate */
	const char *kvm_only[KKVM_MAX_IDS];
	struct kkvm_plan plan;
	memset(&plan, 0, sizeof(plan));

	if (try_kvm) {
		kqemu_resolve_cpu(o->cpu, cpu_help.models, 1, cpu, sizeof(cpu), cpu_note,
				  sizeof(cpu_note), err, errlen);
		if (!o->op_gtod) /* the round-trip ids KVM would emulate are left out */
			kkvm_plan(&plan, o->mode, host.vendor, guest_vendor_guess(o->cpu, host.vendor),
				  o->only, o->only ? o->n_only : 0, kvm_only);
		if (plan.n_only) {
			ko.only = kvm_only;
			ko.n_only = plan.n_only;
		}
		char kcmd[2048];
		kboot_cmdline(&ko, kcmd, sizeof(kcmd));
		c.append = kcmd;
		c.kvm = 1;
		if (plan.run_nothing) {
			/* every requested path would be KVM's emulator: no boot */
			kemu_init(&a->r, &qemu_traits, o, limit);
			booted = 0;
		} else {
			attempt_run(a, &ko, &c, limit, strcmp(accel, "auto") == 0 ? KBOOT_LIFE_S : 0);
			kvm_failure(&a->r, fallback, sizeof(fallback));
		}
		c.append = cmdline;
		if (fallback[0] && strcmp(accel, "auto") == 0 && o->exec && o->exec->out_bytes) {
			/* the program ran under KVM and wrote: it must not run twice */
			used_kvm = 1;
			snprintf(cmdline, sizeof(cmdline), "%s", kcmd);
		} else if (fallback[0] && strcmp(accel, "auto") == 0) {
			kemu_free(&a->r);
		} else {
			used_kvm = 1;
			snprintf(cmdline, sizeof(cmdline), "%s", kcmd);
		}
	}
	if (!used_kvm) {
		if (fallback[0] && strcmp(accel, "auto") == 0 && !(o->kvm_failed && *o->kvm_failed) &&
		    (!o->quiet || o->verbose))
			fprintf(stderr, "kentry boot: KVM %s; falling back to TCG\n", fallback);
		kqemu_resolve_cpu(o->cpu, cpu_help.models, 0, cpu, sizeof(cpu), cpu_note,
				  sizeof(cpu_note), err, errlen);
		if (o->cpu && strcmp(o->cpu, "host") == 0 && (!o->quiet || o->verbose))
			fprintf(stderr, "kentry boot: --cpu host needs KVM; TCG runs QEMU's 'max' "
					"model instead\n");
		c.kvm = 0;
		attempt_run(a, o, &c, limit, 0);
	}

	/* The facts about the run, then the guest's own. */
	kenv_set(&run->guest_env, "emulator", "qemu");
	kenv_set(&run->guest_env, "emulator.version", qver);
	kenv_set(&run->guest_env, "emulator.cpu", cpu);
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
	kenv_set(&run->guest_env, "qemu.append", cmdline);
	if (a->cmdline) /* the whole command line of the run: it can be repeated */
		kenv_set(&run->guest_env, "qemu.cmdline", a->cmdline);
	kenv_setf(&run->guest_env, "qemu.seconds", "%.1f", a->r.elapsed);
	if (used_kvm)
		kenv_set(&run->guest_env, "kvm.host_vendor", host.vendor);

	const char *missing = NULL;
	if (used_kvm && fallback[0]) {
		/* --accel kvm: no fallback; QEMU's register dump is left out */
		char tail[KSERIAL_TAIL * 200];
		kserial_tail(&a->r.ser, tail, sizeof(tail));
		snprintf(err, errlen, "KVM %s, last path started: %s; use --accel tcg or auto. "
				      "Last serial lines:%s",
			 fallback, a->r.ser.last_progress[0] ? a->r.ser.last_progress : "none yet",
			 tail[0] ? tail : "\n  (no serial output)");
		missing = "KVM could not run the guest";
		rc = 4;
	} else if (booted) {
		rc = kemu_judge(&a->r, err, errlen, &missing);
	}
	if (used_kvm && fallback[0]) {
		/* --accel kvm and KVM could not run the guest: nothing of the
		 * attempt is kept (as under --accel auto, where it falls back):
		 * the message says it all, no table of identical failed rows,
		 * no result file */
	} else {
		if (used_kvm)
			kkvm_adjust(&a->r.run, &plan, host.vendor);
		kemu_finish(&a->r, o, kcount_note(o->icount ? "shift=0" : "off"), missing, run);
		kemu_difference_notes(run, o->icount ? "qemu-icount" : used_kvm ? "qemu-kvm" : "qemu-tcg");
	}
	kemu_free(&a->r);
	free(a->cmdline);
	free(a);
	free(qemu);
	return rc;
}
