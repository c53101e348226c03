/* kentry results: typed environment values (see envtype.h). */
#include "envtype.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ktype {
	T_TEXT,
	T_NUMBER,  /* "unknown" or unparseable text: null */
	T_BOOL,    /* yes/no; anything else (kpti "unknown"): null */
	T_WORDS,   /* blank-separated words ("none": no word) */
	T_SHELL,   /* a command line as shell words */
	T_INFER,   /* a key kentry does not know */
};

static const struct {
	const char *key;
	enum ktype t;
} keys[] = {
	{ "cpu.family", T_NUMBER },      { "cpu.model", T_NUMBER },
	{ "cpu.stepping", T_NUMBER },    { "cpu.online", T_NUMBER },
	{ "cpu.pinned", T_INFER },       { "tsc.hz", T_NUMBER },
	{ "tsc.measured_hz", T_NUMBER }, { "tsc.cpuid_hz", T_NUMBER },
	{ "tsc.resolution", T_NUMBER },  { "kernel.batch", T_NUMBER },
	{ "tsc.cpuid_method", T_TEXT },  { "tsc.warning", T_TEXT },
	{ "cpu.pin_error", T_TEXT },
	{ "tsc.pit_hz", T_NUMBER },      { "kernel.protocol", T_NUMBER },
	{ "kernel.samples", T_NUMBER },  { "qemu.seconds", T_NUMBER },
	{ "cpu.invariant_tsc", T_BOOL }, { "cpu.rdtscp", T_BOOL },
	{ "cpu.pcid", T_BOOL },          { "cpu.sep", T_BOOL },
	{ "cpu.syscall", T_BOOL },       { "kpti", T_BOOL },
	{ "kernel.cmdline_mitigations", T_WORDS },
	{ "qemu.cmdline", T_SHELL },
	{ "cpu.vendor", T_TEXT },        { "cpu.name", T_TEXT },
	{ "cpu.microcode", T_TEXT },     { "hypervisor", T_TEXT },
	{ "kernel.release", T_TEXT },    { "kernel.version", T_TEXT },
	{ "kernel.ia32_emulation", T_TEXT },
	{ "vsyscall.mode", T_TEXT },     { "vsyscall.source", T_TEXT },
	{ "seccomp", T_TEXT },           { "tsc.method", T_TEXT },
	{ "accel", T_TEXT },             { "accel.fallback", T_TEXT },
	{ "qemu.cpu", T_TEXT },          { "qemu.cpu.requested", T_TEXT },
	{ "qemu.cpu.note", T_TEXT },     { "qemu.version", T_TEXT },
	{ "qemu.append", T_TEXT },       { "icount", T_TEXT },
	{ "cmdline", T_TEXT },           { "kernel.timer", T_TEXT },
	{ "cpu.lfence_serializing_msr", T_TEXT },
	{ "vulnerabilities", T_TEXT },
	{ "screen", T_TEXT },
	/* the emulator (qemu.c, bochs.c) and a serial capture (capture.c) */
	{ "emulator", T_TEXT },          { "emulator.version", T_TEXT },
	{ "emulator.cpu", T_TEXT },      { "emulator.cpu.requested", T_TEXT },
	{ "kvm.host_vendor", T_TEXT },   { "boot.image", T_TEXT },
	{ "bochs.path", T_TEXT },        { "bochs.ips", T_NUMBER },
	{ "bochs.display", T_TEXT },     { "bochs.seconds", T_NUMBER },
	{ "bochs.cmdline", T_SHELL },    { "bochs.append", T_TEXT },
	{ "bochs.config", T_TEXT },      { "bochs.bios", T_TEXT },
	{ "bochs.vgabios", T_TEXT },
	{ "capture.file", T_TEXT },      { "capture.lines", T_TEXT },
	{ "capture.runs", T_NUMBER },
	/* the kernel's variants, interrupt mode and protections (kernel.md) */
	{ "kernel.ring3_if", T_NUMBER }, { "kernel.interrupts", T_TEXT },
	{ "kernel.variants", T_TEXT },   { "variant.minimal", T_TEXT },
	{ "variant.full", T_TEXT },      { "kernel.harden_off", T_TEXT },
	{ "kernel.kpatch", T_TEXT },     { "cpu.sysret_ss", T_TEXT },
	{ "prot.nx", T_TEXT },           { "prot.wx", T_TEXT },
	{ "prot.nullpage", T_TEXT },     { "prot.smep", T_TEXT },
	{ "prot.smap", T_TEXT },         { "prot.umip", T_TEXT },
	{ "prot.ist", T_TEXT },
	/* FRED: the Linux world (env.c) and the kernel's FRED mode (fred.c) */
	{ "cpu.fred", T_BOOL },          { "cpu.lkgs", T_BOOL },
	{ "kernel.fred", T_TEXT },       { "kernel.cmdline_fred", T_TEXT },
	{ "fred.mode", T_TEXT },         { "fred.stack_levels", T_TEXT },
	{ "fred.config", T_TEXT },
	/* Linux programs on the kernel (kernel.md, "Linux programs") */
	{ "clock.rtc", T_TEXT },         { "clock.source", T_TEXT },
	{ "random.source", T_TEXT },     { "memory", T_TEXT },
	{ "linux.vsyscall", T_TEXT },    { "linux.vsyscall32", T_TEXT },
	{ "kernel.op", T_TEXT },
	/* its mitigations (mitigations.md) */
	{ "kernel.mitigations", T_TEXT }, { "kernel.mitigation_variants", T_TEXT },
	{ "kernel.touch_pages", T_NUMBER }, { "mitig.linux_auto", T_TEXT },
	{ "cpu.arch_capabilities", T_TEXT }, { "cpu.invpcid", T_BOOL },
	{ "cpu.spec_ctrl", T_BOOL },     { "cpu.md_clear", T_BOOL },
};

