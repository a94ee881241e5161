# SPDX-License-Identifier: GPL-2.0-or-later
# The device's telemetry (version 1.2, AWD_CAP_TELEMETRY) as the guest sees
# it: AWD_IOC_TELEMETRY around a known number of compressions of a known
# size (the queue's requests, histogram and bytes follow exactly, the
# device counts at least as much, a new file on the queue starts from 0,
# history needs privilege, a wrong size or flag is refused), then the
# lines of `awd stat`. Skipped (77) on a device without telemetry.
# TM_TIMING=on in the environment (telemetry-timing) expects the timing
# model on.
. /opt/awd/bin/lib.sh
N=16 LEN=65536
# its unprivileged check opens the device as uid/gid 65534: grant it
check "grant the device to group 65534 (as the README's udev rule)" grant_group 65534
check "AWD_IOC_TELEMETRY counts $N compressions of $LEN bytes (awd-drvtest telemetry)" \
	awd-drvtest telemetry $N $LEN
# The drvtest's queue was the first free one, which awd stat now gets:
# as root it shows that queue index's history.
awd stat >/tmp/stat.out 2>&1
stat_rc=$?
has_tm() { grep -q '^telemetry of the device' /tmp/stat.out; }
stat_lines() {
	[ $stat_rc -eq 0 ] || { cat /tmp/stat.out; return 1; }
	if ! has_tm; then
		grep -q 'telemetry *not supported' /tmp/stat.out && { echo "SKIP: no telemetry"; return 77; }
		cat /tmp/stat.out; return 1
	fi
	for re in '^  hw_version' '^  state *running' '^  driver *irqs' \
		'^  timing model *(on|off)' '^telemetry of queue [0-9]+ \(' \
		'^  requests *[0-9]+$' '^  latency *mean ' '^  histogram ' \
		'^  occupancy *mean [0-9.]+, max ' '^  atc *hit ratio ' \
		'^  page requests *[0-9]+ pages in [0-9]+ waits' \
		'^  invalidations *[0-9]+, wait mean ' '^  bytes *in [0-9]+, out [0-9]+'; do
		grep -Eq "$re" /tmp/stat.out || { echo "no line matching /$re/"; cat /tmp/stat.out; return 1; }
	done
}
check "awd stat prints the telemetry lines (and keeps its others)" stat_lines
# the device block: at least the drvtest's requests and bytes, and a
# histogram whose counts add up to its requests
device_block() {
	has_tm || { echo "SKIP: no telemetry"; return 77; }
	sed -n '/^telemetry of the device/,$p' /tmp/stat.out | awk -v n=$N -v len=$LEN '
		/^  requests/ { reqs = $2 }
		/^  histogram/ { for (i = 2; i <= NF; i++) { split($i, p, ":"); sum += p[2] } }
		/^  bytes/ { gsub(",", ""); bin = $3 }
		END {
			printf "requests %s, histogram sum %s, bytes in %s\n", reqs, sum, bin
			exit !(reqs >= n && sum == reqs && bin >= n * len)
		}'
}
check "awd stat: device requests >= $N, histogram sums to them, bytes in >= $N x $LEN" device_block
queue_block() {
	has_tm || { echo "SKIP: no telemetry"; return 77; }
	sed -n '/^telemetry of queue/,/^telemetry of the device/p' /tmp/stat.out | awk -v n=$N '
		/^telemetry of queue/ { hist = /all its users/ }
		/^  requests/ { reqs = $2 }
		/^  histogram/ { for (i = 2; i <= NF; i++) { split($i, p, ":"); sum += p[2] } }
		END {
			printf "history %d, requests %s, histogram sum %s\n", hist, reqs, sum
			exit !(sum == reqs && (!hist || reqs >= n))
		}'
}
check "awd stat: the queue's history (root) holds the drvtest's requests" queue_block
if [ -n "$TM_TIMING" ]; then
	check "timing model is $TM_TIMING" grep -Eq "^  timing model *$TM_TIMING" /tmp/stat.out
fi
rm -f /tmp/stat.out
check_driver_idle
check_dmesg_clean
finish
