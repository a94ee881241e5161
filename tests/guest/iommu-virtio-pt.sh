# SPDX-License-Identifier: GPL-2.0-or-later
# iommu-virtio.sh with iommu=pt: the disk's domain is identity.
set -- identity
. /opt/awd/bin/iommu-virtio.sh
