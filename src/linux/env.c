/* kentry: Linux environment facts. See env.h and linux.h. */
#include "env.h"
#include "linux.h"
#include "core/cpuinfo.h"
#include "core/tsc.h"
#include "core/stats.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void trim_copy(char *out, size_t outlen, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

int kenv_cpuinfo_field(const char *cpuinfo, const char *field, char *out,
		       size_t outlen)
{
	size_t flen = strlen(field);
	const char *line = cpuinfo;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *colon = memchr(line, ':', len);
		if (colon) {
			size_t klen = (size_t)(colon - line);
			while (klen && isspace((unsigned char)line[klen - 1]))
				klen--;
			if (klen == flen && strncmp(line, field, flen) == 0) {
				trim_copy(out, outlen, colon + 1,
					  len - (size_t)(colon + 1 - line));
				return 0;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

/* Kernel command-line tokens, in order, up to the "--" after which the
 * words belong to init. Returns the next token and its length, or NULL. */
static const char *next_param(const char **cursor, size_t *len)
{
	const char *p = *cursor;
	if (!p)
		return NULL;
	while (*p && isspace((unsigned char)*p))
		p++;
	const char *tok = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	*cursor = p;
	*len = (size_t)(p - tok);
	if (*len == 0 || (*len == 2 && strncmp(tok, "--", 2) == 0))
		return NULL;
	return tok;
}

/* Whether token tok (length tlen) is `key` or `key=...`. */
static int param_is(const char *tok, size_t tlen, const char *key)
{
	size_t klen = strlen(key);
	return tlen >= klen && strncmp(tok, key, klen) == 0 &&
	       (tlen == klen || tok[klen] == '=');
}

const char *kenv_cmdline_value(const char *cmdline, const char *key, char *out,
			       size_t outlen)
{
	size_t klen = strlen(key), tlen;
	const char *found = NULL, *tok, *cur = cmdline;
	while ((tok = next_param(&cur, &tlen)) != NULL) {
		if (!param_is(tok, tlen, key))
			continue;
		/* the last occurrence wins, as in the kernel */
		found = tok;
		if (tlen == klen)
			trim_copy(out, outlen, "", 0);
		else
			trim_copy(out, outlen, tok + klen + 1, tlen - klen - 1);
	}
	return found ? out : NULL;
}

static const char *const mitigation_keys[] = {
	"mitigations", "pti", "nopti", "kpti", "spectre_v2", "spectre_v2_user",
	"nospectre_v1", "nospectre_v2", "spec_store_bypass_disable", "nospec_store_bypass_disable",
	"ssbd", "mds", "tsx", "tsx_async_abort", "l1tf", "srbds", "retbleed",
	"spec_rstack_overflow", "spectre_bhi", "gather_data_sampling", "mmio_stale_data",
	"reg_file_data_sampling", "vsyscall", "ia32_emulation", "nosmep", "nosmap",
	"noibrs", "noibpb", "nopcid", "noinvpcid", "l1d_flush", "indirect_target_selection",
	"tsa", "vmscape", "nospectre_bhb",
};

void kenv_mitigation_switches(const char *cmdline, char *out, size_t outlen)
{
	size_t used = 0, tlen;
	if (outlen)
		out[0] = '\0';
	const char *tok, *cur = cmdline;
	while ((tok = next_param(&cur, &tlen)) != NULL) {
		for (size_t k = 0; k < sizeof(mitigation_keys) / sizeof(*mitigation_keys); k++) {
			if (!param_is(tok, tlen, mitigation_keys[k]))
				continue;
			if (used + tlen + 2 <= outlen) {
				if (used)
					out[used++] = ' ';
				memcpy(out + used, tok, tlen);
				used += tlen;
				out[used] = '\0';
			}
			break;
		}
	}
}

const char *kenv_vsyscall_mode(const char *maps, const char *cmdline,
			       const char **source)
{
	char v[32];
	if (cmdline && kenv_cmdline_value(cmdline, "vsyscall", v, sizeof(v))) {
		*source = "kernel command line";
		if (strcmp(v, "none") == 0)
			return "none";
		if (strcmp(v, "xonly") == 0)
			return "xonly";
		if (strcmp(v, "emulate") == 0)
			return "emulate";
		if (strcmp(v, "native") == 0)
			return "native";
	}
	*source = "/proc/self/maps";
	const char *line = maps;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len >= 10 && memmem(line, len, "[vsyscall]", 10)) {
			const char *sp = memchr(line, ' ', len);
			if (sp && (size_t)(sp - line) + 5 <= len) {
				/* permissions: "r-xp" readable (emulate or the
				 * old native mode), "--xp" execute-only */
				if (sp[1] == 'r')
					return "emulate";
				return "xonly";
			}
		}
		line = end ? end + 1 : NULL;
	}
	return "none";
}

/* 1 when `word` is one of the blank-separated words of list */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n) {
		int start = p == list || p[-1] == ' ' || p[-1] == '\t';
		int stop = p[n] == '\0' || p[n] == ' ' || p[n] == '\n' || p[n] == '\t';
		if (start && stop)
			return 1;
	}
	return 0;
}

