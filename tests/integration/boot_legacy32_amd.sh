#!/bin/sh
# The legacy-kernel boot test of boot_legacy32.sh with an AMD QEMU model.
exec sh "$(dirname "$0")/boot_legacy32.sh" amd
