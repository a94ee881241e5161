#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Coverage-guided fuzzing of accel-wd and iommu-sva under ASan+UBSan
# (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS]        build, fuzz each target SECONDS
#                                    (default 60), print line coverage
#   scripts/fuzz.sh --target T [S]   only target T (accel-wd, iommu-sva)
#   scripts/fuzz.sh --build          only build; prints the build dir
#   scripts/fuzz.sh --coverage       replay the corpora, print line coverage
#   scripts/fuzz.sh --qtests [ARGS]  run our qtests against the sanitizer
#                                    build (ARGS go to meson test;
#                                    awd/NAME runs that qtest alone)
#
# One clang build dir, build-fuzz/ beside build-qemu.sh's build/, serves
# all three: qemu-fuzz-x86_64 (libFuzzer), qemu-system-x86_64 and our
# qtests, all with ASan, UBSan and source-based coverage of hw/accel-wd and
# hw/iommu-sva. A finding stops the run with status 1 and leaves the input
# in the artifact dir it names.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TARGETS=(accel-wd iommu-sva)
mode=fuzz
seconds=60
only=
while [ $# -gt 0 ]; do
    case "$1" in
        --build) mode=build; shift ;;
        --coverage) mode=coverage; shift ;;
        --qtests) mode=qtests; shift; break ;;
        --target) only=$2; shift 2 ;;
        -h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        [0-9]*) seconds=$1; shift ;;
        *) die "unknown argument '$1' (see scripts/fuzz.sh --help)" ;;
    esac
done
if [ -n "$only" ]; then
    case " ${TARGETS[*]} " in *" $only "*) TARGETS=("$only") ;;
        *) die "unknown fuzz target '$only' (accel-wd, iommu-sva)" ;; esac
fi

# clang, its libFuzzer/ASan/UBSan/profile runtimes and llvm-cov come with
# Debian's clang and llvm packages (not part of scripts/setup-host.sh: the
# default build and test do not need them).
if ! command -v clang >/dev/null || ! command -v llvm-profdata >/dev/null ||
   ! command -v llvm-cov >/dev/null; then
    need_root
    log "installing clang and llvm (the fuzz build's compiler and coverage tools)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        clang llvm libclang-rt-dev >&2 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        clang llvm >&2 || die "apt-get install clang llvm failed"
fi

work=$("$AWD_ROOT/scripts/fetch-qemu.sh")
bld=$work/build-fuzz
mkdir -p "$bld"

write_if_changed() {  # FILE LINE...: keeps the mtime if nothing changed
    local f=$1; shift
    printf '%s\n' "$@" | cmp -s - "$f" 2>/dev/null || printf '%s\n' "$@" > "$f"
}

