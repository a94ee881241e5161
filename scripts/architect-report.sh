#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Architect's sweep: boots the testbed guest once per value of one knob,
# with the timing model on (-global accel-wd.timing=on) under
# -icount shift=0,sleep=off so that the guest sees the modelled speed, runs
# one `awd bench` workload there, and writes
# $AWD_BUILD/architect-report/KNOB/report.md (throughput, p50 and p99
# latency against the knob) and throughput.png / latency.png.
# KNOB is any accel-wd property (atc-entries, timing-pr-latency-ns,
# timing-engines, ...) or "depth" (awd bench -q). Numbers are printed,
# never asserted; exits non-zero only when no value gave numbers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
usage: architect-report.sh -k KNOB -v VALUES [options] [-- QEMU ARGS]
  -k KNOB        an accel-wd property, or "depth" for the queue depth
  -v VALUES      comma-separated values (e.g. 16,64,256,1024,4096)
  -w CASE        awd bench case: compress-L1 (default), decompress,
                 fault-L1 (1 MiB into demand-faulted output), rsa2048-crt
  -s SIZE        request size for compress/decompress (default 1M)
  -f FORMAT      queue format (default ring; any the device has)
  -q DEPTH       queue depth when the knob is not depth (default 8)
  -t SECONDS     guest seconds per measurement (default 0.2)
  -o DIR         outputs into DIR (default \$AWD_BUILD/architect-report/KNOB)
  --no-icount    run without -icount (host-timed: the model is still on
                 but the host's speed shows through)
  --no-build     do not run scripts/build-all.sh first
  -- ARGS        more QEMU arguments for every boot, e.g. the other knobs:
                 -global accel-wd.timing-ats-latency-ns=2000
Examples:
  scripts/architect-report.sh -k atc-entries -v 16,64,256,1024,4096
  scripts/architect-report.sh -k timing-pr-latency-ns -v 1000,10000,30000,100000 -w fault-L1
  scripts/architect-report.sh -k timing-engines -v 1,2,4,8 -q 16
  scripts/architect-report.sh -k depth -v 1,2,4,8,16,32,64 -f crec
EOF
}

KNOB= VALUES= CASE=compress-L1 SIZE=1M FORMAT=ring DEPTH=8 SECS=0.2 OUT= ICOUNT=1 BUILD=1
qemu_extra=()
while [ $# -gt 0 ]; do
    case $1 in
    -k) KNOB=${2:?}; shift 2 ;;
    -v) VALUES=${2:?}; shift 2 ;;
    -w) CASE=${2:?}; shift 2 ;;
    -s) SIZE=${2:?}; shift 2 ;;
    -f) FORMAT=${2:?}; shift 2 ;;
    -q) DEPTH=${2:?}; shift 2 ;;
    -t) SECS=${2:?}; shift 2 ;;
    -o) OUT=${2:?}; shift 2 ;;
    --no-icount) ICOUNT=0; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; qemu_extra=("$@"); break ;;
    *) usage >&2; die "unknown option '$1'" ;;
    esac
done
[ -n "$KNOB" ] && [ -n "$VALUES" ] || { usage >&2; die "-k and -v are required"; }
[[ $KNOB =~ ^[a-z0-9-]+$ ]] || die "-k wants a property name like atc-entries"
[[ $VALUES =~ ^[0-9]+(,[0-9]+)*$ ]] || die "-v wants numbers, comma-separated"
[[ $CASE =~ ^(compress-L1|decompress|fault-L1|rsa2048-crt)$ ]] ||
    die "-w wants compress-L1, decompress, fault-L1 or rsa2048-crt"
[[ $SIZE =~ ^[0-9]+[KM]$ ]] || die "-s wants a size like 64K or 1M"
[[ $FORMAT =~ ^[a-z0-9]+$ ]] || die "-f wants a format name"
[[ $DEPTH =~ ^[1-9][0-9]*$ ]] || die "-q wants a depth"
[[ $SECS =~ ^[0-9]*\.?[0-9]+$ ]] || die "-t wants a number of seconds"
OUT=${OUT:-$AWD_BUILD/architect-report/$KNOB}

if [ "$BUILD" = 1 ]; then
    log "building what is missing (scripts/build-all.sh)"
    "$AWD_ROOT/scripts/build-all.sh"
