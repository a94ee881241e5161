#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark report: builds what is missing, boots the testbed guest and runs
# `awd bench -m` there (device against the guest's own zlib and GMP, one
# process), runs the same benchmark on the host with host zlib and GMP
# (`awd-mock bench -m`: the software column is plain host zlib/GMP, with
# host ISA-L and libdeflate beside it when built in; the "device" column is
# the device's zlib engine on a host thread), `openssl speed rsa2048`, each
# several times, then the QEMU-level bench qtests once at
# full size (AWD_BENCH=1), and writes
# $AWD_BUILD/bench/report.md (table, ratios, machine) and throughput.png
# (throughput against request size, device against software). Prints the
# table and the ratio lines. Never fails on speed: numbers are printed,
# not checked against the goals; exits non-zero only when the guest gave
# no numbers at all (the device or the boot is broken).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
usage: bench-report.sh [options]
  -n RUNS        runs of each benchmark; the best of them is reported (default 3)
  -t SECONDS     seconds per measurement inside awd bench (default 0.5)
  -q DEPTH       device requests in flight (awd bench -q, default 8)
  --smp N        guest vCPUs (default 1)
  --engine NAME  the device's deflate engine, isal or zlib (default: the
                 device's default, isal when QEMU was built with libisal)
  --no-build     do not run scripts/build-all.sh first
  --no-qtest     skip the QEMU-level bench qtests
  -o DIR         outputs into DIR (default \$AWD_BUILD/bench)
  --report-only  measure nothing: remake report.md and the plot from the raw
                 outputs of the last run
Outputs in DIR (default build/bench/): report.md,
throughput.png, and the raw outputs (guest.txt, host.txt, openssl.txt,
qtest.txt).
EOF
}

RUNS=3 SECS=0.5 DEPTH=8 SMP=1 BUILD=1 QTEST=1 MEASURE=1 OUT=$AWD_BUILD/bench
ENGINE=
while [ $# -gt 0 ]; do
    case $1 in
    -n) RUNS=${2:?}; shift 2 ;;
    -t) SECS=${2:?}; shift 2 ;;
    -q) DEPTH=${2:?}; shift 2 ;;
    --smp) SMP=${2:?}; shift 2 ;;
    --engine) ENGINE=${2:?}; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-qtest) QTEST=0; shift ;;
    -o) OUT=${2:?}; shift 2 ;;
    --report-only) MEASURE=0 BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive integer"
[[ $SMP =~ ^[1-9][0-9]*$ ]] || die "--smp wants a positive integer"
[[ $DEPTH =~ ^[1-9][0-9]*$ ]] || die "-q wants a positive integer"
[[ $SECS =~ ^[0-9]*\.?[0-9]+$ ]] || die "-t wants a number of seconds"
case $ENGINE in
'' | isal | zlib) ;;
*) die "--engine wants isal or zlib" ;;
esac
qemu_args=()
[ -n "$ENGINE" ] && qemu_args=(-- -global "accel-wd.engine=$ENGINE")

MOCK=$AWD_BUILD/guest-lib/tests/awd-mock

if [ "$BUILD" = 1 ]; then
    log "building what is missing (scripts/build-all.sh)"
    "$AWD_ROOT/scripts/build-all.sh"
fi
[ -f "$AWD_BUILD/testbed.env" ] || die "no $AWD_BUILD/testbed.env: run scripts/build-all.sh"
[ -x "$MOCK" ] || die "no $MOCK: run scripts/build-all.sh"
# shellcheck disable=SC1090,SC1091
QEMU=$(. "$AWD_BUILD/testbed.env"; echo "${QEMU:-}")
KERNEL_DIR=$(. "$AWD_BUILD/testbed.env"; echo "${KERNEL_DIR:-}")

