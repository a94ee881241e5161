#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The build scripts refuse bad user input early, with a message that says
# what to do (TAP output).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

expect_fail() {  # description, expected message regex, command...
    local desc=$1 re=$2 out rc
    shift 2
    n=$((n + 1))
    out=$("$@" 2>&1 >/dev/null); rc=$?
    if [ $rc -ne 0 ] && grep -Eq "$re" <<<"$out"; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc (exit $rc)"
        sed 's/^/# /' <<<"$out"
        failed=$((failed + 1))
    fi
}

expect_fail "QEMU_SRC that does not exist" "does not exist.*QEMU 10.0" \
    env QEMU_SRC="$tmp/nope" "$root/scripts/fetch-qemu.sh"
mkdir -p "$tmp/notqemu"
expect_fail "QEMU_SRC that is not a QEMU tree" "not a QEMU source tree" \
    env QEMU_SRC="$tmp/notqemu" "$root/scripts/fetch-qemu.sh"
mkdir -p "$tmp/qemu-9.2/hw/i386"
echo 9.2.0 > "$tmp/qemu-9.2/VERSION"; : > "$tmp/qemu-9.2/meson.build"
expect_fail "QEMU_SRC of another version" "QEMU 9.2.0.*10.0.x only" \
    env QEMU_SRC="$tmp/qemu-9.2" "$root/scripts/fetch-qemu.sh"
expect_fail "guest kernel older than 6.18" "older than 6.18.*refuse SVA" \
    env AWD_KERNEL=6.12.57+deb13 "$root/scripts/guest-kernel.sh"
expect_fail "guest kernel the archive does not have" "not in the archive.*AWD_KERNEL" \
    env AWD_KERNEL=9.99.1+deb13 "$root/scripts/guest-kernel.sh"
expect_fail "run-guest with an unknown IOMMU" "sva, intel or none" \
    "$root/scripts/run-guest.sh" --iommu amd --batch true
expect_fail "run-guest --share without --rootfs" "share needs --rootfs" \
    "$root/scripts/run-guest.sh" --share "$tmp" --batch true
expect_fail "run-guest --share of a missing folder" "is not a directory" \
    "$root/scripts/run-guest.sh" --rootfs --share "$tmp/nope" --batch true
echo "1..$n"
[ $failed -eq 0 ]
