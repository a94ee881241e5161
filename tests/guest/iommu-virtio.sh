# SPDX-License-Identifier: GPL-2.0-or-later
# A virtio-blk disk behind iommu-sva (iommu_platform=on) reads and writes
# correctly through the guest's IOMMU domain; the expected domain type is
# the first argument (DMA for the default translated domain, identity with
# iommu=pt).
. /opt/awd/bin/lib.sh
want=${1:-DMA}
dev=$(readlink -f /sys/block/vda/device/.. 2>/dev/null)  # the virtio PCI function
check "virtio-blk disk present" test -b /dev/vda
check "virtio negotiated ACCESS_PLATFORM (DMA goes through the IOMMU)" sh -c '
	f=$(cat /sys/block/vda/device/features); [ "$(echo "$f" | cut -c34)" = 1 ]'
check "virtio device's IOMMU domain is $want" sh -c "
	t=\$(cat $dev/iommu_group/type); case \"\$t\" in $want|$want-FQ) true ;; *) echo \"type \$t\"; false ;; esac"
dd if=/dev/urandom of=/tmp/pattern bs=1M count=16 2>/dev/null
check "write 16 MiB with O_DIRECT" dd if=/tmp/pattern of=/dev/vda bs=1M oflag=direct
check "read it back with O_DIRECT" dd if=/dev/vda of=/tmp/back bs=1M count=16 iflag=direct
check "data read equals data written" cmp /tmp/pattern /tmp/back
check "intel-iommu runs the unit in scalable mode" sh -c '
	dmesg | grep -q "DMAR: dmar0: Using Queued invalidation" &&
	[ -r /sys/class/iommu/dmar0/intel-iommu/ecap ] &&
	[ $(( 0x$(cat /sys/class/iommu/dmar0/intel-iommu/ecap) >> 43 & 1 )) = 1 ]'
check_dmesg_clean
finish
