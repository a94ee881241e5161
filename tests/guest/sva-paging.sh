# SPDX-License-Identifier: GPL-2.0-or-later
# SVA on the paging mode the guest runs: $1 is "5" (a CPU with LA57 and a
# kernel that turned 5-level paging on) or "4". intel-iommu accepts the
# unit as SVM capable, accel_wd binds the process (a PASID), and the device
# walks the process's own page tables in that format: compression into
# never-touched memory (every page through a page request), copy-on-write.
. /opt/awd/bin/lib.sh
levels=${1:-4}
if [ "$levels" = 5 ]; then
	check "kernel runs 5-level paging (la57)" grep -qw la57 /proc/cpuinfo
else
	check "kernel runs 4-level paging (no la57)" sh -c '! grep -qw la57 /proc/cpuinfo'
fi
check "intel-iommu did not disable SVM" sh -c '! dmesg | grep -qiE "SVM disabled|not SVM capable|incompatible (paging|1GB)"'
check "accel_wd bound the process with a PASID (SVA mode)" sh -c "[ \$(cat $(awd_dev)/mode) = sva ]"
check "compress 1 MiB into untouched memory, zlib-verified" awd-drvtest compress 1048576
check "copy-on-write after fork" awd-drvtest cow
check_driver_idle
check_dmesg_clean
finish
