#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot the accel-wd test guest: q35 + iommu-sva + accel-wd under TCG, a
# Debian kernel and the initramfs built by scripts/build-all.sh, console
# on stdio.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: run-guest.sh [options] [-- extra qemu args]
  (no mode)          interactive shell in the guest (Ctrl-A x quits QEMU)
  --demo             run the demo first, then the shell
  --batch CMD        run CMD in the guest, print its output, exit with its
                     status (125: the guest never reported one)
  --iommu sva|intel|none   IOMMU model (default sva)
  --no-accel         leave the accel-wd device out
  --cpu MODEL        guest CPU (default max: LA57 and 1 GiB pages)
  --bzimage          boot the compressed kernel (VMLINUZ): its decompressor
                     turns 5-level paging on when the CPU has LA57; the
                     default PVH boot of vmlinux is ~1.5 s faster but stays
                     on 4-level paging
  --mem SIZE         guest RAM (default 1G)
  --smp N            vCPUs (default 1; 2 is slower on a 2-core host)
  --append ARGS      extra kernel command line
  --timeout SEC      batch-mode limit (default 300)
  --trace PATTERN    QEMU trace events (e.g. 'iommu_sva_*'), to stderr
  --qmp-on MARKER JSON  (--batch) when the guest prints a line containing
                     MARKER, send the QMP command JSON (e.g. a qom-set
                     fault injection) through a QMP socket; its answer goes
                     to stderr
  --qmp PATH         a QMP server on the unix socket PATH (no wait), for
                     a host-side test to drive the running guest, e.g.
                     device_del of a device behind a pcie-root-port
  --disk MIB         attach a scratch virtio-blk disk of MIB MiB (zeroed,
                     deleted afterwards) whose DMA goes through the IOMMU
                     (iommu_platform=on); the guest sees /dev/vda (/dev/vdb
                     with --rootfs)
  --rootfs           boot the Debian trixie userland (ROOTFS, an ext4 image
                     on virtio-blk, opened with snapshot=on: every boot
                     starts from the image) through the tiny ROOTFS_INITRD;
                     see docs/guest-rootfs.md
  --share DIR        (--rootfs) share the host folder DIR at /mnt/host
                     (virtio-9p, live both ways: host edits appear in the
                     guest, guest writes land in DIR as the user running
                     QEMU)
  --net              user-mode network (slirp, guest 10.0.2.15); with an
                     sshd in the rootfs, a free local port forwards to its
                     port 22 (printed); the key is AWD_SSH_PUBKEY or
                     ~/.ssh/id_ed25519.pub / id_rsa.pub
Paths come from build/testbed.env (written by scripts/build-all.sh); the
variables QEMU, VMLINUX, VMLINUZ, INITRD, ROOTFS and ROOTFS_INITRD there can
be overridden from the environment.
USAGE
}

bzimage=0 mode=shell cmd= iommu=sva accel=1 cpu=max mem=1G smp=1 append= timeout=300 trace= disk=
rootfs=0 share= net=0 qmp_marker= qmp_cmd= qmp=
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
    --demo) mode=demo ;;
    --batch) mode=batch; cmd=$2; shift ;;
    --iommu) iommu=$2; shift ;;
    --no-accel) accel=0 ;;
    --cpu) cpu=$2; shift ;;
    --bzimage) bzimage=1 ;;
    --mem) mem=$2; shift ;;
    --smp) smp=$2; shift ;;
    --append) append="$append $2"; shift ;;
    --timeout) timeout=$2; shift ;;
    --trace) trace=$2; shift ;;
    --qmp-on) qmp_marker=$2; qmp_cmd=$3; shift 2 ;;
    --qmp) qmp=$2; shift ;;
    --disk) disk=$2; shift ;;
    --rootfs) rootfs=1 ;;
    --share) share=$2; shift ;;
    --net) net=1 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done

