/* kentry list: every path and whether it can run here. */
#include "cmd.h"
#include "emu/boot.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cmd_list(const struct kcli *c)
{
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));
	if (!c->world || strcmp(c->world, "linux") == 0) {
		printf("%-20s %-11s %s\n", "id", "world", "available here");
		for (size_t i = 0; i < klinux_path_count(); i++) {
			char why[512];
			int ok = klinux_probe(i, (enum klinux_op)c->op, libexec, why, sizeof(why));
			printf("%-20s %-11s %s%s\n", klinux_path_id(i), "linux",
			       ok ? "yes" : "no: ", ok ? "" : why);
			printf("%-20s %-11s   %s\n", "", "", klinux_path_summary(i));
		}
	}
	if (!c->world || strcmp(c->world, "bare-metal") == 0) {
		char kernel[PATH_MAX + 32];
		snprintf(kernel, sizeof(kernel), "%s/kentry-kernel.elf", libexec);
		struct stat st;
		int have = stat(kernel, &st) == 0;
		if (!c->world)
			printf("\n");
		printf("%-20s %-11s %s\n", "id", "world", "available here");
		for (size_t i = 0; i < kboot_id_count(); i++) {
			printf("%-20s %-11s %s\n", kboot_id(i), "bare-metal",
			       have ? "decided in the guest by trying (kentry boot)"
				    : "no: kernel image not built (run make)");
			printf("%-20s %-11s   %s\n", "", "", kboot_id_summary(i));
		}
	}
	return 0;
}

