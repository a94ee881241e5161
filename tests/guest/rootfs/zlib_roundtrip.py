#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Round trip a corpus through python3's zlib and gzip modules (run under
# LD_PRELOAD=libawdz.so), and check the results with the real zlib.
#   zlib_roundtrip.py run DIR OUTDIR [TARMAX [nofiles]]
#         compress/decompress every file of DIR (unless nofiles) and the
#         first TARMAX bytes (default all) of a tar of DIR in 768 KiB
#         chunks (fresh buffers: the device faults their pages in);
#         keeps the compressed blobs in OUTDIR
#   zlib_roundtrip.py verify DIR OUTDIR [TARMAX [nofiles]]
#         (no LD_PRELOAD) inflate the blobs with the system zlib, compare
import gzip, io, os, sys, tarfile, zlib

MIN = 4096            # AWDZ_MIN_DEFLATE: smaller inputs stay in zlib
CHUNK = 768 * 1024    # under the device window (about 1 MiB)


def corpus(top, tarmax, with_files):
    items = []
    for d, _, files in (os.walk(top) if with_files else ()):
        for f in sorted(files):
            p = os.path.join(d, f)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, 'rb') as fh:
                    items.append(fh.read())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as t:
        t.add(top)
    tar = buf.getvalue()[:tarmax]
    items += [tar[i:i + CHUNK] for i in range(0, len(tar), CHUNK)]
    return items


def main():
    mode, top, out = sys.argv[1:4]
    tarmax = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 40
    items = corpus(top, tarmax, len(sys.argv) < 6 or sys.argv[5] != 'nofiles')
    eligible = sum(1 for d in items if MIN <= len(d) <= 1000000)
    bad = 0
    if mode == 'run':
        os.makedirs(out, exist_ok=True)
        for i, d in enumerate(items):
            z = zlib.compress(d, 6)
            g = gzip.compress(d, compresslevel=1, mtime=0)
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            r = co.compress(d) + co.flush()
            for name, blob, back in (('z', z, zlib.decompress(z)),
                                     ('gz', g, gzip.decompress(g)),
                                     ('raw', r, zlib.decompress(r, -15))):
                if back != d:
                    print(f'item {i} ({len(d)} bytes): {name} round trip differs')
                    bad += 1
                with open(f'{out}/{i}.{name}', 'wb') as fh:
                    fh.write(blob)
        print(f'items={len(items)} eligible={eligible} bytes={sum(map(len, items))}')
    else:
        for i, d in enumerate(items):
            for name, dec in (('z', zlib.decompress),
                              ('gz', gzip.decompress),
                              ('raw', lambda b: zlib.decompress(b, -15))):
                with open(f'{out}/{i}.{name}', 'rb') as fh:
                    if dec(fh.read()) != d:
                        print(f'item {i}: {name} blob does not inflate to the input with the system zlib')
                        bad += 1
        print(f'verified {len(items)} items x 3 with the system zlib')
    sys.exit(1 if bad else 0)


main()
