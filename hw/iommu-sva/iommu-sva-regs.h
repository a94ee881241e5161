/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: register map, capability bits, table entry layouts, queued
 * invalidation descriptors, page request descriptors and fault reasons of
 * the scalable-mode VT-d model. Section numbers name the Intel VT-d
 * specification (rev. 4.x); the values are those the Linux intel-iommu
 * driver uses. The one definition for the model and its qtests.
 *
 * Only plain integer constants live here (no QEMU types), so a qtest can
 * include it next to libqtest.h.
 */
#ifndef HW_IOMMU_SVA_REGS_H
#define HW_IOMMU_SVA_REGS_H

#define SVA_BIT(n)              (1ULL << (n))
/* Bits hi..lo inclusive, as a mask */
#define SVA_MASK(hi, lo)        ((~0ULL >> (63 - (hi))) & (~0ULL << (lo)))

/* 11.4 Register descriptions: byte offsets in the register file */
#define SVA_REG_VER             0x000   /* 32 */
#define SVA_REG_CAP             0x008   /* 64 */
#define SVA_REG_ECAP            0x010   /* 64 */
#define SVA_REG_GCMD            0x018   /* 32 */
#define SVA_REG_GSTS            0x01c   /* 32 */
#define SVA_REG_RTADDR          0x020   /* 64 */
#define SVA_REG_CCMD            0x028   /* 64 */
#define SVA_REG_FSTS            0x034   /* 32 */
#define SVA_REG_FECTL           0x038   /* 32 */
#define SVA_REG_FEDATA          0x03c   /* 32 */
#define SVA_REG_FEADDR          0x040   /* 32 */
#define SVA_REG_FEUADDR         0x044   /* 32 */
#define SVA_REG_AFLOG           0x058   /* 64 */
#define SVA_REG_PMEN            0x064   /* 32 */
#define SVA_REG_PLMBASE         0x068   /* 32 */
#define SVA_REG_PLMLIMIT        0x06c   /* 32 */
#define SVA_REG_PHMBASE         0x070   /* 64 */
#define SVA_REG_PHMLIMIT        0x078   /* 64 */
#define SVA_REG_IQH             0x080   /* 64 */
#define SVA_REG_IQT             0x088   /* 64 */
#define SVA_REG_IQA             0x090   /* 64 */
#define SVA_REG_ICS             0x09c   /* 32 */
#define SVA_REG_IECTL           0x0a0   /* 32 */
#define SVA_REG_IEDATA          0x0a4   /* 32 */
#define SVA_REG_IEADDR          0x0a8   /* 32 */
#define SVA_REG_IEUADDR         0x0ac   /* 32 */
#define SVA_REG_IQERCD          0x0b0   /* 64 */
#define SVA_REG_IRTA            0x0b8   /* 64 */
#define SVA_REG_PQH             0x0c0   /* 64 */
#define SVA_REG_PQT             0x0c8   /* 64 */
#define SVA_REG_PQA             0x0d0   /* 64 */
#define SVA_REG_PRS             0x0dc   /* 32 */
#define SVA_REG_PECTL           0x0e0   /* 32 */
#define SVA_REG_PEDATA          0x0e4   /* 32 */
#define SVA_REG_PEADDR          0x0e8   /* 32 */
#define SVA_REG_PEUADDR         0x0ec   /* 32 */
/* IOTLB registers at ECAP.IRO * 16 (11.4.8) */
#define SVA_REG_IVA             0x200   /* 64 */
#define SVA_REG_IOTLB           0x208   /* 64 */
/* Fault recording registers at CAP.FRO * 16, 16 bytes each (11.4.14) */
#define SVA_REG_FRCD            0x220
#define SVA_FRCD_SIZE           16
#define SVA_FRCD_MAX            8
/* The MMIO window; every register lies below SVA_REG_USED */
#define SVA_REG_WINDOW          0x1000
#define SVA_REG_USED            (SVA_REG_FRCD + SVA_FRCD_MAX * SVA_FRCD_SIZE)

/* 11.4.1 Version */
#define SVA_VER_VALUE           0x60    /* 6.0 */

