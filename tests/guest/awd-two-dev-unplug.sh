# SPDX-License-Identifier: MIT
# Guest half of two-dev-unplug (tests/guest/two-dev-unplug.sh runs it):
# one process works on both devices, asks the host to device_del the
# first (QMP) and keeps working on the second while the guest's pciehp
# removes the first; the second device is untouched by the removal.
. /opt/awd/bin/lib.sh
check "two accel-wd devices bound" test "$(ls -d /sys/bus/pci/drivers/accel_wd/0000:* | wc -l)" = 2
gone=$(basename "$(readlink -f /sys/class/accel_wd/accel_wd0/device)")
check "hot-unplug of accel_wd0 while accel_wd1 runs" awd-libtest two-dev-unplug accel_wd0 accel_wd1 awd0
check "accel_wd0 ($gone) is gone, accel_wd1 stays" sh -c "! test -e /dev/accel_wd0 && ! test -e /sys/bus/pci/devices/$gone && test -c /dev/accel_wd1"
check "accel_wd1 still passes awd-drvtest nop" awd-drvtest -d /dev/accel_wd1 nop 20
check_driver_idle
# plugged in again (QMP device_add): pciehp probes it from a kernel thread
echo "AWD-HOST-QMP device_add accel-wd,bus=rp0,id=awd0" > /dev/console
replugged() {
	i=0
	while [ $i -lt 60 ]; do
		[ -c /dev/accel_wd0 ] && [ "$(ls -d /sys/bus/pci/drivers/accel_wd/0000:* | wc -l)" = 2 ] && return 0
		i=$((i + 1)); sleep 1
	done
	return 1
}
check "accel_wd0 plugged in again" replugged
# probed by pciehp's kernel thread, the device has no address space to
# try SVA with: the first open decides
check "one process, both devices again, one PASID" awd-libtest two-dev accel_wd0 accel_wd1
check "the plugged-in device is in SVA mode like the other" sh -c "[ \$(cat /sys/class/accel_wd/accel_wd0/device/mode) = sva ]"
check_driver_idle
check_dmesg_clean
finish
