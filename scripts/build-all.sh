#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build whatever is missing, in order: host packages, QEMU with our devices
# and qtests, the guest kernel, the guest module, then this project (library,
# tools, unit tests, initramfs) in build/. Safe to re-run: every step is
# cached or incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
t0=$(date +%s)
step() { log "[$(( $(date +%s) - t0 ))s] $*"; }

step "host packages"
"$AWD_ROOT/scripts/setup-host.sh"
step "QEMU"
qbuild=$("$AWD_ROOT/scripts/build-qemu.sh")
step "guest kernel"
kdir=$("$AWD_ROOT/scripts/guest-kernel.sh")
module=
if [ -f "$AWD_ROOT/guest-driver/Kbuild" ] || [ -f "$AWD_ROOT/guest-driver/Makefile" ]; then
    step "guest module"
    module=$("$AWD_ROOT/scripts/build-module.sh" "$kdir")
fi

# The Debian trixie userland of run-guest.sh --rootfs (debootstrap, cached
# per package list; meson layers our files into a copy of it).
step "guest rootfs base"
rootfs_base=$("$AWD_ROOT/scripts/guest-rootfs.sh" base)

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