case "$iommu" in sva|intel|none) ;; *) die "--iommu takes sva, intel or none" ;; esac
case "$timeout" in ''|*[!0-9]*) die "--timeout takes a number of seconds" ;; esac
case "$disk" in *[!0-9]*) die "--disk takes a size in MiB" ;; esac
if [ -n "$share" ]; then
    [ "$rootfs" = 1 ] || die "--share needs --rootfs"
    [ -d "$share" ] || die "--share: $share is not a directory"
fi

env_file=$AWD_BUILD/testbed.env
if [ -f "$env_file" ]; then
    # shellcheck disable=SC1090
    eval "$(sed 's/^\([A-Z_]*\)=\(.*\)$/: "${\1:=\2}"/' "$env_file")"
fi
[ -n "${QEMU:-}" ] && [ -x "$QEMU" ] || die "no QEMU binary; run scripts/build-all.sh first (or set QEMU=)"
if [ "$bzimage" = 1 ]; then
    [ -n "${VMLINUZ:-}" ] && [ -f "$VMLINUZ" ] || die "no compressed guest kernel; run scripts/build-all.sh first (or set VMLINUZ=)"
    VMLINUX=$VMLINUZ
fi
[ -n "${VMLINUX:-}" ] && [ -f "$VMLINUX" ] || die "no guest kernel; run scripts/build-all.sh first (or set VMLINUX=)"
if [ "$rootfs" = 1 ]; then
    : "${ROOTFS:=$AWD_BUILD/tests/guest/rootfs.ext4}" "${ROOTFS_INITRD:=$AWD_BUILD/tests/guest/rootfs-initrd.cpio}"
    [ -f "$ROOTFS" ] || die "no guest rootfs image $ROOTFS; run scripts/build-all.sh (or scripts/guest-rootfs.sh base, then ninja -C build)"
    [ -f "$ROOTFS_INITRD" ] || die "no rootfs initramfs $ROOTFS_INITRD; run scripts/build-all.sh"
    INITRD=$ROOTFS_INITRD
fi
[ -n "${INITRD:-}" ] && [ -f "$INITRD" ] || die "no initramfs; run scripts/build-all.sh first (or set INITRD=)"

kargs="console=ttyS0 panic=-1 oops=panic loglevel=4 nokaslr"
args=(-M q35 -accel tcg -cpu "$cpu" -m "$mem" -smp "$smp" -no-reboot -nodefaults
      -kernel "$VMLINUX" -initrd "$INITRD"
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
# scripts/build-qemu.sh links the firmware where QEMU looks; QEMU_FW adds a dir.
[ -n "${QEMU_FW:-}" ] && args+=(-L "$QEMU_FW")
case "$iommu" in
sva) args+=(-device iommu-sva); kargs+=" intel_iommu=on,sm_on iommu.strict=1" ;;
intel) args+=(-device intel-iommu,x-scalable-mode=on,device-iotlb=on,x-flts=on); kargs+=" intel_iommu=on,sm_on" ;;
none) kargs+=" intel_iommu=off" ;;
*) die "--iommu takes sva, intel or none" ;;
esac
[ "$accel" = 1 ] && args+=(-device accel-wd)
[ -n "$trace" ] && args+=(-trace "$trace")
[ -n "$qmp" ] && args+=(-qmp "unix:$qmp,server=on,wait=off")
tmpfiles=()
cleanup() { rm -f "${tmpfiles[@]}"; }
trap cleanup EXIT
if [ "$rootfs" = 1 ]; then
    # snapshot=on: writes land in a temporary overlay, so parallel boots
    # share the image and each starts clean. No iommu_platform: the root
    # disk bypasses the IOMMU (speed); --disk tests DMA through it.
    args+=(-drive "if=none,id=root,file=$ROOTFS,format=raw,snapshot=on,cache=unsafe"
           -device virtio-blk-pci,drive=root)
    if [ -n "$share" ]; then
        # security_model=none: files keep the host user's ownership and
        # modes, and QEMU needs no privileges (no xattr mapping to undo).
        # multidevs=remap: DIR may span file systems.
        args+=(-fsdev "local,id=awdshare,path=$share,security_model=none,multidevs=remap"
               -device virtio-9p-pci,fsdev=awdshare,mount_tag=awdhost)
        kargs+=" awd.share=1"
    fi
