/* kentry: command-line parsing and help. See cli.h. */
#include "cli.h"
#include "emu/boot.h"
#include "results/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { A_BENCH = 1, A_BOOT = 2, A_ALL = 4, A_LIST = 8, A_SHOW = 16, A_COMPARE = 32,
       A_PLOT = 64, A_EXEC = 128 };
#define A_MEASURE (A_BENCH | A_BOOT | A_ALL)
#define A_EXPORT (A_MEASURE | A_SHOW | A_COMPARE)

struct opt {
	const char *name;
	int has_arg;
	int allowed;
};

static const struct opt opts[] = {
	{ "only", 1, A_MEASURE },
	{ "op", 1, A_BENCH | A_BOOT | A_ALL | A_LIST },
	{ "quick", 0, A_MEASURE },
	{ "samples", 1, A_MEASURE },
	{ "rounds", 1, A_BENCH | A_ALL },
	{ "batch", 1, A_MEASURE },
	{ "cpu", 1, A_BENCH | A_BOOT | A_ALL | A_EXEC },
	{ "emulator", 1, A_BOOT | A_ALL | A_EXEC },
	{ "accel", 1, A_BOOT | A_ALL | A_EXEC },
	{ "guest-cpu", 1, A_ALL },
	{ "icount", 0, A_BOOT | A_ALL },
	{ "ring3-if", 1, A_BOOT | A_ALL },
	{ "variant", 1, A_BOOT | A_ALL },
	{ "mitigations", 1, A_BOOT | A_ALL | A_EXEC },
	{ "touch-pages", 1, A_BOOT | A_ALL },
	{ "selftest", 0, A_BOOT },
	{ "case", 1, A_BOOT },
	{ "fuzz", 1, A_BOOT },
	{ "seed", 1, A_BOOT },
	{ "replay", 1, A_BOOT },
	{ "kernel", 1, A_BOOT | A_ALL | A_EXEC },
	{ "mode", 1, A_BOOT | A_ALL },
	{ "fred", 0, A_BOOT | A_ALL },
	{ "verbose", 0, A_BOOT | A_ALL | A_EXEC },
	{ "vsyscall", 1, A_EXEC },
	{ "env", 1, A_EXEC },
	{ "timeout", 1, A_EXEC },
	{ "json", 1, A_EXPORT },
	{ "csv", 1, A_EXPORT },
	{ "markdown", 1, A_EXPORT },
	{ "progress", 0, A_MEASURE },
	{ "no-progress", 0, A_MEASURE },
	{ "world", 1, A_LIST | A_PLOT },
	{ "serial", 1, A_SHOW },
	{ "force", 0, A_COMPARE },
	{ "threshold", 1, A_COMPARE },
	{ "ns", 0, A_COMPARE },
	{ "output", 1, A_PLOT },
	{ "kind", 1, A_PLOT },
	{ "log", 0, A_PLOT },
	{ "label", 1, A_PLOT },
	{ "title", 1, A_PLOT },
	{ "help", 0, ~0 },
	{ "version", 0, ~0 },
};

static const char *cmd_name(enum kcmd c)
{
	switch (c) {
	case KCMD_ALL: return "kentry";
	case KCMD_BENCH: return "bench";
	case KCMD_BOOT: return "boot";
	case KCMD_LIST: return "list";
	case KCMD_SHOW: return "show";
	case KCMD_COMPARE: return "compare";
	case KCMD_PLOT: return "plot";
	case KCMD_EXEC: return "exec";
	case KCMD_HELP: return "help";
	case KCMD_VERSION: return "version";
	}
	return "?";
}

static int cmd_bit(enum kcmd c)
{
	switch (c) {
	case KCMD_ALL: return A_ALL;
	case KCMD_BENCH: return A_BENCH;
	case KCMD_BOOT: return A_BOOT;
	case KCMD_LIST: return A_LIST;
	case KCMD_SHOW: return A_SHOW;
	case KCMD_COMPARE: return A_COMPARE;
	case KCMD_PLOT: return A_PLOT;
	case KCMD_EXEC: return A_EXEC;
	default: return 0;
	}
}

int kcli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int kcli_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int kcli_parse_number(const char *s, double min, double max, double *out)
{
	if (!s || !*s)
		return -1;
	int digits = 0, points = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && !points)
			points++;
		else
			return -1;
	}
	if (!digits)
		return -1;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int kcli_env_number(const char *name, double min, double max, double *out, char *err,
		    size_t errlen)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	if (kcli_parse_number(v, min, max, out) == 0)
		return 0;
	snprintf(err, errlen, "bad %s='%s': give a number from %g to %g", name, ktext_arg(v),
		 min, max);
	return KEXIT_USAGE;
}

static void valid_options(enum kcmd cmd, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < sizeof(opts) / sizeof(*opts); k++)
		if (opts[k].allowed & cmd_bit(cmd))
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s--%s",
						 used ? ", " : "", opts[k].name);
}

static void list_ids(char *buf, size_t len, int linux_world, int bare, int gtod)
{
	size_t used = 0;
	buf[0] = '\0';
	if (linux_world)
		for (size_t i = 0; i < klinux_path_count(); i++)
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
						 "%s%s", used ? ", " : "", klinux_path_id(i));
	if (bare && gtod) {
		for (size_t i = 0; i < kboot_gtod_count(); i++)
			if ((int)i == kboot_gtod_index(kboot_gtod_id(i))) /* each id once */
				used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
							 "%s%s", used ? ", " : "", kboot_gtod_id(i));
	} else if (bare) {
		for (size_t i = 0; i < kboot_id_count(); i++)
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
						 "%s%s", used ? ", " : "", kboot_id(i));
	}
}

