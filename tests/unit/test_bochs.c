/* The Bochs runner's pure parts (src/emu/bochs.c, rundisk.c): the bochsrc
 * of a run, what `bochs --help` and `bochs --help cpu` say (as Debian's
 * Bochs 2.7 and a Bochs 3.0 build print it), the --cpu resolution by
 * vendor, and the run disk's GRUB configuration. */
#include "t.h"
#include "emu/bochs.h"
#include "emu/rundisk.h"

#include <stdlib.h>

/* `bochs -q --help cpu`, Debian 12's Bochs 2.7: its banner (stdout), the
 * model list in two parts and the end (stderr) */
#define BANNER_27                                                                   \
	"========================================================================\n"   \
	"                        Bochs x86 Emulator 2.7\n"                             \
	"              Built from SVN snapshot on August  1, 2021\n"                   \
	"                Timestamp: Sun Aug  1 10:07:00 CEST 2021\n"                   \
	"========================================================================\n"
#define MODELS_27_A                                                                 \
	"00000000000i[      ] LTDL_LIBRARY_PATH not set. using compile time default "   \
	"'/usr/lib/x86_64-linux-gnu/bochs/plugins'\n"                                  \
	"Supported CPU models:\n"                                                      \
	"\n"                                                                           \
	"bx_generic\n"                                                                 \
	"pentium\n"
#define MODELS_27_B                                                                 \
	"corei7_haswell_4770\n"                                                        \
	"ryzen\n"                                                                      \
	"corei7_skylake_x\n"                                                           \
	"tigerlake\n"                                                                  \
	"\n"                                                                           \
	"00000000000i[SIM   ] quit_sim called with exit code 0\n"
/* stdout then stderr */
static const char *const HELP_CPU_27 = BANNER_27 MODELS_27_A MODELS_27_B;
/* stdout read in the middle of stderr (the capture merges the two pipes
 * in the order it reads them) */
static const char *const HELP_CPU_27_INTERLEAVED = MODELS_27_A BANNER_27 MODELS_27_B;

/* a Bochs 3.0 build without the debugger (its --help has no -rc) */
static const char *const HELP_30 =
	"Usage: bochs [flags] [bochsrc options]\n\n"
	"  -n               no configuration file\n"
	"  -q               quick start (skip configuration interface)\n"
	"  --help cpu       display supported CPU models and exit\n"
	"========================================================================\n"
	"                     Bochs x86 Emulator 3.0.devel\n"
	"             Built from GitHub snapshot after release 3.0\n";

