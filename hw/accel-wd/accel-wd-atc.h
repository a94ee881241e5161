/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd address translation cache: ATS translation requests, PRI page
 * requests and device-TLB invalidation through the iommu-sva endpoint
 * interface (hw/iommu-sva/pci-sva.h).
 *
 * Locking: AwdAtc.lock protects the cache, the page request slots and the
 * per-PASID state. Order: BQL -> AwdQueue.lock -> AwdAtc.lock. A worker
 * never takes the BQL from here: page requests are sent by a bottom half.
 * IOMMU notifiers run with the BQL held; the invalidation notifier waits
 * until no worker holds a mapping made before the invalidation, so a
 * worker must never wait for the BQL while it holds a mapping.
 */
#ifndef HW_ACCEL_WD_ATC_H
#define HW_ACCEL_WD_ATC_H

#include "qapi/visitor.h"
#include "accel-wd-xlate.h"

typedef struct AwdAtc AwdAtc;

/* awd_atc_map() when the IOMMU does not do ATS for requests without PASID */
#define AWD_ATC_FALLBACK        UINT32_MAX
/* Largest pri-batch: pages in one page request group */
#define AWD_PRI_BATCH_MAX       64

typedef struct AwdAtcConfig {
    uint16_t ats_offset;        /* ATS capability */
    uint16_t pri_offset;        /* PRI capability, 0: none */
    uint32_t entries;           /* cache size */
    uint32_t pri_max_requests;  /* outstanding page requests at most */
    uint32_t pri_batch;         /* pages per page request group at most */
    uint32_t pri_timeout_ms;    /* wait for a page response at most */
    bool check;                 /* re-walk on each hit, flag stale entries */
    uint32_t pri_fail_every;    /* fault injection: every Nth response fails */
    uint32_t pri_delay_ms;      /* fault injection: act on responses late */
} AwdAtcConfig;

AwdAtc *awd_atc_new(PCIDevice *pdev, const AwdAtcConfig *cfg);
void awd_atc_free(AwdAtc *atc);

/*
 * Queue enable (BQL held): take a reference on the state of the context's
 * PASID (PCI_SVA_NO_PASID without PASID), registering the PRI and
 * device-TLB invalidation notifiers on first use. Unbind from any thread
 * while the queue is idle; the notifiers go away in a bottom half.
 */
void awd_atc_bind(AwdXlateCtx *x);
void awd_atc_unbind(AwdXlateCtx *x);

/* Should this context translate through the ATC right now? */
bool awd_atc_wanted(AwdXlateCtx *x);

uint32_t awd_atc_map(AwdXlateCtx *x, uint64_t addr, size_t len,
                     bool is_write, AwdMapping *m, uint64_t *fault_addr);
/* Page requests for what is refused in [addr, + len), answered later */
void awd_atc_prefetch(AwdXlateCtx *x, uint64_t addr, size_t len, bool write);
/* Map @add more bytes at the end of the live mapping @m */
uint32_t awd_atc_extend(AwdXlateCtx *x, AwdMapping *m, size_t add,
                        uint64_t *fault_addr);
void awd_atc_unmap(AwdXlateCtx *x, AwdMapping *m, size_t access_len);
/* See awd_xlate_checkpoint() */
bool awd_atc_checkpoint(AwdXlateCtx *x);

/* "atc-hits", "atc-misses", "page-requests", "faults", "stale-hits" */
void awd_xlate_visit_stats(AwdXlateCtx *x, Visitor *v, Error **errp);
/*
 * Device-TLB invalidations: count, summed and longest wait for mappings
 * in use (virtual ns), optionally cleared; zeros without an ATC
 */
void awd_atc_inv_stats(AwdAtc *atc, uint64_t out[3], bool reset);

#endif /* HW_ACCEL_WD_ATC_H */