build() {
    # the shared tree's lock for the whole build, as build-qemu.sh: a sync
    # must never change sources under a compile (stale objects), nor
    # delete them for a moment (it does, with --delete)
    exec 9>"$work/.awd-build.lock"
    flock 9
    qemu_sync_sources "$work"
    # Coverage counters only in our two devices: the rest of QEMU runs at
    # full (sanitized) speed and the report has nothing else in it.
    write_if_changed "$bld/profile-list.txt" \
        'src:*/hw/accel-wd/*' 'src:*/hw/iommu-sva/*'
    # Only the devices q35 needs, ours, and the root port of the hotplug
    # qtests: two thirds of the default build's files.
    write_if_changed "$work/configs/devices/x86_64-softmmu/awd-fuzz.mak" \
        "# written by accel-wd's scripts/fuzz.sh" \
        CONFIG_Q35=y CONFIG_PCIE_PORT=y CONFIG_IOMMU_SVA=y CONFIG_ACCEL_WD=y
    local cov="-fprofile-instr-generate -fcoverage-mapping -fprofile-list=$bld/profile-list.txt"
    local args=(
        --python="$AWD_PYTHON"
        --cc=clang --cxx=clang++
        --target-list=x86_64-softmmu
        --without-default-features
        --enable-tcg --enable-pixman
        --disable-docs --disable-werror --disable-download
        --disable-install-blobs
        --without-default-devices --with-devices-x86_64=awd-fuzz
        --enable-fuzzing --enable-asan --enable-ubsan
        "--extra-cflags=$cov" "--extra-ldflags=-fprofile-instr-generate"
    )
    local stamp
    stamp=$(printf '%s\n' "${args[@]}" | sha256sum | cut -c1-16)
    if [ ! -f "$bld/build.ninja" ] || [ "$(cat "$bld/.awd-configure" 2>/dev/null)" != "$stamp" ]; then
        log "configuring the fuzz build in $bld (clang, libFuzzer, ASan, UBSan, coverage)"
        (cd "$bld" && "$work/configure" "${args[@]}" >"$bld/configure.log" 2>&1) ||
            { tail -n 30 "$bld/configure.log" >&2; die "QEMU configure failed; see $bld/configure.log"; }
        echo "$stamp" > "$bld/.awd-configure"
    fi
    log "building $* ($NPROC jobs) in $bld"
    ninja -C "$bld" -j "$NPROC" "$@" >"$bld/ninja.log" 2>&1 ||
        { grep -E "error|Error|FAILED" "$bld/ninja.log" | head -n 40 >&2;
          die "the fuzz build failed; see $bld/ninja.log"; }
    # QEMU runs from the build dir: SeaBIOS as in build-qemu.sh, and the
    # option ROMs (kvmvapic.bin) of its build when there is one (else
    # QEMU only warns: nothing here boots a kernel)
    local datadir=$bld/qemu-bundle/usr/local/share/qemu
    mkdir -p "$datadir"
    for f in /usr/share/seabios/*.bin "$work"/build/pc-bios/optionrom/*.bin; do
        [ -e "$f" ] || continue
        ln -sfn "$f" "$datadir/$(basename "$f")"
    done
    flock -u 9
}

main() {
case "$mode" in
    build) build qemu-fuzz-x86_64 qemu-system-x86_64 awd-qtests; echo "$bld"; exit 0 ;;
    qtests) build qemu-system-x86_64 awd-qtests ;;
    *) build qemu-fuzz-x86_64 ;;
esac

# ---- the fuzz targets: QEMU's generic-fuzz, configured by environment ----
# accel-wd: one device per queue format and both deflate engines; sync=on
# runs requests in the main loop, where generic-fuzz's DMA hook and its
# per-input reset expect them (hw/accel-wd/accel-wd-queue.c), and pri=off
# goes with it. max-xfer is kept small so that one input stays fast.
AWD_DEV="sync=on,pri=off,num-queues=4,max-xfer=65536,ring-order-max=8"
fuzz_env() {
    case "$1" in
    accel-wd)
        FUZZ_ARGS="-machine q35 -nodefaults"
        FUZZ_ARGS+=" -device accel-wd,$AWD_DEV,format=ring,engine=isal"
        FUZZ_ARGS+=" -device accel-wd,$AWD_DEV,format=sgl,engine=zlib"
        FUZZ_ARGS+=" -device accel-wd,$AWD_DEV,format=crec,engine=isal"
        FUZZ_ARGS+=" -device accel-wd,$AWD_DEV,format=inplace,engine=zlib"
        FUZZ_OBJECTS="accel-wd"
        ;;
    iommu-sva)
        # the IOMMU with two DMA masters behind it: accel-wd (ATS,
        # PASID-tagged DMA) and iommu-sva-testdev (translation, PRI). The
        # ATS and PASID capabilities are in extended config space, which
        # only ECAM reaches: the fuzzer may enable it in the MCH
        # (PCIEXBAR) and then write through it.
        FUZZ_ARGS="-machine q35 -nodefaults -device iommu-sva"
        FUZZ_ARGS+=" -device accel-wd,$AWD_DEV,format=ring,engine=isal"
        FUZZ_ARGS+=" -device iommu-sva-testdev,bench-max-reads=4096"
        FUZZ_OBJECTS="iommu-sva* accel-wd mch pcie-mmcfg-mmio*"
        ;;
    esac
}

# Sanitizers: any report is a finding (UBSan too: halt_on_error), leaks
# included. Profiles go where the caller says (LLVM_PROFILE_FILE).
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:handle_abort=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
if [ -x /usr/bin/llvm-symbolizer ]; then
    export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer
fi
out=$AWD_CACHE/fuzz
mkdir -p "$out"

# FUZZ_HANG_AFTER=SECONDS (optional): SIGABRT after that long, see below
fuzzer() {  # TARGET libFuzzer-args...
    local t=$1 wrap=()
    shift
    [ -z "${FUZZ_HANG_AFTER:-}" ] ||
        wrap=(timeout -s ABRT -k 60 "$FUZZ_HANG_AFTER")
    fuzz_env "$t"
    QEMU_FUZZ_ARGS=$FUZZ_ARGS QEMU_FUZZ_OBJECTS=$FUZZ_OBJECTS \
        "${wrap[@]}" "$bld/qemu-fuzz-x86_64" --fuzz-target=generic-fuzz "$@"
}

# Line coverage of our two directories from the profiles in $1, written
# by the binary $3; the per-file table is left in $1/report.txt
coverage_report() {
    local profdir=$1 what=$2 binary=$3 d
    local raws=("$profdir"/*.profraw)
    [ -e "${raws[0]}" ] || { log "no profiles in $profdir"; return 1; }
    llvm-profdata merge -sparse -o "$profdir/merged.profdata" "${raws[@]}"
    # (only our files have counters, see -fprofile-list; columns: regions,
    # missed, cover, functions, missed, executed, lines, missed, cover)
    llvm-cov report "$binary" \
        -instr-profile="$profdir/merged.profdata" 2>/dev/null |
        grep -E '/hw/(accel-wd|iommu-sva)/' | sort -u > "$profdir/report.txt"
    echo "coverage of $what (lines reached):"
    for d in hw/accel-wd hw/iommu-sva; do
        awk -v d="/$d/" 'index($1, d) {
                l += $8; lm += $9; f += $5; fm += $6; r += $2; rm += $3 }
            END { if (!l) { printf "  %-13s no data\n", substr(d, 2, length(d) - 2); exit }
                  printf "  %-13s %5d of %5d lines (%.1f%%), functions %d of %d, regions %d of %d\n",
                         substr(d, 2, length(d) - 2), l - lm, l, 100 * (l - lm) / l,
                         f - fm, f, r - rm, r }' "$profdir/report.txt"
    done
}

replay_coverage() {  # profile every corpus input once
    local t prof=$out/prof-${TARGETS[*]// /-}
    rm -rf "$prof"; mkdir -p "$prof"
    for t in "${TARGETS[@]}"; do
        mkdir -p "$out/corpus/$t"
        LLVM_PROFILE_FILE="$prof/$t-%p.profraw" \
            fuzzer "$t" -runs=0 "$out/corpus/$t" "$AWD_ROOT/tests/fuzz/corpus/$t" \
            >"$out/replay-$t.log" 2>&1 ||
            { tail -n 40 "$out/replay-$t.log" >&2; die "replaying the $t corpus failed; see $out/replay-$t.log"; }
    done
    coverage_report "$prof" "the ${TARGETS[*]} corpora" "$bld/qemu-fuzz-x86_64"
}

case "$mode" in
coverage)
    replay_coverage
    exit 0
    ;;
qtests)
    # every non-benchmark qtest of qtests.txt, against the sanitized
    # qemu-system-x86_64, the qtests themselves sanitized as well
    # (or only the tests named in ARGS: awd/accel-wd-queue-test)
    names=()
    if ! printf '%s\n' "$@" | grep -q '^awd/'; then
        while read -r name _; do
            case "$name" in ''|'#'*|*bench*) continue ;; esac
            names+=("awd/$name")
        done < "$AWD_ROOT/tests/qtest/qtests.txt"
    fi
    prof=$out/qtest-prof
    rm -rf "$prof"; mkdir -p "$prof"
    set +e
    LLVM_PROFILE_FILE="$prof/%p.profraw" \
        "$bld/pyvenv/bin/meson" test -C "$bld" --no-rebuild --print-errorlogs \
            --num-processes "$NPROC" --timeout-multiplier 4 "$@" "${names[@]}"
    rc=$?
    set -e
    # (the qtests' profiles come from qemu-system-x86_64, the only QEMU
    # binary this mode builds)
    coverage_report "$prof" "the sanitized qtests" "$bld/qemu-system-x86_64" ||
        true
    exit "$rc"
    ;;
esac

# fuzz
rc=0
for t in "${TARGETS[@]}"; do
    corpus=$out/corpus/$t
    mkdir -p "$corpus" "$out/artifacts"
    log "fuzzing $t for $seconds s (corpus $corpus, seeds tests/fuzz/corpus/$t)"
    set +e
    # libFuzzer's -timeout never fires here: QEMU blocks SIGALRM in the
    # main thread (it reads it from a signalfd). A hung input therefore
    # keeps the run from ending: past its time (and 5 min to spare) it
    # gets SIGABRT, which ASan turns into a report and libFuzzer into an
    # artifact holding the input that hung.
    FUZZ_HANG_AFTER=$((seconds + 300)) LLVM_PROFILE_FILE="$out/fuzz-$t.profraw" \
        fuzzer "$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 \
            -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
            "$corpus" "$AWD_ROOT/tests/fuzz/corpus/$t" >"$out/fuzz-$t.log" 2>&1
    r=$?
    set -e
    [ "$r" -ne 124 ] || log "$t: still running $((seconds + 300)) s after it started: an input hung"
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' \
        "$out/fuzz-$t.log" | sed "s/^/  $t /" >&2 || true
    if [ "$r" -ne 0 ]; then
        grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' "$out/fuzz-$t.log" >&2 || true
        log "$t: finding (exit $r); log $out/fuzz-$t.log"
        rc=1
    elif grep -qE 'runtime error|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$out/fuzz-$t.log"; then
        log "$t: sanitizer report in $out/fuzz-$t.log"
        rc=1
    else
        log "$t: no crash, leak or sanitizer report in $seconds s"
    fi
done
replay_coverage || rc=1
exit "$rc"
}

# all of it parsed before it runs: editing this file cannot disturb a
# long run in progress
main "$@"; exit