int main(void)
{
	char v[64], cpu[64], err[2048];

	kbochs_parse_version(HELP_CPU_27, v, sizeof(v));
	T_STREQ(v, "2.7");
	kbochs_parse_version(HELP_30, v, sizeof(v));
	T_STREQ(v, "3.0.devel");
	kbochs_parse_version("nothing here", v, sizeof(v));
	T_STREQ(v, "unknown");

	char *models = kbochs_parse_models(HELP_CPU_27);
	T_STREQ(models, "bx_generic\npentium\ncorei7_haswell_4770\nryzen\ncorei7_skylake_x\ntigerlake\n");
	T_CHECK(kbochs_parse_models(HELP_30) == NULL);
	free(models);
	/* the same, with stdout's banner read in the middle of the list */
	models = kbochs_parse_models(HELP_CPU_27_INTERLEAVED);
	T_STREQ(models, "bx_generic\npentium\ncorei7_haswell_4770\nryzen\ncorei7_skylake_x\ntigerlake\n");

	/* models by vendor */
	T_STREQ(kbochs_model_vendor("ryzen"), "AuthenticAMD");
	T_STREQ(kbochs_model_vendor("zambezi"), "AuthenticAMD");
	T_STREQ(kbochs_model_vendor("corei7_skylake_x"), "GenuineIntel");
	T_STREQ(kbochs_model_vendor("wildcat_lake"), "GenuineIntel");
	T_CHECK(kbochs_model_vendor("bx_generic") == NULL);

	/* --cpu */
	T_CHECK(kbochs_resolve_cpu("intel", models, "AuthenticAMD", cpu, sizeof(cpu), err,
				   sizeof(err)) == 0);
	T_STREQ(cpu, "corei7_skylake_x");
	T_CHECK(kbochs_resolve_cpu("amd", models, "GenuineIntel", cpu, sizeof(cpu), err,
				   sizeof(err)) == 0);
	T_STREQ(cpu, "ryzen");
	T_CHECK(kbochs_resolve_cpu(NULL, models, "AuthenticAMD", cpu, sizeof(cpu), err,
				   sizeof(err)) == 0);
	T_STREQ(cpu, "ryzen"); /* auto: the host's vendor */
	T_CHECK(kbochs_resolve_cpu("auto", models, "GenuineIntel", cpu, sizeof(cpu), err,
				   sizeof(err)) == 0);
	T_STREQ(cpu, "corei7_skylake_x");
	T_CHECK(kbochs_resolve_cpu("Corei7_Haswell_4770", models, "GenuineIntel", cpu, sizeof(cpu),
				   err, sizeof(err)) == 0);
	T_STREQ(cpu, "corei7_haswell_4770");
	T_CHECK(kbochs_resolve_cpu("pentium", models, "GenuineIntel", cpu, sizeof(cpu), err,
				   sizeof(err)) == 0); /* a 32-bit model: a 32-bit kernel's */
	T_CHECK(kbochs_resolve_cpu("host", models, "GenuineIntel", cpu, sizeof(cpu), err,
				   sizeof(err)) == 2);
	T_CHECK(strstr(err, "needs QEMU with KVM") != NULL);
	T_CHECK(kbochs_resolve_cpu("skylake", models, "GenuineIntel", cpu, sizeof(cpu), err,
				   sizeof(err)) == 2);
	T_CHECK(strstr(err, "unknown Bochs CPU model 'skylake'") && strstr(err, "ryzen, corei7_skylake_x"));
	T_CHECK(strchr(err, '\n') == NULL);
	T_CHECK(kbochs_resolve_cpu("amd", "pentium\ncorei7_skylake_x\n", "GenuineIntel", cpu,
				   sizeof(cpu), err, sizeof(err)) == 2);
	T_CHECK(strstr(err, "no 64-bit amd model") != NULL);
	/* a Bochs whose list could not be read: the name goes to Bochs */
	T_CHECK(kbochs_resolve_cpu("wildcat_lake", NULL, "GenuineIntel", cpu, sizeof(cpu), err,
				   sizeof(err)) == 0);
	T_STREQ(cpu, "wildcat_lake");
	free(models);

	/* the bochsrc of a run */
	struct kbochs_cfg c = { "ryzen", 4000000, 128, "/r/bios.rom", "/r/vgabios.rom",
				"/r/boot.iso", "/r/run.img", "/dev/fd/3", "/dev/fd/4", "term", 0 };
	char rc[4096];
	kbochs_config(&c, rc, sizeof(rc));
	static const char *const lines[] = {
		"megs: 128\n",
		"cpu: model=ryzen, ips=4000000, reset_on_triple_fault=0\n",
		"romimage: file=\"/r/bios.rom\"\n",
		"vgaromimage: file=\"/r/vgabios.rom\"\n",
		"ata0-master: type=cdrom, path=\"/r/boot.iso\", status=inserted\n",
		"ata0-slave: type=disk, path=\"/r/run.img\", mode=flat\n",
		"boot: cdrom\n",
		"com1: enabled=1, mode=file, dev=\"/dev/fd/3\"\n",
		"display_library: term\n",
		"log: \"/dev/fd/4\"\n",
		"panic: action=fatal\n",
		"clock: sync=none, time0=1704067200\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		T_CHECK(strstr(rc, lines[i]) != NULL);
		if (!strstr(rc, lines[i]))
			printf("#   missing: %s", lines[i]);
	}
	c.disk = NULL;
	kbochs_config(&c, rc, sizeof(rc));
	T_CHECK(strstr(rc, "ata0-slave") == NULL);
	/* kentry exec: the RTC starts at the time given */
	c.time0 = 1795000000;
	kbochs_config(&c, rc, sizeof(rc));
	T_CHECK(strstr(rc, "clock: sync=none, time0=1795000000\n") != NULL);

	/* the run disk */
	char cfg[1024];
	krundisk_config("samples=50 only=syscall", 0, cfg, sizeof(cfg));
	T_CHECK(strstr(cfg, "\nmultiboot /kernel.elf samples=50 only=syscall\nboot\n") != NULL);
	T_CHECK(strstr(cfg, "terminal_output --append serial\n") != NULL);
	T_CHECK(strstr(cfg, "GRUB could not boot /kernel.elf\"\nhalt\n") != NULL);
	krundisk_config("", 0, cfg, sizeof(cfg));
	T_CHECK(strstr(cfg, "module") == NULL);
	krundisk_config("vsyscall=native", 2, cfg, sizeof(cfg));
	T_CHECK(strstr(cfg, "\nmultiboot /kernel.elf vsyscall=native\nmodule /mod0\nmodule /mod1\nboot\n") != NULL);
	krundisk_config("", 0, cfg, sizeof(cfg));
	T_CHECK(strstr(cfg, "\nmultiboot /kernel.elf\nboot\n") != NULL);
	T_EQ_U64(krundisk_cylinders(0), 2);
	T_EQ_U64(krundisk_cylinders(200 * 1024), 2);
	T_EQ_U64(krundisk_cylinders(900 * 1024), 3); /* 1156 KiB over 504 KiB cylinders */
	T_EQ_U64(krundisk_cylinders(10 * 1024 * 1024), 21);
	return T_DONE();
}