/* 11.4.2 Capability */
#define SVA_CAP_ND_SHIFT        0       /* number of domains: 2^(4 + 2 * ND) */
#define SVA_CAP_ND_MASK         SVA_MASK(2, 0)
#define SVA_CAP_ND_64K          (6ULL << SVA_CAP_ND_SHIFT) /* 16-bit DIDs */
#define SVA_CAP_RWBF            SVA_BIT(4)
#define SVA_CAP_PLMR            SVA_BIT(5)
#define SVA_CAP_PHMR            SVA_BIT(6)
#define SVA_CAP_CM              SVA_BIT(7)
#define SVA_CAP_SAGAW_MASK      SVA_MASK(12, 8)
#define SVA_CAP_MGAW_SHIFT      16      /* 21:16, address width - 1 */
#define SVA_CAP_MGAW_MASK       SVA_MASK(21, 16)
#define SVA_CAP_MGAW(aw)        ((((uint64_t)(aw)) - 1) << SVA_CAP_MGAW_SHIFT)
#define SVA_CAP_ZLR             SVA_BIT(22)
#define SVA_CAP_FRO_SHIFT       24      /* 33:24, offset / 16 */
#define SVA_CAP_FRO_MASK        SVA_MASK(33, 24)
#define SVA_CAP_SLLPS_MASK      SVA_MASK(37, 34)
#define SVA_CAP_PSI             SVA_BIT(39)
#define SVA_CAP_NFR_SHIFT       40      /* 47:40, number of records - 1 */
#define SVA_CAP_NFR_MASK        SVA_MASK(47, 40)
#define SVA_CAP_MAMV_SHIFT      48      /* 53:48 */
#define SVA_CAP_MAMV_MASK       SVA_MASK(53, 48)
#define SVA_CAP_DWD             SVA_BIT(54)
#define SVA_CAP_DRD             SVA_BIT(55)
#define SVA_CAP_FL1GP           SVA_BIT(56)
#define SVA_CAP_PI              SVA_BIT(59)
#define SVA_CAP_FL5LP           SVA_BIT(60)
#define SVA_CAP_ESIRTPS         SVA_BIT(62)
#define SVA_CAP_ESRTPS          SVA_BIT(63)
#define SVA_MAMV                18      /* page-selective masks up to 1 GiB */

/* 11.4.3 Extended capability */
#define SVA_ECAP_C              SVA_BIT(0)
#define SVA_ECAP_QI             SVA_BIT(1)
#define SVA_ECAP_DT             SVA_BIT(2)
#define SVA_ECAP_IR             SVA_BIT(3)
#define SVA_ECAP_EIM            SVA_BIT(4)
#define SVA_ECAP_PT             SVA_BIT(6)
#define SVA_ECAP_SC             SVA_BIT(7)
#define SVA_ECAP_IRO_SHIFT      8       /* 17:8, offset / 16 */
#define SVA_ECAP_IRO_MASK       SVA_MASK(17, 8)
#define SVA_ECAP_MHMV_MASK      SVA_MASK(23, 20)
#define SVA_ECAP_MTS            SVA_BIT(25)
#define SVA_ECAP_NEST           SVA_BIT(26)
#define SVA_ECAP_PRS            SVA_BIT(29)
#define SVA_ECAP_ERS            SVA_BIT(30)
#define SVA_ECAP_SRS            SVA_BIT(31)
#define SVA_ECAP_NWFS           SVA_BIT(33)
#define SVA_ECAP_EAFS           SVA_BIT(34)
#define SVA_ECAP_PSS_SHIFT      35      /* 39:35, PASID bits - 1 */
#define SVA_ECAP_PSS_MASK       SVA_MASK(39, 35)
#define SVA_ECAP_PASID          SVA_BIT(40)
#define SVA_ECAP_DIT            SVA_BIT(41)
#define SVA_ECAP_PDS            SVA_BIT(42)
#define SVA_ECAP_SMTS           SVA_BIT(43)
#define SVA_ECAP_VCS            SVA_BIT(44)
#define SVA_ECAP_SLADS          SVA_BIT(45)
#define SVA_ECAP_SLTS           SVA_BIT(46)
#define SVA_ECAP_FLTS           SVA_BIT(47)
#define SVA_ECAP_SMPWC          SVA_BIT(48)
#define SVA_ECAP_RPS            SVA_BIT(49)
#define SVA_ECAP_PMS            SVA_BIT(51)

