/* kentry emu: the run disk (see rundisk.h). */
#include "rundisk.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

void krundisk_config(const char *cmdline, size_t n_modules, char *buf, size_t len)
{
	buf[0] = '\0';
	/* GRUB's own messages (a missing file, a bad image) on COM1 too, where
	 * kentry reads them; then straight to the kernel, no menu. A kernel
	 * GRUB cannot boot ends in a halt with the reason on COM1, never in
	 * the boot image's menu (which would boot its own kernel). */
	bufcat(buf, len,
	       "# kentry run disk: written by kentry boot for one run\n"
	       "serial --unit=0 --speed=115200\n"
	       "terminal_output --append serial\n"
	       "multiboot /kernel.elf%s%s\n",
	       cmdline && *cmdline ? " " : "", cmdline ? cmdline : "");
	for (size_t i = 0; i < n_modules; i++)
		bufcat(buf, len, "module /mod%zu\n", i);
	bufcat(buf, len,
	       "boot\n"
	       "echo \"kentry run disk: GRUB could not boot /kernel.elf\"\n"
	       "halt\n");
}

unsigned krundisk_cylinders(long long kernel_bytes)
{
	const long long cyl = 16LL * 63 * 512;
	long long need = kernel_bytes + 256 * 1024; /* FAT, root directory, run.cfg */
	long long n = (need + cyl - 1) / cyl;
	return n < 2 ? 2 : (unsigned)n;
}

/* Runs one mtools command; 0 or a message. */
static int mtool(char *const argv[], char *err, size_t errlen)
{
	char *out = NULL;
	int st = 0;
	if (run_capture_all(argv, &out, 30, &st) != 0) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
		free(out);
		return 4;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char msg[512];
		sanitize(msg, sizeof(msg), out ? out : "");
		snprintf(err, errlen, "%s failed making the run disk: %s", argv[0],
			 msg[0] ? msg : "no message");
		free(out);
		return 4;
	}
	free(out);
	return 0;
}

/* mformat and mcopy (malloc'd), or 3 with the message. */
static int tools(char **mformat, char **mcopy, char *err, size_t errlen)
{
	*mformat = find_program(NULL, "mformat");
	*mcopy = find_program(NULL, "mcopy");
	if (*mformat && *mcopy)
		return 0;
	snprintf(err, errlen, "%s not found: install the Debian package mtools (kentry "
			      "writes each run's kernel and command line on a small FAT disk)",
		 *mformat ? "mcopy" : "mformat");
	free(*mformat);
	free(*mcopy);
	*mformat = *mcopy = NULL;
	return 3;
}

int krundisk_tools(char *err, size_t errlen)
{
	char *mformat, *mcopy;
	int rc = tools(&mformat, &mcopy, err, errlen);
	free(mformat);
	free(mcopy);
	return rc;
}

int krundisk_make(const char *dir, const char *kernel, const char *cmdline,
		  const char *const *modules, size_t n_modules, char *err, size_t errlen)
{
	char *mformat, *mcopy;
	if (tools(&mformat, &mcopy, err, errlen))
		return 3;
	struct stat st;
	long long kbytes = stat(kernel, &st) == 0 ? (long long)st.st_size : 0;
	for (size_t i = 0; i < n_modules; i++)
		kbytes += stat(modules[i], &st) == 0 ? (long long)st.st_size : 0;
	char cfg[2400], cfgpath[4200], img[4200], cyl[16];
	krundisk_config(cmdline, n_modules, cfg, sizeof(cfg));
	snprintf(cfgpath, sizeof(cfgpath), "%s/run.cfg", dir);
	snprintf(img, sizeof(img), "%s/run.img", dir);
	snprintf(cyl, sizeof(cyl), "%u", krundisk_cylinders(kbytes));
	FILE *f = fopen(cfgpath, "wx");
	int rc = 0;
	if (!f || fputs(cfg, f) == EOF || fclose(f) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", cfgpath, strerror(errno));
		rc = 4;
	}
	/* A flat disk of whole 16 x 63 cylinders: Bochs takes its geometry from
	 * the size. No partition table: GRUB reads the FAT at sector 0. */
	char *fmt[] = { mformat, (char *)"-C", (char *)"-t", cyl, (char *)"-h", (char *)"16",
			(char *)"-s", (char *)"63", (char *)"-v", (char *)KRUNDISK_LABEL,
			(char *)"-i", img, (char *)"::", NULL };
	char *cp1[] = { mcopy, (char *)"-i", img, cfgpath, (char *)"::/run.cfg", NULL };
	char *cp2[] = { mcopy, (char *)"-i", img, (char *)kernel, (char *)"::/kernel.elf", NULL };
	if (!rc)
		rc = mtool(fmt, err, errlen);
	if (!rc)
		rc = mtool(cp1, err, errlen);
	if (!rc)
		rc = mtool(cp2, err, errlen);
	for (size_t i = 0; i < n_modules && !rc; i++) {
		char name[32];
		snprintf(name, sizeof(name), "::/mod%zu", i);
		char *cp[] = { mcopy, (char *)"-i", img, (char *)modules[i], name, NULL };
		rc = mtool(cp, err, errlen);
	}
	free(mformat);
	free(mcopy);
	return rc;
}
