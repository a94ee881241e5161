#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest tests' verdicts, on the host (TAP): tests/guest/lib.sh under
# busybox sh (the guest's shell) turns its checks into the exit status
# meson reads (0 pass, 1 fail, 77 skipped), and run-guest.sh --batch
# passes the guest command's status on (against a stand-in for QEMU that
# prints the guest's exit marker).
# usage: guest-lib.sh [source root]
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=$root/tests/guest/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v busybox >/dev/null; then gsh="busybox sh"; else gsh=sh; fi
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
ko() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

# guest SCRIPT-BODY: run it after lib.sh (dmesg stubbed clean); sets $out, $rc
guest() {
	printf '. %s\ndmesg() { echo clean; }\n%s\n' "$lib" "$1" >"$tmp/t.sh"
	out=$(TMPDIR=$tmp $gsh "$tmp/t.sh" 2>&1); rc=$?
}
expect() {  # DESCRIPTION EXPECTED-STATUS [EXTENDED REGEX the output must match]...
	local d=$1 want=$2 re bad=
	shift 2
	[ "$rc" = "$want" ] || bad="exit $rc, expected $want"
	for re in "$@"; do
		printf '%s\n' "$out" | grep -Eq -- "$re" || bad="${bad:+$bad; }no line matches /$re/"
	done
	if [ -z "$bad" ]; then ok "$d"; else ko "$d ($bad)"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
}
skip77='sh -c "echo SKIP: no such feature; exit 77"'

guest "check 'needs a feature' $skip77
check_dmesg_clean
finish"
expect "a test whose only check skips is skipped (77), not passed" 77 \
	'^ok 1 - needs a feature # SKIP no such feature$' '^ok 2 - kernel log is clean$' '^1\.\.2$'

guest "check 'works' true
check 'needs a feature' $skip77
check_dmesg_clean
finish"
expect "a passing check and a skipped one: passed, the skip reported" 0 \
	'^ok 1 - works$' '^ok 2 - needs a feature # SKIP no such feature$' \
	'^1\.\.3$' '^# 1 of 3 check\(s\) skipped$'

guest "check 'works' true
check 'breaks' sh -c 'echo the reason; exit 3'
check 'needs a feature' $skip77
finish"
expect "a failing check fails the test (1) and shows its output" 1 \
	'^not ok 2 - breaks$' '^#   the reason$' '^1\.\.3$'

guest "check_dmesg_clean
finish"
expect "no check of its own: the test fails (1)" 1 '^# no check of this test ran$'

guest "finish"
expect "no check at all: the test fails (1)" 1 '^1\.\.0$'

guest "check 'PKCS#1 padding' true
finish"
expect "a hash sign in a description is escaped (not a TAP directive)" 0 '^ok 1 - PKCS\\#1 padding$'

guest "dmesg() { echo 'WARNING: CPU: 0 PID: 1 at somewhere'; }
check 'works' true
check_dmesg_clean
finish"
expect "a kernel WARNING fails the test" 1 '^not ok 2 - kernel log is clean$'

# run-guest.sh --batch: the status of the guest command (AWD-EXIT=...)
cat >"$tmp/qemu" <<'QEMU'
#!/bin/sh
echo "[    1.0] some kernel line"
echo "ok 1 - a check # SKIP why"
printf 'AWD-EXIT=%s\r\n' "$FAKE_RC"
QEMU
chmod +x "$tmp/qemu"
: >"$tmp/vmlinux"; : >"$tmp/initrd"
for st in 0 1 77; do
	out=$(FAKE_RC=$st QEMU=$tmp/qemu VMLINUX=$tmp/vmlinux INITRD=$tmp/initrd \
		"$root/scripts/run-guest.sh" --batch true 2>&1); rc=$?
	expect "run-guest.sh --batch exits with the guest command's status $st" $st '^ok 1 - a check # SKIP why'
done
out=$(QEMU=$tmp/qemu VMLINUX=$tmp/vmlinux INITRD=$tmp/initrd \
	"$root/scripts/run-guest.sh" --batch true 2>&1); rc=$?
expect "run-guest.sh --batch: no exit marker is 125" 125 'reported no exit status'

echo "1..$n"
[ "$fails" -eq 0 ]
