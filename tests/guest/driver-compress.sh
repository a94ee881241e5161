# SPDX-License-Identifier: GPL-2.0-or-later
# Compress through the driver's mapped queue, verify with zlib in the guest,
# decompress on the device and compare.
. /opt/awd/bin/lib.sh
for n in 4096 65536 1048576; do
	check "compress/decompress $n bytes" awd-drvtest compress $n
done
check_dmesg_clean
finish
