# SPDX-License-Identifier: GPL-2.0-or-later
# A queue reset that never completes (device property qreset-hang=on):
# the driver must not free memory the device can still write. In no-SVA
# mode (pinned pages) the closed file's pages and rings stay, counted in
# fenced_pages, and its queue stays taken until a device reset (FLR via
# sysfs) frees them; then the device works. No oops, and the module
# unloads.
. /opt/awd/bin/lib.sh
ko=$(ls /lib/modules/accel_wd.ko 2>/dev/null || find /lib/modules -name accel_wd.ko | head -n1)
unload() {  # the crypto self-tests may hold the module for a moment
	i=0
	while ! rmmod accel_wd 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 20 ] || return 1; sleep 1
	done
}
if unload && insmod $ko sva=0; then pass "reload accel_wd with sva=0"; else fail "reload accel_wd with sva=0"; fi
check "pages of a queue whose reset hangs are kept until a device reset (awd-drvtest fence)" \
	awd-drvtest fence "$(awd_dev)/reset"
check_driver_idle
check "fenced_pages back to 0" sh -c "[ \$(cat $(awd_dev)/fenced_pages) = 0 ]"
check "module unloads" unload
check_dmesg_clean
finish