/* 11.4.4 Global command / 11.4.5 Global status (same bit positions) */
#define SVA_GCMD_CFI            SVA_BIT(23)
#define SVA_GCMD_SIRTP          SVA_BIT(24)
#define SVA_GCMD_IRE            SVA_BIT(25)
#define SVA_GCMD_QIE            SVA_BIT(26)
#define SVA_GCMD_WBF            SVA_BIT(27)
#define SVA_GCMD_EAFL           SVA_BIT(28)
#define SVA_GCMD_SFL            SVA_BIT(29)
#define SVA_GCMD_SRTP           SVA_BIT(30)
#define SVA_GCMD_TE             SVA_BIT(31)
#define SVA_GSTS_IRTPS          SVA_GCMD_SIRTP
#define SVA_GSTS_IRES           SVA_GCMD_IRE
#define SVA_GSTS_QIES           SVA_GCMD_QIE
#define SVA_GSTS_RTPS           SVA_GCMD_SRTP
#define SVA_GSTS_TES            SVA_GCMD_TE

/* 11.4.6 Root table address */
#define SVA_RTADDR_TTM_MASK     SVA_MASK(11, 10)
#define SVA_RTADDR_TTM_LEGACY   (0ULL << 10)
#define SVA_RTADDR_TTM_SM       (1ULL << 10)
#define SVA_RTADDR_ADDR_MASK    SVA_MASK(63, 12)

/* 11.4.7 Context command */
#define SVA_CCMD_ICC            SVA_BIT(63)
#define SVA_CCMD_CIRG_SHIFT     61
#define SVA_CCMD_CAIG_SHIFT     59
#define SVA_CCMD_CAIG_MASK      SVA_MASK(60, 59)

/* 11.4.8.1 IOTLB invalidate register */
#define SVA_IOTLB_IVT           SVA_BIT(63)
#define SVA_IOTLB_IIRG_SHIFT    60
#define SVA_IOTLB_IAIG_SHIFT    57
#define SVA_IOTLB_IAIG_MASK     SVA_MASK(58, 57)

/* 11.4.9.1 Fault status */
#define SVA_FSTS_PFO            SVA_BIT(0)
#define SVA_FSTS_PPF            SVA_BIT(1)
#define SVA_FSTS_IQE            SVA_BIT(4)
#define SVA_FSTS_ICE            SVA_BIT(5)
#define SVA_FSTS_ITE            SVA_BIT(6)
#define SVA_FSTS_FRI_SHIFT      8
#define SVA_FSTS_FRI_MASK       SVA_MASK(15, 8)

/* Event control registers: FECTL, IECTL, PECTL */
#define SVA_ECTL_IM             SVA_BIT(31)
#define SVA_ECTL_IP             SVA_BIT(30)
/* Event address registers hold a dword-aligned MSI address */
#define SVA_EADDR_MASK          SVA_MASK(31, 2)

/* 11.4.9.x Invalidation queue */
#define SVA_IQ_PTR_MASK         SVA_MASK(18, 4)   /* IQH, IQT: offset */
#define SVA_IQ_PTR_SHIFT        4                 /* in 128-bit units */
#define SVA_IQA_ADDR_MASK       SVA_MASK(63, 12)
#define SVA_IQA_DW              SVA_BIT(11)       /* 256-bit descriptors */
#define SVA_IQA_QS_MASK         SVA_MASK(2, 0)    /* 2^QS 4 KiB pages */
#define SVA_ICS_IWC             SVA_BIT(0)
/* Invalidation queue error record (11.4.9.9 IQERCD.IQEI, bits 3:0) */
#define SVA_IQEI_MASK           SVA_MASK(3, 0)
#define SVA_IQEI_NONE           0x0
#define SVA_IQEI_TAIL           0x1 /* IQT beyond queue / misaligned for DW */
#define SVA_IQEI_FETCH          0x2 /* descriptor fetch failed */
#define SVA_IQEI_TYPE           0x3 /* unknown or unsupported type */
#define SVA_IQEI_RSVD           0x4 /* reserved field of a valid type set */
#define SVA_IQEI_STATUS_WRITE   0x6 /* wait status write failed */

