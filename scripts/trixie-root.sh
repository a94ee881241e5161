#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A cached Debian trixie root (debootstrap) with the guest kernel's headers
# installed, for building guest-driver/: the kernel's kbuild tools need
# glibc >= 2.38 and it was built with gcc-14, which Debian 12 lacks.
#   trixie-root.sh KERNEL_DIR   prints the root's path
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1
abi=$(basename "$kdir"); abi=${abi%-amd64}
root=$AWD_CACHE/trixie-root
MIRROR=http://deb.debian.org/debian

exec 8>"$AWD_CACHE/.trixie-root.lock"
flock 8

if [ ! -f "$root/.awd-base" ]; then
    need_root
    log "creating a trixie build root with debootstrap in $root (once, a few minutes)"
    rm -rf "$root"
    debootstrap --variant=minbase --include=make,gcc-14,libc6-dev,ca-certificates \
        trixie "$root" "$MIRROR" > "$AWD_CACHE/debootstrap.log" 2>&1 ||
        { tail -n 20 "$AWD_CACHE/debootstrap.log" >&2; die "debootstrap trixie failed; see $AWD_CACHE/debootstrap.log"; }
    cat > "$root/etc/apt/sources.list" <<SRC
deb $MIRROR trixie main
deb $MIRROR trixie-backports main
SRC
    touch "$root/.awd-base"
fi

if [ ! -f "$root/.awd-headers-$abi" ]; then
    log "installing the $abi headers into the trixie root"
    mkdir -p "$root/tmp/awd-debs"
    cp "$kdir"/debs/linux-headers-*.deb "$kdir"/debs/linux-kbuild-*.deb "$root/tmp/awd-debs/"
    chroot "$root" /bin/sh -c '
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq &&
        apt-get install -y -q --no-install-recommends /tmp/awd-debs/*.deb' \
        > "$AWD_CACHE/trixie-headers.log" 2>&1 ||
        { tail -n 20 "$AWD_CACHE/trixie-headers.log" >&2; die "installing kernel headers in the trixie root failed"; }
    rm -rf "$root/tmp/awd-debs"
    touch "$root/.awd-headers-$abi"
fi
echo "$root"