# Another engineer's QEMU rebuild can leave the binary missing for a while.
wait_qemu() {
    local i
    for i in $(seq 60); do
        [ -x "$QEMU" ] && return 0
        [ "$i" = 1 ] && log "waiting for $QEMU (a rebuild in progress?)"
        sleep 10
    done
    die "$QEMU is missing"
}

# One round: the guest benchmark (one boot), then the same benchmark on the
# host, openssl and the qtests. Rounds are interleaved so that guest and host
# numbers of a round see the same load on the shared cores.
bench_args=(-m -t "$SECS" -q "$DEPTH")
osecs=$(awk -v s="$SECS" 'BEGIN { s = int(s + 0.999); print s < 1 ? 1 : s }')

guest_round() { # round, last?
    local gcmd attempt
    gcmd="awd stat 2>&1 | grep -m1 -w mode; awd stat 2>&1 | grep -m1 -w caps; echo run=$1; awd bench ${bench_args[*]} || echo bench-failed=$1"
    [ "$2" = 1 ] && gcmd+="; echo stat-after-runs; awd stat -s 2>&1"
    for attempt in 1 2 3; do
        wait_qemu
        if "$AWD_ROOT/scripts/run-guest.sh" --smp "$SMP" --timeout 600 --batch "$gcmd" \
            "${qemu_args[@]}" 2>"$OUT/guest.err" | tr -d '\r' >"$OUT/guest.round" &&
            grep -q '^compress-L1 size=' "$OUT/guest.round"; then
            cat "$OUT/guest.round" >>"$OUT/guest.txt"
            rm -f "$OUT/guest.round" "$OUT/guest.err"
            return 0
        fi
        log "guest boot $attempt of round $1 failed (see $OUT/guest.round, $OUT/guest.err)"
        sleep 5
    done
    cat "$OUT/guest.round" >>"$OUT/guest.txt" 2>/dev/null || :
    log "round $1: no guest numbers"
}

measure() {
    local i
    wait_qemu
    mkdir -p "$OUT"
    rm -f "$OUT"/{guest,host,openssl,qtest}.txt "$OUT"/guest.{err,round} \
        "$OUT"/meta.env "$OUT"/report.md "$OUT"/throughput.png "$OUT"/plot.dat
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    # other processes keeping a core busy (lifetime %CPU), ours excluded
    busy=$(ps -eo pid=,pcpu=,comm= --sort=-pcpu |
        awk -v me=$$ '$1 != me && $2 >= 30 { printf "%s%s (%s%%)", n++ ? ", " : "", $3, $2 }')
    started=$(date -u '+%Y-%m-%d %H:%M UTC')
    for i in $(seq "$RUNS"); do
        log "round $i/$RUNS: guest awd bench ${bench_args[*]} (--smp $SMP)"
        guest_round "$i" "$([ "$i" = "$RUNS" ] && echo 1 || echo 0)"

        log "round $i/$RUNS: host awd-mock bench ${bench_args[*]}, openssl speed rsa2048"
        { echo "run=$i"; "$MOCK" bench "${bench_args[@]}" || echo "bench-failed=$i"; } \
            >>"$OUT/host.txt" 2>&1
        { openssl speed -seconds "$osecs" rsa2048 2>/dev/null | grep '^rsa 2048' || :; } \
            >>"$OUT/openssl.txt"
    done
    # QEMU-level benchmarks (qtests, no guest kernel), once, at full size
    # (AWD_BENCH=1: thousands of requests; the quick sizes of a plain
    # `meson test --suite bench` are too short to compare). Their messages
    # are in meson's log file, not in its console output.
    if [ "$QTEST" = 1 ]; then
        log "meson test --suite bench (AWD_BENCH=1, about 2 min)"
        wait_qemu
        echo "run=1" >>"$OUT/qtest.txt"
        AWD_BENCH=1 meson test -C "$AWD_BUILD" --suite bench --no-rebuild \
            --num-processes 1 --logbase bench-qtest >/dev/null 2>&1 ||
            log "the bench qtests failed (log in $AWD_BUILD/meson-logs/bench-qtest.txt)"
        cat "$AWD_BUILD/meson-logs/bench-qtest.txt" >>"$OUT/qtest.txt" 2>/dev/null || :
    fi
    grep -q '^bench-failed=' "$OUT/guest.txt" "$OUT/host.txt" 2>/dev/null &&
        log "some runs failed: $(grep -h '^bench-failed=' "$OUT/guest.txt" "$OUT/host.txt" | tr '\n' ' ')"
    load_end=$(cut -d' ' -f1-3 /proc/loadavg)
    cat >"$OUT/meta.env" <<META
RUNS=$RUNS SECS=$SECS DEPTH=$DEPTH SMP=$SMP osecs=$osecs ENGINE='$ENGINE'
started='$started' load_start='$load_start' load_end='$load_end'
busy='${busy:-none}'
META
}
if [ "$MEASURE" = 1 ]; then
    measure
