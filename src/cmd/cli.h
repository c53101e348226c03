/* kentry: the command line. Parsing is separate from running so that it can
 * be unit tested (tests/unit/test_cli.c). */
#ifndef KENTRY_CLI_H
#define KENTRY_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses: documented in --help and README.md. */
enum {
	KEXIT_OK = 0,
	KEXIT_FAIL = 1,      /* ran, but something the user asked for failed */
	KEXIT_USAGE = 2,     /* bad command line: nothing was measured */
	KEXIT_MISSING = 3,   /* a needed program, kernel image or input file is
			      * missing or cannot be read */
	KEXIT_GUEST = 4,     /* the bare-metal guest failed, hung or reset */
	KEXIT_IO = 5,        /* an output file, or standard output, could not be
			      * written */
	KEXIT_DATA = 6,      /* an input result file is malformed */
};

enum kcmd { KCMD_ALL, KCMD_BENCH, KCMD_BOOT, KCMD_LIST, KCMD_SHOW, KCMD_COMPARE,
	    KCMD_PLOT, KCMD_EXEC, KCMD_HELP, KCMD_VERSION };

#define KCLI_MAX_ONLY 64
#define KCLI_MAX_FILES 8    /* result files one plot can draw */

/* The real limits of the numeric options (the kernel keeps at most
 * KCLI_BOOT_MAX_SAMPLES samples per path). */
#define KCLI_MIN_SAMPLES 10u
#define KCLI_BENCH_MAX_SAMPLES 1000000u
#define KCLI_BOOT_MAX_SAMPLES 10000u

struct kcli {
	enum kcmd cmd;
	const char *help_topic;     /* for `kentry help CMD` / `CMD --help` */
	/* measurement */
	int op;                     /* enum klinux_op */
	int quick;
	uint32_t samples;           /* 0: default */
	uint32_t rounds;            /* Linux world rounds per path, 0: default */
	uint32_t batch;             /* calls per sample, 0: chosen per path; 1: single calls */
	int pin_cpu;                /* CPU to pin the Linux world to */
	const char *only[KCLI_MAX_ONLY];
	size_t n_only;
	char only_buf[1024];
	/* bare metal */
	const char *emulator;       /* qemu|bochs */
	const char *accel;          /* auto|kvm|tcg */
	const char *guest_cpu;      /* intel|amd|host|model */
	int icount;
	int ring3_if;               /* -1: the kernel's default (1); 0 or 1 */
	const char *variant;        /* NULL (both), "minimal", "full" or "both" */
	const char *mitigations;    /* --mitigations LIST (validated), NULL */
	uint32_t touch_pages;       /* --touch-pages N */
	int selftest;               /* --selftest: the hostile ring-3 cases */
	const char *cases;          /* --case N,N (validated digits and commas) */
	uint64_t fuzz_n;            /* --fuzz N */
	uint64_t seed;              /* --seed S */
	int has_seed;
	int64_t replay;             /* --replay K, -1 when absent */
	const char *models[8];      /* --cpu A,B with --selftest/--fuzz */
	size_t n_models;
	char models_buf[256];
	const char *kernel;         /* kernel image override (one mode only) */
	unsigned mode_given;        /* --mode as given (KBOOT_* mask), 0 if absent */
	unsigned boot_modes;        /* the kernels to boot (KBOOT_* mask): --mode, else
				     * those whose ids --only names, else long (boot)
				     * or both (the bare command) */
	int fred;                   /* --fred (or --only naming a fred-* id): the long
				     * kernel's FRED mode, its fred-* paths too */
	int verbose;
	/* output */
	const char *json, *csv, *markdown;
	int progress;               /* -1 auto (tty), 0 off, 1 on */
	/* list / show / compare / plot */
	const char *world;          /* NULL, "linux" or "bare-metal" */
	const char *files[KCLI_MAX_FILES];
	size_t n_files;
	const char *serial;         /* show --serial: a captured serial console */
	/* compare */
	int force;                  /* compare runs of different units or worlds */
	double threshold;           /* noise floor in percent; < 0: the default */
	int ns;                     /* compare nanoseconds instead of ticks */
	/* plot */
	const char *output;         /* -o FILE.svg */
	const char *kind;           /* "bars" (default) or "dist" */
	int log;                    /* logarithmic axis */
	const char *labels[KCLI_MAX_FILES];
	size_t n_labels;
	const char *title;
	/* exec */
	char **exec_argv;           /* PROGRAM [ARGS...]: the rest of the command line */
	int exec_argc;
	const char *vsyscall;       /* --vsyscall MODE (exec, boot) */
	const char *envs[64];       /* --env NAME=VALUE, in order */
	size_t n_envs;
	double timeout;             /* --timeout S (exec); 0: none */
};

/* Parses argv into c. Returns 0, or KEXIT_USAGE with a one-line message
 * (naming the valid choices) in err. Validates ids against both worlds'
 * registries. */
int kcli_parse(int argc, char **argv, struct kcli *c, char *err, size_t errlen);

/* Parses a decimal unsigned number in [min, max]; 0 on success. */
int kcli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Parses a decimal number (digits, one optional point) in [min, max]; 0 on
 * success. */
int kcli_parse_number(const char *s, double min, double max, double *out);

/* A numeric environment variable: 0 when it is unset or empty (*out
 * untouched) or a number in [min, max] (*out set); otherwise KEXIT_USAGE
 * with a message naming the variable and the range in err. */
int kcli_env_number(const char *name, double min, double max, double *out, char *err,
		    size_t errlen);

void kcli_usage(const char *topic);

int kentry_main(int argc, char **argv);

/* Parses a decimal uint64 (no sign, no spaces); 0 on success. */
int kcli_parse_u64(const char *s, uint64_t *out);

#endif
