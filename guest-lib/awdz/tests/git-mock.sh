#!/bin/sh
# SPDX-License-Identifier: MIT
# An unmodified program that links libz.so.1 itself (loaded before the
# shim, so its internal calls come back through libawdz's re-entry
# guard): git, under LD_PRELOAD of libawdz-mock.so, writes and reads
# loose objects on the mock device; git without the shim (the system
# zlib) must find every object intact. Usage: git-mock.sh LIBAWDZ_MOCK_SO
set -eu
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v git >/dev/null || { echo "1..0 # SKIP no git"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
git init -q repo
cp -r "$src" repo/files
cd repo
shim() {
	LD_PRELOAD=$lib AWDZ_STATS=1 "$@" 2>>"$tmp/stats"
}
shim git add -A
shim git -c user.email=t@example.com -c user.name=t commit -qm corpus
shim git fsck --full
shim git archive --format=tar.gz -o "$tmp/a.tar.gz" HEAD
echo "1..4"
n=0
check() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}
fail=0
sum() {
	awk -F= -v k="awdz: $1" '$1 == k { s += $2 } END { print s + 0 }' "$tmp/stats"
}
check "git fsck without the shim" "git fsck --full >/dev/null 2>&1"
check "objects deflated on the device ($(sum deflate.hw))" "[ $(sum deflate.hw) -gt 0 ]"
check "objects inflated on the device ($(sum inflate.hw))" "[ $(sum inflate.hw) -gt 0 ]"
check "git archive's gzip reads back" "gzip -dc '$tmp/a.tar.gz' | tar -t >/dev/null"
grep -v '=0$' "$tmp/stats" | sed 's/^/# /'
exit $fail
