/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd translation client: every address a queue names goes through
 * here. Today this is plain bus-master DMA (no IOMMU, or an IOMMU that
 * translates requests without PASID); the ATC/ATS/PRI path plugs in behind
 * the same calls once the IOMMU endpoint interface exists.
 */
#ifndef HW_ACCEL_WD_XLATE_H
#define HW_ACCEL_WD_XLATE_H

#include "hw/pci/pci_device.h"
#include "engine.h"

typedef struct AwdMapping AwdMapping;
struct AwdAtc;
struct AwdAtcPasid;

/* Mappings one context may hold at once (source, destination, ...) */
#define AWD_XLATE_MAX_LIVE      4

typedef struct AwdXlateCtx {
    PCIDevice *pdev;
    bool pasid_en;
    bool priv;
    uint32_t pasid;

    /* ATC path (accel-wd-atc.c); atc NULL: plain bus-master DMA only */
    struct AwdAtc *atc;
    struct AwdAtcPasid *bound;  /* PASID state referenced at enable */
    struct AwdAtcPasid *live_ap; /* the one the live mappings belong to */
    const bool *abort;          /* stop waiting for a page response */
    bool active;                /* holds mappings, counted by live_ap */
    uint64_t active_gen;        /* live_ap's generation they were made in */
    unsigned nlive;
    AwdMapping *live[AWD_XLATE_MAX_LIVE];
    /* statistics, written by the worker only */
    uint64_t atc_hits;
    uint64_t atc_misses;
    uint64_t page_requests;
    uint64_t page_groups;
    uint64_t prefetches;        /* page request groups nobody waited for */
    uint64_t faults;
    uint64_t stale_hits;
    /* page request groups waited for and their round trips (virtual ns) */
    uint64_t pr_waits;
    uint64_t pr_wait_sum_ns;
    uint64_t pr_wait_max_ns;
    /* timing model: each round trip counted as at least pr_floor_ns */
    int64_t pr_floor_ns;
    uint64_t pr_model_ns;
    bool in_pr;                 /* waiting for a page response now */
    /*
     * Deterministic time (accel-wd-timing.c): page requests go out only
     * where the worker yields to the guest (awd_xlate_pr_flush), never
     * from a host-timed bottom half; pr_blocked: the worker waits for the
     * guest now. hold_cond is signalled when it starts to; pr_answered
     * runs (BQL held) when the guest answered it.
     */
    bool pr_at_sync;
    uint8_t pr_blocked;         /* AWD_PRB_* */
    QemuCond *hold_cond;
    void (*pr_answered)(struct AwdXlateCtx *x);
} AwdXlateCtx;

/* What a worker waits for from the guest (AwdXlateCtx.pr_blocked) */
enum { AWD_PRB_NONE, AWD_PRB_ANSWER, AWD_PRB_SLOT };

/* One mapped guest range, split into host segments. */
struct AwdMapping {
    AwdSgl sgl;
    unsigned cap;
    uint64_t *seg_len;          /* mapped length per segment (for unmap) */
    bool is_write;
    /* ATC path: the range, to translate again after an invalidation */
    bool atc;
    uint64_t addr;
    uint64_t len;
    uint64_t gen;               /* PASID invalidation generation used */
};

/*
 * Copy between guest memory named by @addr and @buf. Returns an
 * enum awd_status (AWD_STS_OK, AWD_STS_DMA_ERROR or AWD_STS_FAULT); on error
 * *fault_addr is the first address that could not be accessed.
 */
uint32_t awd_xlate_read(AwdXlateCtx *x, uint64_t addr, void *buf,
                        size_t len, uint64_t *fault_addr);
uint32_t awd_xlate_write(AwdXlateCtx *x, uint64_t addr, const void *buf,
                         size_t len, uint64_t *fault_addr);

/*
 * Map [addr, addr + len) of guest memory for direct access by an engine.
 * Only RAM is accepted: a device never DMAs into MMIO. The mapping must be
 * released with awd_xlate_unmap(), passing how many bytes were written.
 */
uint32_t awd_xlate_map(AwdXlateCtx *x, uint64_t addr, size_t len,
                       bool is_write, AwdMapping *m, uint64_t *fault_addr);
void awd_xlate_unmap(AwdXlateCtx *x, AwdMapping *m, size_t access_len);
/*
 * Will mappings go through the ATC (awd_xlate_on_demand), does mapping @m
 * (awd_xlate_is_atc)? Only those map more later: awd_xlate_extend() maps
 * @add bytes after the end of @m.
 */
bool awd_xlate_on_demand(AwdXlateCtx *x);
bool awd_xlate_is_atc(const AwdMapping *m);
uint32_t awd_xlate_extend(AwdXlateCtx *x, AwdMapping *m, size_t add,
                          uint64_t *fault_addr);
/*
 * Deterministic time: does the worker wait for a page response (or a PRG
 * slot) now, and send the page requests it queued (BQL held).
 */
bool awd_xlate_pr_blocked(AwdXlateCtx *x);
void awd_xlate_pr_flush(AwdXlateCtx *x);
/*
 * Between two chunks of an engine run: if a device-TLB invalidation came
 * since the live mappings were made, let it complete (it waits with the
 * BQL), translate them again and go on if every page is where it was.
 * False: a page moved or is gone; the engine must stop and the request
 * start again, which faults where it must. Not for plain DMA: true.
 */
bool awd_xlate_checkpoint(AwdXlateCtx *x);
/* ATC only: have the host fault in @m's next @len bytes meanwhile */
void awd_xlate_prefetch(AwdXlateCtx *x, AwdMapping *m, size_t len);
void awd_mapping_free(AwdMapping *m);
void awd_mapping_add(AwdMapping *m, void *p, uint64_t len);

#endif /* HW_ACCEL_WD_XLATE_H */
