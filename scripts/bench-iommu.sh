#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest virtio-blk throughput behind iommu-sva, against no IOMMU and against
# QEMU's own intel-iommu (scalable mode, first stage), in the same build and
# run; prints MB/s and the ratios. A benchmark: it never fails on speed.
#   bench-iommu.sh [ROUNDS]   best of ROUNDS runs per case (default 5)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rounds=${1:-5}

"$AWD_ROOT/scripts/build-all.sh" >&2
# In one boot: O_DIRECT on a scratch disk, best of $rounds for each row.
guest_cmd="blkbench /dev/vda 64 $rounds"

declare -A w r r4
for iommu in none sva intel; do
    line=$("$AWD_ROOT/scripts/run-guest.sh" --no-accel --iommu "$iommu" --disk 128 \
           --append iommu.strict=1 --timeout 600 --batch "$guest_cmd" 2>/dev/null |
           tr -d '\r' | sed -n 's/^BENCH //p')
    [ -n "$line" ] || die "the $iommu guest printed no result"
    eval "$(sed 's/\([a-z0-9]*\)=\([0-9.]*\)/\1_v=\2/g' <<<"$line")"
    w[$iommu]=$write_v r[$iommu]=$read_v r4[$iommu]=$read4k_v
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0) ? a / b : 0 }'; }
echo "virtio-blk O_DIRECT, 64 MiB, best of $rounds, iommu.strict=1, $(nproc) host cores"
printf '%-34s %12s %12s %12s\n' "IOMMU" "write MB/s" "read MB/s" "4K read MB/s"
for iommu in none sva intel; do
    name=$iommu
    [ "$iommu" = sva ] && name="iommu-sva (DMA domain)"
    [ "$iommu" = intel ] && name="intel-iommu (scalable, first stage)"
    printf '%-34s %12s %12s %12s\n' "$name" "${w[$iommu]}" "${r[$iommu]}" "${r4[$iommu]}"
done
echo "iommu-sva / intel-iommu: write $(ratio "${w[sva]}" "${w[intel]}"), read $(ratio "${r[sva]}" "${r[intel]}"), 4K read $(ratio "${r4[sva]}" "${r4[intel]}")"
echo "iommu-sva / no IOMMU:    write $(ratio "${w[sva]}" "${w[none]}"), read $(ratio "${r[sva]}" "${r[none]}"), 4K read $(ratio "${r4[sva]}" "${r4[none]}")"