/* 11.4.11 Page request queue */
#define SVA_PQ_PTR_MASK         SVA_MASK(18, 5)   /* PQH, PQT: offset */
#define SVA_PQA_ADDR_MASK       SVA_MASK(63, 12)
#define SVA_PQA_PQS_MASK        SVA_MASK(2, 0)    /* 2^PQS 4 KiB pages */
#define SVA_PRS_PPR             SVA_BIT(0)
#define SVA_PRS_PRO             SVA_BIT(1)
#define SVA_PRQ_DESC_SIZE       32

/* 11.4.14 Fault recording register, as two 64-bit words */
#define SVA_FRCD_LO_FI_MASK     SVA_MASK(63, 12)
#define SVA_FRCD_HI_SID_MASK    SVA_MASK(15, 0)
#define SVA_FRCD_HI_PRIV        SVA_BIT(29)
#define SVA_FRCD_HI_EXE         SVA_BIT(30)
#define SVA_FRCD_HI_PP          SVA_BIT(31)
#define SVA_FRCD_HI_FR_SHIFT    32
#define SVA_FRCD_HI_FR_MASK     SVA_MASK(39, 32)
#define SVA_FRCD_HI_PV_SHIFT    40
#define SVA_FRCD_HI_PV_MASK     SVA_MASK(59, 40)
#define SVA_FRCD_HI_T1          SVA_BIT(62)     /* 1: read, 0: write */
#define SVA_FRCD_HI_F           SVA_BIT(63)

/* 9.1 Root entry in scalable mode (128 bits) */
#define SVA_ROOT_LP             SVA_BIT(0)      /* lo: devfn 0..127 */
#define SVA_ROOT_UP             SVA_BIT(0)      /* hi: devfn 128..255 */
#define SVA_ROOT_CTP_MASK       SVA_MASK(63, 12)
#define SVA_ROOT_RSVD           SVA_MASK(11, 1)
#define SVA_ROOT_ENTRY_SIZE     16

/* 9.4 Scalable-mode context entry (256 bits, 128 per 4 KiB table) */
#define SVA_CTX_ENTRY_SIZE      32
#define SVA_CTX_LO_P            SVA_BIT(0)
#define SVA_CTX_LO_FPD          SVA_BIT(1)
#define SVA_CTX_LO_DTE          SVA_BIT(2)
#define SVA_CTX_LO_PASIDE       SVA_BIT(3)
#define SVA_CTX_LO_PRE          SVA_BIT(4)
#define SVA_CTX_LO_RSVD         SVA_MASK(8, 5)
#define SVA_CTX_LO_PDTS_SHIFT   9       /* 2^(PDTS + 7) directory entries */
#define SVA_CTX_LO_PDTS_MASK    SVA_MASK(11, 9)
#define SVA_CTX_LO_PASIDDIR     SVA_MASK(63, 12)
#define SVA_CTX_HI_RID_PASID    SVA_MASK(19, 0)
#define SVA_CTX_HI_RID_PRIV     SVA_BIT(20)
#define SVA_CTX_HI_RSVD         SVA_MASK(63, 21)

/* 9.5 PASID directory entry (64 bits), index pasid >> 6 */
#define SVA_PDIR_P              SVA_BIT(0)
#define SVA_PDIR_FPD            SVA_BIT(1)
#define SVA_PDIR_RSVD           SVA_MASK(11, 2)
#define SVA_PDIR_PTP            SVA_MASK(63, 12)
#define SVA_PDIR_ENTRY_SIZE     8
#define SVA_PASID_TBL_SHIFT     6       /* 64 entries per PASID table */

