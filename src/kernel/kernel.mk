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

KERNEL_CORE := src/core/stats.c src/core/measure.c src/core/cpuinfo.c src/core/desc.c
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
	-DKENTRY_VERSION='"$(VERSION)"' -Isrc -Isrc/kernel
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-T src/kernel/kernel.ld

.PHONY: kernel kernel-boot kernel-iso
kernel: $(KERNEL_ELF)

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/kernel/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

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