static int split_only(struct kcli *c, const char *arg, char *err, size_t errlen)
{
	if (strlen(arg) >= sizeof(c->only_buf) - 1) {
		snprintf(err, errlen, "--only: list too long (at most %zu characters)",
			 sizeof(c->only_buf) - 2);
		return KEXIT_USAGE;
	}
	strcpy(c->only_buf, arg);
	c->n_only = 0;
	char *save = NULL;
	for (char *tok = strtok_r(c->only_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (c->n_only == KCLI_MAX_ONLY) {
			snprintf(err, errlen, "--only: at most %d ids", KCLI_MAX_ONLY);
			return KEXIT_USAGE;
		}
		c->only[c->n_only++] = tok;
	}
	if (c->n_only == 0) {
		snprintf(err, errlen, "--only: give at least one id");
		return KEXIT_USAGE;
	}
	return 0;
}

/* Which kernels the bare-metal world boots (see struct kcli). */
static int resolve_modes(struct kcli *c, char *err, size_t errlen)
{
	if (c->cmd != KCMD_BOOT && c->cmd != KCMD_ALL)
		return 0;
	if (c->op == KOP_GETTIMEOFDAY) {
		/* a Linux process: the long-mode kernel's, through its IDT,
		 * SYSCALL and SYSENTER entries */
		if (c->mode_given & KBOOT_LEGACY32) {
			snprintf(err, errlen, "--op gettimeofday runs a Linux process on the long-mode "
					      "kernel; the legacy 32-bit kernel runs no programs: drop "
					      "--mode %s",
				 kboot_mode_name(c->mode_given));
			return KEXIT_USAGE;
		}
		if (c->fred) {
			snprintf(err, errlen, "--op gettimeofday measures the Linux entries (IDT, SYSCALL, "
					      "SYSENTER); FRED's are not among them: drop --fred");
			return KEXIT_USAGE;
		}
		if (c->touch_pages) {
			snprintf(err, errlen, "--touch-pages: the gettimeofday loops touch no pages "
					      "(the touching loops are the round trips'): drop it with "
					      "--op gettimeofday");
			return KEXIT_USAGE;
		}
		c->boot_modes = KBOOT_LONG;
		return 0;
	}
	unsigned from_only = 0;
	for (size_t i = 0; i < c->n_only; i++) {
		int k = kboot_id_index(c->only[i]);
		if (k < 0)
			continue;
		if (kboot_id_fred((size_t)k))
			c->fred = 1; /* naming a fred-* id asks for the FRED mode */
		unsigned m = kboot_id_mode((size_t)k);
		if (c->mode_given && !(m & c->mode_given)) {
			snprintf(err, errlen, "--only %s: that path is measured by the %s kernel, "
					      "not by --mode %s (use --mode %s or all)",
				 c->only[i], kboot_mode_name(m), kboot_mode_name(c->mode_given),
				 kboot_mode_name(m));
			return KEXIT_USAGE;
		}
		from_only |= m;
	}
	if (c->mode_given)
		c->boot_modes = c->mode_given;
	else if (from_only)
		c->boot_modes = from_only;
	else
		c->boot_modes = c->cmd == KCMD_BOOT ? KBOOT_LONG : KBOOT_LONG | KBOOT_LEGACY32;
	if ((c->selftest || c->fuzz_n || c->replay >= 0) && (c->boot_modes & KBOOT_LEGACY32)) {
		snprintf(err, errlen, "%s runs the long-mode kernel's full paths; the legacy 32-bit "
				      "kernel has none: drop --mode %s",
			 c->selftest ? "--selftest" : c->fuzz_n ? "--fuzz" : "--replay",
			 kboot_mode_name(c->boot_modes));
		return KEXIT_USAGE;
	}
	if (c->variant && strcmp(c->variant, "full") == 0 && c->boot_modes == KBOOT_LEGACY32) {
		snprintf(err, errlen, "--variant full: the legacy 32-bit kernel has the minimal "
				      "variant only (add --mode all to measure both kernels)");
		return KEXIT_USAGE;
	}
	if ((c->mitigations || c->touch_pages) && c->boot_modes == KBOOT_LEGACY32) {
		snprintf(err, errlen, "%s: the legacy 32-bit kernel has no mitigations and no "
				      "touching loops (add --mode all to measure both kernels)",
			 c->mitigations ? "--mitigations" : "--touch-pages");
		return KEXIT_USAGE;
	}
	if (c->fred && !(c->boot_modes & KBOOT_LONG)) {
		snprintf(err, errlen, "--fred is the long-mode kernel's FRED mode; --mode %s boots "
				      "the legacy 32-bit kernel only, which has none (FRED needs IA-32e "
				      "mode)",
			 kboot_mode_name(c->boot_modes));
		return KEXIT_USAGE;
	}
	if (c->kernel && c->boot_modes == (KBOOT_LONG | KBOOT_LEGACY32)) {
		snprintf(err, errlen, "--kernel names one image, but both kernels would boot: "
				      "add --mode long or --mode legacy32");
		return KEXIT_USAGE;
	}
	return 0;
}

static int validate_only(struct kcli *c, char *err, size_t errlen)
{
	int lw = c->cmd == KCMD_BENCH || c->cmd == KCMD_ALL;
	int bw = c->cmd == KCMD_BOOT || c->cmd == KCMD_ALL;
	int gtod = c->op == KOP_GETTIMEOFDAY;
	for (size_t i = 0; i < c->n_only; i++) {
		int ok = (lw && klinux_path_index(c->only[i]) >= 0) ||
			 (bw && (gtod ? kboot_gtod_index(c->only[i]) : kboot_id_index(c->only[i])) >= 0);
		if (!ok) {
			char ids[2048];
			list_ids(ids, sizeof(ids), lw, bw, gtod);
			snprintf(err, errlen, "unknown id '%s' in --only: valid ids are %s",
				 ktext_arg(c->only[i]), ids);
			return KEXIT_USAGE;
		}
	}
	return 0;
}

static const struct {
	const char *n;
	enum kcmd c;
} commands[] = {
	{ "bench", KCMD_BENCH }, { "boot", KCMD_BOOT }, { "list", KCMD_LIST },
	{ "show", KCMD_SHOW }, { "compare", KCMD_COMPARE }, { "plot", KCMD_PLOT },
	{ "exec", KCMD_EXEC }, { "help", KCMD_HELP }, { "version", KCMD_VERSION },
};
#define VALID_COMMANDS "bench, boot, list, show, compare, plot, exec, help, version"

static int find_command(const char *name)
{
	for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++)
		if (strcmp(name, commands[k].n) == 0)
			return (int)k;
	return -1;
}

