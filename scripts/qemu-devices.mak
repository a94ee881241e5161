# Devices built into the testbed's qemu-system-x86_64.
# build-qemu.sh configures --without-default-devices with this list
# (installed as configs/devices/x86_64-softmmu/awd-testbed.mak): only what
# is named here and what it selects is compiled, a fifth less of QEMU to
# build on a cold machine. A device missing here fails at -device with
# "'NAME' is not a valid device model name"; add it with who needs it.
CONFIG_Q35=y
CONFIG_ACCEL_WD=y
# iommu-sva and iommu-sva-testdev
CONFIG_IOMMU_SVA=y
# intel-iommu: run-guest.sh --iommu intel, the comparison IOMMU
CONFIG_VTD=y
# pcie-root-port: hot-plug qtests and guest tests
CONFIG_PCIE_PORT=y
# isa-debug-exit: guests report their exit status through it
CONFIG_ISA_DEBUG=y
CONFIG_VIRTIO_PCI=y
# the rootfs image, crypto-zswap's scratch disk
CONFIG_VIRTIO_BLK=y
# run-guest.sh --net
CONFIG_VIRTIO_NET=y
# run-guest.sh --share
CONFIG_VIRTIO_9P=y
