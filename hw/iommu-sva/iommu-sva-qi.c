/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: queued invalidation (VT-d 6.5.2). Descriptors are fetched
 * from IQH to IQT when software moves the tail, each copied once and
 * checked against its type's reserved bits; a bad one stops the queue
 * with FSTS.IQE and IQH pointing at it until software clears IQE.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "exec/address-spaces.h"
#include "system/dma.h"
#include "iommu-sva.h"
#include "pci-sva.h"
#include "trace.h"

#define SVA_QI_ERR(iqei, q, fmt, ...) do {                          \
        trace_iommu_sva_err_qi(iqei, (q)[0], (q)[1]);               \
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: invalidation "   \
                      "descriptor 0x%016" PRIx64 " 0x%016" PRIx64   \
                      " 0x%016" PRIx64 " 0x%016" PRIx64 ": " fmt    \
                      "\n", (q)[0], (q)[1], (q)[2], (q)[3],         \
                      ## __VA_ARGS__);                              \
    } while (0)

static unsigned sva_qi_gran(uint64_t qw0)
{
    return (qw0 & SVA_QI_GRAN_MASK) >> SVA_QI_GRAN_SHIFT;
}

static uint16_t sva_qi_did(uint64_t qw0)
{
    return (qw0 & SVA_QI_DID_MASK) >> SVA_QI_DID_SHIFT;
}

static uint32_t sva_qi_pasid(uint64_t qw0)
{
    return (qw0 & SVA_QI_PASID_MASK) >> SVA_QI_PASID_SHIFT;
}

/*
 * ATS invalidation range (PCIe ATS 2.3.2, VT-d 6.5.2.5): with S set the
 * lowest clear address bit from 12 up gives the size.
 */
static void sva_devtlb_range(uint64_t qw1, bool s_bit, uint64_t *addr,
                             uint64_t *size)
{
    uint64_t a = qw1 & SVA_QI_ADDR_MASK;

    if (!s_bit) {
        *addr = a;
        *size = SVA_PAGE_SIZE;
        return;
    }
    if (a == SVA_MASK(62, 12) || (~a & SVA_QI_ADDR_MASK) == 0) {
        *addr = 0;
        *size = 0;              /* everything */
        return;
    }
    /* size = 2^(position of the lowest clear bit + 1) */
    *size = 2ULL << ctz64(~a & SVA_QI_ADDR_MASK);
    *addr = a & ~(*size - 1);
}

/*
 * Reserved fields of a descriptor: @lo and @hi in its first two words.
 * Bits 255:128 of every 256-bit descriptor this unit implements are
 * reserved (VT-d 6.5.2; the Private Data of page group responses is gone
 * since rev. 4.0), so they must be zero too. With 128-bit descriptors
 * q[2] and q[3] were never fetched and are zero.
 */
static bool sva_qi_rsvd(const uint64_t *q, uint64_t lo, uint64_t hi)
{
    return (q[0] & lo) || (q[1] & hi) || q[2] || q[3];
}

static bool sva_qi_wait(IOMMUSVAState *s, const uint64_t *q, uint32_t *iqei)
{
    MemTxResult res;

    if (sva_qi_rsvd(q, SVA_QI_WAIT_RSVD_LO, SVA_QI_WAIT_RSVD_HI) ||
        ((q[0] & SVA_QI_WAIT_PD) && !(s->ecap & SVA_ECAP_PDS))) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "reserved bits in wait");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    trace_iommu_sva_qi_wait(q[0], q[1]);
    /*
     * Everything before this descriptor has completed: invalidations are
     * synchronous, device-TLB notifiers have returned, page requests are
     * written as they arrive. So fence and page-drain need nothing more.
     */
    if (q[0] & SVA_QI_WAIT_SW) {
        uint32_t data = q[0] >> SVA_QI_WAIT_DATA_SHIFT;
        uint64_t addr = q[1] & SVA_QI_WAIT_ADDR_MASK;

        res = dma_memory_write(&address_space_memory, addr, &data,
                               sizeof(data), MEMTXATTRS_UNSPECIFIED);
        if (res != MEMTX_OK) {
            SVA_QI_ERR(SVA_IQEI_STATUS_WRITE, q,
                       "status write to 0x%" PRIx64 " failed", addr);
            *iqei = SVA_IQEI_STATUS_WRITE;
            return false;
        }
    }
    if (q[0] & SVA_QI_WAIT_IF) {
        uint32_t ics = iommu_sva_get_long(s, SVA_REG_ICS);

        if (!(ics & SVA_ICS_IWC)) {
            iommu_sva_set_long(s, SVA_REG_ICS, ics | SVA_ICS_IWC);
            iommu_sva_event(s, SVA_REG_IECTL);
        }
    }
    return true;
}

