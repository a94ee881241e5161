/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva-testdev: a PCIe endpoint for qtests that drives the pci-sva
 * endpoint interface (ATS translation requests, PRI page requests and
 * responses, device-TLB invalidation notifiers) and does plain DMA through
 * its IOMMU address space, all from BAR0 registers. Not a model of any
 * hardware; the register map below is its only definition.
 */
#ifndef HW_IOMMU_SVA_TESTDEV_H
#define HW_IOMMU_SVA_TESTDEV_H

#define TYPE_IOMMU_SVA_TESTDEV      "iommu-sva-testdev"
#define SVA_TESTDEV_VENDOR_ID       0x1234      /* PCI_VENDOR_ID_QEMU */
#define SVA_TESTDEV_DEVICE_ID       0x5341
#define SVA_TESTDEV_BAR_SIZE        0x1000
#define SVA_TESTDEV_PASID_WIDTH     20
#define SVA_TESTDEV_PRI_CAPACITY    256

/* BAR0 registers, 4 or 8 bytes wide */
#define SVA_TD_ID                   0x00        /* 32: SVA_TD_ID_VALUE */
#define SVA_TD_ADDR                 0x08        /* 64: input address */
#define SVA_TD_LEN                  0x10        /* 64: length (ATS) */
#define SVA_TD_PASID                0x18        /* 32: ~0 for none */
#define SVA_TD_FLAGS                0x1c        /* 32: SVA_TD_F_* */
#define SVA_TD_DATA                 0x20        /* 64: DMA data, PRGI */
#define SVA_TD_CMD                  0x28        /* 32: write runs it */
#define SVA_TD_STATUS               0x2c        /* 32: int result */
#define SVA_TD_RES_IOVA             0x30        /* 64: first ATS entry */
#define SVA_TD_RES_ADDR             0x38        /* 64 */
#define SVA_TD_RES_MASK             0x40        /* 64 */
#define SVA_TD_RES_PERM             0x48        /* 32: IOMMUAccessFlags */
#define SVA_TD_ERR_COUNT            0x4c        /* 32 */
#define SVA_TD_PRI_COUNT            0x50        /* 32: responses seen */
#define SVA_TD_PRI_CODE             0x54        /* 32: last response */
#define SVA_TD_PRI_PRGI             0x58        /* 32 */
#define SVA_TD_INV_COUNT            0x60        /* 32: invalidations */
#define SVA_TD_INV_PASID            0x64        /* 32: last one's PASID */
#define SVA_TD_INV_IOVA             0x68        /* 64 */
#define SVA_TD_INV_MASK             0x70        /* 64 */
#define SVA_TD_PROBE_ADDR           0x78        /* 64: read at each inv */
#define SVA_TD_PROBE_VAL            0x80        /* 32: what it held */

#define SVA_TD_ID_VALUE             0x53564154  /* "SVAT" */

#define SVA_TD_F_PRIV               (1u << 0)
#define SVA_TD_F_EXEC               (1u << 1)
#define SVA_TD_F_NO_WRITE           (1u << 2)
#define SVA_TD_F_READ               (1u << 3)
#define SVA_TD_F_WRITE              (1u << 4)
#define SVA_TD_F_LPIG               (1u << 5)

#define SVA_TD_NO_PASID             0xffffffffu

enum {
    SVA_TD_CMD_ATS = 1,         /* translate ADDR/LEN for PASID, FLAGS */
    SVA_TD_CMD_PRI = 2,         /* page request ADDR, PRGI = DATA */
    SVA_TD_CMD_DMA_READ = 3,    /* 8 bytes at ADDR (no PASID) -> DATA */
    SVA_TD_CMD_DMA_WRITE = 4,   /* DATA -> 8 bytes at ADDR (no PASID) */
    SVA_TD_CMD_REGISTER = 5,    /* PRI + device-TLB notifiers for PASID */
    SVA_TD_CMD_UNREGISTER = 6,
    /*
     * Benchmark: read 8 bytes at ADDR + i * 4 KiB (no PASID) for i < LEN,
     * DATA times over; DATA <- elapsed host nanoseconds, STATUS <- 0 or
     * the first DMA error. More than the bench-max-reads property
     * (default SVA_TD_BENCH_MAX_READS) reads in all:
     * STATUS <- -EINVAL and nothing is read.
     */
    SVA_TD_CMD_BENCH = 7,
};
#define SVA_TD_BENCH_MAX_READS      (1u << 20)

#endif
