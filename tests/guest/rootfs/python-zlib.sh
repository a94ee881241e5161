#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (a) python3's zlib and gzip modules on the device through libawdz: round
# trip /usr/share/doc (files and tar chunks), check with the system zlib,
# and prove with AWDZ_STATS that the device did the work.
. /usr/lib/awd/tests/lib.sh
. /usr/lib/awd/tests/awdz-lib.sh
T=/usr/lib/awd/tests
check "libawdz.so is installed and in the linker cache" sh -c "[ -f $AWDZ ] && ldconfig -p | grep -q libawdz.so"
LD_PRELOAD=$AWDZ AWDZ_STATS=1 python3 $T/zlib_roundtrip.py run /usr/share/doc /tmp/blobs 6000000 \
	> /tmp/run.out 2> /tmp/stats.txt
rc=$?
cat /tmp/run.out
if [ $rc -eq 0 ]; then pass "zlib/gzip round trips under LD_PRELOAD"; else fail "zlib/gzip round trips under LD_PRELOAD"; sed 's/^/#   /' /tmp/stats.txt; fi
check "the blobs inflate to the corpus with the system zlib" python3 $T/zlib_roundtrip.py verify /usr/share/doc /tmp/blobs 6000000
grep '^awdz:' /tmp/stats.txt | sed 's/^/# /'
eligible=$(sed -n 's/.*eligible=\([0-9]*\).*/\1/p' /tmp/run.out)
bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' /tmp/run.out)
[ -n "$eligible" ] || eligible=999999
# three deflates (zlib, gzip, raw) and three inflates per eligible item
cmp_ge "deflates on the device" "$(counter deflate.hw /tmp/stats.txt)" $((3 * eligible))
cmp_ge "inflates on the device" "$(counter inflate.hw /tmp/stats.txt)" $((3 * eligible))
cmp_ge "bytes the device deflated" "$(counter deflate.hw_bytes_in /tmp/stats.txt)" $((bytes * 2))
check "no device error fallbacks" sh -c "[ $(counter deflate.fallback.device_error /tmp/stats.txt) = 0 ] && [ $(counter inflate.fallback.device_error /tmp/stats.txt) = 0 ]"
check_driver_idle
check_dmesg_clean
finish
