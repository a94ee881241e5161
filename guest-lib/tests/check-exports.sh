#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports exactly the functions named in accelwd.h.
# usage: check-exports.sh libaccelwd.so accelwd.h
set -eu
lib=$1 hdr=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u >"$tmp/exported"
grep -oE '\bawd_[a-z0-9_]+\(' "$hdr" | tr -d '(' | sort -u >"$tmp/declared"
comm -3 "$tmp/declared" "$tmp/exported" >"$tmp/diff"
if [ -s "$tmp/diff" ]; then
	echo "left: named in the header only; right: exported only"
	cat "$tmp/diff"
	exit 1
fi
echo "ok: $(wc -l <"$tmp/exported") symbols"