/* 9.6 Scalable-mode PASID table entry (512 bits = 8 words) */
#define SVA_PASID_ENTRY_SIZE    64
#define SVA_PE0_P               SVA_BIT(0)
#define SVA_PE0_FPD             SVA_BIT(1)
#define SVA_PE0_AW_SHIFT        2       /* agaw: 2 48-bit, 3 57-bit */
#define SVA_PE0_AW_MASK         SVA_MASK(4, 2)
#define SVA_PE0_PGTT_SHIFT      6
#define SVA_PE0_PGTT_MASK       SVA_MASK(8, 6)
#define SVA_PGTT_FL             1       /* first-stage */
#define SVA_PGTT_SL             2       /* second-stage (not supported) */
#define SVA_PGTT_NESTED         3       /* nested (not supported) */
#define SVA_PGTT_PT             4       /* pass-through */
#define SVA_PE1_DID_MASK        SVA_MASK(15, 0)
#define SVA_PE1_PWSNP           SVA_BIT(23)
#define SVA_PE1_PGSNP           SVA_BIT(24)
#define SVA_PE2_SRE             SVA_BIT(0)
#define SVA_PE2_ERE             SVA_BIT(1)
#define SVA_PE2_FLPM_SHIFT      2
#define SVA_PE2_FLPM_MASK       SVA_MASK(3, 2)  /* 0: 4-level, 1: 5-level */
#define SVA_PE2_WPE             SVA_BIT(4)
#define SVA_PE2_NXE             SVA_BIT(5)
#define SVA_PE2_SMEP            SVA_BIT(6)
#define SVA_PE2_EAFE            SVA_BIT(7)
#define SVA_PE2_FLPTR_MASK      SVA_MASK(63, 12)

/* 9.9 First-stage paging entries: the x86-64 CPU format */
#define SVA_FL_P                SVA_BIT(0)
#define SVA_FL_RW               SVA_BIT(1)
#define SVA_FL_US               SVA_BIT(2)
#define SVA_FL_A                SVA_BIT(5)
#define SVA_FL_D                SVA_BIT(6)
#define SVA_FL_PS               SVA_BIT(7)
#define SVA_FL_XD               SVA_BIT(63)
#define SVA_FL_ADDR_MASK        SVA_MASK(51, 12)
#define SVA_FL_LEVEL_BITS       9
#define SVA_PAGE_SHIFT          12
#define SVA_PAGE_SIZE           (1ULL << SVA_PAGE_SHIFT)

/* 6.5.2 Queued invalidation descriptors: type in qw0 3:0 (+ 11:9) */
#define SVA_QI_TYPE_LO_MASK     SVA_MASK(3, 0)
#define SVA_QI_TYPE_HI_MASK     SVA_MASK(11, 9)
#define SVA_QI_CC               0x1     /* context-cache */
#define SVA_QI_IOTLB            0x2
#define SVA_QI_DEVTLB           0x3
#define SVA_QI_IEC              0x4     /* interrupt entry cache (no IR) */
#define SVA_QI_WAIT             0x5
#define SVA_QI_PIOTLB           0x6     /* PASID-based IOTLB */
#define SVA_QI_PC               0x7     /* PASID cache */
#define SVA_QI_PDEVTLB          0x8     /* PASID-based device-TLB */
#define SVA_QI_PGRP_RESP        0x9     /* page group response */
#define SVA_QI_GRAN_SHIFT       4
#define SVA_QI_GRAN_MASK        SVA_MASK(5, 4)
#define SVA_QI_DID_SHIFT        16
#define SVA_QI_DID_MASK         SVA_MASK(31, 16)
#define SVA_QI_PASID_SHIFT      32
#define SVA_QI_PASID_MASK       SVA_MASK(51, 32)

/* 6.5.2.1 context-cache invalidate */
#define SVA_QI_CC_GLOBAL        1
#define SVA_QI_CC_DOMAIN        2
#define SVA_QI_CC_DEVICE        3
#define SVA_QI_CC_SID_SHIFT     32
#define SVA_QI_CC_SID_MASK      SVA_MASK(47, 32)
#define SVA_QI_CC_FM_SHIFT      48
#define SVA_QI_CC_FM_MASK       SVA_MASK(49, 48)
#define SVA_QI_CC_RSVD_LO       (SVA_MASK(8, 6) | SVA_MASK(15, 12) | \
                                 SVA_MASK(63, 50))
#define SVA_QI_CC_RSVD_HI       SVA_MASK(63, 0)

/* 6.5.2.4 IOTLB invalidate */
#define SVA_QI_IOTLB_GLOBAL     1
#define SVA_QI_IOTLB_DOMAIN     2
#define SVA_QI_IOTLB_PAGE       3
#define SVA_QI_IOTLB_DW         SVA_BIT(6)
#define SVA_QI_IOTLB_DR         SVA_BIT(7)
#define SVA_QI_IOTLB_RSVD_LO    (SVA_BIT(8) | SVA_MASK(15, 12) | \
                                 SVA_MASK(63, 32))