else
    [ -f "$OUT/meta.env" ] || die "no earlier run in $OUT"
fi
# shellcheck disable=SC1091
. "$OUT/meta.env"

# The device's engine, from the guest's `awd stat` (AWD_CAP_ZLIB_EXACT is
# engine=zlib), else from --engine
engine_name=${ENGINE:-default}
if grep -q '^ *caps ' "$OUT/guest.txt" 2>/dev/null; then
    if grep -m1 '^ *caps ' "$OUT/guest.txt" | grep -qw zlib-exact; then
        engine_name=zlib
    else
        engine_name=isal
    fi
fi

# --- aggregate: best of the runs ----------------------------------------------
# One line per row: name size guest_dev guest_dev_min guest_sw host_sw host_engine
best() { # file -> "name size key best min" for every numeric key
    awk '
    / size=[0-9]+ / {
        for (i = 2; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[2] !~ /^[0-9.]+$/ || kv[1] == "size" || kv[1] == "ratio")
                continue
            k = $1 " " substr($2, 6) " " kv[1]
            v = kv[2] + 0
            if (!(k in hi) || v > hi[k]) hi[k] = v
            if (!(k in lo) || v < lo[k]) lo[k] = v
            if (!(k in seen)) { seen[k] = 1; order[n++] = k }
        }
    }
    END { for (i = 0; i < n; i++) print order[i], hi[order[i]], lo[order[i]] }
    ' "$1"
}
best "$OUT/guest.txt" 2>/dev/null >"$OUT/guest.best" || :
best "$OUT/host.txt" >"$OUT/host.best"
ossl=$(awk '{ v = $(NF-1) + 0; if (v > b) b = v } END { if (b) printf "%.1f", b }' "$OUT/openssl.txt")