/* How many result files a command reads. */
static size_t max_files(enum kcmd cmd)
{
	return cmd == KCMD_SHOW ? 1 : cmd == KCMD_COMPARE ? 2 : cmd == KCMD_PLOT ? KCLI_MAX_FILES : 0;
}

/* One option with its value (val NULL for a flag). */
static int apply_option(struct kcli *c, const char *name, const char *val, char *err,
			size_t errlen)
{
	const char *v = val ? ktext_arg(val) : "";
	if (strcmp(name, "only") == 0) {
		return split_only(c, val, err, errlen);
	} else if (strcmp(name, "op") == 0) {
		if (strcmp(val, "null") == 0)
			c->op = KOP_NULL;
		else if (strcmp(val, "gettimeofday") == 0)
			c->op = KOP_GETTIMEOFDAY;
		else {
			snprintf(err, errlen, "unknown --op '%s': valid ops are null, gettimeofday", v);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "quick") == 0) {
		c->quick = 1;
	} else if (strcmp(name, "samples") == 0) {
		/* the kernel keeps at most KCLI_BOOT_MAX_SAMPLES per path: a
		 * command that boots it says so instead of capping quietly */
		int boots = c->cmd == KCMD_BOOT || c->cmd == KCMD_ALL;
		uint32_t max = boots ? KCLI_BOOT_MAX_SAMPLES : KCLI_BENCH_MAX_SAMPLES;
		if (kcli_parse_u32(val, KCLI_MIN_SAMPLES, max, &c->samples)) {
			snprintf(err, errlen, "bad --samples '%s': give a whole number from %u to %u%s",
				 v, KCLI_MIN_SAMPLES, max,
				 boots ? " (the bare-metal kernel keeps at most 10000 samples per path)"
				       : "");
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "rounds") == 0) {
		if (kcli_parse_u32(val, 1, 1000, &c->rounds)) {
			snprintf(err, errlen, "bad --rounds '%s': give a whole number from 1 to 1000", v);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "batch") == 0) {
		if (kcli_parse_u32(val, 1, 4096, &c->batch)) {
			snprintf(err, errlen, "bad --batch '%s': give a whole number from 1 (single "
					      "calls) to 4096", v);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "cpu") == 0 && (c->cmd == KCMD_BOOT || c->cmd == KCMD_EXEC)) {
		c->guest_cpu = val;
	} else if (strcmp(name, "vsyscall") == 0) {
		if (strcmp(val, "none") && strcmp(val, "xonly") && strcmp(val, "emulate") &&
		    strcmp(val, "native")) {
			snprintf(err, errlen, "unknown --vsyscall '%s': valid modes are none, xonly, emulate, native", v);
			return KEXIT_USAGE;
		}
		c->vsyscall = val;
	} else if (strcmp(name, "env") == 0) {
		const char *eq = strchr(val, '=');
		if (!eq || eq == val) {
			snprintf(err, errlen, "bad --env '%s': give NAME=VALUE", v);
			return KEXIT_USAGE;
		}
		if (c->n_envs == sizeof(c->envs) / sizeof(c->envs[0])) {
			snprintf(err, errlen, "--env: at most %zu variables", sizeof(c->envs) / sizeof(c->envs[0]));
			return KEXIT_USAGE;
		}
		c->envs[c->n_envs++] = val;
	} else if (strcmp(name, "timeout") == 0) {
		if (kcli_parse_number(val, 1, 86400, &c->timeout)) {
			snprintf(err, errlen, "bad --timeout '%s': give seconds from 1 to 86400", v);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "cpu") == 0) {
		uint32_t n;
		if (kcli_parse_u32(val, 0, 4095, &n)) {
			snprintf(err, errlen, "bad --cpu '%s': give a CPU number ('kentry bench "
					      "--cpu 999' lists the CPUs kentry may run on)", v);
			return KEXIT_USAGE;
		}
		c->pin_cpu = (int)n;
	} else if (strcmp(name, "guest-cpu") == 0) {
		c->guest_cpu = val;
	} else if (strcmp(name, "emulator") == 0) {
		if (!kboot_emulator_known(val)) {
			snprintf(err, errlen, "unknown --emulator '%s': valid values are %s", v,
				 kboot_emulator_choices);
			return KEXIT_USAGE;
		}
		c->emulator = val;
	} else if (strcmp(name, "accel") == 0) {
		if (strcmp(val, "auto") && strcmp(val, "kvm") && strcmp(val, "tcg")) {
			snprintf(err, errlen, "unknown --accel '%s': valid values are auto, kvm, tcg", v);
			return KEXIT_USAGE;
		}
		c->accel = val;
	} else if (strcmp(name, "icount") == 0) {
		c->icount = 1;
	} else if (strcmp(name, "selftest") == 0) {
		c->selftest = 1;
	} else if (strcmp(name, "case") == 0) {
		int ok = *val != '\0' && strlen(val) < 64;
		for (const char *p = val; *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p == ',' && p[1] && p != val &&
							   p[-1] != ',')))
				ok = 0;
		for (const char *p = val; ok && *p;) {
			uint32_t n = 0;
			for (; *p >= '0' && *p <= '9'; p++)
				n = n * 10 + (uint32_t)(*p - '0');
			if (n > 18)
				ok = 0;
			else if (n >= 14)
				c->fred = 1; /* the FRED cases need the FRED mode */
			if (*p == ',')
				p++;
		}
		if (!ok) {
			snprintf(err, errlen, "bad --case '%s': give case numbers 0 to 18, comma separated (docs/selftest.md; 14 to 18 are the FRED cases)", v);
			return KEXIT_USAGE;
		}
		c->cases = val;
	} else if (strcmp(name, "fuzz") == 0) {
		if (kcli_parse_u64(val, &c->fuzz_n) || c->fuzz_n < 1 || c->fuzz_n > 100000000) {
			snprintf(err, errlen, "bad --fuzz '%s': give a number of sequences from 1 to 100000000", v);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "seed") == 0) {
		if (kcli_parse_u64(val, &c->seed)) {
			snprintf(err, errlen, "bad --seed '%s': give a whole number from 0 to 18446744073709551615", v);
			return KEXIT_USAGE;
		}
		c->has_seed = 1;
	} else if (strcmp(name, "replay") == 0) {
		uint64_t k;
		if (kcli_parse_u64(val, &k) || k > 100000000) {
			snprintf(err, errlen, "bad --replay '%s': give the sequence number a fuzz run printed", v);
			return KEXIT_USAGE;
		}
		c->replay = (int64_t)k;
	} else if (strcmp(name, "variant") == 0) {
		if (strcmp(val, "minimal") && strcmp(val, "full") && strcmp(val, "both")) {
			snprintf(err, errlen, "unknown --variant '%s': valid values are minimal, full, both", v);
			return KEXIT_USAGE;
		}
		c->variant = val;
	} else if (strcmp(name, "mitigations") == 0) {
		char bad[64];
		if (kboot_mitigations_valid(val, bad, sizeof(bad)) != 0) {
			snprintf(err, errlen, "bad --mitigations '%s': '%s' is not one of %s, or "
					      "auto or all (comma separated)", v, ktext_short(bad, 40),
				 kboot_mitigation_choices());
			return KEXIT_USAGE;
		}
		c->mitigations = val;
	} else if (strcmp(name, "touch-pages") == 0) {
		if (kcli_parse_u32(val, 0, KBOOT_TOUCH_MAX, &c->touch_pages)) {
			snprintf(err, errlen, "bad --touch-pages '%s': give a number of pages from 0 to %u", v,
				 KBOOT_TOUCH_MAX);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "ring3-if") == 0) {
		if (strcmp(val, "0") && strcmp(val, "1")) {
			snprintf(err, errlen, "bad --ring3-if '%s': valid values are 0, 1", v);
			return KEXIT_USAGE;
		}
		c->ring3_if = val[0] - '0';
	} else if (strcmp(name, "kernel") == 0) {
		c->kernel = val;
	} else if (strcmp(name, "mode") == 0) {
		if (kboot_mode_parse(val, &c->mode_given) != 0) {
			snprintf(err, errlen, "unknown --mode '%s': valid values are %s", v,
				 KBOOT_MODE_CHOICES);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "fred") == 0) {
		c->fred = 1;
	} else if (strcmp(name, "verbose") == 0) {
		c->verbose = 1;
	} else if (strcmp(name, "json") == 0) {
		c->json = val;
	} else if (strcmp(name, "csv") == 0) {
		c->csv = val;
	} else if (strcmp(name, "markdown") == 0) {
		c->markdown = val;
	} else if (strcmp(name, "progress") == 0) {
		c->progress = 1;
	} else if (strcmp(name, "no-progress") == 0) {
		c->progress = 0;
	} else if (strcmp(name, "serial") == 0) {
		c->serial = val;
	} else if (strcmp(name, "world") == 0) {
		if (strcmp(val, "linux") && strcmp(val, "bare-metal")) {
			snprintf(err, errlen, "unknown --world '%s': valid values are linux, bare-metal", v);
			return KEXIT_USAGE;
		}
		c->world = val;
	} else if (strcmp(name, "force") == 0) {
		c->force = 1;
	} else if (strcmp(name, "threshold") == 0) {
		if (kcli_parse_number(val, 0, 100, &c->threshold)) {
			snprintf(err, errlen, "bad --threshold '%s': give a percentage from 0 to 100", v);
			return KEXIT_USAGE;
		}
	} else if (strcmp(name, "ns") == 0) {
		c->ns = 1;
	} else if (strcmp(name, "output") == 0) {
		c->output = val;
	} else if (strcmp(name, "kind") == 0) {
		if (strcmp(val, "bars") && strcmp(val, "dist")) {
			snprintf(err, errlen, "unknown --kind '%s': valid values are bars, dist", v);
			return KEXIT_USAGE;
		}
		c->kind = val;
	} else if (strcmp(name, "log") == 0) {
		c->log = 1;
	} else if (strcmp(name, "label") == 0) {
		if (c->n_labels == KCLI_MAX_FILES) {
			snprintf(err, errlen, "--label: at most %d labels, one per file", KCLI_MAX_FILES);
			return KEXIT_USAGE;
		}
		c->labels[c->n_labels++] = val;
	} else if (strcmp(name, "title") == 0) {
		c->title = val;
	}
	return 0;
}

