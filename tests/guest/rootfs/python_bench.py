#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The same python3 zlib workload, timed: run it once as is and once under
# LD_PRELOAD=libawdz.so (python-bench.sh does both) and compare.
#   python_bench.py DIR MBYTES CHUNK_KIB ROUNDS
# Compresses (level 6) and decompresses the first MBYTES of a tar of DIR in
# CHUNK_KIB pieces, ROUNDS times; prints the best round of each direction as
#   compress_mbps=X decompress_mbps=Y bytes=N
import io, os, sys, tarfile, time, zlib


def main():
    top = sys.argv[1]
    total = int(float(sys.argv[2]) * 1e6)
    chunk = int(sys.argv[3]) * 1024
    rounds = int(sys.argv[4])
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as t:
        t.add(top)
    tar = buf.getvalue()[:total]
    items = [tar[i:i + chunk] for i in range(0, len(tar), chunk)]
    best_c = best_d = float('inf')
    for _ in range(rounds):
        t0 = time.perf_counter()
        blobs = [zlib.compress(d, 6) for d in items]
        t1 = time.perf_counter()
        back = [zlib.decompress(b) for b in blobs]
        t2 = time.perf_counter()
        if back != items:
            print('round trip differs', file=sys.stderr)
            sys.exit(1)
        best_c = min(best_c, t1 - t0)
        best_d = min(best_d, t2 - t1)
    n = len(tar)
    print(f'compress_mbps={n / best_c / 1e6:.2f} '
          f'decompress_mbps={n / best_d / 1e6:.2f} bytes={n} '
          f'ratio={n / sum(map(len, blobs)):.2f}')


main()
