# SPDX-License-Identifier: GPL-2.0-or-later
# The waiting line for queues: open() without O_NONBLOCK waits while every
# queue is taken and the driver hands each freed queue to the oldest
# waiter; waiters killed in line leave nothing behind; removing the device
# sends the line away with ENODEV. The library's AWD_OPEN_WAIT on top.
. /opt/awd/bin/lib.sh
d=$(awd_dev)
bdf=$(basename "$d")
check "O_NONBLOCK: EBUSY; blocking open waits, EINTR on a signal" awd-drvtest busy
check "64 processes on 15 queues, FIFO order, 8 waiters SIGKILLed" awd-drvtest waitq 64 8
check "no process left waiting" sh -c "[ \$(cat $d/queue_waiters) = 0 ]"
check_driver_idle
check "libaccelwd AWD_OPEN_WAIT" awd-libtest open-wait
check "device removed while processes wait: ENODEV" awd-drvtest waitq-remove "/sys/bus/pci/devices/$bdf/remove"
echo 1 > /sys/bus/pci/rescan
check "rescan binds the device again" test -d "/sys/bus/pci/drivers/accel_wd/$bdf"
check_driver_idle
check_dmesg_clean
finish
