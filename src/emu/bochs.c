/* kentry boot: the Bochs runner. See bochs.h and docs/boot.md ("Bochs").
 *
 * One run: a private directory (mkdtemp) holding the bochsrc, the run disk
 * (the kernel and its command line, rundisk.c) and links to the GRUB image
 * and the BIOS files; Bochs started with
 *   - COM1 on descriptor 3 (com1: mode=file, dev=/dev/fd/3), a pipe kentry
 *     reads live: the kernel's serial console;
 *   - its log on descriptor 4, a second pipe, watched for a panic, a triple
 *     fault ("3rd exception with no resolution": reset_on_triple_fault=0
 *     leaves the CPU in shutdown instead of resetting) and a final halt
 *     ("HLT instruction with IF=0");
 *   - stdin and stdout on a pseudo-terminal kentry owns: Debian's Bochs
 *     draws its `term` display there (it needs a terminal, and must stay off
 *     kentry's), and its debugger reads there, after `-rc` has given it `c`;
 *   - stderr on a third pipe.
 * Bochs does not stop on a halted CPU: after the kernel's end line (its
 * last), kentry ends it with SIGTERM, then SIGKILL. */
#include "bochs.h"
#include "emu.h"
#include "proc.h"
#include "run.h"
#include "rundisk.h"
#include "util.h"
#include "core/cpuinfo.h"
#include "results/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BOCHS_IPS 4000000ul /* only the pace of emulated time: no count depends on it */
#define BOCHS_EXEC_IPS 100000000ul /* kentry exec: emulated time near real time */

/* Paths are quoted (Bochs's parser takes a quoted value whole, spaces and
 * commas included); the run directory never holds a quote (kbochs_run). */
void kbochs_config(const struct kbochs_cfg *c, char *buf, size_t len)
{
	buf[0] = '\0';
	bufcat(buf, len,
	       "# kentry: one run of the bare-metal kernel under Bochs\n"
	       "megs: %u\n"
	       "cpu: model=%s, ips=%lu, reset_on_triple_fault=0\n"
	       "romimage: file=\"%s\"\n"
	       "vgaromimage: file=\"%s\"\n"
	       "ata0-master: type=cdrom, path=\"%s\", status=inserted\n",
	       c->megs, c->cpu, c->ips, c->bios, c->vgabios, c->iso);
	if (c->disk)
		bufcat(buf, len, "ata0-slave: type=disk, path=\"%s\", mode=flat\n", c->disk);
	bufcat(buf, len,
	       "boot: cdrom\n"
	       "com1: enabled=1, mode=file, dev=\"%s\"\n"
	       "display_library: %s\n"
	       "log: \"%s\"\n"
	       "panic: action=fatal\n"
	       "error: action=report\n"
	       "info: action=report\n"
	       "debug: action=ignore\n"
	       "speaker: enabled=0\n"
	       "clock: sync=none, time0=%lld\n",
	       c->serial, c->display, c->log, c->time0 ? c->time0 : 1704067200LL);
}

/* ------------------------------------------------------------------ */
/* Models                                                              */

static const char *const amd_models[] = { "amd_k6_2_chomper", "athlon_xp", "athlon64_clawhammer",
					  "athlon64_venice", "turion64_tyler",
					  "phenom_8650_toliman", "zambezi", "trinity_apu",
					  "ryzen", NULL };
static const char *const intel_models[] = {
	"i386", "i486dx4", "pentium", "pentium_mmx", "p2_klamath", "p3_katmai", "p4_willamette",
	"core_duo_t2400_yonah", "atom_n270", "p4_prescott_celeron_336", "core2_penryn_t9600",
	"corei5_lynnfield_750", "corei5_arrandale_m520", "corei7_sandy_bridge_2600k",
	"corei7_ivy_bridge_3770k", "corei7_haswell_4770", "broadwell_ult", "corei7_skylake_x",
	"corei3_cnl", "corei7_icelake_u", "tigerlake", "sapphire_rapids", "arrow_lake",
	"wildcat_lake", NULL
};
/* 64-bit models in order of preference for the shorthands */
static const char *const intel_pick[] = { "corei7_skylake_x", "corei7_icelake_u", "tigerlake",
					  "corei7_haswell_4770", "corei7_sandy_bridge_2600k",
					  "core2_penryn_t9600", NULL };
static const char *const amd_pick[] = { "ryzen", "zambezi", "trinity_apu", "phenom_8650_toliman",
					"athlon64_venice", NULL };

