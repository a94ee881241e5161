# SPDX-License-Identifier: GPL-2.0-or-later
# The sgl queue format (run with -global accel-wd.format=sgl): the device
# dereferences lists that live in the process. An sgl request whose lists
# and data pages the process never touched gets every one of them by page
# request (counted by the device) and compresses right; after fork() the
# parent rewrites its list and its data, the device uses the new ones and
# the child's copies stay as they were.
. /opt/awd/bin/lib.sh
check "lists and data untouched until submission, all by page request" awd-drvtest sgl-untouched
check "fork: the parent's new list and data, the child's unchanged" awd-drvtest sgl-cow
check_dmesg_clean
finish
