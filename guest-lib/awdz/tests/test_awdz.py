#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""python3's zlib and gzip modules, unmodified, with libawdz preloaded.

Usage: test_awdz.py LIBAWDZ_MOCK_SO

Each case runs a child python3 with LD_PRELOAD=libawdz-mock.so (libawdz
with the mock driver and device linked in) and AWDZ_STATS=1. The child
round-trips a corpus through zlib.compress/decompress, compressobj and
decompressobj, gzip.compress/decompress and GzipFile, and hands its
compressed output back; this process (no preload: the system zlib)
decompresses it and compares, and checks the child's AWDZ_STATS counters:
the device did the work, or the expected fallback was taken and counted.
Prints TAP.
"""
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import zlib

MIN_DEFLATE = 4096      # libawdz defaults (README.md)
MIN_INFLATE = 1024


def corpus():
    """Deterministic data: source text, random bytes, zeros, sizes."""
    src = b''
    libdir = os.path.dirname(os.__file__)
    for name in sorted(os.listdir(libdir)):
        if name.endswith('.py'):
            with open(os.path.join(libdir, name), 'rb') as f:
                src += f.read()
        if len(src) > 1_500_000:
            break
    src = (src * (1 + 1_500_000 // max(len(src), 1)))[:1_500_000]
    rnd = random.Random(7)
    return {
        'text-8k': src[:8192],
        'text-200k': src[100_000:300_000],
        'text-1m': src[:1_000_000],
        'random-100k': rnd.randbytes(100_000),
        'zeros-300k': bytes(300_000),
        'tiny': src[:200],
    }


# ---- the child: runs under LD_PRELOAD ----

def child(case, out):
    import gzip
    import io
    data = corpus()
    res = {'blobs': {}, 'errors': []}

    def check(cond, what):
        if not cond:
            res['errors'].append(what)

    def blob(name, fmt, comp, orig):
        res['blobs'][name] = (fmt, comp, orig)

    big = [k for k in data if k != 'tiny']
    if case == 'device':
        for name in big:
            d = data[name]
            for level in (1, 6, 9):
                c = zlib.compress(d, level)
                blob(f'{name}-compress-{level}', 15, c, name)
                check(zlib.decompress(c) == d, f'{name} decompress {level}')
            for wbits in (15, -15, 31):
                co = zlib.compressobj(6, zlib.DEFLATED, wbits)
                parts = [co.compress(d[i:i + 50_000])
                         for i in range(0, len(d), 50_000)]
                c = b''.join(parts) + co.flush()
                blob(f'{name}-obj-{wbits}', wbits, c, name)
                do = zlib.decompressobj(wbits)
                check(do.decompress(c + b'tail') == d and do.eof and
                      do.unused_data == b'tail',
                      f'{name} decompressobj {wbits}')
            c = gzip.compress(d)
            blob(f'{name}-gzip', 31, c, name)
            check(gzip.decompress(c) == d, f'{name} gzip.decompress')
            c = gzip.compress(d, mtime=0)
            blob(f'{name}-gzip0', 31, c, name)
            check(gzip.decompress(c) == d, f'{name} gzip.decompress mtime 0')
            f = io.BytesIO()
            with gzip.GzipFile(fileobj=f, mode='wb') as g:
                g.write(d)
            blob(f'{name}-gzipfile', 31, f.getvalue(), name)
    elif case in ('tiny', 'nodevice', 'failing', 'disabled', 'nosva'):
        for name in (['tiny'] if case == 'tiny' else ['text-200k']):
            d = data[name]
            c = zlib.compress(d)
            blob(f'{name}-compress', 15, c, name)
            check(zlib.decompress(c) == d, f'{name} decompress')
            c = gzip.compress(d)
            blob(f'{name}-gzip', 31, c, name)
            check(gzip.decompress(c) == d, f'{name} gzip.decompress')
    elif case == 'dictionary':
        d = data['text-200k']
        zd = data['text-1m'][:4096]
        co = zlib.compressobj(zdict=zd)
        c = co.compress(d) + co.flush()
        blob('dict', 15, c, 'text-200k')
        res['zdict'] = zd
        do = zlib.decompressobj(zdict=zd)
        check(do.decompress(c) == d, 'zdict decompressobj')
    elif case == 'flush':
        d = data['text-200k']
        co = zlib.compressobj()
        c = co.compress(d[:100_000]) + co.flush(zlib.Z_SYNC_FLUSH)
        c += co.compress(d[100_000:]) + co.flush()
        blob('sync', 15, c, 'text-200k')
        check(zlib.decompress(c) == d, 'sync flush decompress')
    elif case == 'large':
        d = data['text-1m'] * 3
        c = zlib.compress(d)
        res['blobs']['large'] = (15, c, None)
        check(zlib.decompress(c) == d, 'large decompress')
    elif case == 'gzipfile-read':
        d = data['text-1m']
        f = io.BytesIO(zlib_real_gzip(d))
        with gzip.GzipFile(fileobj=f) as g:
            check(g.read() == d, 'GzipFile read')
    with open(out, 'wb') as f:
        pickle.dump(res, f)


def zlib_real_gzip(d):
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    return co.compress(d) + co.flush()


# ---- the parent: no preload ----

def stats(text):
    st = {}
    for m in re.finditer(r'^awdz: ([a-z_.]+)=(\d+)$', text, re.M):
        st[m.group(1)] = int(m.group(2))
    return st


def run_case(lib, case, env_extra, tmp):
    out = os.path.join(tmp, case + '.pkl')
    env = dict(os.environ)
    for k in ('AWDZ_DISABLE', 'AWD_DEVICE', 'AWDZ_MOCK_FAIL', 'AWD_MOCK_NOSVA',
              'AWDZ_MOCK_STALL', 'AWDZ_DEBUG', 'AWDZ_MAX_BUF'):
        env.pop(k, None)
    env.update({'LD_PRELOAD': lib, 'AWDZ_STATS': '1'})
    env.update(env_extra)
    p = subprocess.run([sys.executable, os.path.abspath(__file__),
                        '--child', case, out],
                       env=env, capture_output=True, text=True, timeout=240)
    if p.returncode:
        return None, stats(p.stderr), [f'child exited {p.returncode}: '
                                       f'{p.stderr[-2000:]}']
    with open(out, 'rb') as f:
        res = pickle.load(f)
    return res, stats(p.stderr), res['errors']


def verify_blobs(res, data):
    """Decompress the child's output with the system zlib."""
    errs = []
    for name, (fmt, comp, orig) in res['blobs'].items():
        try:
            if 'zdict' in res:
                do = zlib.decompressobj(fmt, zdict=res['zdict'])
            else:
                do = zlib.decompressobj(fmt)
            back = do.decompress(comp) + do.flush()
        except zlib.error as e:
            errs.append(f'{name}: system zlib: {e}')
            continue
        want = data[orig] if orig else data['text-1m'] * 3
        if back != want or not do.eof:
            errs.append(f'{name}: system zlib gives other data')
    return errs


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == '--child':
        child(sys.argv[2], sys.argv[3])
        return 0
    lib = os.path.abspath(sys.argv[1])
    data = corpus()
    big = [k for k in data if k != 'tiny']

    # name, environment, check of the counters
    def device_expect(st):
        # per item: 3 compress + 3 obj + gzip x2 + GzipFile, all whole
        n = len(big)
        want_def = 9 * n
        errs = []
        if st.get('deflate.hw', 0) != want_def:
            errs.append(f"deflate.hw {st.get('deflate.hw')} != {want_def}")
        if st.get('deflate.sw', 0) != 0:
            errs.append(f"deflate.sw {st.get('deflate.sw')} != 0")
        # 3 decompress + 3 decompressobj + 2 gzip.decompress per item,
        # unless the compressed data is under AWDZ_MIN_INFLATE (zeros)
        if st.get('inflate.hw', 0) < 8 * (n - 1):
            errs.append(f"inflate.hw {st.get('inflate.hw')} < {8 * (n - 1)}")
        if st.get('inflate.sw', 0) != st.get('inflate.fallback.small', 0):
            errs.append('inflate fallbacks other than small')
        return errs

    def only(reason, op='deflate', n=None):
        def f(st):
            errs = []
            if not st.get(f'{op}.fallback.{reason}', 0):
                errs.append(f'{op}.fallback.{reason} not counted')
            if n is not None and st.get(f'{op}.fallback.{reason}') != n:
                errs.append(f"{op}.fallback.{reason} = "
                            f"{st.get(f'{op}.fallback.{reason}')} != {n}")
            other = [k for k in st if k.startswith(f'{op}.fallback.') and
                     k != f'{op}.fallback.{reason}']
            if other:
                errs.append(f'other {op} fallbacks: {other}')
            return errs
        return f

    def failing(st):
        errs = []
        if st.get('deflate.fallback.device_error', 0) + \
           st.get('inflate.fallback.device_error', 0) != 1:
            errs.append('one device error expected')
        if st.get('deflate.hw', 0) + st.get('inflate.hw', 0) < 3:
            errs.append('the device not used after the failure')
        return errs

    def nodevice(st):
        errs = []
        for op in ('deflate', 'inflate'):
            if st.get(f'{op}.hw', 0) or not st.get(f'{op}.fallback.no_device'):
                errs.append(f'{op}: no_device expected: {st}')
        return errs

    def disabled(st):
        errs = []
        for op in ('deflate', 'inflate'):
            if st.get(f'{op}.hw', 0) or not st.get(f'{op}.fallback.disabled'):
                errs.append(f'{op}: disabled expected')
        return errs

    def nosva(st):
        # the library bounces through registered memory: same results
        want = {'deflate.hw': 2, 'inflate.hw': 2, 'deflate.sw': 0,
                'inflate.sw': 0}
        return [f'{k}={st.get(k, 0)}, want {v}' for k, v in want.items()
                if st.get(k, 0) != v]

    def gzread(st):
        # GzipFile reads 8 KiB at a time: never one whole stream
        errs = []
        if st.get('inflate.hw', 0):
            errs.append('inflate of a partial stream on the device')
        if not st.get('inflate.fallback.input', 0):
            errs.append('inflate.fallback.input not counted')
        return errs

    cases = [
        ('device', {}, device_expect),
        ('tiny', {}, only('small', n=2)),
        ('dictionary', {}, lambda st: only('dictionary')(st) +
         only('dictionary', 'inflate')(st)),
        ('flush', {}, only('flush', n=1)),
        ('large', {}, only('large', n=1)),
        ('gzipfile-read', {}, gzread),
        ('failing', {'AWDZ_MOCK_FAIL': '1'}, failing),
        ('nodevice', {'AWD_DEVICE': '/dev/accel_wd9'}, nodevice),
        ('nosva', {'AWD_MOCK_NOSVA': '1'}, nosva),
        ('disabled', {'AWDZ_DISABLE': '1'}, disabled),
    ]
    print(f'1..{len(cases)}')
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (case, env, expect) in enumerate(cases, 1):
            res, st, errs = run_case(lib, case, env, tmp)
            if res is not None:
                errs += verify_blobs(res, data)
                errs += expect(st)
            summary = ' '.join(f'{k}={v}' for k, v in sorted(st.items())
                               if v and k != 'pid')
            if errs:
                failed += 1
                print(f'not ok {i} - {case}')
                for e in errs:
                    print(f'# {e}')
            else:
                print(f'ok {i} - {case}')
            print(f'# {summary}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