const char *kbochs_model_vendor(const char *model)
{
	for (const char *const *m = amd_models; *m; m++)
		if (!strcasecmp(*m, model))
			return "AuthenticAMD";
	for (const char *const *m = intel_models; *m; m++)
		if (!strcasecmp(*m, model))
			return "GenuineIntel";
	return NULL;
}

static int has_model(const char *models, const char *model, char *out, size_t len)
{
	size_t ml = strlen(model);
	for (const char *p = models; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == ml && !strncasecmp(p, model, n)) {
			snprintf(out, len, "%.*s", (int)n, p);
			return 1;
		}
		p = nl ? nl + 1 : p + n;
	}
	return 0;
}

int kbochs_resolve_cpu(const char *want, const char *models, const char *host_vendor, char *out,
		       size_t len, char *err, size_t errlen)
{
	if (!want || !*want || !strcmp(want, "auto"))
		want = host_vendor && (!strcmp(host_vendor, "AuthenticAMD") ||
				       !strcmp(host_vendor, "HygonGenuine"))
			       ? "amd"
			       : "intel";
	if (!strcmp(want, "host")) {
		snprintf(err, errlen, "--cpu host needs QEMU with KVM: Bochs emulates named models "
				      "only (intel, amd, auto, or a model of 'bochs --help cpu')");
		return 2;
	}
	const char *const *pick = !strcmp(want, "intel") ? intel_pick
				  : !strcmp(want, "amd") ? amd_pick
							 : NULL;
	if (pick) {
		for (const char *const *m = pick; *m; m++)
			if (!models || has_model(models, *m, out, len))
				return 0;
		snprintf(err, errlen, "this Bochs knows no 64-bit %s model (bochs --help cpu)", want);
		return 2;
	}
	if (!models || has_model(models, want, out, len)) {
		if (!models)
			snprintf(out, len, "%s", want);
		return 0;
	}
	char list[1024] = "";
	for (const char *p = models; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		bufcat(list, sizeof(list), "%s%.*s", list[0] ? ", " : "", (int)n, p);
		p = nl ? nl + 1 : p + n;
	}
	snprintf(err, errlen, "unknown Bochs CPU model '%s': valid values are intel, amd, auto, or "
			      "one of %s",
		 ktext_arg(want), list);
	return 2;
}

void kbochs_parse_version(const char *text, char *out, size_t len)
{
	const char *v = text ? strstr(text, "Bochs x86 Emulator ") : NULL;
	if (!v) {
		snprintf(out, len, "unknown");
		return;
	}
	v += strlen("Bochs x86 Emulator ");
	size_t n = strcspn(v, " \r\n");
	snprintf(out, len, "%.*s", (int)n, v);
}

char *kbochs_parse_models(const char *text)
{
	const char *p = text ? strstr(text, "Supported CPU models:") : NULL;
	if (!p)
		return NULL;
	p = strchr(p, '\n');
	char *names = xmalloc(strlen(text) + 2);
	size_t len = 0;
	names[0] = '\0';
	while (p && *p) {
		p++;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		int word = n > 0;
		for (size_t i = 0; i < n; i++)
			if (!(p[i] == '_' || (p[i] >= '0' && p[i] <= '9') ||
			      (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')))
				word = 0;
		/* Every name-like line after the header: Bochs prints the list
		 * on stderr and its banner on stdout, which the capture merges
		 * in the order it reads them, so under load the banner may
		 * land inside the list; no other line of this output is a
		 * lone identifier. */
		if (word) {
			memcpy(names + len, p, n);
			len += n;
			names[len++] = '\n';
			names[len] = '\0';
		}
		p = nl;
	}
	if (!len) {
		free(names);
		return NULL;
	}
	return names;
}

/* ------------------------------------------------------------------ */
/* What this Bochs is (asked once per kentry process)                  */

static struct {
	char *bochs;
	char version[64];
	int debugger; /* built with its debugger: wants `c` before it runs */
	char *models;
} info;

static void load_info(const char *bochs)
{
	if (info.bochs && !strcmp(info.bochs, bochs))
		return;
	free(info.bochs);
	free(info.models);
	memset(&info, 0, sizeof(info));
	info.bochs = xstrdup(bochs);
	char *text = NULL;
	int st;
	char *help[] = { (char *)bochs, (char *)"-q", (char *)"--help", NULL };
	if (run_capture_all(help, &text, 10, &st) == 0) {
		kbochs_parse_version(text, info.version, sizeof(info.version));
		info.debugger = strstr(text, "\n  -rc ") != NULL;
	} else {
		snprintf(info.version, sizeof(info.version), "unknown");
	}
	free(text);
	char *cpu[] = { (char *)bochs, (char *)"-q", (char *)"--help", (char *)"cpu", NULL };
	if (run_capture_all(cpu, &text, 10, &st) == 0)
		info.models = kbochs_parse_models(text);
	free(text);
}


/* ------------------------------------------------------------------ */
/* Files a run needs                                                   */

/* The first readable file among dir/name (for each name), or NULL. */
static char *find_in(const char *dir, const char *const *names)
{
	if (!dir || !*dir)
		return NULL;
	for (; *names; names++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, *names);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0)
			return xstrdup(p);
	}
	return NULL;
}

/* A ROM image: beside the Bochs program (a build of its own), in $BXSHARE,
 * then where Debian puts it. */
static char *find_rom(const char *bochs, const char *const *names, const char *const *sysdirs)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", bochs);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	char *f = slash ? find_in(dir, names) : NULL;
	if (!f)
		f = find_in(getenv("BXSHARE"), names);
	for (; !f && *sysdirs; sysdirs++)
		f = find_in(*sysdirs, names);
	return f;
}

