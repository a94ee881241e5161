# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel crypto API providers pass their self-tests, and zswap with
# deflate-accel_wd as compressor survives memory pressure (the guest has
# 256 MiB and a swap disk).
. /opt/awd/bin/lib.sh
selftest() {  # driver name -> its /proc/crypto selftest line says passed
	awk -v d="$1" '$1 == "driver" { cur = $3 } cur == d && $1 == "selftest" { print $3 }' \
		/proc/crypto | grep -qx passed
}
check "deflate-accel_wd registered, selftest passed" selftest deflate-accel_wd
check "rsa-accel_wd registered, selftest passed" selftest rsa-accel_wd
check "software deflate stays the default" sh -c \
	'awk "\$1 == \"name\" { n = \$3 } \$1 == \"driver\" && n == \"deflate\" { print \$3 }" /proc/crypto | grep -q deflate-generic'
check "swap on the virtio disk" sh -c 'mkswap /dev/vda >/dev/null && swapon /dev/vda'
check "zswap uses deflate-accel_wd" sh -c '
	echo deflate-accel_wd > /sys/module/zswap/parameters/compressor &&
	echo 1 > /sys/module/zswap/parameters/enabled &&
	[ "$(cat /sys/module/zswap/parameters/compressor)" = deflate-accel_wd ]'
before=$(cat "$(awd_dev)/kernel_queue" 2>/dev/null)
check "memory pressure: 300 MiB in a 256 MiB guest" awd-drvtest memhog 300
echo "# kernel queue before: $before"
echo "# kernel queue after:  $(cat "$(awd_dev)/kernel_queue" 2>/dev/null)"
check "zswap stored pages through the device" sh -c \
	'[ "$(cat /sys/kernel/debug/zswap/stored_pages 2>/dev/null || echo 0)" -gt 0 ] ||
	 [ "$(cat /sys/kernel/debug/zswap/written_back_pages 2>/dev/null || echo 0)" -gt 0 ]'
check_dmesg_clean
finish