const char *kenv_fred(const char *cpuinfo_flags)
{
	if (!cpuinfo_flags)
		return "unknown";
	return has_word(cpuinfo_flags, "fred") ? "on" : "off";
}

const char *kenv_kpti(const char *meltdown, const char *cpuinfo_flags)
{
	if (meltdown) {
		if (strstr(meltdown, "PTI"))
			return "yes";
		if (strstr(meltdown, "Not affected") || strstr(meltdown, "Vulnerable"))
			return "no";
	}
	if (cpuinfo_flags) /* the "pti" flag is set when page-table isolation is on */
		return has_word(cpuinfo_flags, "pti") ? "yes" : "no";
	return "unknown";
}

char *kenv_read_file(const char *root, const char *path)
{
	char full[4096];
	snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	FILE *f = fopen(full, "re");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= (1u << 22))
				break; /* 4 MiB is plenty for any file read here */
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		if (got == 0)
			break;
		n += got;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void set_trimmed(struct kenv *env, const char *key, const char *text)
{
	char v[1024];
	trim_copy(v, sizeof(v), text ? text : "", text ? strlen(text) : 0);
	kenv_set(env, key, v);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect_vulnerabilities(struct kenv *env, const char *root)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/cpu/vulnerabilities", root);
	DIR *d = opendir(dir);
	if (!d) {
		kenv_set(env, "vulnerabilities", "unavailable (no sysfs vulnerabilities directory)");
		return;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < 256) {
		if (de->d_name[0] == '.')
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[512], key[512];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", names[i]);
		snprintf(key, sizeof(key), "vulnerabilities.%s", names[i]);
		char *t = kenv_read_file(root, path);
		set_trimmed(env, key, t ? t : "unreadable");
		free(t);
		free(names[i]);
	}
}

void kenv_collect(struct kenv *env, const char *root)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	char *cpuinfo = kenv_read_file(root, "/proc/cpuinfo");
	char *cmdline = kenv_read_file(root, "/proc/cmdline");
	char *maps = kenv_read_file(root, "/proc/self/maps");
	char *meltdown = kenv_read_file(root, "/sys/devices/system/cpu/vulnerabilities/meltdown");
	char *status = kenv_read_file(root, "/proc/self/status");
	char v[4096];

	kenv_set(env, "cpu.vendor", ci.vendor);
	kenv_setf(env, "cpu.family", "%u", ci.family);
	kenv_setf(env, "cpu.model", "%u", ci.model);
	kenv_setf(env, "cpu.stepping", "%u", ci.stepping);
	kenv_set(env, "cpu.name", ci.brand[0] ? ci.brand : "unknown");
	if (cpuinfo && kenv_cpuinfo_field(cpuinfo, "microcode", v, sizeof(v)) == 0)
		kenv_set(env, "cpu.microcode", v);
	else
		kenv_set(env, "cpu.microcode", "unknown");
	kenv_set(env, "hypervisor", ci.hv_signature[0] ? ci.hv_signature : "none");
	kenv_set(env, "cpu.invariant_tsc", ci.has_invariant_tsc ? "yes" : "no");
	kenv_set(env, "cpu.rdtscp", ci.has_rdtscp ? "yes" : "no");
	kenv_set(env, "cpu.pcid", ci.has_pcid ? "yes" : "no");
	kenv_setf(env, "cpu.online", "%ld", sysconf(_SC_NPROCESSORS_ONLN));

	struct utsname u;
	if (root[0] == '\0' && uname(&u) == 0) {
		kenv_set(env, "kernel.release", u.release);
		kenv_set(env, "kernel.version", u.version);
	} else {
		char *rel = kenv_read_file(root, "/proc/sys/kernel/osrelease");
		set_trimmed(env, "kernel.release", rel ? rel : "unknown");
		free(rel);
	}

	char flags[8192] = "";
	if (cpuinfo)
		kenv_cpuinfo_field(cpuinfo, "flags", flags, sizeof(flags));
	kenv_set(env, "kpti", kenv_kpti(meltdown, cpuinfo ? flags : NULL));
	/* FRED: what the CPU offers, whether this kernel uses it (the cpuinfo
	 * flag), and what the command line asked */
	kenv_set(env, "cpu.fred", ci.has_fred ? "yes" : "no");
	kenv_set(env, "kernel.fred", kenv_fred(cpuinfo ? flags : NULL));
	if (cmdline && kenv_cmdline_value(cmdline, "fred", v, sizeof(v)))
		kenv_setf(env, "kernel.cmdline_fred", "fred=%s", v);
	else
		kenv_set(env, "kernel.cmdline_fred", "none");

	const char *src = NULL;
	kenv_set(env, "vsyscall.mode", kenv_vsyscall_mode(maps, cmdline, &src));
	kenv_set(env, "vsyscall.source", src);

	kenv_mitigation_switches(cmdline ? cmdline : "", v, sizeof(v));
	kenv_set(env, "kernel.cmdline_mitigations", v[0] ? v : "none");
	if (cmdline && kenv_cmdline_value(cmdline, "ia32_emulation", v, sizeof(v)))
		kenv_set(env, "kernel.ia32_emulation", v);

	if (status && kenv_cpuinfo_field(status, "Seccomp", v, sizeof(v)) == 0)
		kenv_set(env, "seccomp",
			 strcmp(v, "0") == 0 ? "none" : strcmp(v, "1") == 0 ? "strict" : "filter");

	collect_vulnerabilities(env, root);

	free(cpuinfo);
	free(cmdline);
	free(maps);
	free(meltdown);
	free(status);
}

