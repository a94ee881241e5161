#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hot-unplug of one of two accel-wd devices while a process uses both
# (host side). Boots the guest with two devices behind pcie-root-ports and
# a QMP socket, runs awd-two-dev-unplug.sh there, and when the guest
# prints "AWD-HOST-QMP device_del ID" sends that device_del over QMP; the
# guest's pciehp then removes the device (after its 5 s attention-button
# delay). Passes on the guest script's status (0, 77 or failure), and
# fails if QEMU never reported DEVICE_DELETED.
#   two-dev-unplug.sh   (QEMU, VMLINUX, INITRD from the environment)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/awd-unplug.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sock=$tmp/qmp.sock
devs=(-device pcie-root-port,id=rp0,chassis=1,slot=1 -device accel-wd,bus=rp0,id=awd0
      -device pcie-root-port,id=rp1,chassis=2,slot=2 -device accel-wd,bus=rp1,id=awd1)

# qmp.py SOCKET device_del ID: device_del, then wait for DEVICE_DELETED
# qmp.py SOCKET device_add DRIVER,KEY=VALUE,...: device_add
cat > "$tmp/qmp.py" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
def send(cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    f.flush()
    while True:
        m = json.loads(f.readline())
        if "return" in m or "error" in m:
            return m
json.loads(f.readline())            # greeting
send("qmp_capabilities")
cmd, arg = sys.argv[2], sys.argv[3]
if cmd == "device_add":
    drv, *kv = arg.split(",")
    r = send("device_add", driver=drv, **dict(x.split("=", 1) for x in kv))
else:
    r = send("device_del", id=arg)
print("# qmp %s %s: %s" % (cmd, arg, json.dumps(r)), flush=True)
if "error" in r:
    sys.exit(1)
if cmd == "device_add":
    sys.exit(0)
s.settimeout(60)
end = time.time() + 60
while time.time() < end:
    m = json.loads(f.readline())
    if m.get("event") == "DEVICE_DELETED" and m["data"].get("device") == arg:
        print("# qmp: DEVICE_DELETED %s" % arg, flush=True)
        sys.exit(0)
sys.exit(1)
PY

# The QMP client runs in the background so that the console keeps being
# read while the guest's pciehp works.
"$root/scripts/run-guest.sh" --no-accel --qmp "$sock" --timeout 600 \
    --batch 'sh /opt/awd/bin/awd-two-dev-unplug.sh' -- "${devs[@]}" 2>&1 |
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case "$line" in
        *AWD-HOST-QMP\ device_del\ *)
            id=${line##* }; id=${id%$'\r'}
            { /usr/bin/python3 "$tmp/qmp.py" "$sock" device_del "$id" && touch "$tmp/deleted"; } & ;;
        *AWD-HOST-QMP\ device_add\ *)
            a=${line##* }; a=${a%$'\r'}
            /usr/bin/python3 "$tmp/qmp.py" "$sock" device_add "$a" & ;;
        esac
    done
rc=${PIPESTATUS[0]}
wait
if [ ! -e "$tmp/deleted" ]; then
    echo "# QEMU never reported DEVICE_DELETED"
    [ "$rc" = 0 ] && rc=1
fi
exit "$rc"
