# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the rootfs libawdz tests (bash). Source after lib.sh.
AWDZ=/usr/lib/x86_64-linux-gnu/libawdz.so
# counter NAME FILE: the value of "awdz: NAME=V" summed over processes (0)
counter() {
	awk -F= -v n="awdz: $1" '$1 == n { s += $2 } END { print s + 0 }' "$2"
}
# cmp_ge DESCRIPTION VALUE MIN
cmp_ge() {
	if [ "$2" -ge "$3" ]; then pass "$1 ($2 >= $3)"; else fail "$1 ($2 < $3)"; fi
}