#define SVA_QI_ADDR_AM_MASK     SVA_MASK(5, 0)  /* qw1 of types 2 and 6 */
#define SVA_QI_ADDR_IH          SVA_BIT(6)
#define SVA_QI_ADDR_MASK        SVA_MASK(63, 12)
#define SVA_QI_IOTLB_RSVD_HI    SVA_MASK(11, 7)

/* 6.5.2.5 device-TLB invalidate */
#define SVA_QI_DEVTLB_QDEP_MASK SVA_MASK(20, 16)
#define SVA_QI_DEVTLB_SID_SHIFT 32
#define SVA_QI_DEVTLB_SID_MASK  SVA_MASK(47, 32)
#define SVA_QI_DEVTLB_RSVD_LO   (SVA_MASK(8, 4) | SVA_MASK(31, 21) | \
                                 SVA_MASK(51, 48))
#define SVA_QI_DEVTLB_S         SVA_BIT(0)
#define SVA_QI_DEVTLB_RSVD_HI   SVA_MASK(11, 1)

/* 6.5.2.8 invalidation wait */
#define SVA_QI_WAIT_IF          SVA_BIT(4)
#define SVA_QI_WAIT_SW          SVA_BIT(5)
#define SVA_QI_WAIT_FN          SVA_BIT(6)
#define SVA_QI_WAIT_PD          SVA_BIT(7)
#define SVA_QI_WAIT_DATA_SHIFT  32
#define SVA_QI_WAIT_RSVD_LO     (SVA_BIT(8) | SVA_MASK(31, 12))
#define SVA_QI_WAIT_ADDR_MASK   SVA_MASK(63, 2)
#define SVA_QI_WAIT_RSVD_HI     SVA_MASK(1, 0)

/* 6.5.2.6 PASID-based IOTLB invalidate */
#define SVA_QI_PIOTLB_PASID     2       /* all non-global of one PASID */
#define SVA_QI_PIOTLB_PAGE      3       /* page-selective within PASID */
#define SVA_QI_PIOTLB_RSVD_LO   (SVA_MASK(8, 6) | SVA_MASK(15, 12) | \
                                 SVA_MASK(63, 52))
#define SVA_QI_PIOTLB_RSVD_HI   SVA_MASK(11, 7)

/* 6.5.2.2 PASID-cache invalidate */
#define SVA_QI_PC_DOMAIN        0
#define SVA_QI_PC_PASID         1
#define SVA_QI_PC_GLOBAL        3
#define SVA_QI_PC_RSVD_LO       (SVA_MASK(8, 6) | SVA_MASK(15, 12) | \
                                 SVA_MASK(63, 52))
#define SVA_QI_PC_RSVD_HI       SVA_MASK(63, 0)

/* 6.5.2.7 PASID-based device-TLB invalidate */
#define SVA_QI_PDEVTLB_SID_SHIFT 16
#define SVA_QI_PDEVTLB_SID_MASK SVA_MASK(31, 16)
#define SVA_QI_PDEVTLB_RSVD_LO  0ULL
#define SVA_QI_PDEVTLB_G        SVA_BIT(0)
#define SVA_QI_PDEVTLB_S        SVA_BIT(11)
#define SVA_QI_PDEVTLB_RSVD_HI  SVA_MASK(10, 1)

/* 6.5.2.9 page group response */
#define SVA_QI_PGRP_PP          SVA_BIT(4)
#define SVA_QI_PGRP_RC_SHIFT    12
#define SVA_QI_PGRP_RC_MASK     SVA_MASK(15, 12)
#define SVA_QI_PGRP_RID_SHIFT   16
#define SVA_QI_PGRP_RID_MASK    SVA_MASK(31, 16)
#define SVA_QI_PGRP_RSVD_LO     (SVA_MASK(8, 5) | SVA_MASK(63, 52))
#define SVA_QI_PGRP_LPIG        SVA_BIT(2)
#define SVA_QI_PGRP_PRGI_SHIFT  3
#define SVA_QI_PGRP_PRGI_MASK   SVA_MASK(11, 3)
#define SVA_QI_PGRP_RSVD_HI     (SVA_MASK(1, 0) | SVA_MASK(63, 12))
#define SVA_PGRP_RC_SUCCESS     0x0
#define SVA_PGRP_RC_INVALID     0x1
#define SVA_PGRP_RC_FAILURE     0xf

