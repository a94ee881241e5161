# SPDX-License-Identifier: GPL-2.0-or-later
# accel_wd's device-file contract: capabilities, mmap layout, fork and exec
# (neither a child nor a new image can use the queue), one queue per open
# until EBUSY, memory registration, NOPs through the mapped rings, two
# processes at once, unmapping a running ring.
. /opt/awd/bin/lib.sh
check "driver runs in SVA mode" sh -c "[ \$(cat $(awd_dev)/mode) = sva ]"
for t in info mmap fork exec busy "nop 100" two unmap; do
	check "awd-drvtest $t" awd-drvtest $t
done
# awd-drvtest regmem, in SVA mode, checks that registration is refused
# (EOPNOTSUPP) and then exits 77: here that is the expected result, not a
# skipped check (driver-errors.sh runs it in no-SVA mode)
regmem_refused() {
	awd-drvtest regmem
	[ $? -eq 77 ]
}
check "memory registration refused in SVA mode (awd-drvtest regmem)" regmem_refused
check_driver_idle
check_dmesg_clean
finish
