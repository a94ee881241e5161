/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: the page request queue (VT-d 7.5). Page requests from
 * endpoints are written to the guest's queue at PQT as 32-byte
 * descriptors; PRS.PPR and the page request event tell software. A full
 * queue sets PRS.PRO and the request is not written.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "exec/address-spaces.h"
#include "system/dma.h"
#include "iommu-sva.h"
#include "trace.h"

static uint32_t sva_prq_entries(IOMMUSVAState *s)
{
    uint64_t pqa = iommu_sva_get_quad(s, SVA_REG_PQA);

    return (SVA_PAGE_SIZE << (pqa & SVA_PQA_PQS_MASK)) / SVA_PRQ_DESC_SIZE;
}

void iommu_sva_prq_head_written(IOMMUSVAState *s)
{
    uint64_t pqh = iommu_sva_get_quad(s, SVA_REG_PQH);
    uint32_t head = (pqh & SVA_PQ_PTR_MASK) / SVA_PRQ_DESC_SIZE;

    trace_iommu_sva_prq_head(head);
    if (head >= sva_prq_entries(s)) {
        trace_iommu_sva_err_prq(head, sva_prq_entries(s));
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: PQH 0x%" PRIx64
                      " beyond the page request queue\n", pqh);
    }
}

static void sva_prq_overflow(IOMMUSVAState *s, uint32_t prs)
{
    iommu_sva_set_long(s, SVA_REG_PRS, prs | SVA_PRS_PRO);
    trace_iommu_sva_prq_overflow();
    if (!(prs & SVA_PRS_PPR)) {
        iommu_sva_set_long(s, SVA_REG_PRS, prs | SVA_PRS_PRO | SVA_PRS_PPR);
        iommu_sva_event(s, SVA_REG_PECTL);
    }
}

/*
 * Returns 0 when written, -ENOSPC when the queue overflowed (PRO is set),
 * -EIO when the queue is misprogrammed or not writable. Called with the
 * BQL held.
 */
int iommu_sva_prq_write(IOMMUSVAState *s, const SVAPageRequest *pr)
{
    uint64_t pqa = iommu_sva_get_quad(s, SVA_REG_PQA);
    uint32_t prs = iommu_sva_get_long(s, SVA_REG_PRS);
    uint32_t n = sva_prq_entries(s);
    uint32_t head, tail;
    uint64_t d[4] = { 0 };
    hwaddr addr;

    if (prs & SVA_PRS_PRO) {
        trace_iommu_sva_prq_overflow();
        return -ENOSPC;
    }
    head = (iommu_sva_get_quad(s, SVA_REG_PQH) & SVA_PQ_PTR_MASK) /
           SVA_PRQ_DESC_SIZE;
    tail = (iommu_sva_get_quad(s, SVA_REG_PQT) & SVA_PQ_PTR_MASK) /
           SVA_PRQ_DESC_SIZE;
    if (head >= n || tail >= n || !(pqa & SVA_PQA_ADDR_MASK)) {
        trace_iommu_sva_err_prq(head, n);
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: page request queue "
                      "not set up (PQA 0x%" PRIx64 " head %u tail %u)\n",
                      pqa, head, tail);
        return -EIO;
    }
    if ((tail + 1) % n == head) {
        sva_prq_overflow(s, prs);
        return -ENOSPC;
    }

    d[0] = ((uint64_t)pr->rid << SVA_PRQ_RID_SHIFT) & SVA_PRQ_RID_MASK;
    if (pr->pasid != SVA_NO_PASID) {
        d[0] |= SVA_PRQ_PASID_PRESENT |
                (((uint64_t)pr->pasid << SVA_PRQ_PASID_SHIFT) &
                 SVA_PRQ_PASID_MASK);
        if (pr->exec) {
            d[0] |= SVA_PRQ_EXE;
        }
        if (pr->priv) {
            d[0] |= SVA_PRQ_PM;
        }
    }
    d[1] = (pr->addr & SVA_PRQ_ADDR_MASK) |
           (((uint64_t)pr->prgi << SVA_PRQ_PRGI_SHIFT) & SVA_PRQ_PRGI_MASK);
    if (pr->read) {
        d[1] |= SVA_PRQ_RD;
    }
    if (pr->write) {
        d[1] |= SVA_PRQ_WR;
    }
    if (pr->lpig) {
        d[1] |= SVA_PRQ_LPIG;
    }
    trace_iommu_sva_prq_write(tail, d[0], d[1]);
    d[0] = cpu_to_le64(d[0]);
    d[1] = cpu_to_le64(d[1]);

    addr = (pqa & SVA_PQA_ADDR_MASK) + (hwaddr)tail * SVA_PRQ_DESC_SIZE;
    if (dma_memory_write(&address_space_memory, addr, d, sizeof(d),
                         MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        trace_iommu_sva_err_prq(tail, n);
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: cannot write page "
                      "request at 0x%" HWADDR_PRIx "\n", addr);
        return -EIO;
    }
    iommu_sva_set_quad(s, SVA_REG_PQT,
                       (uint64_t)((tail + 1) % n) * SVA_PRQ_DESC_SIZE);
    if (!(prs & SVA_PRS_PPR)) {
        iommu_sva_set_long(s, SVA_REG_PRS, prs | SVA_PRS_PPR);
        iommu_sva_event(s, SVA_REG_PECTL);
    }
    return 0;
}
