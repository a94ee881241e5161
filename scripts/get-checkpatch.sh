#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Linux's checkpatch.pl (with its data files) from Debian's linux source
# package, cached. Prints the path of checkpatch.pl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$AWD_CACHE/linux-checkpatch
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
    apt_view_update
    tmp=$AWD_CACHE/linux-src.tmp
    rm -rf "$tmp" && mkdir -p "$tmp"
    # The source package's files are not always served; the linux-source
    # binary package carries the same tree as a tarball.
    pkg=$(apt_view_cache pkgnames linux-source- | grep -E '^linux-source-[0-9.]+$' | sort -V | tail -n1)
    [ -n "$pkg" ] || die "no linux-source package found for checkpatch.pl"
    log "fetching checkpatch.pl from Debian's $pkg (once)"
    (cd "$tmp" && apt_view download -qq "$pkg" >&2) || die "apt-get download $pkg failed"
    dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb | tar -xf - -C "$tmp" --wildcards './usr/src/*.tar.*'
    inner=$(ls "$tmp"/usr/src/linux-source-*.tar.* | head -n1)
    mkdir -p "$dir"
    tar -xf "$inner" -C "$dir" --strip-components=1 --wildcards \
        '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
        '*/scripts/const_structs.checkpatch' >&2
    rm -rf "$tmp"
fi
echo "$dir/scripts/checkpatch.pl"
