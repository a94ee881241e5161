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
ko=$(ls /lib/modules/accel_wd.ko 2>/dev/null || find /lib/modules -name accel_wd.ko | head -n1)
# rmmod can fail for a moment while the crypto self-tests hold the module
unload() {
	i=0
	while ! rmmod accel_wd 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 20 ] || return 1; sleep 1
	done
}
if unload && insmod $ko sva=0; then pass "reload accel_wd with sva=0"; else fail "reload accel_wd with sva=0"; fi
check "both in no-SVA mode" sh -c "for d in /sys/bus/pci/drivers/accel_wd/0000:*; do [ \$(cat \$d/mode) = nosva ] || exit 1; done"
check "one process, both devices, no-SVA; fork/COW on both" awd-libtest two-dev accel_wd0 accel_wd1
check_driver_idle
if unload && insmod $ko; then pass "reload accel_wd with SVA"; else fail "reload accel_wd with SVA"; fi
check_dmesg_clean
finish
