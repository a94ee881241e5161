#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/test-summary.py (the last line of scripts/test.sh) on a made-up
# meson testlog.json: skipped tests are counted as skipped, failures and
# unreadable records as failed, and skipped checks of passed tests are
# listed (TAP).
# usage: test-summary.sh [source root]
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
ko() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
cat >"$tmp/log.json" <<'JSON'
{"name": "boot", "result": "OK", "stdout": "ok 1 - DMAR table found\nok 2 - kernel log is clean\n1..2\n"}
{"name": "driver-basic", "result": "OK", "stdout": "ok 1 - info\nok 2 - regmem # SKIP SVA mode\n1..2\n"}
{"name": "needs-feature", "result": "SKIP", "stdout": "ok 1 - feature # SKIP not there\n1..1\n"}
{"name": "engine-isal", "result": "SKIP", "stdout": ""}
{"name": "driver-kill", "result": "FAIL", "stdout": "not ok 1 - kill\n"}
{"name": "qtest", "result": "ERROR", "stdout": ""}
{"name": "slow", "result": "TIMEOUT", "stdout": ""}
not json
JSON
out=$(/usr/bin/python3 "$root/scripts/test-summary.py" "$tmp/log.json" 2>"$tmp/err")
if [ "$out" = "2 passed, 4 failed, 2 skipped" ]; then ok "summary line: $out"
else ko "summary line: '$out', expected '2 passed, 4 failed, 2 skipped'"; fi
if grep -q 'driver-basic passed with 1 check(s) skipped' "$tmp/err" &&
   grep -q 'ok 2 - regmem # SKIP SVA mode' "$tmp/err" && ! grep -q '^\[awd\] boot' "$tmp/err"; then
	ok "skipped checks of passed tests are listed"
else
	ko "skipped checks of passed tests are listed"; sed 's/^/#   /' "$tmp/err"
fi
out=$(/usr/bin/python3 "$root/scripts/test-summary.py" "$tmp/none.json" 2>&1)
if [ "$out" = "0 passed, 0 failed, 0 skipped" ]; then ok "no log: nothing counted"
else ko "no log: '$out'"; fi
echo "1..$n"
[ "$fails" -eq 0 ]