static enum ktype type_of(const char *key)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strcmp(keys[i].key, key) == 0)
			return keys[i].t;
	if (strncmp(key, "vulnerabilities.", 16) == 0 || strncmp(key, "variant.", 8) == 0 ||
	    strncmp(key, "mitig.", 6) == 0)
		return T_TEXT;
	return T_INFER;
}

/* A decimal number, all of text (no hex, no blanks, no inf/nan). */
static int decimal(const char *text, double *v)
{
	const char *p = text;
	if (*p == '-')
		p++;
	int digits = 0, point = 0;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && !point)
			point = 1;
		else
			return 0;
	}
	if (!digits)
		return 0;
	char *end;
	*v = strtod(text, &end);
	return *end == '\0' && isfinite(*v);
}

static json_t *number_json(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *words_json(const char *text, int none_is_empty)
{
	json_t *a = json_array();
	if (none_is_empty && strcmp(text, "none") == 0)
		return a;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
	}
	return a;
}

json_t *kenvtype_to_json(const char *key, const char *text)
{
	double v;
	switch (type_of(key)) {
	case T_NUMBER:
		return decimal(text, &v) ? number_json(v) : json_null();
	case T_BOOL:
		return strcmp(text, "yes") == 0 ? json_true()
		       : strcmp(text, "no") == 0 ? json_false() : json_null();
	case T_WORDS:
		return words_json(text, 1);
	case T_SHELL: {
		char **words;
		int n = ktext_shell_split(text, &words);
		if (n < 0)
			return words_json(text, 0);
		json_t *a = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_string(words[i]));
		ktext_words_free(words);
		return a;
	}
	case T_INFER:
		if (strcmp(text, "yes") == 0)
			return json_true();
		if (strcmp(text, "no") == 0)
			return json_false();
		if (decimal(text, &v))
			return number_json(v);
		return json_string(text);
	default:
		return json_string(text);
	}
}

const char *kjson_kind(const json_t *v)
{
	if (!v)
		return "missing";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static char *number_text(json_t *v)
{
	char buf[64];
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
	return strdup(buf);
}

static char *scalar_text(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_number(v))
		return number_text(v);
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "yes" : "no");
	return strdup("unknown");
}

/* The words of an array of strings (or, for an unknown key, scalars). */
static int array_words(json_t *v, int strings_only, char ***out, size_t *n, char *why,
		       size_t whylen)
{
	size_t i, len = json_array_size(v);
	json_t *x;
	char **w = calloc(len + 1, sizeof(*w));
	if (!w)
		return -1;
	json_array_foreach(v, i, x) {
		if (strings_only ? !json_is_string(x) : (json_is_array(x) || json_is_object(x))) {
			snprintf(why, whylen, "element %zu: expected a %s, got %s", i,
				 strings_only ? "string" : "string, number or boolean", kjson_kind(x));
			ktext_words_free(w);
			return -1;
		}
		w[i] = scalar_text(x);
	}
	*out = w;
	*n = len;
	return 0;
}

static char *join_words(char **w, size_t n, int shell, const char *empty)
{
	if (n == 0)
		return strdup(empty);
	if (shell)
		return ktext_shell_join((const char *const *)w, n);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

int kenvtype_from_json(const char *key, json_t *v, char **text, char *why, size_t whylen)
{
	enum ktype t = type_of(key);
	*text = NULL;
	if (json_is_null(v)) {
		*text = strdup(t == T_WORDS ? "none" : "unknown");
		return 0;
	}
	switch (t) {
	case T_NUMBER:
		if (!json_is_number(v))
			goto wrong;
		*text = number_text(v);
		return 0;
	case T_BOOL:
		if (!json_is_boolean(v))
			goto wrong;
		*text = strdup(json_is_true(v) ? "yes" : "no");
		return 0;
	case T_TEXT:
		if (!json_is_string(v))
			goto wrong;
		*text = strdup(json_string_value(v));
		return 0;
	case T_WORDS:
	case T_SHELL:
	case T_INFER: {
		if (!json_is_array(v)) {
			if (t != T_INFER)
				goto wrong;
			if (json_is_object(v)) {
				snprintf(why, whylen, "expected a string, number, boolean, array or "
						      "null, got an object");
				return -1;
			}
			*text = scalar_text(v);
			return 0;
		}
		char **w;
		size_t n;
		if (array_words(v, t != T_INFER, &w, &n, why, whylen) != 0)
			return -1;
		*text = join_words(w, n, t == T_SHELL, t == T_WORDS ? "none" : "");
		ktext_words_free(w);
		return *text ? 0 : -1;
	}
	}
wrong:
	snprintf(why, whylen, "expected %s, got %s",
		 t == T_NUMBER ? "a number or null" : t == T_BOOL ? "true, false or null"
		 : t == T_TEXT ? "a string or null" : "an array of strings or null",
		 kjson_kind(v));
	return -1;
}
