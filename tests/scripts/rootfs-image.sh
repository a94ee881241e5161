#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/guest-rootfs.sh image, as an unprivileged user (nobody), on a tiny
# stand-in base: our files land where Debian puts them, owned by root, with
# the right modes, symlinks and pkg-config paths (TAP).
#   rootfs-image.sh LIBACCELWD_SO LIBAWDZ_SO ACCELWD_PC AWD_BIN
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi; }

mkdir -p "$tmp/base"/{etc,mnt,usr/bin,usr/include,usr/local/sbin,usr/lib/x86_64-linux-gnu/pkgconfig}
mkfs.ext4 -q -F -O ^has_journal -d "$tmp/base" "$tmp/base.ext4" 32M >/dev/null 2>&1
mkdir -p "$tmp/kdir" "$tmp/out"
echo 9.9.9-test > "$tmp/kdir/release"
printf 'fake module\n' > "$tmp/accel_wd.ko"
chmod 0755 "$tmp" "$tmp/kdir"; chmod 0644 "$tmp/base.ext4" "$tmp/accel_wd.ko" "$tmp/kdir/release"; chmod 0777 "$tmp/out"
# Everything nobody reads is copied here: the clone may sit in a 0700 home.
mkdir -p "$tmp/in/scripts"
cp "$root/scripts/guest-rootfs.sh" "$root/scripts/lib.sh" "$tmp/in/scripts/"
cp "$(readlink -f "$1")" "$tmp/in/"; ln -s "$(basename "$(readlink -f "$1")")" "$tmp/in/libaccelwd.so"
cp "$2" "$3" "$4" "$root/guest-lib/include/accelwd.h" "$root/scripts/guest/rootfs-init" \
    "$root/tests/guest/lib.sh" "$tmp/in/"
chmod -R a+rX "$tmp/in"
as=()
[ "$(id -u)" = 0 ] && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${as[@]}" env TMPDIR="$tmp/out" HOME="$tmp/out" "$tmp/in/scripts/guest-rootfs.sh" image "$tmp/out/rootfs.ext4" "$tmp/base.ext4" \
    --kernel-dir "$tmp/kdir" --module "$tmp/accel_wd.ko" --lib "$tmp/in/libaccelwd.so" \
    --lib "$tmp/in/$(basename "$2")" --pc "$tmp/in/$(basename "$3")" \
    --bin "$tmp/in/$(basename "$4")" --header "$tmp/in/accelwd.h" \
    --awd "$tmp/in/rootfs-init" --test "$tmp/in/lib.sh" > "$tmp/log" 2>&1
ok "image made without root (as ${as[*]:-the current user})" "[ -f '$tmp/out/rootfs.ext4' ]" || sed 's/^/# /' "$tmp/log"
dbg() { debugfs -R "$1" "$tmp/out/rootfs.ext4" 2>/dev/null; }
lib=/usr/lib/x86_64-linux-gnu
real=$(basename "$(readlink -f "$1")")
ok "libaccelwd in the multiarch folder, 0644, owned by root" \
    "dbg 'stat $lib/$real' | grep -q 'Mode:  0644' && dbg 'stat $lib/$real' | grep -Eq 'User: +0 +Group: +0'"
ok "soname and development links" \
    "dbg 'stat $lib/libaccelwd.so.0' | grep -q 'Fast link dest: \"$real\"' && dbg 'stat $lib/libaccelwd.so' | grep -q 'Fast link dest: \"libaccelwd.so.0\"'"
ok "libawdz.so" "dbg 'stat $lib/libawdz.so' | grep -q 'Mode:  0644'"
ok "pkg-config file with Debian paths" \
    "dbg 'cat $lib/pkgconfig/accelwd.pc' | grep -qx 'prefix=/usr' && dbg 'cat $lib/pkgconfig/accelwd.pc' | grep -qx 'libdir=\${prefix}/lib/x86_64-linux-gnu'"
ok "awd in /usr/bin, 0755" "dbg 'stat /usr/bin/awd' | grep -q 'Mode:  0755'"
ok "header in /usr/include" "dbg 'cat /usr/include/accelwd.h' | cmp -s - '$root/guest-lib/include/accelwd.h'"
ok "module under updates/" "dbg 'cat /usr/lib/modules/9.9.9-test/updates/accel_wd.ko' | grep -q 'fake module'"
ok "init and tests under /usr/lib/awd" "dbg 'stat /usr/lib/awd/rootfs-init' | grep -q 'Mode:  0755' && dbg 'stat /usr/lib/awd/tests/lib.sh' | grep -q 'Type: regular'"
ok "e2fsck finds the image clean" "e2fsck -fn '$tmp/out/rootfs.ext4' >/dev/null 2>&1"
echo "1..$n"
[ $failed -eq 0 ]
