#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (d) --share is a live host folder: a file written on the host before boot
# is in /mnt/host; one the host writes while the guest runs (once the guest
# says it is up) appears there too; what the guest writes is in the host
# folder after the guest exits. share.sh is the guest side. Arguments go to
# run-guest.sh.
set -euo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/awd-share.XXXXXX")
writer=
trap '[ -z "$writer" ] || kill "$writer" 2>/dev/null || true; rm -rf "$dir"' EXIT
name=host-file-$$.bin
head -c 300000 /dev/urandom | base64 > "$dir/$name"
sum=$(sha256sum "$dir/$name" | cut -d' ' -f1)
# the late file: written only after the guest has booted and said so
(for _ in $(seq 600); do
     if [ -f "$dir/guest-up" ]; then
         echo "written by the host at $(date +%s.%N)" > "$dir/late.tmp"
         mv "$dir/late.tmp" "$dir/late.txt"
         exit 0
     fi
     sleep 0.2
 done) &
writer=$!
rc=0
"$(dirname "$0")/../../../scripts/run-guest.sh" --rootfs --share "$dir" \
    --batch "bash /usr/lib/awd/tests/share.sh $name $sum" "$@" || rc=$?
# the host's own checks (the test's result is its exit status)
hostcheck() {
    if "${@:2}"; then echo "# host: ok - $1"; else echo "# host: FAILED - $1"; rc=1; fi
}
hostcheck "the guest's file is in the host folder after the guest exits" \
    test -f "$dir/from-guest.gz"
hostcheck "and gunzips on the host to the host's file (compressed by the device)" \
    sh -c "gzip -dc '$dir/from-guest.gz' | cmp -s - '$dir/$name'"
exit "$rc"
