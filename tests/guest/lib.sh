# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for guest test scripts (busybox sh). Source with
#   . /opt/awd/bin/lib.sh
fails=0
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
check() {  # check DESCRIPTION COMMAND... (exit status 77: skipped)
	local d=$1 rc=0
	shift
	"$@" >/tmp/check.out 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then pass "$d"
	elif [ "$rc" -eq 77 ]; then pass "$d # SKIP $(head -n 1 /tmp/check.out)"
	else fail "$d"; sed 's/^/#   /' /tmp/check.out; fi
}
awd_dev() {  # sysfs directory of the first accel-wd bound to accel_wd
	ls -d /sys/bus/pci/drivers/accel_wd/0000:* 2>/dev/null | head -n1
}
# The driver's counters after a test: nothing left in use or pinned.
check_driver_idle() {
	local dev
	dev=$(awd_dev)
	check "no queue left in use" sh -c "[ \$(cat $dev/queues_in_use) = 0 ]"
	check "no page left pinned" sh -c "[ \$(cat $dev/pinned_pages) = 0 ]"
}
# Kernel log lines that must never appear during a test.
BAD_DMESG='Oops|BUG:|WARNING:|Call Trace|DMAR: \[DMA (Read|Write)|DMAR: DRHD: handling fault|general protection|kernel panic'
check_dmesg_clean() {
	if dmesg | grep -E "$BAD_DMESG" >/tmp/bad.out; then
		fail "kernel log is clean"; sed 's/^/#   /' /tmp/bad.out
	else
		pass "kernel log is clean"
	fi
}
finish() {
	[ "$fails" -eq 0 ] && exit 0
	echo "# $fails check(s) failed"; exit 1
}
