#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian trixie userland of `run-guest.sh --rootfs` (see
# docs/guest-rootfs.md). Three steps:
#
#   guest-rootfs.sh base          debootstrap the package list below into a
#                                 cached ext4 image (root, once per package
#                                 list); prints its path
#   guest-rootfs.sh base-path     print that path if it exists (exit 1 if not)
#   guest-rootfs.sh image OUT BASE [--module KO] [--lib SO]... [--header H]...
#                   [--bin FILE]... [--data FILE]... [--pc FILE]
#                   [--ossl-module FILE]...
#                                 copy the base image and write our files
#                                 into the copy with debugfs: no root, no
#                                 mount, a second or two
#   guest-rootfs.sh initrd OUT KERNEL_DIR
#                                 the tiny initramfs that loads virtio_blk
#                                 and ext4 and switches to /dev/vda
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MIRROR=http://deb.debian.org/debian
# Keep this lean: every package costs cold-build time (docs/guest-rootfs.md).
# AWD_ROOTFS_EXTRA adds packages (e.g. openssh-server); the cache key covers
# the whole list, so a change rebuilds the base.
PACKAGES=(gcc make libc6-dev pkgconf python3 gzip pigz openssl strace kmod
          ${AWD_ROOTFS_EXTRA:-})
# Bump when the way the base is made changes.
BASE_RECIPE=1
key=$(printf '%s\n' "$BASE_RECIPE" trixie "$MIRROR" "${PACKAGES[@]}" | sha256sum | cut -c1-12)
basedir=$AWD_CACHE/guest-rootfs-$key
base=$basedir/base.ext4
# .debs shared by every guest rootfs build and with the module root.
debpool=$AWD_CACHE/debs-trixie

make_base() {
    [ -f "$base" ] && { echo "$base"; return 0; }
    need_root
    mkdir -p "$AWD_CACHE"
    exec 8>"$AWD_CACHE/.guest-rootfs.lock"
    flock 8
    [ -f "$base" ] && { echo "$base"; return 0; }
    local t0 root
    t0=$(date +%s)
    root=$basedir/root
    log "creating the guest rootfs base with debootstrap in $basedir (once per package list)"
    rm -rf "$basedir" && mkdir -p "$root/var/cache/apt/archives" "$debpool"
    # debootstrap reuses .debs already in the target's archive when their
    # checksums match: seed it from the pool and the module root's download.
    find "$debpool" "$AWD_CACHE/trixie-root/var/cache/apt/archives" -maxdepth 1 \
        -name '*.deb' -exec cp -l -n -t "$root/var/cache/apt/archives/" {} + 2>/dev/null || true
    local pkgs
    pkgs=$(IFS=,; echo "${PACKAGES[*]}")
    debootstrap --variant=minbase --include="$pkgs" trixie "$root" "$MIRROR" \
        > "$basedir/debootstrap.log" 2>&1 ||
        { tail -n 20 "$basedir/debootstrap.log" >&2; die "debootstrap of the guest rootfs failed; see $basedir/debootstrap.log"; }
    # Keep the downloads for the next package list, not in the image.
    find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
        -exec cp -l -n -t "$debpool/" {} + 2>/dev/null || true
    rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages 2>/dev/null || true
    echo awd-guest > "$root/etc/hostname"
    echo "127.0.1.1 awd-guest" >> "$root/etc/hosts"
    echo "deb $MIRROR trixie main" > "$root/etc/apt/sources.list"
    printf 'nameserver 10.0.2.3\n' > "$root/etc/resolv.conf"
    # root logs in on the console without a password (a throw-away test VM)
    sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"
    chroot "$root" /sbin/ldconfig
    printf '%s\n' "${PACKAGES[@]}" > "$root/etc/awd-rootfs-packages"
    # Room for compiles and test data: the image is sparse, so free space
    # costs nothing on the host; writes go to a QEMU snapshot overlay.
    local mib
    mib=$(( $(du -sm "$root" | cut -f1) * 13 / 10 + 768 ))
    mkfs.ext4 -q -F -t ext4 -O ^has_journal -m 0 -L awd-root -d "$root" \
        "$base.tmp" "${mib}M" >&2 || die "mkfs.ext4 -d of the guest rootfs failed"
    mv "$base.tmp" "$base"
    rm -rf "$root"
    log "guest rootfs base ready: $base ($(du -sh --apparent-size "$base" | cut -f1) sparse, $(du -sh "$base" | cut -f1) used) in $(( $(date +%s) - t0 )) s"
    echo "$base"
}