fi
if [ "$net" = 1 ]; then
    hostfwd=
    if [ "$rootfs" = 1 ]; then
        sshport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        hostfwd=",hostfwd=tcp:127.0.0.1:$sshport-:22"
        key=${AWD_SSH_PUBKEY:-}
        [ -n "$key" ] || for k in ~/.ssh/id_ed25519.pub ~/.ssh/id_rsa.pub; do [ -f "$k" ] && { key=$k; break; }; done
        [ -n "$key" ] && kargs+=" awd.sshkey=$(base64 -w0 < "$key")"
        log "ssh into the guest (when its rootfs has openssh-server): ssh -p $sshport root@127.0.0.1"
    fi
    # romfile= : no iPXE option ROM, ~1.6 s less firmware time
    args+=(-netdev "user,id=net0$hostfwd" -device virtio-net-pci,netdev=net0,romfile=)
    kargs+=" awd.net=1"
fi
if [ -n "$disk" ]; then
    img=$(mktemp "${TMPDIR:-/tmp}/awd-disk.XXXXXX")
    tmpfiles+=("$img")
    truncate -s "${disk}M" "$img"
    # Without iommu_platform the guest bypasses the IOMMU for virtio.
    args+=(-drive "if=none,id=scratch,file=$img,format=raw,cache=unsafe"
           -device virtio-blk-pci,drive=scratch,iommu_platform=on,disable-legacy=on)
fi

# One QMP command (--qmp-on): greeting, capabilities, the command.
qmp_send() {  # SOCKET JSON
    /usr/bin/python3 - "$1" "$2" <<'PY' >&2
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile('rw')
f.readline()
for cmd in ('{"execute": "qmp_capabilities"}', sys.argv[2]):
    f.write(cmd + '\n')
    f.flush()
    while True:
        r = json.loads(f.readline())
        if 'return' in r or 'error' in r:
            break
print('[awd] qmp:', sys.argv[2], '->', json.dumps(r))
PY
}
if [ -n "$qmp_marker" ]; then
    [ "$mode" = batch ] || die "--qmp-on needs --batch"
    qmp_sock=$(mktemp -u "${TMPDIR:-/tmp}/awd-qmp.XXXXXX")
    tmpfiles+=("$qmp_sock")
    args+=(-qmp "unix:$qmp_sock,server=on,wait=off")
fi

case "$mode" in
batch)
    kargs+=" awd.cmd=$(printf '%s' "$cmd" | base64 -w0)"
    out=$(mktemp "${TMPDIR:-/tmp}/awd-guest.XXXXXX")
    tmpfiles+=("$out")
    set +e
    t0=$EPOCHREALTIME
    timeout --foreground -k 5 "$timeout" "$QEMU" "${args[@]}" -append "$kargs $append" \
        -display none -serial stdio -monitor none "${extra[@]}" </dev/null |
        while IFS= read -r line || [ -n "$line" ]; do
            printf '%s\n' "$line"
            case "$line" in
            AWD-ROOTFS-READY*)
                log "rootfs boot to command in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }") s (guest ${line#*uptime=})" ;;
            esac
            if [ -n "$qmp_marker" ] && [ -z "${line##*"$qmp_marker"*}" ]; then
                qmp_send "$qmp_sock" "$qmp_cmd" || log "QMP command failed"
            fi
        done | tee "$out"
    qrc=${PIPESTATUS[0]}
    set -e
    rc=$(tr -d '\r' < "$out" | sed -n 's/^AWD-EXIT=\([0-9]*\)$/\1/p' | tail -n1)
    if [ -z "$rc" ]; then
        [ "$qrc" = 124 ] && log "guest timed out after ${timeout}s"
        log "the guest reported no exit status (QEMU exit $qrc)"
        exit 125
    fi
    exit "$rc"
    ;;
demo) kargs+=" awd.demo=1" ;;
esac
"$QEMU" "${args[@]}" -append "$kargs $append" -display none -serial mon:stdio "${extra[@]}"
