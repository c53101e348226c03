/* kentry boot: choosing the emulator, and what its runners share (the
 * kernel command line, the time limit, the files a run needs). See boot.h
 * and emu.h. */
#include "boot.h"
#include "bochs.h"
#include "emu.h"
#include "qemu.h"
#include "proc.h"
#include "util.h"
#include "results/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const kboot_emulator_choices = "qemu, bochs";

const char *const kboot_cpu_choices =
	"intel, amd, host (QEMU with KVM), auto, or a model name of the emulator "
	"(qemu-system-x86_64 -cpu help, bochs --help cpu)";

int kboot_emulator_known(const char *name)
{
	return name && (!strcmp(name, "qemu") || !strcmp(name, "bochs"));
}

static int is_bochs(const struct kboot_opts *o)
{
	return o->emulator && !strcmp(o->emulator, "bochs");
}

int kboot_validate(const struct kboot_opts *o, char *err, size_t errlen)
{
	err[0] = '\0';
	if (o->emulator && !kboot_emulator_known(o->emulator)) {
		snprintf(err, errlen, "unknown emulator '%s': valid values are %s", o->emulator,
			 kboot_emulator_choices);
		return 2;
	}
	return is_bochs(o) ? kbochs_validate(o, err, errlen) : kqemu_validate(o, err, errlen);
}

int kboot_run(const struct kboot_opts *o, struct krun *run, char *err, size_t errlen)
{
	err[0] = '\0';
	if (o->emulator && !kboot_emulator_known(o->emulator))
		return kboot_validate(o, err, errlen);
	return is_bochs(o) ? kbochs_run(o, run, err, errlen) : kqemu_run(o, run, err, errlen);
}

void kboot_cmdline(const struct kboot_opts *o, char *buf, size_t len)
{
	buf[0] = '\0';
	if (o->samples)
		bufcat(buf, len, "samples=%u", (unsigned)o->samples);
	if (o->only && o->n_only) {
		bufcat(buf, len, "%sonly=", buf[0] ? " " : "");
		for (size_t i = 0; i < o->n_only; i++)
			bufcat(buf, len, "%s%s", i ? "," : "", o->only[i]);
	}
	if (o->quick)
		bufcat(buf, len, "%squick", buf[0] ? " " : "");
	if (o->batch)
		bufcat(buf, len, "%sbatch=%u", buf[0] ? " " : "", (unsigned)o->batch);
	if (o->variant && strcmp(o->variant, "both") != 0)
		bufcat(buf, len, "%svariant=%s", buf[0] ? " " : "", o->variant);
	if (o->mitigations)
		bufcat(buf, len, "%smitigations=%s", buf[0] ? " " : "", o->mitigations);
	if (o->touch_pages)
		bufcat(buf, len, "%stouch_pages=%u", buf[0] ? " " : "", (unsigned)o->touch_pages);
	if (o->selftest)
		bufcat(buf, len, "%sselftest%s%s", buf[0] ? " " : "", o->selftest_cases ? "=" : "",
		       o->selftest_cases ? o->selftest_cases : "");
	if (o->fuzz_n || o->fuzz_has_replay)
		bufcat(buf, len, "%sfuzz=%llu seed=%llu", buf[0] ? " " : "",
		       (unsigned long long)o->fuzz_n, (unsigned long long)o->fuzz_seed);
	if (o->fuzz_has_replay)
		bufcat(buf, len, " replay=%llu", (unsigned long long)o->fuzz_replay);
	if ((o->fuzz_n || o->fuzz_has_replay) && o->fuzz_wd)
		bufcat(buf, len, " fuzz_wd=%u", (unsigned)o->fuzz_wd);
	if (o->ring3_if)
		bufcat(buf, len, "%sring3_if=%s", buf[0] ? " " : "", o->ring3_if);
	if (o->fred)
		bufcat(buf, len, "%sfred", buf[0] ? " " : "");
	if (o->vsyscall)
		bufcat(buf, len, "%svsyscall=%s", buf[0] ? " " : "", o->vsyscall);
	if (o->op_gtod)
		bufcat(buf, len, "%sop=gettimeofday", buf[0] ? " " : "");
	const char *more = getenv("KENTRY_BOOT_APPEND");
	if (more && *more)
		bufcat(buf, len, "%s%s", buf[0] ? " " : "", more);
}

double kboot_limit(const struct kboot_opts *o, double full_s, double quick_s)
{
	if (o->timeout_s > 0)
		return o->timeout_s;
	double limit = o->quick ? quick_s : full_s;
	if (o->samples > 200)
		limit *= o->samples / 200.0;
	return limit;
}

int kboot_need_file(const char *what, const char *path, const char *hint, char *err,
		    size_t errlen)
{
	struct stat st;
	int rc = stat(path, &st), e = errno;
	if (rc == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0)
		return 0;
	snprintf(err, errlen, "%s %s %s: %s", what, ktext_arg(path),
		 rc != 0 && e == ENOENT ? "not found" : "is not a readable file", hint);
	return 3;
}

int kboot_need_program(const char *env_var, const char *name, const char *hint, char **prog,
		       char *err, size_t errlen)
{
	const char *env = getenv(env_var);
	*prog = NULL;
	if (env && *env) {
		struct stat st;
		if (stat(env, &st) != 0)
			snprintf(err, errlen, "%s=%s: %s", env_var, ktext_arg(env), strerror(errno));
		else if (!S_ISREG(st.st_mode) || access(env, X_OK) != 0)
			snprintf(err, errlen, "%s=%s: not an executable file", env_var,
				 ktext_arg(env));
		else
			*prog = xstrdup(env);
		return *prog ? 0 : 3;
	}
	*prog = find_program(NULL, name);
	if (*prog)
		return 0;
	snprintf(err, errlen, "%s not found: %s", name, hint);
	return 3;
}

const char *kboot_shorthand_vendor(const char *cpu)
{
	if (cpu && !strcmp(cpu, "intel"))
		return "GenuineIntel";
	if (cpu && !strcmp(cpu, "amd"))
		return "AuthenticAMD";
	return NULL;
}
