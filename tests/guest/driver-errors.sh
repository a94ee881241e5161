# SPDX-License-Identifier: GPL-2.0-or-later
# Bad days: a bad doorbell puts the queue in error and STOP/START recovers
# it; a function-level reset under a running queue; removing the device
# with a file open; then rescan and module unload/reload.
. /opt/awd/bin/lib.sh
d=$(awd_dev)
bdf=$(basename "$d")
check "bad doorbell: queue error, recovery" awd-drvtest qerror
check "function-level reset under an open queue" awd-drvtest flr "$d/reset"
check_driver_idle
check "device removed under an open file" awd-drvtest hotremove "/sys/bus/pci/devices/$bdf/remove"
echo 1 > /sys/bus/pci/rescan
check "rescan binds the device again" test -d "/sys/bus/pci/drivers/accel_wd/$bdf"
check "module unloads" rmmod accel_wd
check "module reloads in no-SVA mode" insmod /lib/modules/accel_wd.ko sva=0
check "no-SVA mode reported" sh -c "[ \$(cat $(awd_dev)/mode) = nosva ]"
check "no-SVA: registered memory" awd-drvtest regmem
check "no-SVA: compression through pinned memory" awd-drvtest compress 65536
check_driver_idle
check_dmesg_clean
finish
