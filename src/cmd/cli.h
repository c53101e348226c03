/* kentry: the command line. Parsing is separate from running so that it can
 * be unit tested (tests/unit/test_cli.c). */
#ifndef KENTRY_CLI_H
#define KENTRY_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses: documented in --help and docs/cli.md. */
enum {
	KEXIT_OK = 0,
	KEXIT_FAIL = 1,      /* ran, but something the user asked for failed */
	KEXIT_USAGE = 2,     /* bad command line: nothing was measured */
	KEXIT_MISSING = 3,   /* a needed program or image is missing */
	KEXIT_GUEST = 4,     /* the bare-metal guest failed, hung or reset */
	KEXIT_IO = 5,        /* an output file could not be written */
	KEXIT_DATA = 6,      /* an input result file is malformed */
};

enum kcmd { KCMD_ALL, KCMD_BENCH, KCMD_BOOT, KCMD_LIST, KCMD_SHOW, KCMD_COMPARE,
	    KCMD_HELP, KCMD_VERSION };

#define KCLI_MAX_ONLY 64

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
	const char *kernel;         /* kernel image override */
	int verbose;
	/* output */
	const char *json, *csv, *markdown;
	int progress;               /* -1 auto (tty), 0 off, 1 on */
	/* list / show / compare */
	const char *world;          /* NULL, "linux" or "bare-metal" */
	const char *files[2];
	size_t n_files;
	const char *serial;         /* show --serial: a captured serial console */
};

/* Parses argv into c. Returns 0, or KEXIT_USAGE with a one-line message
 * (naming the valid choices) in err. Validates ids against both worlds'
 * registries. */
int kcli_parse(int argc, char **argv, struct kcli *c, char *err, size_t errlen);

/* Parses a decimal unsigned number in [min, max]; 0 on success. */
int kcli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

void kcli_usage(const char *topic);

int kentry_main(int argc, char **argv);

#endif
