#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The python zlib workload with and without libawdz, as ratios (printed,
# not asserted: the guest's own zlib runs on an emulated CPU under TCG, the
# device on the host; see docs/benchmarks.md). The checks only assert that
# both runs round-tripped and that the device did the libawdz run's work.
. /usr/lib/awd/tests/lib.sh
. /usr/lib/awd/tests/awdz-lib.sh
T=/usr/lib/awd/tests
MB=${AWD_PYBENCH_MB:-4} CHUNK=${AWD_PYBENCH_CHUNK_KIB:-256} ROUNDS=${AWD_PYBENCH_ROUNDS:-3}
check "python zlib workload, system zlib" sh -c \
	"python3 $T/python_bench.py /usr/share/doc $MB $CHUNK $ROUNDS > /tmp/sys.out"
check "python zlib workload, LD_PRELOAD=libawdz.so" sh -c \
	"LD_PRELOAD=$AWDZ AWDZ_STATS=1 python3 $T/python_bench.py /usr/share/doc $MB $CHUNK $ROUNDS > /tmp/awdz.out 2> /tmp/stats.txt"
cmp_ge "deflates on the device" "$(counter deflate.hw /tmp/stats.txt)" 1
cmp_ge "inflates on the device" "$(counter inflate.hw /tmp/stats.txt)" 1
val() {  # val KEY FILE: the value of the field KEY=V
	awk -v k="$1" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' "$2"
}
for dir in compress decompress; do
	s=$(val ${dir}_mbps /tmp/sys.out) a=$(val ${dir}_mbps /tmp/awdz.out)
	[ -n "$s" ] && [ -n "$a" ] || continue
	r=$(awk -v a="$a" -v s="$s" 'BEGIN { printf "%.2f", a / s }')
	echo "# python3 zlib $dir (level 6, ${CHUNK} KiB pieces, $MB MB of /usr/share/doc as tar):" \
		"system zlib $s MB/s, libawdz $a MB/s, ratio ${r}x"
done
finish
