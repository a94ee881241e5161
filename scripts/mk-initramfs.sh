#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Pack the test guest's initramfs (uncompressed newc cpio: TCG unpacks it
# faster than it would decompress it).
#   mk-initramfs.sh OUT KERNEL_DIR [--module KO]... [--bin FILE]... [--data FILE]...
# --bin files land in /opt/awd/bin, --data files in /opt/awd/share.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 kdir=$2; shift 2
release=$(cat "$kdir/release")
stage=$(mktemp -d "${TMPDIR:-/tmp}/awd-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,root,lib/modules,opt/awd/bin,opt/awd/share}
cp /bin/busybox "$stage/bin/busybox"
file /bin/busybox 2>/dev/null | grep -q "statically linked" ||
    die "/bin/busybox is not the static build; install busybox-static"
for applet in $("$stage/bin/busybox" --list-full); do
    [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
install -m 0755 "$AWD_ROOT/scripts/guest/init" "$stage/init"
install -m 0755 "$AWD_ROOT/scripts/guest/awd-demo" "$stage/opt/awd/bin/awd-demo"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"

# Kernel modules the tests use, decompressed (busybox insmod wants plain
# .ko), in load order: virtio_blk before ours; the software "deflate" after
# accel_wd, so that for equal priorities it stays the kernel's default and
# zswap can still make a deflate-accel_wd transform (its synchronous
# fallback is a "deflate" of its own).
: > "$stage/lib/modules/order"
add_kernel_module() {
    local src=$kdir/modules/kernel/$1
    [ -f "$src.xz" ] || die "kernel module $1 is missing from $kdir"
    xz -dc "$src.xz" > "$stage/lib/modules/$(basename "$1")"
    basename "$1" >> "$stage/lib/modules/order"
}
add_kernel_module drivers/block/virtio_blk.ko

while [ $# -gt 0 ]; do
    case "$1" in
    --module) cp "$2" "$stage/lib/modules/"; basename "$2" >> "$stage/lib/modules/order" ;;
    --bin) install -m 0755 "$2" "$stage/opt/awd/bin/" ;;
    --data) cp "$2" "$stage/opt/awd/share/" ;;
    *) die "mk-initramfs: unknown argument $1" ;;
    esac
    shift 2
done
add_kernel_module crypto/deflate.ko
echo "$release" > "$stage/etc/awd-kernel-release"
# Byte-identical for identical inputs (fixed times, inode numbers): the
# guest's unpacking work depends on them, and under -icount that shifts
# the virtual time of everything after (tests/guest/timing-icount.sh).
find "$stage" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-1704067200}" {} +
(cd "$stage" && find . | LC_ALL=C sort |
    cpio -o -H newc --quiet --reproducible -R 0:0) > "$out.tmp"
mv "$out.tmp" "$out"
