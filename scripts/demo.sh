#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build whatever is missing and boot the testbed guest into the demo. On a
# terminal the guest then offers a shell; otherwise it powers off after the
# demo and this script exits with the demo's status.
#   demo.sh [--rootfs] [run-guest.sh options]
# --rootfs: the Debian trixie userland (docs/guest-rootfs.md): real files on
# the device, PASID and page requests, throughput against the guest's zlib,
# Python's zlib through libawdz.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$AWD_ROOT/scripts/build-all.sh"
if [ "${1:-}" = --rootfs ]; then
    shift
    if [ -t 0 ] && [ -t 1 ]; then
        exec "$AWD_ROOT/scripts/run-guest.sh" --rootfs --demo "$@"
    fi
    exec "$AWD_ROOT/scripts/run-guest.sh" --rootfs --batch /usr/lib/awd/awd-rootfs-demo "$@"
fi
if [ -t 0 ] && [ -t 1 ]; then
    exec "$AWD_ROOT/scripts/run-guest.sh" --demo "$@"
fi
exec "$AWD_ROOT/scripts/run-guest.sh" --batch awd-demo "$@"
