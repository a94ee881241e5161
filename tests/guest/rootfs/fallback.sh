#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (e) with the device's page request failure injection on
# (-global accel-wd.pri-fail-every=3, with pri-batch=1 so that a failure
# is not absorbed by the page-by-page retry of a group) libawdz still
# returns correct data, through zlib, and counts each fallback.
. /usr/lib/awd/tests/lib.sh
. /usr/lib/awd/tests/awdz-lib.sh
T=/usr/lib/awd/tests
AWDZ_DEBUG=1 LD_PRELOAD=$AWDZ AWDZ_STATS=1 python3 $T/zlib_roundtrip.py run /usr/share/doc /tmp/blobs 8000000 nofiles \
	> /tmp/run.out 2> /tmp/stats.txt
check "zlib/gzip round trips are right despite failed page requests" test $? -eq 0
cat /tmp/run.out
check "the blobs inflate to the corpus with the system zlib" python3 $T/zlib_roundtrip.py verify /usr/share/doc /tmp/blobs 8000000 nofiles
grep '^awdz:' /tmp/stats.txt | grep -v fallback.*=0 | sed 's/^/# /'
grep -m3 -i 'fail\|error' /tmp/stats.txt | grep -v '^awdz:' | sed 's/^/# debug: /'
fb=$(( $(counter deflate.fallback.device_error /tmp/stats.txt) + $(counter inflate.fallback.device_error /tmp/stats.txt) ))
cmp_ge "device errors sent to zlib and counted" "$fb" 1
cmp_ge "the device still did some of the work" "$(( $(counter deflate.hw /tmp/stats.txt) + $(counter inflate.hw /tmp/stats.txt) ))" 1
check_driver_idle
check_dmesg_clean
finish
