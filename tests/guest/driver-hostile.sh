# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile use of one's own queue (issue 13, defect 5): rings and doorbell
# unmapped while requests wait for page requests, STOP/START and other
# ioctls from two more threads, the address space churned meanwhile. No
# step blocks for a page request timeout, the queue works afterwards,
# nothing stays in use or pinned, the kernel log stays clean.
. /opt/awd/bin/lib.sh
check "hostile use of one's own queue for 15 s" awd-drvtest hostile 15
check_dmesg_clean
finish
