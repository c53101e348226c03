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
		if (!c->world)
			printf("\n");
		printf("%-24s %-11s %s\n", "id", "world", "available here");
		if (c->op == KOP_GETTIMEOFDAY) {
			/* kentry boot --op gettimeofday's rows, the long-mode kernel's */
			char kernel[PATH_MAX + 32];
			snprintf(kernel, sizeof(kernel), "%s/%s", libexec, kboot_mode_image(KBOOT_LONG));
			struct stat st;
			int have = stat(kernel, &st) == 0;
			for (size_t i = 0; i < kboot_gtod_count(); i++) {
				char tok[96];
				const char *var = kboot_gtod_variant(i);
				snprintf(tok, sizeof(tok), "%s%s%s", kboot_gtod_id(i), var ? "@" : "",
					 var ? var : "");
				if (have)
					printf("%-24s %-11s decided in the guest by trying (kentry boot "
					       "--op gettimeofday)\n", tok, "bare-metal");
				else
					printf("%-24s %-11s no: kernel image %s not built (run make)\n", tok,
					       "bare-metal", kboot_mode_image(KBOOT_LONG));
				printf("%-24s %-11s   %s\n", "", "", kboot_gtod_summary(i));
			}
			return 0;
		}
		for (size_t i = 0; i < kboot_id_count(); i++) {
			unsigned mode = kboot_id_mode(i);
			char kernel[PATH_MAX + 32];
			snprintf(kernel, sizeof(kernel), "%s/%s", libexec, kboot_mode_image(mode));
			struct stat st;
			int have = stat(kernel, &st) == 0;
			if (have && kboot_id_fred(i))
				printf("%-24s %-11s decided in the guest by trying (kentry boot --fred: "
				       "a CPU with FRED)\n",
				       kboot_id(i), "bare-metal");
			else if (have)
				printf("%-24s %-11s decided in the guest by trying (kentry boot --mode %s)\n",
				       kboot_id(i), "bare-metal", kboot_mode_name(mode));
			else
				printf("%-24s %-11s no: kernel image %s not built (run make)\n",
				       kboot_id(i), "bare-metal", kboot_mode_image(mode));
			printf("%-24s %-11s   %s\n", "", "", kboot_id_summary(i));
			const char *none, *cp = kboot_id_counterpart(i, &none);
			if (cp && kboot_id_fred(i))
				printf("%-24s %-11s   IDT counterpart: %s\n", "", "", cp);
			else if (cp)
				printf("%-24s %-11s   long-mode counterpart: %s\n", "", "", cp);
			else if (none)
				printf("%-24s %-11s   no long-mode counterpart: %s\n", "", "", none);
		}
	}
	return 0;
}