/* Checks that need the whole command line. */
static int final_checks(struct kcli *c, char *err, size_t errlen)
{
	if (strcmp(c->emulator, "bochs") == 0 && strcmp(c->accel, "auto") != 0) {
		snprintf(err, errlen, "--accel is QEMU's: Bochs emulates every instruction (leave "
				      "--accel out with --emulator bochs)");
		return KEXIT_USAGE;
	}
	if (c->icount && strcmp(c->accel, "kvm") == 0) {
		snprintf(err, errlen, "--icount needs --accel tcg (or auto): KVM cannot count instructions");
		return KEXIT_USAGE;
	}
	if (c->cmd == KCMD_SHOW && c->serial && c->n_files != 0) {
		snprintf(err, errlen, "show reads one input: a result file or --serial LOG, not both");
		return KEXIT_USAGE;
	}
	if (c->cmd == KCMD_SHOW && !c->serial && c->n_files != 1) {
		snprintf(err, errlen, "show needs one result file: kentry show FILE.json (or kentry "
				      "show --serial LOG)");
		return KEXIT_USAGE;
	}
	if (c->cmd == KCMD_SHOW && c->serial) {
		c->files[0] = c->serial; /* the input, whichever kind */
		c->n_files = 1;
	}
	if (c->cmd == KCMD_COMPARE && c->n_files != 2) {
		snprintf(err, errlen, "compare needs two result files: kentry compare OLD.json NEW.json");
		return KEXIT_USAGE;
	}
	if (c->cmd == KCMD_EXEC && !c->exec_argc) {
		snprintf(err, errlen, "exec needs a program: kentry exec [options] PROGRAM [ARGS...]");
		return KEXIT_USAGE;
	}
	if (c->cmd == KCMD_PLOT) {
		if (c->n_files == 0) {
			snprintf(err, errlen, "plot needs at least one result file: kentry plot "
					      "RUN.json... -o FILE.svg");
			return KEXIT_USAGE;
		}
		if (!c->output) {
			snprintf(err, errlen, "plot needs an output: -o FILE.svg (or -o - for "
					      "standard output)");
			return KEXIT_USAGE;
		}
		size_t ol = strlen(c->output);
		if (strcmp(c->output, "-") != 0 && (ol < 4 || strcasecmp(c->output + ol - 4, ".svg"))) {
			snprintf(err, errlen, "plot writes SVG: name the output FILE.svg, not '%s' "
					      "(a browser or rsvg-convert turns it into PNG)",
				 ktext_arg(c->output));
			return KEXIT_USAGE;
		}
		if (c->n_labels && c->n_labels != c->n_files) {
			snprintf(err, errlen, "%zu --label for %zu files: give one per file, in order",
				 c->n_labels, c->n_files);
			return KEXIT_USAGE;
		}
	}
	if (c->op == KOP_GETTIMEOFDAY && (c->cmd == KCMD_BOOT || c->cmd == KCMD_ALL) &&
	    (c->variant || c->selftest || c->fuzz_n || c->replay >= 0)) {
		snprintf(err, errlen, "--op gettimeofday measures the Linux system-call paths, which "
				      "are always the full ones: --variant, --selftest and --fuzz do "
				      "not apply");
		return KEXIT_USAGE;
	}
	if (c->selftest && (c->fuzz_n || c->replay >= 0)) {
		snprintf(err, errlen, "--selftest and --fuzz are two different runs: give one of them");
		return KEXIT_USAGE;
	}
	if (c->cases && !c->selftest) {
		snprintf(err, errlen, "--case selects self-test cases: it needs --selftest");
		return KEXIT_USAGE;
	}
	if ((c->has_seed || c->replay >= 0) && !c->fuzz_n && c->replay < 0) {
		snprintf(err, errlen, "--seed needs --fuzz N (or --replay K)");
		return KEXIT_USAGE;
	}
	if (c->replay >= 0 && !c->has_seed) {
		snprintf(err, errlen, "--replay K needs the --seed S of the run that printed K");
		return KEXIT_USAGE;
	}
	if ((c->selftest || c->fuzz_n || c->replay >= 0) &&
	    (c->n_only || c->variant || c->samples || c->touch_pages)) {
		snprintf(err, errlen, "--only, --variant, --samples and --touch-pages are for measuring runs, not --selftest or --fuzz (which use the full variant of every path)");
		return KEXIT_USAGE;
	}
	if (c->mitigations && c->variant && strcmp(c->variant, "minimal") == 0) {
		snprintf(err, errlen, "--mitigations applies to the full variant: it needs --variant full or both, not minimal");
		return KEXIT_USAGE;
	}
	/* --cpu A,B: one boot per model, for --selftest and --fuzz */
	if (c->guest_cpu && strchr(c->guest_cpu, ',')) {
		if (!c->selftest && !c->fuzz_n && c->replay < 0) {
			snprintf(err, errlen, "a list of CPU models ('%s') is for --selftest and --fuzz; measure one model per run", ktext_arg(c->guest_cpu));
			return KEXIT_USAGE;
		}
		if (strlen(c->guest_cpu) >= sizeof(c->models_buf)) {
			snprintf(err, errlen, "--cpu: list too long");
			return KEXIT_USAGE;
		}
		strcpy(c->models_buf, c->guest_cpu);
		char *save = NULL;
		for (char *t = strtok_r(c->models_buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (c->n_models == sizeof(c->models) / sizeof(c->models[0])) {
				snprintf(err, errlen, "--cpu: at most 8 models");
				return KEXIT_USAGE;
			}
			c->models[c->n_models++] = t;
		}
	} else if (c->selftest || c->fuzz_n || c->replay >= 0) {
		if (c->guest_cpu) {
			c->models[c->n_models++] = c->guest_cpu;
		} else if (c->replay >= 0) {
			c->models[c->n_models++] = "intel";
		} else {
			/* both vendors' rules by default */
			c->models[c->n_models++] = "intel";
			c->models[c->n_models++] = "amd";
		}
	}
	/* Two outputs that are one file, or an output that is an input, are
	 * the command's to refuse (outputs.c): it compares the files
	 * themselves, not their names. */
	if (!c->guest_cpu)
		c->guest_cpu = "auto";
	if (!c->kind)
		c->kind = "bars";
	int rc = validate_only(c, err, errlen);
	return rc ? rc : resolve_modes(c, err, errlen);
}

int kcli_parse(int argc, char **argv, struct kcli *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->cmd = KCMD_ALL;
	c->op = KOP_NULL;
	c->pin_cpu = -1;
	c->emulator = "qemu";
	c->accel = "auto";
	c->guest_cpu = NULL;
	c->progress = -1;
	c->threshold = -1;
	c->ring3_if = -1;
	c->replay = -1;
	err[0] = '\0';

	int i = 1;
	if (argc > 1 && argv[1][0] != '-') {
		int k = find_command(argv[1]);
		if (k < 0) {
			snprintf(err, errlen, "unknown command '%s': valid commands are " VALID_COMMANDS,
				 ktext_arg(argv[1]));
			return KEXIT_USAGE;
		}
		c->cmd = commands[k].c;
		i = 2;
		if (c->cmd == KCMD_HELP) {
			if (argc > 3) {
				snprintf(err, errlen, "help takes one command: kentry help COMMAND");
				return KEXIT_USAGE;
			}
			c->help_topic = argc > 2 ? argv[2] : NULL;
			if (c->help_topic && (find_command(c->help_topic) < 0 ||
					      strcmp(c->help_topic, "help") == 0 ||
					      strcmp(c->help_topic, "version") == 0)) {
				snprintf(err, errlen, "help: unknown command '%s': valid commands are "
						      "bench, boot, list, show, compare, plot, exec",
					 ktext_arg(c->help_topic));
				return KEXIT_USAGE;
			}
			return 0;
		}
	}

	int only_dash = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (c->cmd == KCMD_EXEC && (only_dash || a[0] != '-' || strcmp(a, "-") == 0)) {
			/* the program, then its arguments as they are */
			c->exec_argv = &argv[i];
			c->exec_argc = argc - i;
			break;
		}
		if (only_dash || a[0] != '-' || strcmp(a, "-") == 0) {
			if (c->n_files < max_files(c->cmd)) {
				c->files[c->n_files++] = a;
				continue;
			}
			if (c->cmd == KCMD_PLOT)
				snprintf(err, errlen, "plot draws at most %d result files", KCLI_MAX_FILES);
			else
				snprintf(err, errlen, "unexpected argument '%s' (see 'kentry %s%s--help')",
					 ktext_arg(a), c->cmd == KCMD_ALL ? "" : cmd_name(c->cmd),
					 c->cmd == KCMD_ALL ? "" : " ");
			return KEXIT_USAGE;
		}
		if (strcmp(a, "--") == 0) {
			only_dash = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0)
			a = "--help";
		else if (strcmp(a, "-o") == 0)
			a = "--output";
		if (a[1] != '-') {
			char valid[1024];
			valid_options(c->cmd, valid, sizeof(valid));
			snprintf(err, errlen, "unknown option '%s': valid options of '%s' are %s%s",
				 ktext_arg(a), cmd_name(c->cmd), valid,
				 c->cmd == KCMD_PLOT ? ", -o" : "");
			return KEXIT_USAGE;
		}
		const char *name = a + 2, *val = NULL;
		char namebuf[64];
		const char *eq = strchr(name, '=');
		if (eq) {
			size_t n = (size_t)(eq - name);
			if (n >= sizeof(namebuf))
				n = sizeof(namebuf) - 1;
			memcpy(namebuf, name, n);
			namebuf[n] = '\0';
			name = namebuf;
			val = eq + 1;
		}
		const struct opt *o = NULL;
		for (size_t k = 0; k < sizeof(opts) / sizeof(*opts); k++)
			if (strcmp(opts[k].name, name) == 0)
				o = &opts[k];
		if (!o) {
			char valid[1024];
			valid_options(c->cmd, valid, sizeof(valid));
			snprintf(err, errlen, "unknown option '--%s': valid options of '%s' are %s",
				 ktext_arg(name), cmd_name(c->cmd), valid);
			return KEXIT_USAGE;
		}
		if (!(o->allowed & cmd_bit(c->cmd)) && c->cmd != KCMD_HELP) {
			snprintf(err, errlen, "option '--%s' does not apply to '%s'", name,
				 cmd_name(c->cmd));
			return KEXIT_USAGE;
		}
		if (o->has_arg && !val) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "option '--%s' needs a value", name);
				return KEXIT_USAGE;
			}
			val = argv[++i];
		} else if (!o->has_arg && val) {
			snprintf(err, errlen, "option '--%s' takes no value", name);
			return KEXIT_USAGE;
		}
		if (o->has_arg && !*val) {
			snprintf(err, errlen, "option '--%s' needs a non-empty value", name);
			return KEXIT_USAGE;
		}

		if (strcmp(name, "help") == 0) {
			c->help_topic = c->cmd == KCMD_ALL ? NULL : cmd_name(c->cmd);
			c->cmd = KCMD_HELP;
			return 0;
		} else if (strcmp(name, "version") == 0) {
			c->cmd = KCMD_VERSION;
			return 0;
		}
		int rc = apply_option(c, name, val, err, errlen);
		if (rc)
			return rc;
	}
	return final_checks(c, err, errlen);
}