# The report: one awk program reads both best files and prints Markdown.
table() {
    awk -v ossl="${ossl:-0}" -v engine="$engine_name" '
    function val(src, name, size, key,    kk) {
        kk = name " " size " " key
        return (src == "g") ? (kk in g ? g[kk] : -1) : (kk in h ? h[kk] : -1)
    }
    function f(v, d) { return v < 0 ? "n/a" : sprintf("%." d "f", v) }
    function r(a, b) { return (a < 0 || b <= 0) ? "n/a" : sprintf("%.2fx", a / b) }
    function sz(s) { return s >= 1048576 ? s / 1048576 " MiB" : s >= 1024 ? s / 1024 " KiB" : s " B" }
    FILENAME ~ /guest.best$/ { g[$1 " " $2 " " $3] = $4; glo[$1 " " $2 " " $3] = $5; next }
    FILENAME ~ /host.best$/  { h[$1 " " $2 " " $3] = $4; next }
    END {
        print "| operation | size | device (guest), MB/s | device range | guest zlib | host zlib | host ISA-L | host libdeflate | zlib engine on host (awd-mock) | device / guest zlib | device / host zlib | device / host ISA-L | device / host libdeflate |"
        print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        split("4096 65536 1048576", sizes, " ")
        split("compress-L1 compress-L6 decompress", ops, " ")
        for (si = 1; si <= 3; si++) for (oi = 1; oi <= 3; oi++) {
            o = ops[oi]; s = sizes[si]
            d = val("g", o, s, "device"); gs = val("g", o, s, "software")
            hs = val("h", o, s, "software"); he = val("h", o, s, "device")
            hi = val("h", o, s, "isal"); hd = val("h", o, s, "libdeflate")
            k = o " " s " device"
            rng = (k in glo) ? sprintf("%.1f-%.1f", glo[k], g[k]) : "n/a"
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", o, sz(s),
                f(d, 1), rng, f(gs, 1), f(hs, 1), f(hi, 1), f(hd, 1), f(he, 1),
                r(d, gs), r(d, hs), r(d, hi), r(d, hd)
            ratio[o " " s] = r(d, gs) " " r(d, hs) " " r(d, hi) " " r(d, hd)
        }
        print ""
        print "| RSA-2048 CRT, ops/s | device (guest) | guest GMP | host GMP | host OpenSSL sign | device / guest GMP | device / host GMP | device / OpenSSL |"
        print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        d = val("g", "rsa2048-crt", 256, "device"); gs = val("g", "rsa2048-crt", 256, "software")
        hs = val("h", "rsa2048-crt", 256, "software"); os = ossl > 0 ? ossl : -1
        printf "| rsa2048-crt | %s | %s | %s | %s | %s | %s | %s |\n", f(d, 0), f(gs, 0),
            f(hs, 0), f(os, 0), r(d, gs), r(d, hs), r(d, os)
        rsa = sprintf("device/guest-gmp=%s device/host-gmp=%s device/openssl=%s", r(d, gs), r(d, hs), r(d, os))
        print ""
        print "| compress L1 1 MiB, MB/s | demand-faulted output | prefaulted output | demand / prefaulted |"
        print "| --- | ---: | ---: | ---: |"
        dm = val("g", "fault-L1", 1048576, "demand"); pf = val("g", "fault-L1", 1048576, "prefaulted")
        printf "| device (guest) | %s | %s | %s |\n", f(dm, 1), f(pf, 1), r(dm, pf)
        fault = r(dm, pf)
        # the best latency is the lowest: take the highest ops/s
        nops = val("g", "nop-sync", 0, "ops")
        print ""
        printf "Synchronous no-op round trip through the device from the guest: %s ops/s (%s us).\n",
            f(nops, 0), (nops > 0 ? sprintf("%.1f", 1e6 / nops) : "n/a")
        # ratio lines (stdout and the report)
        print ""
        print "```"
        for (si = 1; si <= 3; si++) for (oi = 1; oi <= 3; oi++) {
            split(ratio[ops[oi] " " sizes[si]], rr, " ")
            printf "ratio %-12s %-7s device/guest-zlib=%s device/host-zlib=%s device/host-isal=%s device/host-libdeflate=%s\n",
                ops[oi], sz(sizes[si]), rr[1], rr[2], rr[3], rr[4]
        }
        printf "ratio rsa2048-crt         %s\n", rsa
        printf "ratio fault-L1    1 MiB   demand/prefaulted=%s\n", fault
        print "```"
        # issue 12: the engine against the host library it stands for
        print ""
        if (engine == "zlib")
            goal = "with engine=zlib, device >= 0.95x host zlib"
        else
            goal = "with engine=isal, device >= 0.9x host ISA-L"
        printf "Functional benchmark, device engine %s (goal, printed and not asserted: %s; L1 compression and decompression at 64 KiB and 1 MiB):\n", engine, goal
        print ""
        print "| case | size | device / host ISA-L | device / host zlib | device / host libdeflate |"
        print "| --- | ---: | ---: | ---: | ---: |"
        split("compress-L1 decompress", fops, " ")
        for (oi = 1; oi <= 2; oi++) for (si = 2; si <= 3; si++) {
            split(ratio[fops[oi] " " sizes[si]], rr, " ")
            printf "| %s | %s | %s | %s | %s |\n", fops[oi], sz(sizes[si]), rr[3], rr[2], rr[4]
        }
        # plot data: size(KiB) then device/guest/host per operation
        for (si = 1; si <= 3; si++) {
            s = sizes[si]; line = s / 1024
            for (oi = 1; oi <= 3; oi++) {
                o = ops[oi]
                line = line " " val("g", o, s, "device") " " val("g", o, s, "software") " " val("h", o, s, "software") \
                    " " val("h", o, s, "isal") " " val("h", o, s, "libdeflate")
            }
            print line > PLOT
        }
    }
    ' PLOT="$OUT/plot.dat" "$OUT/guest.best" "$OUT/host.best"
}
table >"$OUT/table.md"

