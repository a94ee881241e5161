# SPDX-License-Identifier: GPL-2.0-or-later
# accel_wd's device-file contract: capabilities, mmap layout, fork (the
# child cannot use the parent's queue), one queue per open until EBUSY,
# memory registration, and NOPs through the mapped rings.
. /opt/awd/bin/lib.sh
for t in info mmap fork busy regmem "nop 100"; do
	check "awd-drvtest $t" awd-drvtest $t
done
check_dmesg_clean
finish
