/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd translation client internals shared by the address
 * translation cache (accel-wd-atc.c: the cache, ATS, invalidation) and
 * the page request client (accel-wd-pri.c: PRI page request groups and
 * their responses). Nothing outside those two files includes this.
 */
#ifndef HW_ACCEL_WD_ATC_INT_H
#define HW_ACCEL_WD_ATC_INT_H

#include "qemu/log.h"
#include "qemu/thread.h"
#include "hw/iommu-sva/pci-sva.h"
#include "accel-wd-atc.h"

#define ATC_PAGE_BITS       12
#define ATC_PAGE_SIZE       (1ULL << ATC_PAGE_BITS)
#define ATC_PAGE_MASK       (~(ATC_PAGE_SIZE - 1))
#define ATC_WAYS            4
/* IOTLB entries asked for per translation request (prefetch) */
#define ATC_ATS_BATCH       32
/* Pages one translation request puts into the cache at most */
#define ATC_FILL_MAX        64
/* PRG indices are 9 bits */
#define ATC_PRGI_COUNT      512
/* Page requests for one page before the device gives up */
#define ATC_PRI_TRIES       4
/* Invalidations of more pages scan the whole cache */
#define ATC_INV_SCAN_PAGES  64
/* How often a waiting worker looks at its queue's abort flag */
#define ATC_WAIT_SLICE_MS   10
#define ATC_NO_SLOT         UINT32_MAX
/* Statistics: one writer (the queue's worker), read by qom-get */
#define STAT_INC(f)         qatomic_set(&(f), (f) + 1)

#define ATC_GUEST_ERR(trace, fmt, ...) \
    do { \
        (trace); \
        qemu_log_mask(LOG_GUEST_ERROR, "accel-wd: " fmt "\n", ## __VA_ARGS__); \
    } while (0)

typedef struct AwdAtcEntry {
    uint64_t vpn;
    uint64_t gpa;               /* page-aligned guest-physical address */
    uint64_t stamp;             /* LRU */
    uint32_t pasid;
    uint8_t perm;               /* IOMMU_RO | IOMMU_WO */
    bool priv;
    bool valid;
} AwdAtcEntry;

/* One outstanding page request group */
typedef struct AwdPrgSlot {
    bool in_use;
    bool sent;
    bool done;
    bool async;                 /* a prefetch: nobody waits, freed on reply */
    /*
     * Sent, but its waiter gave up (timeout, queue reset) or the prefetch
     * expired: the index is held until the late answer comes (consumed
     * quietly) or, bounded, pri-timeout-ms after late_ms, so that answer
     * can never be taken for another group's.
     */
    bool late;
    int64_t born_ms;            /* an unanswered prefetch expires */
    int64_t late_ms;
    bool priv;
    bool write;
    uint8_t code;
    uint32_t pasid;
    uint32_t npages;
    AwdXlateCtx *x;             /* who sent it */
    uint64_t pages[AWD_PRI_BATCH_MAX];
} AwdPrgSlot;

typedef struct AwdAtcPasid {
    AwdAtc *atc;
    uint32_t pasid;             /* PCI_SVA_NO_PASID: RID_PASID */
    unsigned refs;              /* queues bound to it */
    unsigned active;            /* contexts holding mappings */
    unsigned stale;             /* ... of them made before the last inv */
    uint64_t gen;               /* bumped by each invalidation */
    bool pri_registered;
    PCISVAPRINotifier pri;
    IOMMUNotifier inv;
} AwdAtcPasid;

struct AwdAtc {
    PCIDevice *pdev;
    uint16_t ats_offset;
    uint16_t pri_offset;
    uint32_t pri_max;
    uint32_t pri_batch;
    uint32_t pri_timeout_ms;
    bool check;
    uint32_t pri_fail_every;
    uint32_t pri_delay_ms;
    uint32_t pri_responses;     /* counts responses for pri_fail_every */
    uint64_t pri_stray;         /* responses matching no outstanding group */
    uint64_t pri_late;          /* answers to groups given up (held slots) */

    QemuMutex lock;
    QemuCond cond;              /* responses, free slots, releases */

    AwdAtcEntry *entries;
    uint32_t nsets;
    uint64_t stamp;

    AwdPrgSlot prg[ATC_PRGI_COUNT];
    uint32_t prg_next;
    uint32_t prg_outstanding;   /* page requests (pages), not groups */
    GQueue send;                /* PRG indices to send, as pointers + 1 */
    QEMUBH *send_bh;

    GHashTable *pasids;         /* PASID + 1 -> AwdAtcPasid */
    QEMUBH *gc_bh;

    /* telemetry: device-TLB invalidations and their waits (virtual ns) */
    uint64_t inv_count;
    uint64_t inv_wait_sum_ns;
    uint64_t inv_wait_max_ns;
};

#define PASID_KEY(pasid)    GUINT_TO_POINTER((guint)(pasid) + 1)

/* ---- accel-wd-pri.c -------------------------------------------------- */

/* Outstanding page requests (pages) the guest allocated us, 0: no PRI */
uint32_t awd_pri_limit(AwdAtc *atc);
/* Bottom half: send the queued page request groups with the BQL held */
void awd_pri_send_bh(void *opaque);
/* Per-PASID page group response notifier */
void awd_pri_notify(PCISVAPRINotifier *n, PCISVAPRIResponse *r);
/*
 * One page request group for the @n pages at @pages (the first is the one
 * the device needs), waited for: AWD_STS_OK, AWD_STS_ABORTED or
 * AWD_STS_FAULT. Called without atc->lock.
 */
uint32_t awd_pri_request(AwdXlateCtx *x, AwdAtcPasid *ap,
                         const uint64_t *pages, uint32_t n, bool write);
/*
 * The same, not waited for (prefetch): only while at most half of the
 * allocation is outstanding. Returns whether it was sent.
 */
bool awd_pri_send_async(AwdXlateCtx *x, AwdAtcPasid *ap,
                        const uint64_t *pages, uint32_t n, bool write);

#endif /* HW_ACCEL_WD_ATC_INT_H */