static double mono_raw_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Counts TSC ticks across 5 windows of ~4 ms of CLOCK_MONOTONIC_RAW (not
 * slewed by NTP) and returns the median rate, or 0. Each window's edges
 * are bracketed by two clock reads so that a preemption between the TSC
 * read and the clock read shows up as a wide bracket and that window is
 * retried. The caller should be pinned to one CPU. */
double klinux_tsc_measure(void)
{
	double hz[5];
	int got = 0, tries = 0;
	while (got < 5 && tries < 50) {
		tries++;
		double a0 = mono_raw_ns();
		uint64_t t0 = ktsc_read();
		double a1 = mono_raw_ns();
		double target = a1 + 4e6, b0, b1;
		uint64_t t1;
		do {
			b0 = mono_raw_ns();
			t1 = ktsc_read();
			b1 = mono_raw_ns();
		} while (b0 < target);
		if (a1 - a0 > 2000.0 || b1 - b0 > 2000.0)
			continue;
		double ns = ((b0 + b1) / 2.0) - ((a0 + a1) / 2.0);
		hz[got++] = (double)(t1 - t0) * 1e9 / ns;
	}
	if (got == 0)
		return 0.0;
	struct kstats s;
	kstats_compute(hz, (size_t)got, &s);
	return s.median;
}

/* The smallest non-zero difference between two back-to-back fenced TSC
 * reads: the TSC's granularity (on AMD Zen the counter advances in steps
 * of its frequency over 100 MHz, ~26 ticks at 2.6 GHz) or the cost of a
 * fenced read, whichever is larger. Single-call figures are quantized by
 * it. */
static uint64_t tsc_resolution(void)
{
	uint64_t prev = ktsc_read(), best = 0;
	for (int i = 0; i < 4000; i++) {
		uint64_t t = ktsc_read();
		if (t > prev && (best == 0 || t - prev < best))
			best = t - prev;
		prev = t;
	}
	return best;
}

void kenv_set_tsc(struct kenv *env, const struct ktsc_freq *f, const char *measured_as)
{
	kenv_setf(env, "tsc.hz", "%llu", (unsigned long long)f->hz);
	kenv_set(env, "tsc.method", f->method == KTSC_FREQ_MEASURED
					    ? measured_as
					    : ktsc_freq_method_name(f->method));
	if (f->measured_hz)
		kenv_setf(env, "tsc.measured_hz", "%llu", (unsigned long long)f->measured_hz);
	if (f->cpuid_hz) {
		kenv_setf(env, "tsc.cpuid_hz", "%llu", (unsigned long long)f->cpuid_hz);
		kenv_set(env, "tsc.cpuid_method", ktsc_freq_method_name(f->cpuid_method));
	}
	if (f->disagree)
		kenv_setf(env, "tsc.warning",
			  "%s says %.3f GHz, %+.1f %% from the measured %.3f GHz: the measurement "
			  "is used",
			  ktsc_freq_method_name(f->cpuid_method), (double)f->cpuid_hz / 1e9,
			  100.0 * f->diff, (double)f->measured_hz / 1e9);
}

#define TSC_MEASURED_AS "calibrated (CLOCK_MONOTONIC_RAW)"

double klinux_tsc_hz(const char **method)
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	struct ktsc_freq f;
	ktsc_freq_decide(&ci.tsc, (uint64_t)(klinux_tsc_measure() + 0.5), &f);
	*method = f.method == KTSC_FREQ_MEASURED ? TSC_MEASURED_AS
						 : ktsc_freq_method_name(f.method);
	return (double)f.hz;
}

void klinux_environment(struct kenv *env, int cpu)
{
	kenv_collect(env, "");
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	struct ktsc_freq f;
	ktsc_freq_decide(&ci.tsc, (uint64_t)(klinux_tsc_measure() + 0.5), &f);
	kenv_set_tsc(env, &f, TSC_MEASURED_AS);
	kenv_setf(env, "tsc.resolution", "%llu", (unsigned long long)tsc_resolution());
	if (cpu >= 0)
		kenv_setf(env, "cpu.pinned", "%d", cpu);
	else
		kenv_set(env, "cpu.pinned", "no");
}
