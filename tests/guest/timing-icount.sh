#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Timing model, guest side (TAP, runs on the host): two boots under
# -icount shift=0,sleep=off with the model on, `awd bench` at depth 8 in
# each. The device's throughput from guest user space is the modelled one
# within 10% (L1 compression at 1 MiB: 300 MB/s; RSA-2048: 2000 ops/s),
# and the second boot prints exactly the same numbers as the first: the
# device's worker and the guest take turns on the virtual clock (page
# requests go out, and the guest runs on after a page response, only
# where the worker waits for the guest or is done; docs/timing-model.md).
# -seed and -rtc clock=vm take the host out of the guest's RDRAND and
# date; mk-initramfs.sh packs the initramfs byte-identically. Demand-faulted
# work (fault-L1: every output page by page request) is identical too.
#   timing-icount.sh   (QEMU, VMLINUX, INITRD from the environment)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi; }
model=(-icount shift=0,sleep=off -seed 1 -rtc base=2026-01-01T00:00:00,clock=vm
       -global accel-wd.timing=on
       -global accel-wd.timing-compress-rate=300
       -global accel-wd.timing-rsa2048-ops=2000)
cmd="awd bench -m -t 0.2 -q 8 -c compress-L1,rsa2048-crt,fault-L1 -s 1M"
for i in 1 2; do
    "$root/scripts/run-guest.sh" --timeout 600 --batch "$cmd" -- "${model[@]}" \
        2>/dev/null | tr -d '\r' > "${TMPDIR:-/tmp}/timing-icount.$$.$i"
done
val() { sed -n "s/^$2 size=[0-9]* device=\([0-9.]*\).*/\1/p" "${TMPDIR:-/tmp}/timing-icount.$$.$1"; }
c1=$(val 1 compress-L1) c2=$(val 2 compress-L1) r1=$(val 1 rsa2048-crt) r2=$(val 2 rsa2048-crt)
fval() { sed -n 's/^fault-L1 size=[0-9]* demand=\([0-9.]*\).*/\1/p' "${TMPDIR:-/tmp}/timing-icount.$$.$1"; }
f1=$(fval 1) f2=$(fval 2)
rm -f "${TMPDIR:-/tmp}"/timing-icount.$$.*
echo "# boot 1: compress-L1 1 MiB ${c1:-none} MB/s, RSA-2048 ${r1:-none} ops/s"
echo "# boot 2: compress-L1 1 MiB ${c2:-none} MB/s, RSA-2048 ${r2:-none} ops/s"
echo "# demand-faulted fault-L1 1 MiB: boot 1 ${f1:-none} MB/s, boot 2 ${f2:-none} MB/s"
within() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { exit !(a != "" && b > 0 && (a - b) / b <= f && (b - a) / b <= f) }'; }
ok "both boots measured" "[ -n '$c1' ] && [ -n '$c2' ] && [ -n '$r1' ] && [ -n '$r2' ] && [ -n '$f1' ] && [ -n '$f2' ]"
ok "compress-L1 at the modelled 300 MB/s within 10% ($c1)" "within '$c1' 300 0.10"
ok "RSA-2048 at the modelled 2000 ops/s within 10% ($r1)" "within '$r1' 2000 0.10"
ok "the second boot's compression equals the first's exactly ($c2 vs $c1)" "[ -n '$c1' ] && [ '$c2' = '$c1' ]"
ok "the second boot's RSA equals the first's exactly ($r2 vs $r1)" "[ -n '$r1' ] && [ '$r2' = '$r1' ]"
ok "the second boot's demand-faulted compression equals the first's exactly ($f2 vs $f1)" "[ -n '$f1' ] && [ '$f2' = '$f1' ]"
echo "1..$n"
[ "$failed" -eq 0 ]