static const char *const rundir_files[] = { "bochsrc", "rc", "run.cfg", "run.img",
					    "run.img.lock", "boot.iso", "bios.rom", "vgabios.rom",
					    NULL };

/* Removes what kentry put in the run directory, then the directory. */
static void rundir_remove(const char *dir)
{
	for (const char *const *f = rundir_files; *f; f++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", dir, *f);
		unlink(p);
	}
	rmdir(dir);
}

/* dir/name -> target (absolute), so the bochsrc holds simple paths. */
static int link_in(const char *dir, const char *name, const char *target, char *out, size_t len)
{
	char abs[4096];
	if (!realpath(target, abs))
		return -1;
	snprintf(out, len, "%s/%s", dir, name);
	return symlink(abs, out);
}

/* ------------------------------------------------------------------ */
/* What a run needs, checked before it runs                            */

struct bneeds {
	char *bochs, *bios, *vga; /* malloc'd */
	char iso[4096];
	char cpu[64];             /* the model resolved */
};

static void needs_free(struct bneeds *n)
{
	free(n->bochs);
	free(n->bios);
	free(n->vga);
	n->bochs = n->bios = n->vga = NULL;
}

/* Everything a Bochs boot with these options needs: no QEMU accelerator,
 * Bochs, the kernel image, the GRUB image, the BIOS and VGA BIOS images,
 * mtools for the run disk, a model this Bochs knows (its lists asked once).
 * Returns 0, or 2 or 3 with the message in err (nothing held then). */
