#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (d) write a file on the host, boot the rootfs guest with --share, and let
# share.sh check it there. Arguments go to run-guest.sh.
set -euo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/awd-share.XXXXXX")
trap 'rm -rf "$dir"' EXIT
name=host-file-$$.bin
head -c 300000 /dev/urandom | base64 > "$dir/$name"
sum=$(sha256sum "$dir/$name" | cut -d' ' -f1)
exec "$(dirname "$0")/../../../scripts/run-guest.sh" --rootfs --share "$dir" \
    --batch "bash /usr/lib/awd/tests/share.sh $name $sum" "$@"
