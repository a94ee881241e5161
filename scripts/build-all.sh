#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build whatever is missing: host packages; QEMU with our devices and
# qtests, beside it the guest kernel and module, and the rootfs base; then
# this project (library, tools, unit tests, initramfs, rootfs image) in
# build/. Safe to re-run: every step is cached or incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
t0=$(date +%s)
step() { log "[$(( $(date +%s) - t0 ))s] $*"; }

step "host packages"
"$AWD_ROOT/scripts/setup-host.sh"
# QEMU's build is CPU work; the guest kernel's download, the module's
# trixie build root and the rootfs base are mostly downloads and
# unpacking. The three chains run side by side (a cold run saves minutes).
side=$(mktemp -d)
trap 'rm -rf "$side"' EXIT
(
    set -e
    step "guest kernel (beside the QEMU build)"
    "$AWD_ROOT/scripts/guest-kernel.sh" > "$side/kdir"
    if [ -f "$AWD_ROOT/guest-driver/Kbuild" ] || [ -f "$AWD_ROOT/guest-driver/Makefile" ]; then
        step "guest module"
        "$AWD_ROOT/scripts/build-module.sh" "$(cat "$side/kdir")" > "$side/module"
    fi
    step "guest kernel and module ready"
) &
kernel_pid=$!
(
    set -e
    # The Debian trixie userland of run-guest.sh --rootfs (debootstrap,
    # cached per package list; meson layers our files into a copy of it).
    step "guest rootfs base (beside the QEMU build)"
    "$AWD_ROOT/scripts/guest-rootfs.sh" base > "$side/rootfs_base"
    step "guest rootfs base ready"
) &
rootfs_pid=$!
step "QEMU"
qemu_ok=1
qbuild=$("$AWD_ROOT/scripts/build-qemu.sh") || qemu_ok=0
kernel_ok=1 rootfs_ok=1
wait "$kernel_pid" || kernel_ok=0
wait "$rootfs_pid" || rootfs_ok=0
[ "$qemu_ok" = 1 ] || die "building QEMU failed"
[ "$kernel_ok" = 1 ] || die "the guest kernel or module failed (see above)"
[ "$rootfs_ok" = 1 ] || die "the guest rootfs base failed (see above)"
kdir=$(cat "$side/kdir")
module=$(cat "$side/module" 2>/dev/null || true)
rootfs_base=$(cat "$side/rootfs_base")

step "library, tools, unit tests, initramfs, rootfs image (meson, in $AWD_BUILD)"
opts=(-Dqemu_build="$qbuild" -Dkernel_dir="$kdir" -Dguest_module="$module")
# Always (re)configure: the QEMU build, kernel and module paths may change.
setup=(meson setup "$AWD_BUILD" "$AWD_ROOT" "${opts[@]}")
[ -f "$AWD_BUILD/build.ninja" ] && setup+=(--reconfigure)
"${setup[@]}" >"$AWD_BUILD.setup.log" 2>&1 ||
    { cat "$AWD_BUILD.setup.log" >&2; die "meson setup failed"; }
rm -f "$AWD_BUILD.setup.log"
ninja -C "$AWD_BUILD" >"$AWD_BUILD/ninja-awd.log" 2>&1 ||
    { cat "$AWD_BUILD/ninja-awd.log" >&2; die "building the project failed"; }

cat > "$AWD_BUILD/testbed.env" <<ENV
QEMU=$qbuild/qemu-system-x86_64
VMLINUX=$kdir/vmlinux
VMLINUZ=$kdir/vmlinuz
INITRD=$AWD_BUILD/tests/guest/initramfs.cpio
KERNEL_DIR=$kdir
GUEST_MODULE=$module
ROOTFS=$AWD_BUILD/tests/guest/rootfs.ext4
ROOTFS_INITRD=$AWD_BUILD/tests/guest/rootfs-initrd.cpio
ROOTFS_BASE=$rootfs_base
ENV
step "done: QEMU $qbuild, kernel $(cat "$kdir/release"), artifacts in $AWD_BUILD"