fi
mkdir -p "$OUT"
rm -f "$OUT"/raw-*.txt "$OUT"/report.md "$OUT"/*.png "$OUT"/plot.dat

timing=(-global accel-wd.timing=on -global "accel-wd.format=$FORMAT")
# -seed and a VM-clocked RTC take the host out of the guest's RDRAND (its
# address-space layout) and date: each point is then the same on every run
[ "$ICOUNT" = 1 ] && timing+=(-icount shift=0,sleep=off -seed 1
                              -rtc base=2026-01-01T00:00:00,clock=vm)
{
    echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "icount=$ICOUNT"
    echo "extra=${qemu_extra[*]:-}"
} >"$OUT/meta.env"

got=0
for v in ${VALUES//,/ }; do
    q=$DEPTH knob=(-global "accel-wd.$KNOB=$v")
    if [ "$KNOB" = depth ]; then
        q=$v knob=()
    fi
    sizes=$SIZE
    [ "$CASE" = fault-L1 ] || [ "$CASE" = rsa2048-crt ] && sizes=1M
    cmd="awd bench -m -t $SECS -q $q -c $CASE -s $sizes || echo bench-failed"
    raw=$OUT/raw-$v.txt
    log "$KNOB=$v: awd bench -q $q -c $CASE ($FORMAT)"
    if "$AWD_ROOT/scripts/run-guest.sh" --timeout 900 --batch "$cmd" \
        -- "${timing[@]}" "${knob[@]}" "${qemu_extra[@]}" 2>"$raw.err" |
        tr -d '\r' >"$raw" && grep -q '^awd-cost ' "$raw"; then
        rm -f "$raw.err"
        got=$((got + 1))
    else
        log "$KNOB=$v: no numbers (see $raw, $raw.err; a value the device refuses fails its boot)"
    fi
done

"$AWD_PYTHON" - "$OUT" "$KNOB" "$VALUES" "$CASE" "$FORMAT" "$DEPTH" <<'PY'
import os, sys
out, knob, values, case, fmt, depth = sys.argv[1:7]
meta = dict(l.strip().split("=", 1) for l in open(os.path.join(out, "meta.env")) if "=" in l)

def kv(line):
    return dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)

rows = []
for v in values.split(","):
    path = os.path.join(out, "raw-%s.txt" % v)
    if not os.path.exists(path):
        continue
    r = {}
    for line in open(path, errors="replace"):
        line = line.strip()
        if line.startswith(case + " size="):
            d = kv(line)
            r["rate"] = d.get("demand" if case == "fault-L1" else "device")
            r["unit"] = d.get("unit", "MB/s")
        elif line.startswith("awd-cost case=%s " % case):
            d = kv(line)
            r.update(p50=d.get("lat_p50_us"), p99=d.get("lat_p99_us"),
                     ats=d.get("ats"), prs=d.get("page_reqs"))
    if "rate" in r:
        rows.append((v, r))

lines = ["# Architect's sweep: %s" % knob, "",
         "Measured %s by `scripts/architect-report.sh -k %s -v %s -w %s -f %s`; "
         "timing model on%s; queue depth %s%s. Throughput as `awd bench` "
         "reports it from guest user space, latency per request (p50, p99) "
         "in microseconds of guest time, ATS and page requests per request."
         % (meta.get("started", "?"), knob, values, case, fmt,
            ", -icount shift=0,sleep=off -seed 1, VM-clocked RTC" if meta.get("icount") == "1" else ", no icount",
            depth if knob != "depth" else "swept",
            ("; more QEMU arguments: `%s`" % meta["extra"]) if meta.get("extra") else ""),
         "", "| %s | throughput | p50 us | p99 us | ATS | page requests |" % knob,
         "| ---: | ---: | ---: | ---: | ---: | ---: |"]
with open(os.path.join(out, "plot.dat"), "w") as dat:
    for v, r in rows:
        lines.append("| %s | %s %s | %s | %s | %s | %s |" % (
            v, r["rate"], r.get("unit", ""), r.get("p50", "n/a"), r.get("p99", "n/a"),
            r.get("ats", "n/a"), r.get("prs", "n/a")))
        dat.write("%s %s %s %s\n" % (v, r["rate"], r.get("p50", "nan"), r.get("p99", "nan")))
open(os.path.join(out, "report.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY

if command -v gnuplot >/dev/null && [ -s "$OUT/plot.dat" ]; then
    logx=
    [ "$(echo "$VALUES" | tr ',' '\n' | grep -c .)" -gt 2 ] && [ "${VALUES%%,*}" != 0 ] && logx="set logscale x 2"
    gnuplot <<GP || log "gnuplot failed; the table is in $OUT/report.md"
set terminal pngcairo size 900,540 noenhanced
$logx
set xlabel '$KNOB'
set key top left
set grid
set output '$OUT/throughput.png'
set title 'accel-wd timing model: $CASE throughput against $KNOB ($FORMAT)'
set ylabel 'throughput'
plot '$OUT/plot.dat' using 1:2 with linespoints lw 2 title '$CASE'
set output '$OUT/latency.png'
set title 'accel-wd timing model: $CASE latency against $KNOB ($FORMAT)'
set ylabel 'microseconds'
plot '$OUT/plot.dat' using 1:3 with linespoints lw 2 title 'p50', '' using 1:4 with linespoints lw 2 title 'p99'
GP
fi
log "report: $OUT/report.md"
[ "$got" -gt 0 ] || die "no value gave numbers"