static int bochs_needs(const struct kboot_opts *o, struct bneeds *n, char *err, size_t errlen)
{
	static const char *const bios_names[] = { "BIOS-bochs-latest", NULL };
	static const char *const vga_names[] = { "VGABIOS-lgpl-latest.bin", "VGABIOS-lgpl-latest",
						 "vgabios.bin", NULL };
	static const char *const bios_dirs[] = { "/usr/share/bochs", "/usr/local/share/bochs",
						 NULL };
	static const char *const vga_dirs[] = { "/usr/share/bochs", "/usr/share/vgabios",
						"/usr/local/share/bochs", NULL };
	char default_kernel[64];
	snprintf(default_kernel, sizeof(default_kernel), "build/%s",
		 kboot_mode_image(o->mode ? o->mode : KBOOT_LONG));
	const char *kernel = o->kernel_path ? o->kernel_path : default_kernel;
	memset(n, 0, sizeof(*n));
	if (o->accel && strcmp(o->accel, "auto") != 0) {
		snprintf(err, errlen, "--accel %s is QEMU's: Bochs always emulates every "
				      "instruction (leave --accel out with --emulator bochs)",
			 ktext_arg(o->accel));
		return 2;
	}
	if (o->iso_path) {
		snprintf(n->iso, sizeof(n->iso), "%s", o->iso_path);
	} else { /* kentry-kernel.iso beside the kernel image */
		snprintf(n->iso, sizeof(n->iso), "%s", kernel);
		char *slash = strrchr(n->iso, '/');
		snprintf(slash ? slash + 1 : n->iso,
			 sizeof(n->iso) - (size_t)(slash ? slash + 1 - n->iso : 0),
			 "kentry-kernel.iso");
	}
	int rc = kboot_need_program("KENTRY_BOCHS", "bochs",
				    "install the Debian packages bochs, bochsbios, vgabios and "
				    "bochs-term (or name a Bochs with KENTRY_BOCHS)",
				    &n->bochs, err, errlen);
	if (!rc)
		rc = kboot_need_file("kernel image", kernel, "run make", err, errlen);
	if (!rc)
		rc = kboot_need_file("boot image", n->iso,
				     "run make (it needs grub-mkrescue: the Debian packages "
				     "grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools)",
				     err, errlen);
	if (!rc && !(n->bios = find_rom(n->bochs, bios_names, bios_dirs))) {
		snprintf(err, errlen, "the Bochs BIOS (BIOS-bochs-latest) is not beside %s, in "
				      "$BXSHARE or in /usr/share/bochs: install the Debian package "
				      "bochsbios",
			 ktext_arg(n->bochs));
		rc = 3;
	}
	if (!rc && !(n->vga = find_rom(n->bochs, vga_names, vga_dirs))) {
		snprintf(err, errlen, "the VGA BIOS (VGABIOS-lgpl-latest) is not beside %s, in "
				      "$BXSHARE or in /usr/share/vgabios: install the Debian package "
				      "vgabios",
			 ktext_arg(n->bochs));
		rc = 3;
	}
	if (!rc)
		rc = krundisk_tools(err, errlen);
	if (!rc) {
		load_info(n->bochs);
		struct kcpuinfo host;
		kcpuinfo_read(&host);
		rc = kbochs_resolve_cpu(o->cpu, info.models, host.vendor, n->cpu, sizeof(n->cpu),
					err, errlen);
	}
	if (rc)
		needs_free(n);
	return rc;
}

int kbochs_validate(const struct kboot_opts *o, char *err, size_t errlen)
{
	struct bneeds n;
	int rc = bochs_needs(o, &n, err, errlen);
	needs_free(&n);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One Bochs attempt                                                   */

static const struct kemu_traits bochs_traits = {
	.name = "Bochs",
	.prefix = "bochs",
	.exit_pass = -1, /* kentry ends it after the end line */
	.exit_fail = -1,
	.exit_reset = -1, /* a triple fault is a log event */
	.exit_noboot = -1,
	.end_grace_s = 0,
	.end_hint = NULL,
};

enum { TAG_LOG = 1, TAG_STDERR = 2, TAG_TTY = 3 };

/* Bochs's log ("00000004662i[BIOS  ] message"), stderr and terminal. */
static enum kemu_event bochs_watch(void *ctx, int tag, char **linep, char *what, size_t len)
{
	(void)ctx;
	char *line = *linep;
	/* A triple fault: Bochs 2.7 panics on it (reset_on_triple_fault=0),
	 * later versions log a warning and shut the CPU down. */
	const char *tf = strstr(line, "exception with no resolution");
	if (tf && tag != TAG_TTY) {
		const char *from = strstr(line, "exception(");
		if (!from || from > tf)
			from = tf;
		snprintf(what, len, "%.*s", (int)(tf - from) + 28, from);
		return KEV_RESET;
	}
	if (strstr(line, "Could not open '") && tag != TAG_TTY) {
		/* e.g. COM1's /dev/fd/3 where /dev/fd is missing */
		if (!what[0])
			snprintf(what, len, "%.200s", line + (line[11] == 'e' ? 12 : 0));
		return KEV_ERROR;
	}
	if (strstr(line, "soft power off") && tag != TAG_TTY) {
		if (!what[0])
			snprintf(what, len, "the guest powered off (ACPI)");
		return KEV_HALT;
	}
	const char *panic = strstr(line, ">>PANIC<<");
	if (panic) {
		panic += strlen(">>PANIC<<");
		while (*panic == ' ')
			panic++;
		if (!what[0])
			snprintf(what, len, "%.200s", panic);
		return KEV_ERROR;
	}
	if (tag == TAG_TTY)
		return KEV_QUIET; /* the screen it draws */
	if (strstr(line, "HLT instruction with IF=0")) {
		if (!what[0])
			snprintf(what, len, "HLT with interrupts off");
		return KEV_HALT;
	}
	/* The log's info lines are kept out of error messages (--verbose
	 * shows them). */
	if (tag == TAG_LOG && strlen(line) > 12 && line[11] == 'i' && line[12] == '[')
		return KEV_QUIET;
	return KEV_NONE;
}

/* A pseudo-terminal: master (kentry's end) and slave (Bochs's stdin and
 * stdout), 80 x 25 like the VGA text screen it draws. */
static int open_pty(int *master, int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -1;
	const char *name = NULL;
	if (grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
		close(m);
		return -1;
	}
	int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		close(m);
		return -1;
	}
	struct winsize ws = { 25, 80, 0, 0 };
	ioctl(s, TIOCSWINSZ, &ws);
	*master = m;
	*slave = s;
	return 0;
}

