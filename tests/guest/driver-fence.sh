# SPDX-License-Identifier: GPL-2.0-or-later
# A queue reset that never completes (device property qreset-hang=on):
# the driver must not free memory the device can still write. In no-SVA
# mode (pinned pages) the closed file's pages and rings stay, counted in
# fenced_pages, and its queue stays taken until a device reset (FLR via
# sysfs) frees them; then the device works. No oops, and the module
# unloads.
. /opt/awd/bin/lib.sh
check "reload accel_wd with sva=0" reload_driver sva=0
check "pages of a queue whose reset hangs are kept until a device reset (awd-drvtest fence)" \
	awd-drvtest fence "$(awd_dev)/reset"
check_driver_idle
check "fenced_pages back to 0" sh -c "[ \$(cat $(awd_dev)/fenced_pages) = 0 ]"
check "module unloads" unload_driver
check_dmesg_clean
finish