# --- plot ----------------------------------------------------------------------
if command -v gnuplot >/dev/null; then
    # below the lowest point, at most 5 MB/s
    ymin=$(awk '{ for (i = 2; i <= NF; i++) if ($i > 0 && (!m || $i < m)) m = $i }
        END { m = m ? m / 1.5 : 5; print m < 5 ? m : 5 }' "$OUT/plot.dat")
    gnuplot <<GP 2>"$OUT/gnuplot.err" || log "gnuplot failed: $(head -3 "$OUT/gnuplot.err")"
set terminal pngcairo size 1500,520 font ",11"
set output "$OUT/throughput.png"
set datafile missing "-1"
set logscale xy
set xrange [2.8:1500]
set yrange [$ymin:4000]
set xtics ("4 KiB" 4, "64 KiB" 64, "1 MiB" 1024)
set xlabel "request size"
set ylabel "MB/s (input for compress, output for decompress)"
set grid
set key top left
set multiplot layout 1,3 title "accel-wd (engine $engine_name, $SMP vCPU TCG guest, best of $RUNS rounds) against host libraries, $started"
set title "compress L1"
plot "$OUT/plot.dat" u 1:2 w lp lw 2 pt 7 t "device (guest)", "" u 1:3 w lp lw 2 pt 5 t "guest zlib (TCG)", "" u 1:4 w lp lw 2 pt 9 t "host zlib", "" u 1:5 w lp lw 2 pt 11 t "host ISA-L", "" u 1:6 w lp lw 2 pt 13 t "host libdeflate"
set title "compress L6"
plot "$OUT/plot.dat" u 1:7 w lp lw 2 pt 7 t "device (guest)", "" u 1:8 w lp lw 2 pt 5 t "guest zlib (TCG)", "" u 1:9 w lp lw 2 pt 9 t "host zlib", "" u 1:11 w lp lw 2 pt 13 t "host libdeflate"
set title "decompress"
plot "$OUT/plot.dat" u 1:12 w lp lw 2 pt 7 t "device (guest)", "" u 1:13 w lp lw 2 pt 5 t "guest zlib (TCG)", "" u 1:14 w lp lw 2 pt 9 t "host zlib", "" u 1:15 w lp lw 2 pt 11 t "host ISA-L", "" u 1:16 w lp lw 2 pt 13 t "host libdeflate"
unset multiplot
GP
else
    log "gnuplot is missing (scripts/setup-host.sh installs gnuplot-nox): no plot"
fi

# --- report --------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
qver=$("$QEMU" -version 2>/dev/null | head -1 || echo "?")
gkern=$(cat "$KERNEL_DIR/release" 2>/dev/null || echo "?")
gmode=$(grep -m1 -w mode "$OUT/guest.txt" 2>/dev/null | sed 's/^ *//; s/  */ /g' || :)
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
{
    echo "# accel-wd benchmark report"
    echo
    echo "- date: $started"
    echo "- command: \`scripts/bench-report.sh -n $RUNS -t $SECS -q $DEPTH --smp $SMP${ENGINE:+ --engine $ENGINE}\`"
    echo "- host: $(nproc) CPUs, $cpu, Linux $(uname -r), load average at start $load_start, at end $load_end; other processes busy at start: ${busy:-?}"
    echo "- guest: $SMP vCPU q35 under TCG (\`run-guest.sh\` defaults: cpu max, iommu-sva, accel-wd), kernel $gkern, accel_wd driver ${gmode:-mode unknown}"
    echo "- device engine: $engine_name (${ENGINE:+--engine $ENGINE, }read from the guest's awd stat: zlib-exact is engine=zlib)"
    echo "- QEMU: $qver; zlib $(pkgver zlib1g-dev), GMP $(pkgver libgmp-dev), ISA-L $(pkgver libisal-dev), libdeflate $(pkgver libdeflate-dev) (the guest's awd is linked statically with the same host libraries); $(openssl version | cut -d' ' -f1-2)"
    echo "- method: $RUNS interleaved rounds in this one invocation, each a guest boot running \`awd bench -m -t $SECS -q $DEPTH\` (device and guest zlib/GMP in one process), then the same on the host and openssl, and after the rounds the bench qtests once at full size (\`AWD_BENCH=1\`); the best value of the rounds is reported (\"device range\" shows worst-best of the device in the guest); \`awd-mock bench -m\` on the host (its software column is host zlib and GMP called directly, the same data and call shape as in the guest, and beside it host ISA-L (L1, inflate) and libdeflate (n/a when not built in) on the same data and buffers, one fresh stream per request; its device column is the device's zlib engine on a host thread, no QEMU); \`openssl speed -seconds $osecs rsa2048\` on the host"
    echo
    echo "Numbers under TCG on a shared 2-core host vary from run to run (other builds and tests share the cores): compare ratios measured in one run, not absolute numbers across runs. A benchmark prints, it does not assert."
    echo
    echo "Goals (issues 4 and 6): at 64 KiB and above, device from guest user space >= 1.0x guest zlib and >= 0.9x host zlib; demand-faulted within 2x of prefaulted (ratio >= 0.5) at 1 MiB. Issue 12: with engine=isal, L1 compression and decompression >= 0.9x host ISA-L at 64 KiB and 1 MiB; with engine=zlib >= 0.95x host zlib."
    echo
    cat "$OUT/table.md"
    echo
    [ -f "$OUT/throughput.png" ] && { echo "![throughput against request size](throughput.png)"; echo; }
    if [ -s "$OUT/qtest.txt" ]; then
        echo "## QEMU-level benchmarks (qtests, no guest kernel)"
        echo
        echo "\`meson test -C build --suite bench\`: accel-wd-bench-test drives the device from qtest on a corpus (host time inside QEMU); iommu-sva-bench-test times DMA translation."
        echo
        echo '```'
        grep -E '^run=|^# (bench|DMA|  )' "$OUT/qtest.txt" | sed 's/^# //' || echo "(no bench lines; see qtest.txt)"
        echo '```'
        echo
    fi
    if grep -q '^stat-after-runs' "$OUT/guest.txt" 2>/dev/null; then
        echo "## Device in the guest after the runs (\`awd stat -s\`)"
        echo
        echo '```'
        sed -n '/^stat-after-runs/,$p' "$OUT/guest.txt" | sed '1d; /^AWD-EXIT=/d'
        echo '```'
        echo
    fi
    echo "Raw outputs: guest.txt, host.txt, openssl.txt, qtest.txt next to this file."
} >"$OUT/report.md"
rm -f "$OUT/guest.best" "$OUT/host.best" "$OUT/gnuplot.err"

cat "$OUT/table.md"
echo
log "report: $OUT/report.md, plot: $OUT/throughput.png"
# Slow is never a failure; no numbers at all from the device is.
grep -q '^compress-L1 size=' "$OUT/guest.txt" 2>/dev/null ||
    die "the guest produced no benchmark numbers (see $OUT/guest.txt)"
