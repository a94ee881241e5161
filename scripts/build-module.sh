#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build guest-driver/ (accel_wd.ko) against the guest kernel, inside the
# cached trixie root. Prints the path of the built module.
#   build-module.sh [KERNEL_DIR]   default: scripts/guest-kernel.sh's
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${1:-$("$AWD_ROOT/scripts/guest-kernel.sh")}
release=$(cat "$kdir/release")
root=$("$AWD_ROOT/scripts/trixie-root.sh" "$kdir")
out=$AWD_BUILD/kmod
mkdir -p "$out"

exec 7>"$AWD_CACHE/.module-build.lock"
flock 7
# Build in a copy inside the root (content-synced, so make stays incremental).
src=$root/build/awd
mkdir -p "$src"
rsync -rc --delete "$AWD_ROOT/guest-driver/" "$src/guest-driver/"
rsync -rc --delete "$AWD_ROOT/include/" "$src/include/"
log "building accel_wd.ko for $release"
# objtool reads /proc: mount it in a private mount namespace, gone on exit.
unshare --mount --propagation private /bin/sh -c '
    mount -t proc proc "$1/proc" &&
    exec chroot "$1" make -C "/usr/src/linux-headers-$2" M=/build/awd/guest-driver \
        AWD_INCLUDE=/build/awd/include modules' sh "$root" "$release" > "$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; die "building guest-driver failed"; }
grep -E "warning:" "$out/build.log" >&2 || true
cp "$src/guest-driver/accel_wd.ko" "$out/accel_wd.ko"
echo "$out/accel_wd.ko"
