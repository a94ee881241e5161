# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel crypto API providers pass their self-tests, and zswap with
# deflate-accel_wd as compressor survives memory pressure (the guest has
# 256 MiB and a swap disk) with its pages going through the device: the
# driver's kernel queue (sysfs kernel_queue: "qN done N errors N timeouts
# N") completes requests for at least half the pages zswap stores, loads
# or writes back (zswpout, zswpin, zswpwb in /proc/vmstat; measured: all
# but 7 of 346921, a path the driver does not count), without an error or
# a timeout. With software compression it completes none.
# $1: the zswap compressor (default deflate-accel_wd; another one, e.g.
# deflate-generic, shows the device checks failing), $2: MiB that memhog
# writes and reads back (default 300).
. /opt/awd/bin/lib.sh
comp=${1:-deflate-accel_wd}
hog=${2:-300}
selftest() {  # driver name -> its /proc/crypto selftest line says passed
	awk -v d="$1" '$1 == "driver" { cur = $3 } cur == d && $1 == "selftest" { print $3 }' \
		/proc/crypto | grep -qx passed
}
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
kq_field() {  # done|errors|timeouts: that counter of the kernel queue
	awk -v k="$1" '{ for (i = 2; i < NF; i += 2) if ($i == k) print $(i + 1) }' \
		"$(awd_dev)/kernel_queue" 2>/dev/null
}
# each page zswap stored (a compression), loaded or wrote back to the disk
# (a decompression) while memhog ran: at least half of them are requests
# the kernel queue completed
device_did_zswap() {
	[ -n "$done0" ] && [ -n "$done1" ] && [ -n "$out0" ] && [ -n "$out1" ] &&
		[ -n "$in0" ] && [ -n "$in1" ] ||
		{ echo "missing counters: kernel_queue done, zswpout or zswpin"; return 1; }
	local pages=$((out1 - out0 + in1 - in0 + ${wb1:-0} - ${wb0:-0}))
	echo "kernel queue: $((done1 - done0)) requests done; zswap: $((out1 - out0)) pages stored, $((in1 - in0)) loaded, $((${wb1:-0} - ${wb0:-0})) written back"
	[ $((out1 - out0)) -gt 0 ] && [ $((2 * (done1 - done0))) -ge "$pages" ]
}
no_kq_errors() {
	[ -n "$err1" ] && [ -n "$to1" ] && [ "$err1" = "$err0" ] && [ "$to1" = "$to0" ] ||
		{ echo "errors $err0 -> $err1, timeouts $to0 -> $to1"; return 1; }
}
check "deflate-accel_wd registered, selftest passed" selftest deflate-accel_wd
check "rsa-accel_wd registered, selftest passed" selftest rsa-accel_wd
# The kernel gives "deflate" to the implementation of highest priority,
# the first one in its list (the order of /proc/crypto) on a tie.
default_driver() {  # algorithm name -> the driver the kernel picks for it
	awk -v a="$1" '$1 == "name" { n = $3 } $1 == "driver" { d = $3 }
		$1 == "priority" && n == a && (def == "" || $3 > best) { best = $3; def = d }
		END { print def }' /proc/crypto
}
software_default() {
	local d
	d=$(default_driver deflate)
	echo "the kernel picks $d for deflate"
	[ "$d" = deflate-generic ]
}
check "software deflate stays the default" software_default
check "swap on the virtio disk" sh -c 'mkswap /dev/vda >/dev/null && swapon /dev/vda'
check "zswap uses $comp" sh -c "
	echo $comp > /sys/module/zswap/parameters/compressor &&
	echo 1 > /sys/module/zswap/parameters/enabled &&
	[ \"\$(cat /sys/module/zswap/parameters/compressor)\" = $comp ]"
done0=$(kq_field done) err0=$(kq_field errors) to0=$(kq_field timeouts)
out0=$(vmstat zswpout) in0=$(vmstat zswpin) wb0=$(vmstat zswpwb)
check "memory pressure: $hog MiB in a $(awk '$1 == "MemTotal:" { print int($2 / 1024) }' /proc/meminfo) MiB guest" awd-drvtest memhog "$hog"
done1=$(kq_field done) err1=$(kq_field errors) to1=$(kq_field timeouts)
out1=$(vmstat zswpout) in1=$(vmstat zswpin) wb1=$(vmstat zswpwb)
echo "# kernel queue: done $done0 -> $done1, errors $err0 -> $err1, timeouts $to0 -> $to1"
echo "# zswap: zswpout $out0 -> $out1, zswpin $in0 -> $in1, zswpwb $wb0 -> $wb1"
check "zswap stored pages (zswpout grew)" sh -c "[ \"${out1:-0}\" -gt \"${out0:-0}\" ]"
check "the device's kernel queue did zswap's stores and loads" device_did_zswap
check "no kernel queue error or timeout under zswap" no_kq_errors
check_dmesg_clean
finish
