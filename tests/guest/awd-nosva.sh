# SPDX-License-Identifier: MIT
# libaccelwd in the driver's no-SVA mode (accel_wd sva=0): the library
# registers every buffer with the driver itself, so the same programs work
# unchanged; nothing stays pinned afterwards.
. /opt/awd/bin/lib.sh
check "reload accel_wd with sva=0" reload_driver sva=0
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
check "reload accel_wd with SVA" reload_driver
rm -f /tmp/r /tmp/t
check_dmesg_clean
finish
