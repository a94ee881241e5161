#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build whatever is missing, then run every test suite (unit, qtest, guest)
# and end with one summary line: "N passed, N failed, N skipped".
#   scripts/test.sh [meson test arguments, e.g. --suite qtest]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$AWD_ROOT/scripts/build-all.sh"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--suite unit --suite qtest --suite guest)
set +e
meson test -C "$AWD_BUILD" --print-errorlogs --num-processes "$NPROC" "${args[@]}"
rc=$?
set -e
# (the skipped checks of passed tests go to stderr, before the line)
summary=$("$AWD_PYTHON" "$AWD_ROOT/scripts/test-summary.py" "$AWD_BUILD/meson-logs/testlog.json")
echo "$summary"
case "$summary" in
    "0 passed, 0 failed"*) log "no test ran"; exit 1 ;;
    *" 0 failed"*) ;;
    *) [ "$rc" -ne 0 ] || rc=1 ;;
esac
exit "$rc"