struct battempt {
	struct kemu_run r;
	char *argv[8];
	int argc;
};

static void attempt_run(struct battempt *a, const struct kboot_opts *o, const char *bochs,
			const char *rcfile, const char *bochsrc, double limit)
{
	static const char *const env[] = { "TERM=xterm", NULL };
	kemu_init(&a->r, &bochs_traits, o, limit);
	int k = 0;
	a->argv[k++] = (char *)bochs;
	a->argv[k++] = (char *)"-q";
	a->argv[k++] = (char *)"-f";
	a->argv[k++] = (char *)bochsrc;
	if (rcfile) {
		a->argv[k++] = (char *)"-rc";
		a->argv[k++] = (char *)rcfile;
	}
	a->argv[k] = NULL;
	a->argc = k;
	a->r.argv = a->argv;
	a->r.env = env;
	a->r.watch = bochs_watch;
	int ser[2], log[2], er[2], m, s;
	if (pipe2(ser, O_CLOEXEC) || pipe2(log, O_CLOEXEC) || pipe2(er, O_CLOEXEC) ||
	    open_pty(&m, &s)) {
		a->r.end = KEMU_SPAWN;
		snprintf(a->r.what, sizeof(a->r.what), "pipe or pseudo-terminal: %s", strerror(errno));
		return;
	}
	a->r.chan[0] = (struct kchan){ KCHAN_SERIAL, ser[0], ser[1], { 3, -1, -1 }, 0, 0 };
	a->r.chan[1] = (struct kchan){ KCHAN_LINES, log[0], log[1], { 4, -1, -1 }, TAG_LOG, 0 };
	a->r.chan[2] = (struct kchan){ KCHAN_LINES, er[0], er[1], { 2, -1, -1 }, TAG_STDERR, 0 };
	a->r.chan[3] = (struct kchan){ KCHAN_LINES, m, s, { 0, 1, -1 }, TAG_TTY, 1 };
	a->r.n_chan = 4;
	kemu_go(&a->r);
}

