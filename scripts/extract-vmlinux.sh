#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# extract-vmlinux.sh VMLINUZ OUT: find the compressed payload inside a
# bzImage and write the ELF vmlinux it holds.
set -euo pipefail
in=$1 out=$2
try() {  # magic, decompressor
    local off
    for off in $(LC_ALL=C grep -obUaP "$1" "$in" | cut -d: -f1); do
        if tail -c +$((off + 1)) "$in" | $2 > "$out.tmp" 2>/dev/null ||
           [ -s "$out.tmp" ]; then
            if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = "177ELF" ]; then
                mv "$out.tmp" "$out"
                return 0
            fi
        fi
    done
    return 1
}
try '\x28\xb5\x2f\xfd' 'zstd -dcq' || try '\xfd7zXZ\x00' 'xz -dcq' ||
    try '\x1f\x8b\x08' 'gzip -dcq' || { rm -f "$out.tmp"; exit 1; }
