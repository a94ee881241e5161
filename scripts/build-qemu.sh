#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build qemu-system-x86_64 with accel-wd and iommu-sva, and our qtests.
# Incremental: our hw/ and tests/qtest/ files are synced into the prepared
# tree by content, so only what changed is rebuilt. Prints the build dir.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

work=$("$AWD_ROOT/scripts/fetch-qemu.sh")
bld=$work/build
mkdir -p "$bld"
exec 9>"$work/.awd-build.lock"
flock 9

qemu_sync_sources "$work"

# Through ccache (setup-host.sh installs it; its cache lives outside
# $AWD_CACHE): a fresh project cache or a new QEMU tree of the same version
# rebuilds QEMU from it in minutes instead of a quarter of an hour.
# QEMU's configure names the compiler (cc), so meson's own ccache
# detection never applies; Debian's /usr/lib/ccache wraps cc by name.
if [ -x /usr/lib/ccache/cc ]; then
    export PATH=/usr/lib/ccache:$PATH
fi

CONFIGURE_ARGS=(
    --python="$AWD_PYTHON"
    --target-list=x86_64-softmmu
    --without-default-features
    --enable-tcg --enable-slirp --enable-pixman
    --enable-virtfs --enable-attr
    --disable-docs --disable-werror --disable-download
    --disable-install-blobs
    --without-default-devices --with-devices-x86_64=awd-testbed
    # Full debug info (-g), but no variable-tracking pass: gdb still has
    # every type, frame and line; optimized-out locals show less often
    # where they live. A sixth less compiler time on a cold build.
    --extra-cflags=-fno-var-tracking-assignments
)
# Reconfigure when the arguments change or the option ROMs (which need
# gcc-multilib at configure time) were not set up.
args_stamp=$(printf '%s\n' "${CONFIGURE_ARGS[@]}" | sha256sum | cut -c1-16)
if [ ! -f "$bld/build.ninja" ] || [ ! -f "$bld/pc-bios/optionrom/config.mak" ] ||
   [ "$(cat "$bld/.awd-configure" 2>/dev/null)" != "$args_stamp" ]; then
    log "configuring QEMU in $bld (x86_64-softmmu, TCG, slirp)"
    (cd "$bld" && "$work/configure" "${CONFIGURE_ARGS[@]}" >"$bld/configure.log" 2>&1) ||
        { tail -n 30 "$bld/configure.log" >&2; die "QEMU configure failed; see $bld/configure.log"; }
    [ -f "$bld/pc-bios/optionrom/config.mak" ] ||
        die "QEMU configure found no compiler for the x86 option ROMs (pvh.bin, linuxboot_dma.bin); install gcc-multilib (scripts/setup-host.sh does)"
    echo "$args_stamp" > "$bld/.awd-configure"
fi
log "building QEMU ($(nproc) jobs) in $bld"
ninja -C "$bld" -j "$NPROC" qemu-system-x86_64 awd-qtests >"$bld/ninja.log" 2>&1 ||
    { grep -E "error|Error|FAILED" "$bld/ninja.log" | head -n 40 >&2;
      die "QEMU build failed; see $bld/ninja.log"; }
# Option ROMs for -kernel boots (PVH, linuxboot) and kvmvapic: built from
# source, the stripped Debian tarball carries no binaries.
make -C "$bld/pc-bios/optionrom" -j "$NPROC" all >"$bld/optionrom.log" 2>&1 ||
    { tail -n 20 "$bld/optionrom.log" >&2; die "building the x86 option ROMs failed"; }
# Let QEMU run from the build tree (qtests, run-guest.sh) without -L: link
# the option ROMs and Debian's SeaBIOS into the data dir it looks in.
datadir=$bld/qemu-bundle/usr/local/share/qemu
mkdir -p "$datadir"
for f in "$bld"/pc-bios/optionrom/*.bin /usr/share/seabios/*.bin; do
    ln -sfn "$f" "$datadir/$(basename "$f")"
done
echo "$bld"
