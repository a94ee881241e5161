#!/bin/sh
# SPDX-License-Identifier: MIT
# libawdz exports exactly the functions of the system's libz.so.1, each
# under zlib's own symbol version, and nothing else.
set -eu
lib=$1
libz=${LIBZ:-}
if [ -z "$libz" ]; then
	for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 /lib /usr/lib; do
		[ -e "$d/libz.so.1" ] && { libz=$d/libz.so.1; break; }
	done
fi
[ -n "$libz" ] || { echo "no libz.so.1 found"; exit 77; }
exports() {
	objdump -T "$1" | awk '$4 != "*UND*" && ($3 == "DF" || $3 == "DO") { print $(NF-1), $NF }' | sort
}
exports "$libz" > abi.zlib.$$
exports "$lib" > abi.awdz.$$
trap 'rm -f abi.zlib.$$ abi.awdz.$$' EXIT
if ! diff -u abi.zlib.$$ abi.awdz.$$; then
	echo "FAIL: $lib does not export the ABI of $libz (- zlib, + libawdz)"
	exit 1
fi
echo "ok: $(wc -l < abi.awdz.$$) functions with zlib's versions"
