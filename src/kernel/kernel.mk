# kentry bare-metal kernel, included by the top-level Makefile.
#
#   make kernel              build/kentry-kernel.elf (Multiboot 1, ELF32 container)
#   make kernel-boot         boot it in QEMU (TCG) on the console:
#                            KCPU=EPYC KAPPEND="quick" KICOUNT=1
#   make kernel-iso          build/kentry-kernel.iso: GRUB + the kernel, one
#                            hybrid image for BIOS and UEFI machines (dd it to
#                            a USB stick) and the boot image of kentry boot
#                            --emulator bochs. Built by `make` when
#                            grub-mkrescue is there. Needs grub-pc-bin,
#                            grub-efi-amd64-bin, grub-common, xorriso, mtools.
#
# The core timing/statistics code (src/core) is compiled a second time,
# freestanding, into the kernel: same sources as the Linux world.

KERNEL_ELF    := $(BUILD)/kentry-kernel.elf
KERNEL_ELF64  := $(BUILD)/kernel/kentry-kernel64.elf
KERNEL_IMAGES := $(KERNEL_ELF)

KERNEL_CORE := src/core/stats.c src/core/measure.c src/core/cpuinfo.c src/core/desc.c \
	src/core/elf.c
KERNEL_CSRC := $(wildcard src/kernel/*.c) $(KERNEL_CORE)
KERNEL_SSRC := $(wildcard src/kernel/*.S)
KERNEL_OBJ  := $(patsubst %.c,$(BUILD)/kernel/%.o,$(KERNEL_CSRC)) \
	$(patsubst %.S,$(BUILD)/kernel/%.o,$(KERNEL_SSRC))

# -mno-red-zone: traps arrive on the current stack in ring 0.
# -mcmodel=small: everything is linked below 2 GiB (identity mapped).
# SSE stays enabled (boot.S turns it on): the statistics use doubles.
# -fno-math-errno: __builtin_sqrt becomes sqrtsd, no libm call.
# -fno-tree-loop-distribute-patterns: memset/memcpy must not call themselves.
# -fno-jump-tables: no indirect jump in the dispatcher on an entry path
#  (a switch becomes compares, as in Linux's retpoline builds).
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-mno-red-zone -mcmodel=small -fno-math-errno -fno-builtin-printf \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fcf-protection=none -fno-omit-frame-pointer -fno-jump-tables \
	-DKENTRY_VERSION='"$(VERSION)"' -Isrc -Isrc/kernel -I$(BUILD)/kernel/gen
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-T src/kernel/kernel.ld

# generated headers (below) every kernel object may include
KERNEL_GEN := $(BUILD)/kernel/gen/lxnr.h $(BUILD)/kernel/gen/vdso_offsets.h

.PHONY: kernel kernel-boot kernel-iso
kernel: $(KERNEL_ELF)

$(BUILD)/kernel/%.o: %.c | $(KERNEL_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/kernel/%.o: %.S | $(KERNEL_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# The Linux system-call numbers of both ABIs, and their names for the
# -ENOSYS log line: from the C library's kernel headers (Debian
# linux-libc-dev, which build-essential brings), read through the
# preprocessor: LX64_<name> and LX32_<name> (lxnr.h), the name tables
# (lxnames.c).
KERNEL_OBJ += $(BUILD)/kernel/gen/lxnames.o
LXNR_SED := sed -n 's/^\#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/\1 \2/p'
$(BUILD)/kernel/gen/lx64.txt $(BUILD)/kernel/gen/lx32.txt: $(BUILD)/kernel/gen/lx%.txt:
	@mkdir -p $(dir $@)
	printf '\043include <asm/unistd_$*.h>\n' | $(CC) -E -dM -x c - | $(LXNR_SED) | sort -k2 -n >$@.tmp
	@test -s $@.tmp || { echo "kernel: no system-call numbers from <asm/unistd_$*.h> (Debian package linux-libc-dev)" >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
$(BUILD)/kernel/gen/lxnr.h: $(BUILD)/kernel/gen/lx64.txt $(BUILD)/kernel/gen/lx32.txt
	{ echo '/* generated from <asm/unistd_64.h> and <asm/unistd_32.h> (kernel.mk) */'; \
	  awk '{ print "#define LX64_" $$1 " " $$2 }' $(BUILD)/kernel/gen/lx64.txt; \
	  awk '{ print "#define LX32_" $$1 " " $$2 }' $(BUILD)/kernel/gen/lx32.txt; } >$@.tmp && mv $@.tmp $@
$(BUILD)/kernel/gen/lxnames.c: $(BUILD)/kernel/gen/lx64.txt $(BUILD)/kernel/gen/lx32.txt
	{ echo '/* generated from <asm/unistd_64.h> and <asm/unistd_32.h> (kernel.mk) */'; \
	  for a in 64 32; do \
	    echo "const char *const klx_names$$a[] = {"; \
	    awk '{ print "\t[" $$2 "] = \"" $$1 "\"," }' $(BUILD)/kernel/gen/lx$$a.txt; \
	    echo "};"; \
	    echo "const unsigned klx_names$${a}_n = sizeof(klx_names$$a) / sizeof(klx_names$$a[0]);"; \
	  done; } >$@.tmp && mv $@.tmp $@
$(BUILD)/kernel/gen/lxnames.o: $(BUILD)/kernel/gen/lxnames.c
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The vDSO images (src/vdso/), 64- and 32-bit ELF shared objects linked at
# 0 with no relocations, embedded in the kernel (vdso_img.S); the offsets
# of their symbols for the kernel (vdso_offsets.h, by nm, as Linux's
# vdso2c does), the hidden ones (the landing pad, the patch site) too.
VDSO_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -fno-stack-protector \
	-ffreestanding -fno-builtin -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-jump-tables -nostdlib -shared -Isrc -Isrc/vdso -Wl,-T,src/vdso/vdso.lds \
	-Wl,--hash-style=both -Wl,-z,noexecstack -Wl,--no-undefined -Wl,--build-id=none \
	-Wl,-Bsymbolic
VDSO64 := $(BUILD)/vdso/vdso64.so
VDSO32 := $(BUILD)/vdso/vdso32.so
VDSO_DEPS := src/vdso/vdso.c src/vdso/vdso_data.h src/vdso/vdso.lds
$(VDSO64): $(VDSO_DEPS) src/vdso/vdso64.map
	@mkdir -p $(dir $@)
	$(CC) -m64 $(VDSO_CFLAGS) -Wl,--version-script=src/vdso/vdso64.map \
		-Wl,-soname=linux-vdso.so.1 -o $@.tmp src/vdso/vdso.c
	@readelf -r $@.tmp | grep -q 'no relocations' || { echo "vdso: $@ has relocations" >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
$(VDSO32): $(VDSO_DEPS) src/vdso/vdso32.map src/vdso/vsyscall32.S
	@mkdir -p $(dir $@)
	$(CC) -m32 $(VDSO_CFLAGS) -Wl,--version-script=src/vdso/vdso32.map \
		-Wl,-soname=linux-gate.so.1 -o $@.tmp src/vdso/vdso.c src/vdso/vsyscall32.S
	@readelf -r $@.tmp | grep -q 'no relocations' || { echo "vdso: $@ has relocations" >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
$(BUILD)/kernel/gen/vdso_offsets.h: $(VDSO64) $(VDSO32)
	@mkdir -p $(dir $@)
	{ echo '/* generated from the vDSO images by nm (kernel.mk) */'; \
	  nm $(VDSO64) | awk '$$3 ~ /^(__vdso_|__kernel_|__kentry_)/ { print "#define VDSO64_SYM_" $$3 " 0x" $$1 }'; \
	  nm $(VDSO32) | awk '$$3 ~ /^(__vdso_|__kernel_|__kentry_)/ { print "#define VDSO32_SYM_" $$3 " 0x" $$1 }'; \
	} >$@.tmp && mv $@.tmp $@
$(BUILD)/kernel/src/kernel/vdso_img.o: $(VDSO64) $(VDSO32)
$(BUILD)/kernel/src/kernel/vdso_img.o: KERNEL_CFLAGS += -DVDSO64_SO='"$(VDSO64)"' -DVDSO32_SO='"$(VDSO32)"'

# The screen font, made at build time from Debian's fonts-dejavu-core:
# grub-mkfont (grub-common) renders DejaVu Sans Mono at 16 pixels into a
# GRUB bitmap font, tools/mkfont.c turns that into C. Nothing is copied.
KFONT_TTF ?= /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
KFONT_PX  ?= 16
KERNEL_OBJ += $(BUILD)/kernel/gen/font.o
$(BUILD)/tools/mkfont: tools/mkfont.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -o $@ $<
$(BUILD)/kernel/gen/font.pf2: $(KFONT_TTF)
	@mkdir -p $(dir $@)
	@command -v grub-mkfont >/dev/null || { echo "kernel: the screen font needs grub-mkfont (Debian package grub-common)" >&2; exit 1; }
	grub-mkfont -s $(KFONT_PX) -r 0x20-0x7e -o $@ $(KFONT_TTF)
$(KFONT_TTF):
	@echo "kernel: the screen font is made from $(KFONT_TTF): install the Debian package fonts-dejavu-core (or set KFONT_TTF)" >&2; exit 1
$(BUILD)/kernel/gen/font.c: $(BUILD)/kernel/gen/font.pf2 $(BUILD)/tools/mkfont
	$(BUILD)/tools/mkfont $< >$@.tmp && mv $@.tmp $@
$(BUILD)/kernel/gen/font.o: $(BUILD)/kernel/gen/font.c src/kernel/font.h
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(KERNEL_ELF64): $(KERNEL_OBJ) src/kernel/kernel.ld
	$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) -lgcc

# QEMU's and GRUB's Multiboot loaders want ELF32; the addresses all fit.
$(KERNEL_ELF): $(KERNEL_ELF64)
	objcopy -O elf32-i386 $< $@

KCPU    ?= Skylake-Client
KAPPEND ?= quick
kernel-boot: $(KERNEL_ELF)
	qemu-system-x86_64 -kernel $(KERNEL_ELF) -serial stdio -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg \
		-cpu $(KCPU) $(if $(KICOUNT),-icount shift=0) -append "$(KAPPEND)"; \
		st=$$?; echo "qemu exit status $$st"; [ $$st -eq 33 ]

KERNEL_ISO := $(BUILD)/kentry-kernel.iso
HAVE_GRUB := $(shell command -v grub-mkrescue >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_GRUB),yes)
kernel: $(KERNEL_ISO)
KERNEL_IMAGES += $(KERNEL_ISO)
endif
# Only the GRUB modules the menu and the run disk use, plus every file
# system and partition map GRUB knows (UEFI GRUB's first search probes
# them all, and says so on the console for each one missing): 6 MB instead
# of 20, and GRUB reaches the kernel in a quarter of the instructions,
# which Bochs pays for on every run.
GRUB_MODULES := normal configfile test echo multiboot boot reboot halt \
	search search_label serial terminal video all_video \
	$(sort $(shell cat /usr/lib/grub/x86_64-efi/fs.lst /usr/lib/grub/x86_64-efi/partmap.lst 2>/dev/null) \
		iso9660 fat part_msdos part_gpt)
kernel-iso: $(KERNEL_ISO)
$(KERNEL_ISO): $(KERNEL_ELF) src/kernel/grub.cfg
	@test -d /usr/lib/grub/i386-pc && test -d /usr/lib/grub/x86_64-efi || \
		{ echo "kernel-iso: a hybrid BIOS+UEFI image needs the Debian packages grub-pc-bin and grub-efi-amd64-bin" >&2; exit 1; }
	rm -rf $(BUILD)/kernel/iso
	mkdir -p $(BUILD)/kernel/iso/boot/grub
	cp $(KERNEL_ELF) $(KERNEL_ISO_EXTRA) $(BUILD)/kernel/iso/boot/
	cp src/kernel/grub.cfg $(BUILD)/kernel/iso/boot/grub/grub.cfg
	grub-mkrescue --locales= --fonts= --themes= --install-modules="$(GRUB_MODULES)" \
		-o $@.tmp $(BUILD)/kernel/iso 2>$(BUILD)/kernel/grub-mkrescue.log || \
		{ cat $(BUILD)/kernel/grub-mkrescue.log >&2; rm -f $@.tmp; exit 1; }
	@xorriso -indev $@.tmp -report_el_torito plain 2>/dev/null | grep -q 'El Torito boot img : *[0-9]* *BIOS' && \
	 xorriso -indev $@.tmp -report_el_torito plain 2>/dev/null | grep -q 'El Torito boot img : *[0-9]* *UEFI' || \
		{ echo "kernel-iso: grub-mkrescue made an image without both BIOS and UEFI boot entries" >&2; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

# The C code a Linux program's system calls and faults run through leaves
# the program's SSE registers alone, as Linux's kernel does (it is built
# without SSE): kentry's kernel saves no FPU/SSE state, and the system-call
# ABI and every fault must keep XMM0-15 (tests/programs/xmmkeep.c). The rest
# of the kernel (measurement, statistics, printing of figures) may use SSE.
KERNEL_NOSSE := linux linux_io linux_mm linux_proc linux_time proc vm frames kpti mitig trap \
	dispatch exec kvdso vsyscall ktime random
$(foreach f,$(KERNEL_NOSSE),$(eval $(BUILD)/kernel/src/kernel/$(f).o: KERNEL_CFLAGS += -mgeneral-regs-only))
