# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for guest test scripts (busybox sh). Source with
#   . /opt/awd/bin/lib.sh
# Every check prints one TAP line ("ok N - ...", "not ok N - ...",
# "ok N - ... # SKIP reason"); finish prints the plan and exits with the
# test's status, which run-guest.sh --batch passes on to meson: 1 when a
# check failed (or none ran), 77 (skipped) when every check was skipped,
# else 0. The housekeeping checks (check_driver_idle, check_dmesg_clean)
# are reported but do not make a test whose own checks were all skipped a
# pass.
tap_n=0 tap_pass=0 tap_fail=0 tap_skip=0 tap_aux=0
tap_out=${TMPDIR:-/tmp}/check.out
tap_line() {  # "ok"|"not ok" DESCRIPTION [DIRECTIVE]
	tap_n=$((tap_n + 1))
	# a '#' in the description would start a TAP directive
	echo "$1 $tap_n - $(printf '%s' "$2" | sed 's/#/\\#/g')${3:+ # $3}"
}
pass() { [ "$tap_aux" = 1 ] || tap_pass=$((tap_pass + 1)); tap_line ok "$*"; }
fail() { tap_fail=$((tap_fail + 1)); tap_line "not ok" "$*"; }
skip() { tap_skip=$((tap_skip + 1)); tap_line ok "$1" "SKIP${2:+ $2}"; }  # DESCRIPTION [REASON]
check() {  # check DESCRIPTION COMMAND... (exit status 77: skipped)
	local d=$1 rc=0
	shift
	"$@" >"$tap_out" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then pass "$d"
	elif [ "$rc" -eq 77 ]; then skip "$d" "$(sed -n '1{s/^SKIP:* *//;p;}' "$tap_out")"
	else fail "$d"; sed 's/^/#   /' "$tap_out"; fi
}
awd_dev() {  # sysfs directory of the first accel-wd bound to accel_wd
	ls -d /sys/bus/pci/drivers/accel_wd/0000:* 2>/dev/null | head -n1
}
# The driver's counters after a test, on every bound device: nothing left
# in use, pinned or waiting.
check_driver_idle() {
	local devs
	devs=$(ls -d /sys/bus/pci/drivers/accel_wd/0000:* 2>/dev/null | tr '\n' ' ')
	tap_aux=1
	check "no queue left in use or waited for" sh -c "[ -n '$devs' ] && for d in $devs; do [ \$(cat \$d/queues_in_use) = 0 ] && [ \$(cat \$d/queue_waiters) = 0 ] || exit 1; done"
	check "no page left pinned" sh -c "[ -n '$devs' ] && for d in $devs; do [ \$(cat \$d/pinned_pages) = 0 ] || exit 1; done"
	tap_aux=0
}
# The documented grant of the device to a group (guest-driver/README.md):
# what a udev rule GROUP="...", MODE="0660" does, for the test initramfs
# that has no udev. Tests whose unprivileged user (uid/gid 65534) opens
# the device call it with that group.
grant_group() {  # GID
	local n
	for n in /dev/accel_wd*; do
		chgrp "$1" "$n" && chmod 0660 "$n" || return 1
	done
}
# rmmod accel_wd, retried for up to 20 s: the crypto self-tests may hold
# the module for a moment after it loads.
unload_driver() {
	local i=0
	while ! rmmod accel_wd 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 20 ] || return 1; sleep 1
	done
}
reload_driver() {  # [MODULE PARAMETERS]: unload, then insmod with them
	local ko
	ko=$(ls /lib/modules/accel_wd.ko 2>/dev/null ||
		find /lib/modules -name accel_wd.ko | head -n1)
	unload_driver && insmod "$ko" "$@"
}
# Kernel log lines that must never appear during a test.
BAD_DMESG='Oops|BUG:|WARNING:|Call Trace|DMAR: \[DMA (Read|Write)|DMAR: DRHD: handling fault|general protection|kernel panic'
check_dmesg_clean() {
	tap_aux=1
	if dmesg | grep -E "$BAD_DMESG" >"$tap_out"; then
		fail "kernel log is clean"; sed 's/^/#   /' "$tap_out"
	else
		pass "kernel log is clean"
	fi
	tap_aux=0
}
finish() {
	echo "1..$tap_n"
	if [ "$tap_fail" -gt 0 ]; then
		echo "# $tap_fail of $tap_n check(s) failed"; exit 1
	fi
	if [ "$tap_pass" -eq 0 ] && [ "$tap_skip" -eq 0 ]; then
		echo "# no check of this test ran"; exit 1
	fi
	if [ "$tap_pass" -eq 0 ]; then
		echo "# skipped: every check of this test was skipped"; exit 77
	fi
	[ "$tap_skip" -eq 0 ] || echo "# $tap_skip of $tap_n check(s) skipped"
	exit 0
}
