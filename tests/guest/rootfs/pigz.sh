#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (b) pigz under LD_PRELOAD=libawdz.so: its output passes gzip -t and
# inflates to the input (pigz's streams flush per block, so libawdz hands
# them to zlib: the counters say so).
. /usr/lib/awd/tests/lib.sh
. /usr/lib/awd/tests/awdz-lib.sh
tar -C /usr/share -cf /tmp/doc.tar doc
LD_PRELOAD=$AWDZ AWDZ_STATS=1 pigz -p 2 -c /tmp/doc.tar > /tmp/doc.tar.gz 2> /tmp/stats.txt
check "pigz under libawdz exits 0" test $? -eq 0
check "gzip -t accepts pigz's output" gzip -t /tmp/doc.tar.gz
check "it inflates to the input" sh -c "gzip -dc /tmp/doc.tar.gz | cmp - /tmp/doc.tar"
check "libawdz was loaded in pigz (AWDZ_STATS)" grep -q '^awdz: pid=' /tmp/stats.txt
grep '^awdz:' /tmp/stats.txt | sed 's/^/# /'
cmp_ge "pigz's deflate streams counted" "$(counter deflate.sw /tmp/stats.txt)" 1
LD_PRELOAD=$AWDZ AWDZ_STATS=1 pigz -dc /tmp/doc.tar.gz > /tmp/back.tar 2> /tmp/stats2.txt
check "pigz -d under libawdz inflates to the input" cmp /tmp/back.tar /tmp/doc.tar
# gzip itself has its own deflate; a file libawdz compressed with one call
# (python) must pass gzip -t too.
LD_PRELOAD=$AWDZ AWDZ_STATS=1 python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.compress(open("/tmp/doc.tar","rb").read(700000)))' > /tmp/py.gz 2> /tmp/stats3.txt
check "gzip -t accepts the device's gzip output" gzip -t /tmp/py.gz
cmp_ge "that one was a device deflate" "$(counter deflate.hw /tmp/stats3.txt)" 1
check_driver_idle
check_dmesg_clean
finish
