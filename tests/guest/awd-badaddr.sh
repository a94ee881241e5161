# SPDX-License-Identifier: GPL-2.0-or-later
# Requests naming a non-canonical or a kernel address, in a loop from an
# unprivileged process: each completes with -EFAULT and the address, and
# the kernel log stays quiet (iommu-sva answers translation requests that
# can never succeed without a page request, so Linux has nothing to log).
. /opt/awd/bin/lib.sh
N=1000
before=$(dmesg | wc -l)
check "$N bad requests: -EFAULT with the address, then a good one" awd-badaddr $N
after=$(dmesg | wc -l)
grown=$((after - before))
echo "# kernel log grew by $grown lines over $N bad requests"
if [ "$grown" -le 5 ]; then
	pass "kernel log grew by $grown lines (at most 5)"
else
	fail "kernel log grew by $grown lines (at most 5)"
	dmesg | tail -n "$grown" | head -n 20 | sed 's/^/#   /'
fi
check_driver_idle
check_dmesg_clean
finish