#define OUTPUTS_HELP                                                                 \
	"  --json FILE, --csv FILE, --markdown FILE\n"                                   \
	"                      also write the results there, whole or not at all; '-'\n" \
	"                      is standard output (the table then goes to stderr); a\n"  \
	"                      device or FIFO is written through, a symbolic link's\n"    \
	"                      target is replaced, never the link\n"

void kcli_usage(const char *topic)
{
	if (topic && strcmp(topic, "bench") == 0) {
		printf("usage: kentry bench [options]\n\n"
		       "Times every path from user space into the Linux kernel on this machine.\n\n"
		       "  --only ID,ID        measure only these paths (see 'kentry list')\n"
		       "  --op null|gettimeofday\n"
		       "                      null (default): the cheapest call each path can make,\n"
		       "                      the cost of getting in and out; gettimeofday: the\n"
		       "                      seed's table, through every path that offers it\n"
		       "  --quick             fewer samples and rounds, no spreading (under a second)\n"
		       "  --samples N         samples per path in each round, 10 to 1000000 (default\n"
		       "                      1000, quick 100)\n"
		       "  --rounds N          rounds per path (default 10, quick 3): every path is\n"
		       "                      sampled round-robin, rounds spread over about 3 s;\n"
		       "                      the headline is the lower quartile of the round\n"
		       "                      medians; a path whose rounds were disturbed gets N\n"
		       "                      more, and is flagged if that persists\n"
		       "  --batch N           calls per sample (default: chosen per path so that a\n"
		       "                      sample lasts ~20,000 TSC ticks; statistics are then of\n"
		       "                      batch means); --batch 1 times single calls, fenced,\n"
		       "                      so min, median, p99 and max are single-call figures\n"
		       "  --cpu N             pin to CPU N (default: the CPU kentry starts on); a\n"
		       "                      CPU this process may not use is an error (status 2)\n"
		       OUTPUTS_HELP
		       "  --progress, --no-progress\n"
		       "                      progress on stderr (default: when it is a terminal)\n");
		return;
	}
	if (topic && strcmp(topic, "boot") == 0) {
		printf("usage: kentry boot [options]\n\n"
		       "Boots kentry's own kernel under QEMU or Bochs: it installs every x86 entry\n"
		       "mechanism and times round trips from ring 3, to an empty handler and\n"
		       "through a full kernel path (--variant), or runs hostile ring-3 programs\n"
		       "against the full paths (--selftest, --fuzz).\n\n"
		       "  --emulator qemu|bochs\n"
		       "                      qemu (default): loads the kernel itself, KVM or TCG;\n"
		       "                      bochs: boots the GRUB image (make kernel-iso), counts\n"
		       "                      instructions (KENTRY_BOCHS names another Bochs)\n"
		       "  --accel auto|kvm|tcg  QEMU: auto (default) runs KVM when it can run the\n"
		       "                      guest, otherwise TCG, saying why\n"
		       "  --cpu intel|amd|host|auto|MODEL\n"
		       "                      CPU model; intel and amd pick a model of that vendor;\n"
		       "                      auto (default): QEMU host under KVM, max under TCG,\n"
		       "                      Bochs a model of the host's vendor; MODEL: a name from\n"
		       "                      qemu-system-x86_64 -cpu help or bochs --help cpu; an\n"
		       "                      unknown model is refused before anything runs\n"
		       "  --icount            QEMU instruction counting: deterministic counts of\n"
		       "                      guest instructions instead of TSC ticks (TCG only;\n"
		       "                      Bochs always counts)\n"
		       "  --batch N           round trips per sample (default: chosen per path);\n"
		       "                      --batch 1 times single round trips\n"
		       "  --variant minimal|full|both\n"
		       "                      which kernel side of each path (default both):\n"
		       "                      minimal: the empty handler, only what the hardware\n"
		       "                      needs, not safe against hostile user state; full:\n"
		       "                      what a real kernel does (kernel stack, one register\n"
		       "                      frame, user flags and registers cleared, one C\n"
		       "                      dispatcher, the fast exit only when safe); the table\n"
		       "                      shows what full adds over minimal (+N); the legacy\n"
		       "                      kernel has the minimal variant only\n"
		       "  --mitigations LIST  the full variant again with each of these mitigations\n"
		       "                      alone and with the whole list (variants full+NAME,\n"
		       "                      full+all; docs/mitigations.md): kpti, kpti-pcid,\n"
		       "                      swapgs, verw, ibrs, ibpb, rsb, bhb; auto: the set\n"
		       "                      Linux would choose on this CPU; all: every one. One\n"
		       "                      that cannot run here is skipped with its reason.\n"
		       "                      With --selftest or --fuzz: run them with the whole\n"
		       "                      list applied. With --op gettimeofday: every row\n"
		       "                      again with each (syscall@full+kpti, ...), the Linux\n"
		       "                      process with KPTI user tables of its own\n"
		       "  --touch-pages N     ring 3 reads N distinct pages after each return, in\n"
		       "                      the timed loop and its empty twin: what a flushing\n"
		       "                      CR3 switch costs the TLB (0 to 256, default 0)\n"
		       "  --selftest          instead of measuring: run the hostile ring-3 cases\n"
		       "                      (docs/selftest.md) against the full variant of every\n"
		       "                      path, one boot per CPU model (default --cpu intel,amd,\n"
		       "                      under -icount unless --accel kvm); prints case,\n"
		       "                      expected and observed per model; status 1 on a failure\n"
		       "  --case N,N          with --selftest: only these cases (0 to 18; 14 to 18\n"
		       "                      are FRED's and imply --fred)\n"
		       "  --fuzz N            instead of measuring: N random ring-3 sequences through\n"
		       "                      the full paths, each followed by the kernel's integrity\n"
		       "                      checks; stops at the first broken invariant (under\n"
		       "                      -icount unless --accel kvm: a replay is then exact)\n"
		       "  --seed S            the fuzzer's seed (default: from the clock, printed)\n"
		       "  --replay K          with --seed S: run only sequence K, shown in detail;\n"
		       "                      with --fuzz N, sequences K to K+N-1\n"
		       "  --ring3-if 0|1      RFLAGS.IF while ring 3 runs: 1 (default) as in a real\n"
		       "                      kernel, every interrupt source masked at the PIC and\n"
		       "                      APIC; 0 the older mode (no sti before sysexit)\n"
		       "  --mode long|legacy32|all\n"
		       "                      which kernel: long (default), the 64-bit kernel;\n"
		       "                      legacy32, the 32-bit protected-mode kernel (task\n"
		       "                      gates, call gates with parameters, legacy\n"
		       "                      sysenter/syscall); all, both in one run, the legacy\n"
		       "                      paths shown beside their long-mode counterparts\n"
		       "  --fred              the long-mode kernel's FRED mode too: every fred-* path\n"
		       "                      (syscall, sysenter, int n, int3, exceptions delivered\n"
		       "                      as FRED events, back with eretu) beside its IDT\n"
		       "                      counterpart on the same CPU; needs a CPU with FRED\n"
		       "                      (CPUID.(EAX=7,ECX=1):EAX[17]), e.g. Bochs's\n"
		       "                      wildcat_lake (KENTRY_BOCHS), else the fred-* paths\n"
		       "                      are skipped with that reason; with --selftest, the\n"
		       "                      FRED hostile cases run too\n"
		       "  --op null|gettimeofday\n"
		       "                      null (default): the round trips above; gettimeofday:\n"
		       "                      the seed's table on kentry's kernel, gettimeofday\n"
		       "                      through every Linux path (int 0x80 from 64- and 32-bit\n"
		       "                      code, sysenter raw and through __kernel_vsyscall,\n"
		       "                      syscall from 64- and 32-bit code, the vsyscall page\n"
		       "                      emulated and native, the 64- and 32-bit vDSO) in a\n"
		       "                      Linux process, with the Linux world's ids\n"
		       "  --only ID,ID        only these paths (see 'kentry list --world bare-metal');\n"
		       "                      without --mode, the kernels of the ids named; a fred-*\n"
		       "                      id implies --fred\n"
		       "  --samples N         samples per path, 10 to 10000 (default 200, quick 30)\n"
		       "  --quick, --verbose, --progress, --no-progress\n"
		       OUTPUTS_HELP
		       "  --kernel FILE       boot this kernel image instead of the installed one\n"
		       "                      (one --mode only)\n\n"
		       "environment: KENTRY_QEMU (the QEMU binary), KENTRY_BOCHS (the Bochs binary),\n"
		       "KENTRY_ISO (Bochs's GRUB image), KENTRY_BOOT_TIMEOUT (seconds, the whole\n"
		       "run's limit).\n");
		return;
	}
	if (topic && strcmp(topic, "list") == 0) {
		printf("usage: kentry list [--world linux|bare-metal] [--op null|gettimeofday]\n\n"
		       "Lists every path with its id and world, and whether the Linux paths can\n"
		       "run on this machine (each is tried once in a contained child) and why not.\n");
		return;
	}
	if (topic && strcmp(topic, "show") == 0) {
		printf("usage: kentry show FILE.json [--json F] [--csv F] [--markdown F]\n"
		       "       kentry show --serial LOG [--json F] [--csv F] [--markdown F]\n\n"
		       "Prints a saved result file (schema version 1 or 2) as a table, or converts\n"
		       "it: --json writes it again in the current schema. A file that does not\n"
		       "follow docs/schema.md is refused, naming the field and the problem.\n"
		       "With --serial, reads a captured serial console of kentry's kernel instead\n"
		       "(IPMI serial-over-LAN, screen -L, minicom, an emulator's serial file):\n"
		       "the same tables and exports as kentry boot. A capture cut before the\n"
		       "kernel's end line, or with a line the kernel cannot have printed, is\n"
		       "refused with the line where it breaks. Either input refused: exit status\n"
		       "6; missing or unreadable: 3. With an output on '-', only that output is\n"
		       "printed.\n");
		return;
	}
	if (topic && strcmp(topic, "compare") == 0) {
		printf("usage: kentry compare OLD.json NEW.json [options]\n\n"
		       "Puts two saved runs side by side: first every environment fact that\n"
		       "differs, then per path the two medians, the difference, its percentage,\n"
		       "the 95%% confidence interval of that percentage and a verdict. A change\n"
		       "is significant when the interval (a bootstrap of the saved samples)\n"
		       "excludes zero and the change is larger than the noise floor; see\n"
		       "docs/method.md.\n\n"
		       "  --threshold PCT     the noise floor in percent (default 5 for timings,\n"
		       "                      0 for --icount instruction counts)\n"
		       "  --ns                compare nanoseconds instead of TSC ticks\n"
		       "  --force             compare runs of different units (instructions and\n"
		       "                      ticks) or of different worlds anyway, with a warning\n"
		       "  --json FILE, --csv FILE, --markdown FILE\n"
		       "                      write the comparison there ('-': standard output)\n");
		return;
	}
	if (topic && strcmp(topic, "exec") == 0) {
		printf("usage: kentry exec [options] PROGRAM [ARGS...]\n\n"
		       "Boots kentry's own kernel under QEMU or Bochs with a static Linux\n"
		       "executable (x86-64 or i386, ELF) and runs it in ring 3: its system calls\n"
		       "(syscall, int 0x80, sysenter, the vDSO's __kernel_vsyscall) are served by\n"
		       "kentry's kernel, its standard output and error are passed through, and\n"
		       "kentry exec exits with its exit status, or 128 + the signal when the kernel\n"
		       "killed it (what happened is printed on stderr). ARGS are passed as they\n"
		       "are, options among them included; standard input is empty. A file that is\n"
		       "not a static x86 executable is refused before anything boots (status 6).\n\n"
		       "  --emulator qemu|bochs, --accel auto|kvm|tcg, --cpu intel|amd|host|MODEL\n"
		       "                      as for kentry boot (default: QEMU, KVM when it can run\n"
		       "                      the guest, else TCG)\n"
		       "  --vsyscall none|xonly|emulate|native\n"
		       "                      the vsyscall page's mode (default xonly, as Linux)\n"
		       "  --mitigations LIST  run the program with these entry mitigations on (as\n"
		       "                      kentry boot --mitigations; with several, all together):\n"
		       "                      kpti gives the process user page tables of its own\n"
		       "  --env NAME=VALUE    put NAME in the program's environment (repeatable; the\n"
		       "                      environment is otherwise empty)\n"
		       "  --timeout S         stop the guest after S seconds (default: none)\n"
		       "  --verbose           the emulator's command line and the kernel's console\n"
		       "  --kernel FILE       boot this kernel image instead of the installed one\n\n"
		       "exit status: the program's; 128 + N when killed by signal N; kentry's own\n"
		       "failures, with a message starting 'kentry exec:': 2 bad command line, 3 the\n"
		       "program, emulator or kernel image is missing, 4 the guest failed or hung, 5\n"
		       "the program's output could not be written, 6 the program is not a static\n"
		       "x86 executable (the reason is named).\n");
		return;
	}
	if (topic && strcmp(topic, "plot") == 0) {
		printf("usage: kentry plot RUN.json... -o FILE.svg [options]\n\n"
		       "Draws saved runs as an SVG chart: by default the median of every path as\n"
		       "a bar per run, with a whisker from the 25th to the 75th percentile.\n\n"
		       "  -o FILE.svg, --output FILE.svg\n"
		       "                      where to write the chart ('-': standard output)\n"
		       "  --kind bars|dist    bars (default), or dist: each path's distribution\n"
		       "                      of samples as a box plot with its outliers\n"
		       "  --log               logarithmic axis (paths differ by 1000x)\n"
		       "  --label NAME        a name per run, in the order of the files (default:\n"
		       "                      the file name)\n"
		       "  --world linux|bare-metal\n"
		       "                      draw one world only\n"
		       "  --title TEXT        the chart's title\n");
		return;
	}
	printf("kentry %s: how programs enter the x86 kernel, measured\n\n"
	       "usage: kentry [options]            the Linux world, then the bare-metal world\n"
	       "       kentry bench [options]      every Linux entry path on this machine\n"
	       "       kentry boot [options]       kentry's own kernel under QEMU or Bochs\n"
	       "       kentry list                 every path, and whether it can run here\n"
	       "       kentry show FILE.json       print or convert saved results\n"
	       "       kentry show --serial LOG    results from a captured serial console\n"
	       "       kentry compare OLD NEW      two saved runs: what changed, beyond noise\n"
	       "       kentry plot RUN... -o F.svg a chart of saved runs\n"
	       "       kentry exec PROGRAM [ARGS]  run a static Linux program on kentry's kernel\n"
	       "       kentry help COMMAND         options of one command\n\n"
	       "options of the bare command: those of bench (--cpu N pins the Linux world)\n"
	       "and of boot (with --guest-cpu for the emulator's model); --samples up to 10000.\n"
	       "It boots both kernels (--mode all) unless --mode or --only says otherwise.\n\n"
	       "exit status: 0 success, 1 a requested measurement failed, 2 bad command\n"
	       "line (nothing ran), 3 a needed program, kernel image or input file is\n"
	       "missing or unreadable, 4 the guest failed, hung or reset, 5 an output file\n"
	       "or standard output could not be written (\"write error: ...\"), 6 a\n"
	       "malformed input file. While an output file is still to be written, a\n"
	       "closed pipe on standard output does not stop kentry; it says so at the end.\n",
	       KENTRY_VERSION);
}
