#!/bin/sh
# The boot test of boot_intel.sh with an AMD QEMU model (--cpu amd).
exec sh "$(dirname "$0")/boot_intel.sh" amd
