# SPDX-License-Identifier: GPL-2.0-or-later
# SVA isolation: after fork the parent's copy-on-write data reaches the
# device while the child cannot use the queue; another process's address
# and a kernel address complete with a fault status, never with data.
. /opt/awd/bin/lib.sh
check "copy-on-write after fork" awd-drvtest cow
check "foreign and kernel addresses fault" awd-drvtest isolation
check_driver_idle
check_dmesg_clean
finish
