#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch a Debian guest kernel (>= 6.18, from trixie-backports or trixie)
# through the private apt view and unpack it under $AWD_CACHE/kernel/<abi>/,
# never into the host's /boot. Prints that directory.
#
#   AWD_KERNEL=7.3.4+deb13   pin a kernel ABI (default: newest >= 6.18)
#   guest-kernel.sh --list   the ABIs the archive offers that qualify
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MIN_SERIES=6.18   # older Debian kernels refuse SVA binding on x86
FLAVOUR=amd64

pick_abi() {
    apt_view_cache pkgnames linux-headers- 2>/dev/null |
        sed -n "s/^linux-headers-\(.*\)-$FLAVOUR\$/\1/p" |
        grep -E '^[0-9]+\.[0-9]+' | grep -v -- '-rt\|-cloud' | sort -uV |
        while read -r abi; do
            dpkg --compare-versions "${abi%%+*}" ge "$MIN_SERIES" && echo "$abi"
        done | if [ "${1:-}" = all ]; then cat; else tail -n1; fi
}

if [ "${1:-}" = --list ]; then  # the kernels AWD_KERNEL may name
    apt_view_update
    pick_abi all
    exit 0
fi

abi=${AWD_KERNEL:-}
if [ -n "$abi" ] && [ -f "$AWD_CACHE/kernel/$abi-$FLAVOUR/.unpacked" ]; then
    echo "$AWD_CACHE/kernel/$abi-$FLAVOUR"; exit 0
fi
if [ -z "$abi" ]; then
    # Reuse the newest unpacked kernel when the view was refreshed today.
    apt_view_update
    abi=$(pick_abi)
    [ -n "$abi" ] || die "no Debian kernel >= $MIN_SERIES found in trixie-backports or trixie. Set AWD_KERNEL=<abi> (e.g. 7.3.4+deb13) to a kernel the archive has, or AWD_APT_REFRESH=1 to refresh the package lists."
else
    dpkg --compare-versions "${abi%%+*}" ge "$MIN_SERIES" ||
        die "AWD_KERNEL=$abi is older than $MIN_SERIES; Debian kernels before 6.18 refuse SVA binding on x86 (see docs)."
fi
dir=$AWD_CACHE/kernel/$abi-$FLAVOUR
if [ -f "$dir/.unpacked" ]; then echo "$dir"; exit 0; fi

apt_view_update
pkgs=(
    "linux-binary-$abi-$FLAVOUR" "linux-modules-$abi-$FLAVOUR" "linux-base-$abi-$FLAVOUR"
    "linux-headers-$abi-$FLAVOUR" "linux-headers-$abi-common" "linux-kbuild-$abi"
)
for p in "${pkgs[@]}"; do
    apt_view_cache show "$p" >/dev/null 2>&1 ||
        die "kernel package $p is not in the archive. Pick another kernel with AWD_KERNEL=<abi> (list: scripts/guest-kernel.sh --list) or AWD_APT_REFRESH=1."
done
log "downloading guest kernel $abi ($FLAVOUR)"
rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
(cd "$dir/debs" && apt_view download -qq "${pkgs[@]}" >&2) || die "apt-get download of the kernel packages failed"
for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/root"; done

moddir=$(find "$dir/root/usr/lib/modules" "$dir/root/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n1 || true)
[ -n "$moddir" ] || die "no lib/modules/<release> in the downloaded kernel packages"
basename "$moddir" > "$dir/release"
ln -sfn "${moddir#$dir/}" "$dir/modules"
vmlinuz=$(ls "$moddir/vmlinuz" "$dir"/root/boot/vmlinuz-* 2>/dev/null | head -n1 || true)
[ -f "$vmlinuz" ] || die "no vmlinuz in the downloaded kernel packages"
ln -sfn "${vmlinuz#$dir/}" "$dir/vmlinuz"
# PVH boot of the plain vmlinux skips in-guest decompression (~1.5 s a boot).
"$AWD_ROOT/scripts/extract-vmlinux.sh" "$vmlinuz" "$dir/vmlinux" ||
    log "warning: could not extract vmlinux; booting the compressed image"
touch "$dir/.unpacked"
echo "$dir"