int kbochs_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen)
{
	err[0] = '\0';
	char default_kernel[64];
	snprintf(default_kernel, sizeof(default_kernel), "build/%s",
		 kboot_mode_image(o->mode ? o->mode : KBOOT_LONG));
	const char *kernel = o->kernel_path ? o->kernel_path : default_kernel;
	struct bneeds n;
	int rc = bochs_needs(o, &n, err, errlen);
	if (rc)
		return rc;
	const char *bochs = n.bochs, *iso = n.iso, *cpu = n.cpu;
	char cmdline[2048];
	kboot_cmdline(o, cmdline, sizeof(cmdline));
	double limit = kboot_limit(o, 120, 60);

	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strchr(tmp, '"'))
		tmp = "/tmp"; /* a quote cannot stand in the bochsrc */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/kentry-bochs-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "cannot make a run directory %s: %s", ktext_arg(dir),
			 strerror(errno));
		needs_free(&n);
		return 4;
	}
	char iso_l[4200], bios_l[4200], vga_l[4200], rcfile[4200], bochsrc[4200];
	char img[4200], ser[32], logp[32];
	snprintf(rcfile, sizeof(rcfile), "%s/rc", dir);
	snprintf(bochsrc, sizeof(bochsrc), "%s/bochsrc", dir);
	snprintf(img, sizeof(img), "%s/run.img", dir);
	snprintf(ser, sizeof(ser), "/dev/fd/3");
	snprintf(logp, sizeof(logp), "/dev/fd/4");
	if (link_in(dir, "boot.iso", iso, iso_l, sizeof(iso_l)) ||
	    link_in(dir, "bios.rom", n.bios, bios_l, sizeof(bios_l)) ||
	    link_in(dir, "vgabios.rom", n.vga, vga_l, sizeof(vga_l))) {
		snprintf(err, errlen, "cannot link the boot files into %s: %s", dir, strerror(errno));
		rc = 4;
	}
	if (!rc)
		rc = krundisk_make(dir, kernel, cmdline, o->modules, o->n_modules, err, errlen);
	if (!rc && info.debugger) {
		FILE *f = fopen(rcfile, "wx");
		if (!f || fputs("c\n", f) == EOF || fclose(f)) {
			snprintf(err, errlen, "cannot write %s: %s", rcfile, strerror(errno));
			rc = 4;
		}
	}

	struct battempt *a = xmalloc(sizeof(*a));
	char config[4096] = "";
	const char *display = "nogui";
	int tried = 0;
	if (o->progress)
		o->progress(o->progress_arg, "boot", 0, 0, "starting Bochs (BIOS, GRUB)");
	while (!rc) {
		/* A program reads the time: the RTC starts at the host's, and
		 * emulated time (which Bochs's clock and the PIT follow, at `ips`
		 * instructions per emulated second) runs near real time: BIOS
		 * and GRUB take some 80 million instructions, 20 emulated
		 * seconds at BOCHS_IPS but under one at BOCHS_EXEC_IPS. */
		struct kbochs_cfg c = { cpu, o->exec ? BOCHS_EXEC_IPS : BOCHS_IPS, 128, bios_l, vga_l,
					iso_l, img, ser, logp, display,
					o->exec ? (long long)time(NULL) : 0 };
		kbochs_config(&c, config, sizeof(config));
		unlink(bochsrc);
		FILE *f = fopen(bochsrc, "wx");
		if (!f || fputs(config, f) == EOF || fclose(f)) {
			snprintf(err, errlen, "cannot write %s: %s", bochsrc, strerror(errno));
			rc = 4;
			break;
		}
		char lock[4300];
		snprintf(lock, sizeof(lock), "%s.lock", img);
		unlink(lock); /* Bochs locks the disk image it opens */
		attempt_run(a, o, bochs, info.debugger ? rcfile : NULL, bochsrc, limit);
		tried++;
		/* A Bochs without the `nogui` display (Debian's) says so at once;
		 * it has `term`, on the pseudo-terminal. */
		if (a->r.end == KEMU_EMUERR && strstr(a->r.what, "display library") && tried == 1) {
			kemu_free(&a->r);
			display = "term";
			continue;
		}
		break;
	}

	kenv_set(&run->guest_env, "emulator", "bochs");
	kenv_set(&run->guest_env, "emulator.version", info.version);
	kenv_set(&run->guest_env, "emulator.cpu", cpu);
	if (o->cpu && *o->cpu && strcmp(o->cpu, "auto") != 0 && strcmp(o->cpu, cpu) != 0)
		kenv_set(&run->guest_env, "emulator.cpu.requested", o->cpu);
	kenv_set(&run->guest_env, "icount", "bochs");
	kenv_set(&run->guest_env, "bochs.path", bochs);
	kenv_setf(&run->guest_env, "bochs.ips", "%lu", o->exec ? BOCHS_EXEC_IPS : BOCHS_IPS);
	kenv_set(&run->guest_env, "bochs.display", display);
	kenv_set(&run->guest_env, "boot.image", iso);
	kenv_set(&run->guest_env, "bochs.bios", n.bios); /* what the run directory's links named */
	kenv_set(&run->guest_env, "bochs.vgabios", n.vga);
	kenv_set(&run->guest_env, "bochs.append", cmdline);
	if (tried) {
		/* what Bochs was started with: its command line and the
		 * configuration it names (the run directory is gone after
		 * the run; the configuration says what was in it) */
		char *words = ktext_shell_join((const char *const *)a->argv, (size_t)a->argc);
		kenv_set(&run->guest_env, "bochs.cmdline", words);
		free(words);
		kenv_set(&run->guest_env, "bochs.config", config);
	}

	const char *missing = NULL;
	if (!rc) {
		kenv_setf(&run->guest_env, "bochs.seconds", "%.1f", a->r.elapsed);
		rc = kemu_judge(&a->r, err, errlen, &missing);
		kemu_finish(&a->r, o, kcount_note("bochs"), missing, run);
		kemu_difference_notes(run, "bochs");
		kemu_free(&a->r);
	}
	free(a);
	rundir_remove(dir);
	needs_free(&n);
	return rc;
}