static bool sva_qi_cc(IOMMUSVAState *s, const uint64_t *q, uint32_t *iqei)
{
    unsigned gran = sva_qi_gran(q[0]);
    uint16_t sid = (q[0] & SVA_QI_CC_SID_MASK) >> SVA_QI_CC_SID_SHIFT;
    unsigned fm = (q[0] & SVA_QI_CC_FM_MASK) >> SVA_QI_CC_FM_SHIFT;
    /* FM 1..3 masks SID bits 2, 2:1, 2:0 (the function number) */
    uint16_t sid_mask = 0xffff & ~(((1u << fm) - 1) << (3 - fm));

    if (sva_qi_rsvd(q, SVA_QI_CC_RSVD_LO, SVA_QI_CC_RSVD_HI) ||
        gran == 0) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "bad context-cache invalidation");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    /* Domain-selective is done as global: context entries carry no DID */
    iommu_sva_flush_context(s, gran != SVA_QI_CC_DEVICE, sid, sid_mask);
    return true;
}

static bool sva_qi_iotlb(IOMMUSVAState *s, const uint64_t *q, uint32_t *iqei)
{
    unsigned gran = sva_qi_gran(q[0]);
    unsigned am = q[1] & SVA_QI_ADDR_AM_MASK;

    if (sva_qi_rsvd(q, SVA_QI_IOTLB_RSVD_LO, SVA_QI_IOTLB_RSVD_HI) ||
        gran == 0) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "bad IOTLB invalidation");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    switch (gran) {
    case SVA_QI_IOTLB_GLOBAL:
        iommu_sva_flush_iotlb(s, SVA_FLUSH_ANY_DID, SVA_NO_PASID, 0,
                              SVA_FLUSH_ALL_AM);
        break;
    case SVA_QI_IOTLB_DOMAIN:
        iommu_sva_flush_iotlb(s, sva_qi_did(q[0]), SVA_NO_PASID, 0,
                              SVA_FLUSH_ALL_AM);
        break;
    default:
        iommu_sva_flush_iotlb(s, sva_qi_did(q[0]), SVA_NO_PASID,
                              q[1] & SVA_QI_ADDR_MASK,
                              am > SVA_MAMV ? SVA_FLUSH_ALL_AM : am);
        break;
    }
    return true;
}

static bool sva_qi_piotlb(IOMMUSVAState *s, const uint64_t *q,
                          uint32_t *iqei)
{
    unsigned gran = sva_qi_gran(q[0]);
    unsigned am = q[1] & SVA_QI_ADDR_AM_MASK;

    if (sva_qi_rsvd(q, SVA_QI_PIOTLB_RSVD_LO, SVA_QI_PIOTLB_RSVD_HI) ||
        (gran != SVA_QI_PIOTLB_PASID && gran != SVA_QI_PIOTLB_PAGE)) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "bad PASID-based IOTLB invalidation");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    if (gran == SVA_QI_PIOTLB_PASID) {
        am = SVA_FLUSH_ALL_AM;
    }
    iommu_sva_flush_iotlb(s, sva_qi_did(q[0]), sva_qi_pasid(q[0]),
                          q[1] & SVA_QI_ADDR_MASK, am);
    return true;
}

