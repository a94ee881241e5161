#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Style gate (TAP, a test per file): hw/ and tests/qtest/ clean under the
# QEMU tree's scripts/checkpatch.pl, guest-driver/ and the shared header in
# include/ under Linux's.
#   style.sh QEMU_SOURCE_TREE
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu_cp=$1/scripts/checkpatch.pl
linux_cp=$("$root/scripts/get-checkpatch.sh") || { echo "Bail out! no Linux checkpatch.pl"; exit 1; }
n=0 failed=0

check() {  # checkpatch, file, options...
    local cp=$1 f=$2 out
    shift 2
    # Generated data files say so in their first lines; style is the
    # generator's business.
    head -n 3 "$root/$f" | grep -qi "generated.*do not edit" && return 0
    n=$((n + 1))
    out=$(cd "$root" && "$cp" --no-tree -q "$@" -f "$f" 2>&1)
    if grep -qE '^(ERROR|WARNING|CHECK)' <<<"$out"; then
        echo "not ok $n - $f"; sed 's/^/# /' <<<"$out"; failed=$((failed + 1))
    else
        echo "ok $n - $f"
    fi
}
cd "$root"
for f in $(git ls-files 'hw/*.c' 'hw/*.h' 'tests/qtest/*.c' 'tests/qtest/*.h' 2>/dev/null ||
           find hw tests/qtest -name '*.[ch]'); do
    check "$qemu_cp" "$f"
done
for f in $(git ls-files 'guest-driver/*.c' 'guest-driver/*.h' 'include/*.h' 2>/dev/null ||
           find guest-driver include -name '*.[ch]'); do
    case "$f" in guest-driver/tests/*) continue ;; esac  # user-space programs
    check "$linux_cp" "$f"
done
echo "1..$n"
[ $failed -eq 0 ]
