# kentry: one entry point for build, run, check and install.
#
#   make            build build/kentry, the 32-bit helper, the kernel and its boot image
#   make run        install missing packages, build, run `kentry` (both worlds)
#   make check      install missing packages, build, run every test
#   make test       run every test (no package step)
#   make bench      benchmarks of kentry itself (bench/)
#   make install    PREFIX=/usr/local

VERSION := 0.1.0
PREFIX  ?= /usr/local
BUILD   ?= build

CC      ?= cc
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
BASEFLAGS := -std=gnu11 $(WARN) -fno-math-errno -D_GNU_SOURCE \
	-DKENTRY_VERSION='"$(VERSION)"' -Isrc
LDLIBS  := -ljansson -lm

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

CORE_SRC   := $(wildcard src/core/*.c)
LINUX_SRC  := $(wildcard src/linux/*.c)
LINUX_ASM  := $(wildcard src/linux/*.S)
CLI_SRC    := $(wildcard src/cmd/*.c src/results/*.c src/emu/*.c)
HOST_SRC   := $(CORE_SRC) $(LINUX_SRC) $(CLI_SRC)
HOST_OBJ   := $(patsubst %.c,$(BUILD)/host/%.o,$(HOST_SRC)) \
	$(patsubst %.S,$(BUILD)/host/%.o,$(LINUX_ASM))
SAN_OBJ    := $(patsubst $(BUILD)/host/%,$(BUILD)/san/%,$(HOST_OBJ))
LIB_OBJ    := $(filter-out %/src/cmd/main.o,$(HOST_OBJ))
SANLIB_OBJ := $(filter-out %/src/cmd/main.o,$(SAN_OBJ))

# The 32-bit helper runs the compatibility-mode paths. It needs a 32-bit
# toolchain (Debian: gcc-multilib); without one kentry reports those paths
# as skipped and says why.
H32_SRC := $(wildcard src/linux/compat32/*.c) src/core/stats.c \
	src/core/measure.c src/core/cpuinfo.c
H32_ASM := $(wildcard src/linux/compat32/*.S)
HAVE_M32 := $(shell printf 'int main(void){return 0;}' | \
	$(CC) -m32 -x c - -o /dev/null 2>/dev/null && echo yes)

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
# Test helpers that are not kentry: the PNG decoder the plot test uses to
# see that a rendered chart is not blank (zlib: Debian zlib1g-dev).
TOOLS      := $(BUILD)/tools/pngcheck
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
UNIT_SAN   := $(patsubst tests/unit/%.c,$(BUILD)/tests-san/%,$(UNIT_SRC))

.PHONY: all run check test bench install deps clean
all: $(BUILD)/kentry $(BUILD)/kentry-helper32 kernel

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kentry: $(HOST_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/kentry-san: $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

ifeq ($(HAVE_M32),yes)
$(BUILD)/kentry-helper32: $(H32_SRC) $(H32_ASM) $(wildcard src/core/*.h src/linux/compat32/*.h)
	@mkdir -p $(dir $@)
	$(CC) -m32 -static $(BASEFLAGS) -O2 -g -msse2 -mfpmath=sse \
		-o $@ $(H32_SRC) $(H32_ASM)
else
$(BUILD)/kentry-helper32:
	@echo "note: no 32-bit toolchain (gcc-multilib): the 32-bit paths will be reported as skipped"
endif

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -Itests -o $@ $< $(LIB_OBJ) $(LDLIBS)
$(BUILD)/tests-san/%: tests/unit/%.c $(SANLIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -Itests -o $@ $< $(SANLIB_OBJ) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -g -o $@ $< -lz

-include src/kernel/kernel.mk
-include src/kernel32/kernel32.mk
ifndef KERNEL_ELF
kernel:
	@true
endif

# `deps` installs what a fresh Debian or Ubuntu machine lacks (needs root or sudo).
deps:
	@./scripts/deps.sh

run: deps all
	$(BUILD)/kentry

check: deps
	$(MAKE) test

test: all $(UNIT_BIN) $(UNIT_SAN) $(BUILD)/kentry-san $(TOOLS)
	@BUILD=$(BUILD) ./tests/run.sh

bench: all
	@./bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/kentry
	install -m 755 $(BUILD)/kentry $(DESTDIR)$(PREFIX)/bin/kentry
	for f in $(BUILD)/kentry-helper32 $(KERNEL_IMAGES); do \
		[ -f $$f ] && install -m 644 $$f $(DESTDIR)$(PREFIX)/libexec/kentry/ || true; done
	[ -f $(BUILD)/kentry-helper32 ] && chmod 755 $(DESTDIR)$(PREFIX)/libexec/kentry/kentry-helper32 || true

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
