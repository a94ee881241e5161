#!/bin/sh
# SPDX-License-Identifier: MIT
# pigz under LD_PRELOAD of libawdz-mock.so: its block-parallel streams
# (Z_SYNC_FLUSH/Z_BLOCK per block, dictionaries, deflatePrime) all fall
# back to zlib, its decompression uses inflateBack (forwarded); the data
# must come back intact and the fallbacks counted. Skipped when pigz is
# not installed (scripts/setup-host.sh does not install it).
# Usage: pigz-mock.sh LIBAWDZ_MOCK_SO
set -eu
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v pigz >/dev/null || { echo "1..0 # SKIP pigz is not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# over 1 MiB, so pigz always cuts several 128 KiB blocks (flushes, dictionaries)
for i in 1 2 3 4 5 6 7 8; do cat "$src"/src/*.c "$src"/awdz/*.c "$src"/awdz/README.md; done > "$tmp/in"
[ "$(wc -c < "$tmp/in")" -gt 1048576 ] || { echo "Bail out! corpus under 1 MiB"; exit 1; }
export LD_PRELOAD="$lib" AWDZ_STATS=1
pigz -p 2 -b 128 -c "$tmp/in" > "$tmp/in.gz" 2>"$tmp/stats.c"
pigz -dc "$tmp/in.gz" > "$tmp/out" 2>"$tmp/stats.d"
unset LD_PRELOAD
echo "1..3"
fail=0
if cmp -s "$tmp/in" "$tmp/out"; then echo "ok 1 - pigz round trip"; else echo "not ok 1 - pigz round trip"; fail=1; fi
if gzip -dc "$tmp/in.gz" | cmp -s - "$tmp/in"; then echo "ok 2 - gzip reads pigz's output"; else echo "not ok 2 - gzip reads pigz's output"; fail=1; fi
if grep -q '^awdz: deflate.sw=[1-9]' "$tmp/stats.c"; then echo "ok 3 - fallbacks counted"; else echo "not ok 3 - fallbacks counted"; fail=1; fi
grep -hv '=0$' "$tmp/stats.c" "$tmp/stats.d" | sed 's/^/# /'
exit $fail
