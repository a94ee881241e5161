# SPDX-License-Identifier: GPL-2.0-or-later
# The guest boots on q35 + iommu-sva + accel-wd: the kernel found the
# DMAR table of iommu-sva, accel_wd loaded and bound the device.
. /opt/awd/bin/lib.sh

check "DMAR table of iommu-sva found" sh -c 'dmesg | grep -q "DMAR: .*reg_base_addr fed90000"'
check "accel_wd module loaded" test -d /sys/module/accel_wd
check "accel-wd device bound to accel_wd" \
	sh -c 'ls -d /sys/bus/pci/drivers/accel_wd/0000:* >/dev/null'
check "accel-wd identity is 1234:acd0 class 120000" sh -c '
	d=$(ls -d /sys/bus/pci/drivers/accel_wd/0000:* | head -n1)
	[ "$(cat $d/vendor)" = 0x1234 ] && [ "$(cat $d/device)" = 0xacd0 ] &&
	[ "$(cat $d/class)" = 0x120000 ]'
check "character device present" sh -c 'ls /dev/accel_wd* >/dev/null'
check_dmesg_clean
finish
