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
summary=$("$AWD_PYTHON" - "$AWD_BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
try:
    lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
except OSError:
    lines = []
for line in lines:
    try:
        r = json.loads(line).get("result", "")
    except ValueError:
        r = "UNREADABLE"  # a record we cannot read counts as a failure
    if r in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif r == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
print("{passed} passed, {failed} failed, {skipped} skipped".format(**counts))
PY
)
echo "$summary"
case "$summary" in
    "0 passed, 0 failed"*) log "no test ran"; exit 1 ;;
    *" 0 failed"*) ;;
    *) [ "$rc" -ne 0 ] || rc=1 ;;
esac
exit "$rc"
