#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what building and testing accel-wd needs on Debian 12 (bookworm).
# Idempotent: a machine that has everything is left alone and nothing is
# downloaded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(
    build-essential gcc-multilib pkg-config ninja-build ccache git rsync patch
    python3 python3-venv
    libglib2.0-dev libpixman-1-dev libslirp-dev zlib1g-dev libgmp-dev libisal-dev
    libdeflate-dev
    libssl-dev openssl libfdt-dev
    flex bison dpkg-dev debootstrap busybox-static dwarves seabios
    xz-utils zstd cpio gzip pigz kmod e2fsprogs
    gnuplot-nox
)
# meson >= 1.5 and python3-pycotap only exist in bookworm-backports.
BPO_PKGS=(meson python3-pycotap)

missing=()
for p in "${PKGS[@]}" "${BPO_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done
meson_ok() {
    command -v meson >/dev/null &&
        dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5
}
if [ ${#missing[@]} -eq 0 ] && meson_ok; then
    log "host packages: all present"
    exit 0
fi

need_root
codename=$(. /etc/os-release; echo "${VERSION_CODENAME:-}")
[ "$codename" = bookworm ] || log "warning: written for Debian 12 (bookworm), found '$codename'"

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding bookworm-backports to apt (for meson >= 1.5 and python3-pycotap)"
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
log "installing: ${missing[*]:-meson from backports}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends "${PKGS[@]}"
apt-get install -y -q --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}"
meson_ok || die "meson >= 1.5 is still missing after installing from bookworm-backports"
log "host packages: done"
