# SPDX-License-Identifier: GPL-2.0-or-later
# Fatal device error recovery. The host injects AWD_STATUS_FATAL through
# QMP (qom-set inject-fatal, sent by run-guest.sh --qmp-on when
# awd-fataltest prints its marker) while compressions wait for slow page
# responses (pri-delay-ms). The driver resets the device: the requests in
# flight come back with -ECANCELED, a new request works, nothing stays
# pinned or in use, the kernel queue holds nothing, the module unloads.
. /opt/awd/bin/lib.sh
dev=$(awd_dev)
resets0=$(cat $dev/resets)
check "in-flight requests -ECANCELED, then a new request works (awd-fataltest)" \
	awd-fataltest AWD-QMP-FATAL
sed 's/^/#   /' "$tap_out"	# what it saw, as TAP diagnostics
check "the driver saw the fatal error and reset the device" sh -c "
	dmesg | grep -q 'device reports a fatal error; resetting it' &&
	[ \$(cat $dev/resets) -gt $resets0 ]"
check "kernel queue: nothing in flight" sh -c "cat $dev/kernel_queue; grep -q 'inflight 0\$' $dev/kernel_queue"
check "queues work after recovery (awd-drvtest compress)" awd-drvtest compress
check_driver_idle
check "module unloads" unload_driver
check_dmesg_clean
finish