static bool sva_qi_pc(IOMMUSVAState *s, const uint64_t *q, uint32_t *iqei)
{
    unsigned gran = sva_qi_gran(q[0]);

    if (sva_qi_rsvd(q, SVA_QI_PC_RSVD_LO, SVA_QI_PC_RSVD_HI) ||
        gran == 2) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "bad PASID-cache invalidation");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    switch (gran) {
    case SVA_QI_PC_DOMAIN:
        iommu_sva_flush_pasid(s, sva_qi_did(q[0]), SVA_NO_PASID);
        break;
    case SVA_QI_PC_PASID:
        iommu_sva_flush_pasid(s, sva_qi_did(q[0]), sva_qi_pasid(q[0]));
        break;
    default:
        iommu_sva_flush_pasid(s, SVA_FLUSH_ANY_DID, SVA_NO_PASID);
        break;
    }
    return true;
}

/* Device-TLB invalidation, without (type 0x3) or with (0x8) a PASID */
static bool sva_qi_devtlb(IOMMUSVAState *s, const uint64_t *q,
                          bool with_pasid, uint32_t *iqei)
{
    uint64_t rsvd_lo = with_pasid ? SVA_QI_PDEVTLB_RSVD_LO :
                                    SVA_QI_DEVTLB_RSVD_LO;
    uint64_t rsvd_hi = with_pasid ? SVA_QI_PDEVTLB_RSVD_HI :
                                    SVA_QI_DEVTLB_RSVD_HI;
    uint16_t sid;
    uint64_t addr, size;

    if (!(s->ecap & SVA_ECAP_DT)) {
        SVA_QI_ERR(SVA_IQEI_TYPE, q, "device-TLB not supported");
        *iqei = SVA_IQEI_TYPE;
        return false;
    }
    if (sva_qi_rsvd(q, rsvd_lo, rsvd_hi)) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "bad %sdevice-TLB invalidation",
                   with_pasid ? "PASID " : "");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    if (with_pasid) {
        sid = (q[0] & SVA_QI_PDEVTLB_SID_MASK) >> SVA_QI_PDEVTLB_SID_SHIFT;
        sva_devtlb_range(q[1], q[1] & SVA_QI_PDEVTLB_S, &addr, &size);
        iommu_sva_ep_devtlb_inv(s, sid, sva_qi_pasid(q[0]),
                                q[1] & SVA_QI_PDEVTLB_G, addr, size);
    } else {
        sid = (q[0] & SVA_QI_DEVTLB_SID_MASK) >> SVA_QI_DEVTLB_SID_SHIFT;
        sva_devtlb_range(q[1], q[1] & SVA_QI_DEVTLB_S, &addr, &size);
        iommu_sva_ep_devtlb_inv(s, sid, PCI_SVA_NO_PASID, false, addr, size);
    }
    return true;
}

static bool sva_qi_pgrp(IOMMUSVAState *s, const uint64_t *q, uint32_t *iqei)
{
    PCISVAPageResponse resp;

    if (!(s->ecap & SVA_ECAP_PRS)) {
        SVA_QI_ERR(SVA_IQEI_TYPE, q, "page requests not supported");
        *iqei = SVA_IQEI_TYPE;
        return false;
    }
    if (sva_qi_rsvd(q, SVA_QI_PGRP_RSVD_LO, SVA_QI_PGRP_RSVD_HI)) {
        SVA_QI_ERR(SVA_IQEI_RSVD, q, "bad page group response");
        *iqei = SVA_IQEI_RSVD;
        return false;
    }
    resp = (PCISVAPageResponse) {
        .pasid = (q[0] & SVA_QI_PGRP_PP) ? sva_qi_pasid(q[0])
                                          : PCI_SVA_NO_PASID,
        .prgi = (q[1] & SVA_QI_PGRP_PRGI_MASK) >> SVA_QI_PGRP_PRGI_SHIFT,
        .code = (q[0] & SVA_QI_PGRP_RC_MASK) >> SVA_QI_PGRP_RC_SHIFT,
    };
    iommu_sva_ep_page_response(s, (q[0] & SVA_QI_PGRP_RID_MASK) >>
                               SVA_QI_PGRP_RID_SHIFT, &resp);
    return true;
}

