#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/qtest/qtests.txt, the one list of qtests (QEMU's tree builds them
# from it, the top-level meson.build registers them from it), names every
# tests/qtest/*-test.c, and every source it names exists (TAP).
# usage: qtest-list.sh [tests/qtest directory]
dir=${1:-$(dirname "$0")/../qtest}
list=$dir/qtests.txt
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
ko() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
names=$(grep -v '^[[:space:]]*#' "$list" | awk 'NF { print $1 }')
for c in "$dir"/*-test.c; do
	t=$(basename "$c" .c)
	if printf '%s\n' "$names" | grep -qx "$t"; then ok "$t is listed"
	else ko "$t is listed in qtests.txt (else it is never built nor run)"; fi
done
dups=$(printf '%s\n' "$names" | sort | uniq -d)
if [ -z "$dups" ]; then ok "no name listed twice"; else ko "listed twice: $dups"; fi
missing=$(grep -v '^[[:space:]]*#' "$list" | while read -r t extra; do
	[ -n "$t" ] || continue
	for s in "$t.c" $extra; do
		[ -f "$dir/$s" ] || echo "$t: $s"
	done
done)
if [ -z "$missing" ]; then ok "every listed source exists"
else ko "every listed source exists"; printf '%s\n' "$missing" | sed 's/^/#   missing: /'; fi
echo "1..$n"
[ "$fails" -eq 0 ]
