# SPDX-License-Identifier: MIT
# libaccelwd in the driver's no-SVA mode (accel_wd sva=0): the library
# registers every buffer with the driver itself, so the same programs work
# unchanged; nothing stays pinned afterwards.
. /opt/awd/bin/lib.sh
ko=$(ls /lib/modules/accel_wd.ko 2>/dev/null || find /lib/modules -name accel_wd.ko | head -n1)
# rmmod can fail for a moment while the crypto self-tests hold the module
unload() {
	i=0
	while ! rmmod accel_wd 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 20 ] || return 1; sleep 1
	done
}
if unload && insmod $ko sva=0; then pass "reload accel_wd with sva=0"; else fail "reload accel_wd with sva=0"; fi
check "queues are in no-SVA mode" sh -c "awd stat | grep -q 'mode *nosva'"
check "libaccelwd API against the device, no-SVA" awd-libtest
head -c 3000000 /dev/urandom > /tmp/r
i=0; while [ $i -lt 3000 ]; do echo "no-SVA line $i"; i=$((i + 1)); done > /tmp/t
for f in /tmp/r /tmp/t /bin/busybox; do
	check "$f: awd zip | gunzip | cmp (no-SVA)" sh -c "awd zip < $f | gunzip | cmp - $f"
	check "$f: gzip -c | awd unzip | cmp (no-SVA)" sh -c "gzip -c $f | awd unzip | cmp - $f"
done
check "awd bench: async compress, RSA-2048 CRT, fresh buffers (no-SVA)" awd bench -t 0.05 -q 4
check "nothing left pinned" sh -c "d=\$(ls -d /sys/bus/pci/drivers/accel_wd/0000:* | head -n1); [ \"\$(cat \$d/pinned_pages)\" = 0 ]"
if unload && insmod $ko; then pass "reload accel_wd with SVA"; else fail "reload accel_wd with SVA"; fi
rm -f /tmp/r /tmp/t
check_dmesg_clean
finish