# Write a file into the image with debugfs: owner root, the given mode.
dbg_cmds=
dbg_put() {  # dbg_put SRC DEST MODE
    dbg_cmds+="rm $2"$'\n'"write $1 $2"$'\n'"sif $2 mode 0100$3"$'\n'
    dbg_cmds+="sif $2 uid 0"$'\n'"sif $2 gid 0"$'\n'
}
dbg_link() {  # dbg_link TARGET NAME
    dbg_cmds+="rm $2"$'\n'"symlink $2 $1"$'\n'
}
dbg_mkdir() {
    dbg_cmds+="mkdir $1"$'\n'
}

make_image() {
    local out=$1 src=$2
    shift 2
    [ -f "$src" ] || die "no guest rootfs base at $src; run scripts/guest-rootfs.sh base (root)"
    local stage lib=/usr/lib/x86_64-linux-gnu release=
    stage=$(mktemp -d "${TMPDIR:-/tmp}/awd-rootfs.XXXXXX")
    trap 'rm -rf "$stage"' RETURN
    cp --sparse=always "$src" "$out.tmp"
    dbg_mkdir /usr/lib/awd
    dbg_mkdir /usr/lib/awd/tests
    dbg_mkdir /usr/lib/awd/share
    dbg_mkdir /mnt/host
    while [ $# -gt 0 ]; do
        case "$1" in
        --kernel-dir)
            release=$(cat "$2/release")
            dbg_mkdir /usr/lib/modules
            dbg_mkdir "/usr/lib/modules/$release"
            dbg_mkdir "/usr/lib/modules/$release/updates" ;;
        --module)
            [ -n "$release" ] || die "image: --kernel-dir before --module"
            dbg_put "$2" "/usr/lib/modules/$release/updates/$(basename "$2")" 644 ;;
        --lib)
            # libfoo.so.0.1.0 -> libfoo.so.0 (soname) -> libfoo.so (dev link)
            local f soname real
            f=$(readlink -f "$2"); real=$(basename "$f")
            soname=$(objdump -p "$f" | sed -n 's/^ *SONAME *//p')
            [ -n "$soname" ] || soname=$real
            dbg_put "$f" "$lib/$real" 644
            [ "$soname" != "$real" ] && dbg_link "$real" "$lib/$soname"
            case "$soname" in *.so) ;; *) dbg_link "$soname" "$lib/${soname%%.so*}.so" ;; esac ;;
        --header)
            # accelwd.h at the top, the hardware and uapi headers it and
            # their users include beside it (found by -I/usr/include too)
            dbg_put "$2" "/usr/include/$(basename "$2")" 644 ;;
        --pc)
            sed -e 's|^prefix=.*|prefix=/usr|' \
                -e 's|^libdir=.*|libdir=${prefix}/lib/x86_64-linux-gnu|' \
                -e 's|^includedir=.*|includedir=${prefix}/include|' "$2" > "$stage/$(basename "$2")"
            dbg_put "$stage/$(basename "$2")" "$lib/pkgconfig/$(basename "$2")" 644 ;;
        --bin) dbg_put "$2" "/usr/bin/$(basename "$2")" 755 ;;
        --ossl-module)
            # OpenSSL's module dir (the base's libssl3t64 made it):
            # "-provider NAME" finds it without a path
            dbg_put "$2" "$lib/ossl-modules/$(basename "$2")" 644 ;;
        --awd) dbg_put "$2" "/usr/lib/awd/$(basename "$2")" 755 ;;
        --test) dbg_put "$2" "/usr/lib/awd/tests/$(basename "$2")" 755 ;;
        --data) dbg_put "$2" "/usr/lib/awd/share/$(basename "$2")" 644 ;;
        *) die "guest-rootfs image: unknown argument $1" ;;
        esac
        shift 2
    done
    # busybox for the network setup (ip, udhcpc) and a quick poweroff
    dbg_put /bin/busybox /usr/lib/awd/busybox 755
    dbg_mkdir /usr/lib/awd/bin
    local a
    for a in ip udhcpc poweroff; do dbg_link ../busybox "/usr/lib/awd/bin/$a"; done
    # no systemd in the image: the login shell's poweroff is busybox's
    dbg_link /usr/lib/awd/busybox /usr/local/sbin/poweroff
    date -u +%s > "$stage/build-id"
    dbg_put "$stage/build-id" /etc/awd-rootfs-build 644
    printf '%s' "$dbg_cmds" > "$stage/debugfs.cmds"
    debugfs -w -f "$stage/debugfs.cmds" "$out.tmp" > "$stage/debugfs.log" 2>&1 ||
        { cat "$stage/debugfs.log" >&2; die "debugfs could not write our files into the rootfs image"; }
    # debugfs reports per-command errors without failing: "rm" of a file that
    # is not there and "mkdir" of one that is are expected, nothing else.
    if grep -v -e '^debugfs' -e '^rm: File not found by ext2_lookup' \
            -e '^mkdir: Ext2 directory already exists' -e '^Allocated inode: ' "$stage/debugfs.log" | grep -q .; then
        cat "$stage/debugfs.log" >&2
        die "debugfs reported errors writing the rootfs image"
    fi
    e2fsck -fn "$out.tmp" > "$stage/fsck.log" 2>&1 ||
        { cat "$stage/fsck.log" >&2; die "the rootfs image fails e2fsck"; }
    mv "$out.tmp" "$out"
}

