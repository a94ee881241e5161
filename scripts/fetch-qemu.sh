#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prepare a QEMU 10.0 source tree with accel-wd's glue patch applied.
# Prints the prepared tree's path on stdout.
#
#   QEMU_SRC=/path/to/qemu-10.0   use that tree (copied, never modified)
#   otherwise                     Debian's qemu 10.0.x source package
#                                 (trixie, else bookworm-backports)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GLUE=$AWD_ROOT/scripts/qemu-glue.patch
glue_hash=$(sha256sum "$GLUE" | cut -c1-12)

check_version() {
    local tree=$1 ver
    [ -f "$tree/VERSION" ] && [ -f "$tree/meson.build" ] && [ -d "$tree/hw/i386" ] ||
        die "QEMU_SRC=$tree is not a QEMU source tree (no VERSION, meson.build or hw/i386). Point QEMU_SRC at an unpacked QEMU 10.0 tree, or unset it to use Debian's qemu source package."
    ver=$(cat "$tree/VERSION")
    case "$ver" in
        10.0.*) echo "$ver" ;;
        *) die "QEMU_SRC=$tree is QEMU $ver; accel-wd's glue patch is for QEMU 10.0.x only. Use a 10.0 tree, or unset QEMU_SRC to use Debian's qemu 10.0 source package." ;;
    esac
}

if [ -n "${QEMU_SRC:-}" ]; then
    [ -d "$QEMU_SRC" ] || die "QEMU_SRC=$QEMU_SRC does not exist. Point it at an unpacked QEMU 10.0 tree, or unset it."
    src=$(cd "$QEMU_SRC" && pwd)
    ver=$(check_version "$src")
    origin=user-$(echo "$src" | sha256sum | cut -c1-8)
else
    pkgdir=$AWD_CACHE/qemu-pkg
    mkdir -p "$pkgdir"
    src=$(find "$pkgdir" -maxdepth 1 -type d -name 'qemu-10.0.*' | sort -V | tail -n1)
    if [ -z "$src" ]; then
        apt_view_update
        debver=
        for v in $(apt_view_cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | sort -Vr); do
            case "$v" in 1:10.0.*) debver=$v; break ;; esac
        done
        [ -n "$debver" ] || die "no qemu 10.0.x source package found in trixie or bookworm-backports; set QEMU_SRC to a QEMU 10.0 tree"
        log "downloading Debian's qemu source $debver (Debian patches applied by dpkg-source)"
        (cd "$pkgdir" && apt_view source -qq --download-only "qemu=$debver" >&2) ||
            die "apt-get source qemu=$debver failed"
        dsc=$(ls "$pkgdir"/qemu_*.dsc | sort -V | tail -n1)
        (cd "$pkgdir" && dpkg-source --no-check -x "$dsc" >&2) || die "dpkg-source -x $dsc failed"
        src=$(find "$pkgdir" -maxdepth 1 -type d -name 'qemu-10.0.*' | sort -V | tail -n1)
        [ -n "$src" ] || die "unpacking $dsc gave no qemu-10.0.* tree"
    fi
    ver=$(check_version "$src")
    origin=debian
fi

# The working tree: pristine copy + glue patch, keyed by version, origin
# and patch, so a changed patch never builds on a stale tree.
work=$AWD_CACHE/qemu-$ver-$origin-$glue_hash
if [ ! -f "$work/.awd-prepared" ]; then
    log "preparing $work from $src"
    rm -rf "$work.tmp"
    mkdir -p "$work.tmp"
    (cd "$src" && tar --exclude=./.git --exclude=./build -cf - .) | (cd "$work.tmp" && tar -xf -)
    (cd "$work.tmp" && patch -p1 --forward --quiet < "$GLUE" >&2) ||
        die "the glue patch does not apply to $src (QEMU $ver)"
    touch "$work.tmp/.awd-prepared"
    rm -rf "$work"
    mv "$work.tmp" "$work"
fi
echo "$work"
