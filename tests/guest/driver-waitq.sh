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
# the awd command: AWD_WAIT=1 waits for a queue, without it EBUSY
head -c 200000 /opt/awd/bin/awd > /tmp/in
awd_wait() {  # (check's own local d hides the global one)
	sd=$(awd_dev)
	n=$(cat $sd/queues)
	pids=
	i=0
	while [ $i -lt "$n" ]; do   # shell redirections open without O_NONBLOCK
		sleep 600 3<>/dev/accel_wd0 &
		pids="$pids $!"
		i=$((i + 1))
	done
	i=0; while [ "$(cat $sd/queues_in_use)" != "$n" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(cat $sd/queues_in_use)" = "$n" ] || { echo "holders: $(cat $sd/queues_in_use) of $n"; kill $pids; return 1; }
	rc=0
	awd zip -c /tmp/in > /tmp/busy.gz 2>/tmp/busy.err && { echo "awd zip ran with every queue taken"; rc=1; }
	grep -q busy /tmp/busy.err || { cat /tmp/busy.err; rc=1; }
	AWD_WAIT=1 awd zip -c /tmp/in > /tmp/in.gz &
	zpid=$!
	sleep 1
	[ "$(cat $sd/queue_waiters)" = 1 ] || { echo "waiters: $(cat $sd/queue_waiters)"; rc=1; }
	kill -0 $zpid || { echo "AWD_WAIT=1 awd zip did not wait"; rc=1; }
	set -- $pids
	kill "$1"	# one queue frees up
	wait $zpid || { echo "awd zip failed after waiting"; rc=1; }
	gunzip -c /tmp/in.gz | cmp - /tmp/in || rc=1
	kill $pids 2>/dev/null
	wait 2>/dev/null
	return $rc
}
check "awd zip: EBUSY with every queue taken; AWD_WAIT=1 waits, then runs" awd_wait
check "device removed while processes wait: ENODEV" awd-drvtest waitq-remove "/sys/bus/pci/devices/$bdf/remove"
echo 1 > /sys/bus/pci/rescan
check "rescan binds the device again" test -d "/sys/bus/pci/drivers/accel_wd/$bdf"
check_driver_idle
check_dmesg_clean
finish