static bool sva_qi_one(IOMMUSVAState *s, const uint64_t *q, uint32_t *iqei)
{
    unsigned type = q[0] & SVA_QI_TYPE_LO_MASK;

    trace_iommu_sva_qi_desc(type, q[0], q[1]);
    if (q[0] & SVA_QI_TYPE_HI_MASK) {
        type = ~0u;
    }
    switch (type) {
    case SVA_QI_CC:
        return sva_qi_cc(s, q, iqei);
    case SVA_QI_IOTLB:
        return sva_qi_iotlb(s, q, iqei);
    case SVA_QI_DEVTLB:
        return sva_qi_devtlb(s, q, false, iqei);
    case SVA_QI_WAIT:
        return sva_qi_wait(s, q, iqei);
    case SVA_QI_PIOTLB:
        return sva_qi_piotlb(s, q, iqei);
    case SVA_QI_PC:
        return sva_qi_pc(s, q, iqei);
    case SVA_QI_PDEVTLB:
        return sva_qi_devtlb(s, q, true, iqei);
    case SVA_QI_PGRP_RESP:
        return sva_qi_pgrp(s, q, iqei);
    default:
        SVA_QI_ERR(SVA_IQEI_TYPE, q, "unsupported descriptor type");
        *iqei = SVA_IQEI_TYPE;
        return false;
    }
}

void iommu_sva_qi_process(IOMMUSVAState *s)
{
    uint64_t iqa = iommu_sva_get_quad(s, SVA_REG_IQA);
    bool dw = iqa & SVA_IQA_DW;
    uint64_t base = iqa & SVA_IQA_ADDR_MASK;
    uint32_t slots = 256u << (iqa & SVA_IQA_QS_MASK);   /* 128-bit units */
    uint32_t step = dw ? 2 : 1;
    uint32_t head, tail;

    if (!s->qie || s->iq_stopped) {
        return;
    }
    head = (iommu_sva_get_quad(s, SVA_REG_IQH) & SVA_IQ_PTR_MASK) >>
           SVA_IQ_PTR_SHIFT;
    tail = (iommu_sva_get_quad(s, SVA_REG_IQT) & SVA_IQ_PTR_MASK) >>
           SVA_IQ_PTR_SHIFT;
    if (tail >= slots || head >= slots || (dw && ((tail | head) & 1))) {
        trace_iommu_sva_err_qi(SVA_IQEI_TAIL, head, tail);
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: invalidation queue tail "
                      "0x%x invalid (queue %u slots, dw %d)\n", tail, slots,
                      dw);
        iommu_sva_iq_error(s, SVA_IQEI_TAIL);
        return;
    }

    while (head != tail) {
        uint64_t q[4] = { 0 };
        uint32_t iqei = SVA_IQEI_NONE;
        hwaddr addr = base + (hwaddr)head * 16;

        if (dma_memory_read(&address_space_memory, addr, q, 16 * step,
                            MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
            trace_iommu_sva_err_qi(SVA_IQEI_FETCH, addr, 0);
            qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: cannot fetch "
                          "invalidation descriptor at 0x%" HWADDR_PRIx "\n",
                          addr);
            iommu_sva_iq_error(s, SVA_IQEI_FETCH);
            return;
        }
        q[0] = le64_to_cpu(q[0]);
        q[1] = le64_to_cpu(q[1]);
        q[2] = le64_to_cpu(q[2]);
        q[3] = le64_to_cpu(q[3]);
        if (!sva_qi_one(s, q, &iqei)) {
            iommu_sva_iq_error(s, iqei);
            return;
        }
        head = (head + step) % slots;
        iommu_sva_set_quad(s, SVA_REG_IQH, (uint64_t)head << SVA_IQ_PTR_SHIFT);
    }
}
