# SPDX-License-Identifier: MIT
# One process, two accel-wd devices (the WarpDrive "several devices in one
# address space"): with SVA both devices get the process's one PASID;
# requests run on both at once into pages that are copy-on-write after
# fork(), each output checked through the other device; the same in the
# driver's no-SVA mode on both. Booted with two devices behind
# pcie-root-ports (tests/guest/meson.build).
. /opt/awd/bin/lib.sh
ndev=$(ls -d /sys/bus/pci/drivers/accel_wd/0000:* 2>/dev/null | wc -l)
check "two accel-wd devices bound" test "$ndev" = 2
check "/dev/accel_wd0 and /dev/accel_wd1" sh -c "test -c /dev/accel_wd0 && test -c /dev/accel_wd1"
check "both in SVA mode" sh -c "for d in /sys/bus/pci/drivers/accel_wd/0000:*; do [ \$(cat \$d/mode) = sva ] || exit 1; done"
check "one process, both devices, one PASID; fork/COW on both" awd-libtest two-dev accel_wd0 accel_wd1
check "awd-drvtest cow on accel_wd1" awd-drvtest -d /dev/accel_wd1 cow
check_driver_idle
check "reload accel_wd with sva=0" reload_driver sva=0
check "both in no-SVA mode" sh -c "for d in /sys/bus/pci/drivers/accel_wd/0000:*; do [ \$(cat \$d/mode) = nosva ] || exit 1; done"
check "one process, both devices, no-SVA; fork/COW on both" awd-libtest two-dev accel_wd0 accel_wd1
check_driver_idle
check "reload accel_wd with SVA" reload_driver
check_dmesg_clean
finish
