# kentry legacy kernel (32-bit protected mode, no long mode), included by
# the top-level Makefile.
#
#   make kernel32            build/kentry-kernel32.elf (Multiboot 1, ELF32)
#   make kernel32-boot       boot it in QEMU (TCG) on the console:
#                            KCPU=EPYC KAPPEND="quick" KICOUNT=1
# The boot image (make kernel-iso, src/kernel/kernel.mk) carries this
# kernel too, with its own menu entries (src/kernel/grub.cfg).
#
# Shared with the long-mode kernel, compiled a second time with -m32:
# src/kernel/{console,lib,cmdline,report,tscfreq}.c (the serial console,
# the protocol's records, the command line, the PIT) and src/core's timing,
# statistics, CPUID and descriptor code.

KERNEL32_ELF := $(BUILD)/kentry-kernel32.elf
KERNEL_IMAGES += $(KERNEL32_ELF)

KERNEL32_SHARED := src/kernel/console.c src/kernel/lib.c src/kernel/cmdline.c \
	src/kernel/lfence.c src/kernel/excname.c src/kernel/crash.c \
	src/kernel/report.c src/kernel/tscfreq.c \
	src/core/stats.c src/core/measure.c src/core/cpuinfo.c src/core/desc.c
KERNEL32_CSRC := $(wildcard src/kernel32/*.c) $(KERNEL32_SHARED)
KERNEL32_SSRC := $(wildcard src/kernel32/*.S)
KERNEL32_OBJ  := $(patsubst %.c,$(BUILD)/kernel32/%.o,$(KERNEL32_CSRC)) \
	$(patsubst %.S,$(BUILD)/kernel32/%.o,$(KERNEL32_SSRC))

# -m32 -march=i686: legacy protected mode; SSE2 doubles (boot32.S checks
# the CPU has it). -mincoming-stack-boundary=2: traps and ring-3 entries
# arrive with a 4-byte aligned stack; GCC realigns where SSE needs 16.
# -Isrc/kernel32 first: its layout32.h; src/kernel for kernel.h and cpu.h.
KERNEL32_CFLAGS := -m32 -march=i686 -msse2 -mfpmath=sse -mincoming-stack-boundary=2 \
	-std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector \
	-fno-math-errno -fno-builtin-printf \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fcf-protection=none -fno-omit-frame-pointer \
	-DKENTRY_VERSION='"$(VERSION)"' -Isrc -Isrc/kernel32 -Isrc/kernel
KERNEL32_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-T src/kernel32/kernel32.ld

.PHONY: kernel32 kernel32-boot
# Needs a 32-bit libgcc (Debian: gcc-multilib, which make deps installs);
# without it the legacy paths are reported as "image not built".
ifeq ($(HAVE_M32),yes)
kernel: $(KERNEL32_ELF)
kernel32: $(KERNEL32_ELF)
KERNEL_ISO_EXTRA += $(KERNEL32_ELF)
$(KERNEL_ISO): $(KERNEL32_ELF)
else
kernel: kernel32-note
kernel32: kernel32-note
.PHONY: kernel32-note
kernel32-note:
	@echo "note: no 32-bit toolchain (gcc-multilib): the legacy 32-bit kernel is not built"
endif

$(BUILD)/kernel32/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/kernel32/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) -MMD -MP -c $< -o $@

$(KERNEL32_ELF): $(KERNEL32_OBJ) src/kernel32/kernel32.ld
	$(CC) $(KERNEL32_LDFLAGS) -o $@ $(KERNEL32_OBJ) -lgcc

kernel32-boot: $(KERNEL32_ELF)
	qemu-system-x86_64 -kernel $(KERNEL32_ELF) -serial stdio -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg \
		-cpu $(KCPU) $(if $(KICOUNT),-icount shift=0) -append "$(KAPPEND)"; \
		st=$$?; echo "qemu exit status $$st"; [ $$st -eq 33 ]