make_initrd() {
    local out=$1 kdir=$2 stage m
    stage=$(mktemp -d "${TMPDIR:-/tmp}/awd-initrd.XXXXXX")
    trap 'rm -rf "$stage"' RETURN
    mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
    cp /bin/busybox "$stage/bin/busybox"
    for a in sh mount umount switch_root insmod mkdir sleep cat echo ls; do
        ln -s busybox "$stage/bin/$a"
    done
    install -m 0755 "$AWD_ROOT/scripts/guest/rootfs-initrd-init" "$stage/init"
    # Not built into Debian's kernel (modules.builtin): the disk, ext4 and
    # its dependencies, the NIC for --net and virtio-9p for --share. In
    # load order.
    for m in drivers/block/virtio_blk lib/crc/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 \
             net/core/failover drivers/net/net_failover drivers/net/virtio_net \
             fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
        [ -f "$kdir/modules/kernel/$m.ko.xz" ] || die "kernel module $m is missing from $kdir"
        xz -dc "$kdir/modules/kernel/$m.ko.xz" > "$stage/lib/modules/$(basename "$m").ko"
        basename "$m.ko" >> "$stage/lib/modules/order"
    done
    (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
    mv "$out.tmp" "$out"
}

case "${1:-}" in
base) make_base ;;
base-path) [ -f "$base" ] && echo "$base" ;;
image) shift; [ $# -ge 2 ] || die "usage: guest-rootfs.sh image OUT BASE [files]"; make_image "$@" ;;
initrd) shift; [ $# -eq 2 ] || die "usage: guest-rootfs.sh initrd OUT KERNEL_DIR"; make_initrd "$@" ;;
*) die "usage: guest-rootfs.sh base|base-path|image|initrd ..." ;;
esac
