#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build whatever is missing and boot the testbed guest into the demo. On a
# terminal the guest then offers a shell; otherwise it powers off after the
# demo and this script exits with the demo's status.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$AWD_ROOT/scripts/build-all.sh"
if [ -t 0 ] && [ -t 1 ]; then
    exec "$AWD_ROOT/scripts/run-guest.sh" --demo "$@"
fi
exec "$AWD_ROOT/scripts/run-guest.sh" --batch awd-demo "$@"