/* 7.5.1 Page request descriptor (32 bytes; qw2/qw3 private data) */
#define SVA_PRQ_PASID_PRESENT   SVA_BIT(8)
#define SVA_PRQ_RID_SHIFT       16
#define SVA_PRQ_RID_MASK        SVA_MASK(31, 16)
#define SVA_PRQ_PASID_SHIFT     32
#define SVA_PRQ_PASID_MASK      SVA_MASK(51, 32)
#define SVA_PRQ_EXE             SVA_BIT(52)
#define SVA_PRQ_PM              SVA_BIT(53)     /* privileged */
#define SVA_PRQ_RD              SVA_BIT(0)      /* qw1 */
#define SVA_PRQ_WR              SVA_BIT(1)
#define SVA_PRQ_LPIG            SVA_BIT(2)
#define SVA_PRQ_PRGI_SHIFT      3
#define SVA_PRQ_PRGI_MASK       SVA_MASK(11, 3)
#define SVA_PRQ_ADDR_MASK       SVA_MASK(63, 12)

/* 7.2.1 Fault reasons (scalable mode), as the Linux driver decodes them */
enum SVAFaultReason {
    SVA_FR_NONE                 = 0x00,
    SVA_FR_SM_RTADDR_INV        = 0x30, /* invalid root table address/TTM */
    SVA_FR_SM_ROOT_ACCESS       = 0x38, /* SCT.1 */
    SVA_FR_SM_ROOT_P            = 0x39, /* SCT.2 */
    SVA_FR_SM_ROOT_RSVD         = 0x3a, /* SCT.3 */
    SVA_FR_SM_CTX_ACCESS        = 0x40, /* SCT.4 */
    SVA_FR_SM_CTX_P             = 0x41, /* SCT.5 */
    SVA_FR_SM_CTX_RSVD          = 0x42, /* SCT.6 */
    SVA_FR_SM_CTX_INV           = 0x43,
    SVA_FR_SM_CTX_DTE           = 0x44, /* translation request, DTE=0 */
    SVA_FR_SM_CTX_PASIDE        = 0x45, /* request with PASID, PASIDE=0 */
    SVA_FR_SM_CTX_PASID_BIG     = 0x46, /* PASID beyond PDTS */
    SVA_FR_SM_CTX_PRE           = 0x47, /* page request, PRE=0 */
    SVA_FR_SM_PDIR_ACCESS       = 0x50, /* SPD.1 */
    SVA_FR_SM_PDIR_P            = 0x51, /* SPD.2 */
    SVA_FR_SM_PDIR_RSVD         = 0x52, /* SPD.3 */
    SVA_FR_SM_PTE_ACCESS        = 0x58, /* SPT.1 */
    SVA_FR_SM_PTE_P             = 0x59, /* SPT.2 */
    SVA_FR_SM_PTE_RSVD          = 0x5a, /* SPT.3 */
    SVA_FR_SM_PTE_INV           = 0x5b, /* unsupported PGTT, FLPM, ... */
    SVA_FR_SM_PTE_ERE           = 0x5c, /* execute request, ERE=0 */
    SVA_FR_SM_PTE_SRE           = 0x5d, /* supervisor request, SRE=0 */
    SVA_FR_FS_ACCESS            = 0x70, /* SFS.1 */
    SVA_FR_FS_P                 = 0x71, /* SFS.2 */
    SVA_FR_FS_RSVD              = 0x72, /* SFS.3 */
    SVA_FR_FS_NON_CANONICAL     = 0x80, /* SGN.1 */
    SVA_FR_FS_US                = 0x81, /* user request to supervisor page */
    SVA_FR_FS_XD                = 0x82, /* execute to XD page */
    SVA_FR_ADDR_BEYOND_HAW      = 0x83,
    SVA_FR_FS_WRITE             = 0x85, /* write to read-only page */
    SVA_FR_FS_READ              = 0x86,
    SVA_FR_INTERRUPT_ADDR       = 0x87, /* DMA with PASID to MSI range */
    SVA_FR_FS_AD_UPDATE         = 0x90, /* A/D update failed */
};

#endif
