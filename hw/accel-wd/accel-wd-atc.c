/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd address translation cache (ATC): the cache, ATS translation
 * requests and device-TLB invalidation. Page requests, their responses
 * and the wait for them are accel-wd-pri.c's.
 *
 * Every buffer page of a queue with a PASID (and of requests without one
 * when ATS is enabled, through the IOMMU's RID_PASID) is looked up in a
 * set-associative cache keyed by (PASID, privilege, page) that holds the
 * guest-physical page and its permissions. A miss sends an ATS translation
 * request to iommu-sva. A refused page sends a page request group: that
 * page plus up to pri-batch - 1 further refused pages of the same buffer
 * (found with more translation requests), one PRI page request each, the
 * last with last-in-group set, so the host answers them with one page
 * group response instead of a round trip per page (accel-wd-pri.c); once
 * it is answered the worker translates again. A failed group
 * of several pages is asked again for the first page alone, so a failure
 * fails the request with AWD_STS_FAULT at the address that really failed.
 *
 * Device-TLB invalidations evict matching entries, bump the PASID's
 * invalidation generation and wait for every worker that holds mappings
 * made under an older generation to release them. A worker counts as
 * holding mappings ("active") only between a successful awd_atc_map() and
 * the unmap of its last mapping; while it translates or waits for a page
 * response it is inactive, and before it becomes active again it makes
 * every mapping it holds anew if the generation moved. So when the
 * notifier returns, no work uses an invalidated translation. An engine
 * run holds its mappings for long (a 16 MiB level-9 compression takes
 * seconds), so the engine calls awd_atc_checkpoint() between chunks: a
 * worker an invalidation waits for lets go there, and the wait (the BQL
 * held) lasts at most one chunk of engine work.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "exec/address-spaces.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/iommu-sva/pci-sva.h"
#include "accel-wd-atc.h"
#include "accel-wd-atc-int.h"
#include "accel_wd_hw.h"
#include "trace.h"


/* ---- the cache ---------------------------------------------------------- */

static AwdAtcEntry *atc_set(AwdAtc *atc, uint32_t pasid, uint64_t vpn)
{
    uint64_t h = vpn * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)pasid << 7);

    return &atc->entries[((h >> 20) ^ h) % atc->nsets * ATC_WAYS];
}

static AwdAtcEntry *atc_lookup(AwdAtc *atc, uint32_t pasid, bool priv,
                               uint64_t vpn)
{
    AwdAtcEntry *set = atc_set(atc, pasid, vpn);
    unsigned i;

    for (i = 0; i < ATC_WAYS; i++) {
        AwdAtcEntry *e = &set[i];

        if (e->valid && e->vpn == vpn && e->pasid == pasid &&
            e->priv == priv) {
            e->stamp = ++atc->stamp;
            return e;
        }
    }
    return NULL;
}

static void atc_insert(AwdAtc *atc, uint32_t pasid, bool priv, uint64_t vpn,
                       uint64_t gpa, uint8_t perm)
{
    AwdAtcEntry *set = atc_set(atc, pasid, vpn);
    AwdAtcEntry *victim = &set[0];
    unsigned i;

    for (i = 0; i < ATC_WAYS; i++) {
        AwdAtcEntry *e = &set[i];

        if (e->valid && e->vpn == vpn && e->pasid == pasid &&
            e->priv == priv) {
            victim = e;
            break;
        }
        if (!e->valid) {
            victim = e;
        } else if (victim->valid && e->stamp < victim->stamp) {
            victim = e;
        }
    }
    *victim = (AwdAtcEntry) {
        .vpn = vpn, .gpa = gpa, .pasid = pasid, .perm = perm, .priv = priv,
        .valid = true, .stamp = ++atc->stamp,
    };
}

/* Drop @pasid's entries for pages [first, last]; atc->lock held */
/*
 * Put the pages of @n translation results for [va, last] into the cache,
 * up to the first refused one and at most ATC_FILL_MAX pages (or half the
 * cache), unless an invalidation came since @gen.
 */
static void atc_fill(AwdAtc *atc, AwdAtcPasid *ap, uint64_t gen, bool priv,
                     const IOMMUTLBEntry *res, ssize_t n, uint64_t va,
                     uint64_t last)
{
    unsigned fill = MIN(ATC_FILL_MAX, atc->nsets * ATC_WAYS / 2 + 1);
    ssize_t i;

    qemu_mutex_lock(&atc->lock);
    for (i = 0; i < n && ap->gen == gen && fill; i++) {
        uint64_t base = res[i].iova & ~res[i].addr_mask;
        uint64_t p = MAX(base, va), end = MIN(base + res[i].addr_mask, last);

        if (res[i].perm == IOMMU_NONE) {
            break;
        }
        for (; p <= end && p >= va && fill; p += ATC_PAGE_SIZE, fill--) {
            atc_insert(atc, ap->pasid, priv, p >> ATC_PAGE_BITS,
                       (res[i].translated_addr & ~res[i].addr_mask) +
                       ((p - base) & ATC_PAGE_MASK), res[i].perm);
            if (end - p < ATC_PAGE_SIZE) {
                break;
            }
        }
    }
    qemu_mutex_unlock(&atc->lock);
}

static unsigned atc_evict(AwdAtc *atc, uint32_t pasid, uint64_t first,
                          uint64_t last)
{
    unsigned n = 0;
    uint64_t vpn, i;

    if (last - first < ATC_INV_SCAN_PAGES) {
        for (vpn = first;; vpn++) {
            AwdAtcEntry *set = atc_set(atc, pasid, vpn);

            for (i = 0; i < ATC_WAYS; i++) {
                if (set[i].valid && set[i].pasid == pasid &&
                    set[i].vpn == vpn) {
                    set[i].valid = false;
                    n++;
                }
            }
            if (vpn == last) {
                break;
            }
        }
        return n;
    }
    for (i = 0; i < (uint64_t)atc->nsets * ATC_WAYS; i++) {
        AwdAtcEntry *e = &atc->entries[i];

        if (e->valid && e->pasid == pasid && e->vpn >= first &&
            e->vpn <= last) {
            e->valid = false;
            n++;
        }
    }
    return n;
}

/* ---- capability state (read from the worker; the guest may race) -------- */

static bool atc_ats_enabled(AwdAtc *atc)
{
    return atc->ats_offset &&
           (pci_get_word(atc->pdev->config + atc->ats_offset + PCI_ATS_CTRL) &
            PCI_ATS_CTRL_ENABLE);
}

bool awd_atc_wanted(AwdXlateCtx *x)
{
    if (!x->atc || !qatomic_read(&x->bound) || !atc_ats_enabled(x->atc)) {
        return false;
    }
    return !x->pasid_en || pcie_sva_pasid_enabled(x->pdev);
}

/* ---- translation -------------------------------------------------------- */

static bool perm_ok(uint8_t perm, bool write)
{
    return (perm & IOMMU_RO) && (!write || (perm & IOMMU_WO));
}

/*
 * atc-check: walk again for a page the ATC answered and flag an entry the
 * IOMMU no longer agrees with (the guest changed the mapping without a
 * device-TLB invalidation). The device still uses the cached translation,
 * as hardware would.
 */
static void atc_check_hit(AwdXlateCtx *x, AwdAtcPasid *ap, uint64_t va,
                          bool write, uint64_t gpa)
{
    uint32_t pasid = ap->pasid, err;
    IOMMUTLBEntry res;
    uint64_t now = UINT64_MAX;
    ssize_t n;

    n = pci_sva_ats_request_translation(x->atc->pdev, pasid, x->priv, false,
                                        va, ATC_PAGE_SIZE, !write, &res, 1,
                                        &err);
    if (n == 1 && perm_ok(res.perm, write)) {
        now = (res.translated_addr & ~res.addr_mask) +
              ((va - (res.iova & ~res.addr_mask)) & ATC_PAGE_MASK);
        if (now == gpa) {
            return;
        }
    }
    STAT_INC(x->stale_hits);
    ATC_GUEST_ERR(trace_accel_wd_err_atc_stale(pasid, va, gpa, now),
                  "PASID 0x%x page 0x%" PRIx64 ": cached translation 0x%"
                  PRIx64 " used, the IOMMU now gives 0x%" PRIx64
                  " (no device-TLB invalidation?)", pasid, va, gpa, now);
}

/*
 * Add to @pages (@n there, room for @max) the pages from @cur up to @last
 * that the IOMMU refuses for this access (@va: where the search began).
 * A translation request stops at the first refused page, so this asks at
 * most 2 * @max of them. Returns the new count.
 */
static uint32_t atc_find_refused(AwdXlateCtx *x, AwdAtcPasid *ap,
                                 uint64_t va, uint64_t cur, uint64_t last,
                                 bool write, uint64_t *pages, uint32_t n,
                                 uint32_t max)
{
    AwdAtc *atc = x->atc;
    IOMMUTLBEntry res[ATC_ATS_BATCH];
    uint32_t err;
    unsigned probes;

    for (probes = 0; probes < 2 * max && n < max; probes++) {
        ssize_t got, i;
        uint64_t gen;

        if (cur < va || cur > last) {
            break;
        }
        qemu_mutex_lock(&atc->lock);
        gen = ap->gen;
        qemu_mutex_unlock(&atc->lock);
        got = pci_sva_ats_request_translation(atc->pdev, ap->pasid, x->priv,
                                              false, cur, last - cur + 1,
                                              !write, res, ATC_ATS_BATCH,
                                              &err);
        if (got <= 0) {
            break;
        }
        /* what is granted goes into the cache: not translated twice */
        atc_fill(atc, ap, gen, x->priv, res, got, cur, last);
        for (i = 0; i < got && n < max; i++) {
            uint64_t base = res[i].iova & ~res[i].addr_mask;
            uint64_t end = base + res[i].addr_mask;

            if (!perm_ok(res[i].perm, write)) {
                /* refused (or read-only for a write): one page at a time */
                pages[n++] = MAX(base, cur) & ATC_PAGE_MASK;
                end = (MAX(base, cur) & ATC_PAGE_MASK) + ATC_PAGE_SIZE - 1;
            }
            if (end >= last || end + 1 == 0) {
                return n;
            }
            cur = end + 1;
        }
    }
    return n;
}

/* @va, which the IOMMU refused, and the next refused pages up to @last */
static uint32_t atc_collect_group(AwdXlateCtx *x, AwdAtcPasid *ap,
                                  uint64_t va, uint64_t last, bool write,
                                  uint64_t *pages, uint32_t max)
{
    pages[0] = va;
    return atc_find_refused(x, ap, va, va + ATC_PAGE_SIZE, last, write,
                            pages, 1, max);
}

/*
 * Ask, without waiting, for the pages the IOMMU refuses in [addr, addr +
 * len) as one page request group, so the host faults them in while the
 * engine works on what is mapped. Only while at most half of the PRI
 * allocation is outstanding; nothing when no slot is free.
 */
void awd_atc_prefetch(AwdXlateCtx *x, uint64_t addr, size_t len, bool write)
{
    AwdAtc *atc = x->atc;
    AwdAtcPasid *ap = x->live_ap;
    uint64_t pages[AWD_PRI_BATCH_MAX];
    uint64_t first = addr & ATC_PAGE_MASK, last = addr + len - 1;
    uint32_t n;

    if (!atc || !ap || ap->pasid == PCI_SVA_NO_PASID || x->priv || !len ||
        last < addr) {
        return;
    }
    n = atc_find_refused(x, ap, first, first, last, write, pages, 0,
                         atc->pri_batch);
    if (!n) {
        return;
    }
    if (awd_pri_send_async(x, ap, pages, n, write)) {
        STAT_INC(x->prefetches);
    }
}

/*
 * Translate the page at @va (page-aligned) for a read or @write; @last is
 * the last byte of the range being mapped, for prefetching. On success
 * *gpa is the guest-physical page. Returns AWD_STS_*, or AWD_ATC_FALLBACK
 * when the IOMMU will not do ATS without PASID for this device.
 */
static uint32_t atc_translate(AwdXlateCtx *x, AwdAtcPasid *ap, uint64_t va,
                              uint64_t last, bool write, uint64_t *gpa)
{
    AwdAtc *atc = x->atc;
    IOMMUTLBEntry res[ATC_ATS_BATCH];
    uint64_t pages[AWD_PRI_BATCH_MAX];
    uint32_t pasid = ap->pasid, err, st, npages;
    unsigned tries = 0;
    uint64_t vpn = va >> ATC_PAGE_BITS, gen;
    bool alone = false;
    ssize_t n;

    for (;;) {
        AwdAtcEntry *e;
        bool refused;

        qemu_mutex_lock(&atc->lock);
        e = atc_lookup(atc, pasid, x->priv, vpn);
        if (e && perm_ok(e->perm, write)) {
            *gpa = e->gpa;
            qemu_mutex_unlock(&atc->lock);
            STAT_INC(x->atc_hits);
            if (atc->check) {
                atc_check_hit(x, ap, va, write, *gpa);
            }
            return AWD_STS_OK;
        }
        gen = ap->gen;
        qemu_mutex_unlock(&atc->lock);
        STAT_INC(x->atc_misses);

        n = pci_sva_ats_request_translation(atc->pdev, pasid, x->priv, false,
                                            va, last - va + 1, !write, res,
                                            ATC_ATS_BATCH, &err);
        trace_accel_wd_atc_miss(pasid, va, write, n);
        if (n <= 0) {
            if (pasid == PCI_SVA_NO_PASID && (n == -EPERM || n == -ENODEV)) {
                return AWD_ATC_FALLBACK;
            }
            return AWD_STS_FAULT;
        }
        atc_fill(atc, ap, gen, x->priv, res, n, va, last);

        refused = res[0].perm == IOMMU_NONE ||
                  !perm_ok(res[0].perm, write);
        if (!refused) {
            uint64_t base = res[0].iova & ~res[0].addr_mask;

            *gpa = (res[0].translated_addr & ~res[0].addr_mask) +
                   ((va - base) & ATC_PAGE_MASK);
            return AWD_STS_OK;
        }
        /* Privileged page requests are not for Linux SVA; no PASID: none */
        if (pasid == PCI_SVA_NO_PASID || x->priv ||
            ++tries > ATC_PRI_TRIES) {
            return AWD_STS_FAULT;
        }
        npages = alone ? 1 : atc_collect_group(x, ap, va, last, write, pages,
                                               atc->pri_batch);
        pages[0] = va;
        st = awd_pri_request(x, ap, pages, npages, write);
        if (st == AWD_STS_FAULT && npages > 1) {
            /* which page failed? Ask for the one needed now alone */
            alone = true;
            continue;
        }
        if (st != AWD_STS_OK) {
            return st;
        }
    }
}

/* Is [gpa, gpa + *len) direct-access RAM? Trims *len to one section. */
static bool gpa_is_ram(hwaddr gpa, hwaddr *len, bool is_write)
{
    MemoryRegion *mr;
    hwaddr xlat;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, gpa, &xlat, len,
                                 is_write, MEMTXATTRS_UNSPECIFIED);
    return memory_access_is_direct(mr, is_write, MEMTXATTRS_UNSPECIFIED);
}

static bool atc_map_run(AwdMapping *m, hwaddr gpa, hwaddr len)
{
    while (len) {
        hwaddr l = len;
        void *p;

        if (!gpa_is_ram(gpa, &l, m->is_write) || !l) {
            return false;
        }
        p = address_space_map(&address_space_memory, gpa, &l, m->is_write,
                              MEMTXATTRS_UNSPECIFIED);
        if (!p || !l) {
            return false;
        }
        awd_mapping_add(m, p, l);
        gpa += l;
        len -= l;
    }
    return true;
}

static void atc_release_segs(AwdMapping *m, size_t access_len)
{
    unsigned i;

    for (i = 0; i < m->sgl.nseg; i++) {
        uint64_t l = m->seg_len[i];
        uint64_t done = MIN(l, access_len);

        address_space_unmap(&address_space_memory, m->sgl.seg[i].base, l,
                            m->is_write, done);
        access_len -= done;
    }
    m->sgl.nseg = 0;
    m->sgl.total = 0;
}

/*
 * Translate and map [m->addr + from, + len) onto the end of @m. On
 * failure the segments added are left for the caller to release.
 */
static uint32_t atc_append(AwdXlateCtx *x, AwdAtcPasid *ap, AwdMapping *m,
                           uint64_t from, uint64_t len, uint64_t *fault_addr)
{
    uint64_t cur = m->addr + from, left = len, last = cur + len - 1;
    uint64_t run_va = 0, run_gpa = 0, run_len = 0;
    uint32_t st;

    while (left) {
        uint64_t off = cur & ~ATC_PAGE_MASK;
        uint64_t chunk = MIN(left, ATC_PAGE_SIZE - off);
        uint64_t gpa;

        st = atc_translate(x, ap, cur - off, last, m->is_write, &gpa);
        if (st != AWD_STS_OK) {
            *fault_addr = cur;
            goto fail;
        }
        if (run_len && run_gpa + run_len == gpa + off) {
            run_len += chunk;
        } else {
            if (run_len && !atc_map_run(m, run_gpa, run_len)) {
                goto not_ram;
            }
            run_va = cur;
            run_gpa = gpa + off;
            run_len = chunk;
        }
        cur += chunk;
        left -= chunk;
    }
    if (run_len && !atc_map_run(m, run_gpa, run_len)) {
        goto not_ram;
    }
    return AWD_STS_OK;

not_ram:
    trace_accel_wd_dma_error(run_gpa, run_len, m->is_write);
    *fault_addr = run_va;
    st = AWD_STS_DMA_ERROR;
fail:
    return st;
}

/* Translate and map all of @m anew with generation @gen */
static uint32_t atc_build(AwdXlateCtx *x, AwdAtcPasid *ap, AwdMapping *m,
                          uint64_t gen, uint64_t *fault_addr)
{
    uint32_t st;

    atc_release_segs(m, 0);
    m->gen = gen;
    m->sgl.gen++;               /* engine cursors find their place again */
    st = atc_append(x, ap, m, 0, m->len, fault_addr);
    if (st != AWD_STS_OK) {
        atc_release_segs(m, 0);
    }
    return st;
}

/* The PASID's invalidation generation now */
static uint64_t atc_gen(AwdAtcPasid *ap)
{
    uint64_t gen;

    qemu_mutex_lock(&ap->atc->lock);
    gen = ap->gen;
    qemu_mutex_unlock(&ap->atc->lock);
    return gen;
}

/*
 * Make anew every live mapping not made with generation @gen. A mapping
 * other than @fresh (the one being made) that the IOMMU would no longer
 * translate with ATS faults at its start.
 */
static uint32_t atc_rebuild_stale(AwdXlateCtx *x, AwdAtcPasid *ap,
                                  uint64_t gen, AwdMapping *fresh,
                                  uint64_t *fault_addr)
{
    uint32_t st;
    unsigned i;

    for (i = 0; i < x->nlive; i++) {
        AwdMapping *l = x->live[i];

        if (l->gen == gen) {
            continue;
        }
        st = atc_build(x, ap, l, gen, fault_addr);
        if (st == AWD_ATC_FALLBACK && l != fresh) {
            st = AWD_STS_FAULT;
            *fault_addr = l->addr;
        }
        if (st != AWD_STS_OK) {
            return st;
        }
    }
    return AWD_STS_OK;
}

static void atc_deactivate(AwdXlateCtx *x)
{
    AwdAtc *atc = x->atc;

    if (x->active) {
        AwdAtcPasid *ap = x->live_ap;
        bool unused;

        qemu_mutex_lock(&atc->lock);
        ap->active--;
        if (x->active_gen != ap->gen) {
            ap->stale--;
        }
        x->active = false;
        unused = !ap->active && !ap->refs;
        qemu_cond_broadcast(&atc->cond);
        qemu_mutex_unlock(&atc->lock);
        if (unused) {
            qemu_bh_schedule(atc->gc_bh);  /* unbound while in use */
        }
    }
}

/*
 * Hold the live mappings again if no invalidation came since @gen (they
 * were all made with it); false: make the stale ones again first.
 */
static bool atc_activate(AwdXlateCtx *x, AwdAtcPasid *ap, uint64_t gen)
{
    bool ok;

    qemu_mutex_lock(&ap->atc->lock);
    ok = ap->gen == gen;
    if (ok) {
        ap->active++;
        x->active = true;
        x->active_gen = gen;
    }
    qemu_mutex_unlock(&ap->atc->lock);
    return ok;
}

/* Drop a reference taken for work in progress */
static void atc_put(AwdAtc *atc, AwdAtcPasid *ap)
{
    bool last;

    qemu_mutex_lock(&atc->lock);
    last = !--ap->refs;
    qemu_mutex_unlock(&atc->lock);
    if (last) {
        qemu_bh_schedule(atc->gc_bh);
    }
}

static void atc_live_remove(AwdXlateCtx *x, AwdMapping *m)
{
    unsigned i;

    for (i = 0; i < x->nlive; i++) {
        if (x->live[i] == m) {
            x->live[i] = x->live[--x->nlive];
            return;
        }
    }
}

uint32_t awd_atc_map(AwdXlateCtx *x, uint64_t addr, size_t len,
                     bool is_write, AwdMapping *m, uint64_t *fault_addr)
{
    AwdAtc *atc = x->atc;
    AwdAtcPasid *ap;
    uint32_t st = AWD_STS_OK;

    if (len && addr + len - 1 < addr) {
        *fault_addr = addr;
        return AWD_STS_DMA_ERROR;
    }
    if (x->nlive == AWD_XLATE_MAX_LIVE) {
        /* a device bug, not a guest one: fail the request */
        *fault_addr = addr;
        return AWD_STS_DMA_ERROR;
    }
    /*
     * The binding may change under a running descriptor (the guest
     * disabled and re-enabled the queue): use the state this work began
     * with, held by a reference while we translate.
     */
    qemu_mutex_lock(&atc->lock);
    ap = x->bound;
    if (ap && x->nlive && x->live_ap != ap) {
        ap = NULL;
    }
    if (ap) {
        ap->refs++;
    }
    qemu_mutex_unlock(&atc->lock);
    if (!ap) {
        *fault_addr = addr;
        return x->pasid_en || x->nlive ? AWD_STS_FAULT : AWD_ATC_FALLBACK;
    }
    x->live_ap = ap;
    m->atc = true;
    m->addr = addr;
    m->len = len;
    m->gen = UINT64_MAX;
    x->live[x->nlive++] = m;

    /* No waiting for page responses while counted as holding mappings */
    atc_deactivate(x);
    for (;;) {
        uint64_t gen = atc_gen(ap);

        st = atc_rebuild_stale(x, ap, gen, m, fault_addr);
        if (st == AWD_ATC_FALLBACK && x->nlive > 1) {
            /* no mixing: the others are ATC mappings */
            st = AWD_STS_FAULT;
        }
        if (st != AWD_STS_OK) {
            break;
        }
        if (atc_activate(x, ap, gen)) {
            atc_put(atc, ap);
            return AWD_STS_OK;
        }
        /* invalidated while translating: make the stale mappings again */
    }
    atc_release_segs(m, 0);
    atc_live_remove(x, m);
    if (!x->nlive) {
        x->live_ap = NULL;
    }
    m->atc = false;
    if (st == AWD_STS_FAULT) {
        STAT_INC(x->faults);
        trace_accel_wd_atc_fault(ap->pasid, *fault_addr, is_write);
    }
    atc_put(atc, ap);
    return st;
}

uint32_t awd_atc_extend(AwdXlateCtx *x, AwdMapping *m, size_t add,
                        uint64_t *fault_addr)
{
    AwdAtc *atc = x->atc;
    AwdAtcPasid *ap = x->live_ap;
    uint64_t old_len = m->len;
    uint32_t st;

    if (!m->atc || !ap || !add || m->addr + old_len + add - 1 < m->addr) {
        *fault_addr = m->addr + old_len;
        return AWD_STS_DMA_ERROR;
    }
    qemu_mutex_lock(&atc->lock);
    ap->refs++;
    qemu_mutex_unlock(&atc->lock);
    /* As in awd_atc_map: inactive while translating and waiting */
    atc_deactivate(x);
    for (;;) {
        uint64_t gen = atc_gen(ap);

        if (m->gen != gen) {
            m->len = old_len + add;     /* made anew below, grown */
        }
        st = atc_rebuild_stale(x, ap, gen, NULL, fault_addr);
        if (st == AWD_STS_OK && m->len == old_len) {
            unsigned nseg = m->sgl.nseg;

            st = atc_append(x, ap, m, old_len, add, fault_addr);
            if (st == AWD_STS_OK) {
                m->len += add;
            } else {
                /* drop what the failed part added, keep the rest */
                while (m->sgl.nseg > nseg) {
                    unsigned k = --m->sgl.nseg;

                    address_space_unmap(&address_space_memory,
                                        m->sgl.seg[k].base, m->seg_len[k],
                                        m->is_write, 0);
                    m->sgl.total -= m->sgl.seg[k].len;
                }
            }
        }
        if (st != AWD_STS_OK) {
            break;
        }
        if (atc_activate(x, ap, gen)) {
            atc_put(atc, ap);
            return AWD_STS_OK;
        }
    }
    /*
     * The request fails. Its mappings stay live (not active) until the
     * queue unmaps them; the engine only finishes reading.
     */
    if (st == AWD_STS_FAULT) {
        STAT_INC(x->faults);
        trace_accel_wd_atc_fault(ap->pasid, *fault_addr, m->is_write);
    }
    atc_put(atc, ap);
    return st;
}

void awd_atc_unmap(AwdXlateCtx *x, AwdMapping *m, size_t access_len)
{
    atc_release_segs(m, access_len);
    atc_live_remove(x, m);
    m->gen = UINT64_MAX;
    if (!x->nlive) {
        atc_deactivate(x);
        x->live_ap = NULL;
    }
}

/*
 * Does @m reach every byte where @seg (@nseg of them, what it was before
 * being made again) did? The segments may be cut differently (a mapping
 * grown step by step against one made in one go): compare byte by byte.
 */
static bool atc_segs_same(const AwdMapping *m, unsigned nseg,
                          const AwdSeg *seg)
{
    const AwdSeg *a = m->sgl.seg;
    unsigned i = 0, j = 0;
    size_t oi = 0, oj = 0;

    for (;;) {
        size_t n;

        while (i < m->sgl.nseg && oi == a[i].len) {
            i++;
            oi = 0;
        }
        while (j < nseg && oj == seg[j].len) {
            j++;
            oj = 0;
        }
        if (i == m->sgl.nseg || j == nseg) {
            return i == m->sgl.nseg && j == nseg;
        }
        if (a[i].base + oi != seg[j].base + oj) {
            return false;
        }
        n = MIN(a[i].len - oi, seg[j].len - oj);
        oi += n;
        oj += n;
    }
}

bool awd_atc_checkpoint(AwdXlateCtx *x)
{
    AwdAtcPasid *ap = x->live_ap;
    uint64_t fault;

    if (!x->active || !ap || qatomic_read(&ap->gen) == x->active_gen) {
        return true;            /* the usual case: one atomic load */
    }
    trace_accel_wd_atc_checkpoint(ap->pasid, x->active_gen,
                                  qatomic_read(&ap->gen));
    /* let the invalidation complete, then see where the pages are now */
    atc_deactivate(x);
    for (;;) {
        uint64_t gen = atc_gen(ap);
        unsigned i;

        for (i = 0; i < x->nlive; i++) {
            AwdMapping *l = x->live[i];
            g_autofree AwdSeg *was = NULL;
            unsigned nseg = l->sgl.nseg;
            bool same;

            if (l->gen == gen) {
                continue;
            }
            was = g_memdup2(l->sgl.seg, nseg * sizeof(AwdSeg));
            same = atc_build(x, ap, l, gen, &fault) == AWD_STS_OK &&
                   atc_segs_same(l, nseg, was);
            if (!same) {
                /* the engine read or wrote where the page no longer is */
                trace_accel_wd_atc_restart(ap->pasid, l->addr);
                return false;
            }
        }
        if (atc_activate(x, ap, gen)) {
            return true;
        }
    }
}

/* ---- device-TLB invalidation -------------------------------------------- */

static void atc_inv_notify(IOMMUNotifier *n, IOMMUTLBEntry *entry)
{
    AwdAtcPasid *ap = container_of(n, AwdAtcPasid, inv);
    AwdAtc *atc = ap->atc;
    uint64_t first = entry->iova >> ATC_PAGE_BITS;
    uint64_t last = (entry->iova + entry->addr_mask) >> ATC_PAGE_BITS;
    unsigned evicted;
    int64_t t0, waited;

    if (entry->iova + entry->addr_mask < entry->iova) {
        last = UINT64_MAX >> ATC_PAGE_BITS;
    }
    qemu_mutex_lock(&atc->lock);
    evicted = atc_evict(atc, ap->pasid, first, last);
    qatomic_set(&ap->gen, ap->gen + 1);    /* workers poll it unlocked */
    ap->stale = ap->active;
    trace_accel_wd_atc_inv(ap->pasid, entry->iova, entry->addr_mask, evicted,
                           ap->stale);
    /*
     * Mappings made before are in use: wait until they are released.
     * Not until nobody is active: a worker that let go at its checkpoint
     * and mapped its pages anew may be active again before this thread
     * wakes, and would otherwise hold it to the end of its run.
     */
    t0 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    while (ap->stale) {
        qemu_cond_wait(&atc->cond, &atc->lock);
    }
    waited = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) - t0;
    atc->inv_count++;
    atc->inv_wait_sum_ns += waited;
    atc->inv_wait_max_ns = MAX(atc->inv_wait_max_ns, waited);
    qemu_mutex_unlock(&atc->lock);
}

/* ---- per-PASID state ---------------------------------------------------- */

void awd_atc_bind(AwdXlateCtx *x)
{
    AwdAtc *atc = x->atc;
    uint32_t pasid = x->pasid_en ? x->pasid : PCI_SVA_NO_PASID;
    AwdAtcPasid *ap;

    if (x->bound && x->bound->pasid == pasid) {
        return;
    }
    awd_atc_unbind(x);
    if (!atc || !pci_sva_available(atc->pdev)) {
        return;
    }
    qemu_mutex_lock(&atc->lock);
    ap = g_hash_table_lookup(atc->pasids, PASID_KEY(pasid));
    if (ap) {
        ap->refs++;
        x->bound = ap;
        qemu_mutex_unlock(&atc->lock);
        return;
    }
    qemu_mutex_unlock(&atc->lock);

    ap = g_new0(AwdAtcPasid, 1);
    ap->atc = atc;
    ap->pasid = pasid;
    ap->refs = 1;
    ap->pri.notify = awd_pri_notify;
    pci_sva_init_iotlb_notifier(atc->pdev, &ap->inv, atc_inv_notify, ap);
    if (pci_sva_register_iotlb_notifier(atc->pdev, pasid, &ap->inv) < 0) {
        g_free(ap);
        return;
    }
    if (pasid != PCI_SVA_NO_PASID &&
        pci_sva_pri_register_notifier(atc->pdev, pasid, &ap->pri) == 0) {
        ap->pri_registered = true;
    }
    trace_accel_wd_atc_bind(pasid);
    qemu_mutex_lock(&atc->lock);
    g_hash_table_insert(atc->pasids, PASID_KEY(pasid), ap);
    x->bound = ap;
    qemu_mutex_unlock(&atc->lock);
}

void awd_atc_unbind(AwdXlateCtx *x)
{
    AwdAtc *atc = x->atc;

    if (!x->bound) {
        return;
    }
    qemu_mutex_lock(&atc->lock);
    x->bound->refs--;
    x->bound = NULL;
    qemu_mutex_unlock(&atc->lock);
    qemu_bh_schedule(atc->gc_bh);
}

static void atc_pasid_release(AwdAtc *atc, AwdAtcPasid *ap)
{
    trace_accel_wd_atc_unbind(ap->pasid);
    if (ap->pri_registered) {
        pci_sva_pri_unregister_notifier(atc->pdev, ap->pasid);
    }
    pci_sva_unregister_iotlb_notifier(atc->pdev, ap->pasid, &ap->inv);
    qemu_mutex_lock(&atc->lock);
    atc_evict(atc, ap->pasid, 0, UINT64_MAX >> ATC_PAGE_BITS);
    qemu_mutex_unlock(&atc->lock);
    g_free(ap);
}

static gboolean atc_pasid_unused(gpointer key, gpointer value, gpointer data)
{
    AwdAtcPasid *ap = value;

    return !ap->refs && !ap->active;
}

/* Bottom half: drop PASID state no queue uses any more (BQL held) */
static void atc_gc_bh(void *opaque)
{
    AwdAtc *atc = opaque;
    GPtrArray *dead = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;
    guint i;

    qemu_mutex_lock(&atc->lock);
    g_hash_table_iter_init(&it, atc->pasids);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (atc_pasid_unused(key, value, NULL)) {
            g_ptr_array_add(dead, value);
            g_hash_table_iter_remove(&it);
        }
    }
    qemu_mutex_unlock(&atc->lock);
    for (i = 0; i < dead->len; i++) {
        atc_pasid_release(atc, g_ptr_array_index(dead, i));
    }
    g_ptr_array_free(dead, true);
}

/* ---- life cycle --------------------------------------------------------- */

AwdAtc *awd_atc_new(PCIDevice *pdev, const AwdAtcConfig *cfg)
{
    AwdAtc *atc = g_new0(AwdAtc, 1);

    atc->pdev = pdev;
    atc->ats_offset = cfg->ats_offset;
    atc->pri_offset = cfg->pri_offset;
    atc->pri_max = cfg->pri_max_requests;
    atc->pri_batch = MAX(MIN(cfg->pri_batch, AWD_PRI_BATCH_MAX), 1);
    atc->pri_timeout_ms = cfg->pri_timeout_ms;
    atc->check = cfg->check;
    atc->pri_fail_every = cfg->pri_fail_every;
    atc->pri_delay_ms = cfg->pri_delay_ms;
    atc->nsets = MAX(cfg->entries / ATC_WAYS, 1);
    atc->entries = g_new0(AwdAtcEntry, (size_t)atc->nsets * ATC_WAYS);
    qemu_mutex_init(&atc->lock);
    qemu_cond_init(&atc->cond);
    g_queue_init(&atc->send);
    atc->send_bh = qemu_bh_new_guarded(awd_pri_send_bh, atc,
                                       &DEVICE(pdev)->mem_reentrancy_guard);
    atc->gc_bh = qemu_bh_new_guarded(atc_gc_bh, atc,
                                     &DEVICE(pdev)->mem_reentrancy_guard);
    atc->pasids = g_hash_table_new(g_direct_hash, g_direct_equal);
    return atc;
}

/* BQL held, every queue stopped and unbound */
void awd_atc_free(AwdAtc *atc)
{
    GHashTableIter it;
    gpointer key, value;

    if (!atc) {
        return;
    }
    qemu_bh_delete(atc->send_bh);
    qemu_bh_delete(atc->gc_bh);
    g_hash_table_iter_init(&it, atc->pasids);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        g_hash_table_iter_steal(&it);
        atc_pasid_release(atc, value);
    }
    g_hash_table_destroy(atc->pasids);
    g_queue_clear(&atc->send);
    qemu_cond_destroy(&atc->cond);
    qemu_mutex_destroy(&atc->lock);
    g_free(atc->entries);
    g_free(atc);
}

void awd_xlate_visit_stats(AwdXlateCtx *x, Visitor *v, Error **errp)
{
    uint64_t hits = qatomic_read(&x->atc_hits);
    uint64_t misses = qatomic_read(&x->atc_misses);
    uint64_t prs = qatomic_read(&x->page_requests);
    uint64_t groups = qatomic_read(&x->page_groups);
    uint64_t prefetches = qatomic_read(&x->prefetches);
    uint64_t faults = qatomic_read(&x->faults);
    uint64_t stale = qatomic_read(&x->stale_hits);
    uint64_t stray = 0, late = 0;

    if (x->atc) {
        qemu_mutex_lock(&x->atc->lock);
        stray = x->atc->pri_stray;      /* the device's, not the queue's */
        late = x->atc->pri_late;
        qemu_mutex_unlock(&x->atc->lock);
    }

    visit_type_uint64(v, "atc-hits", &hits, errp);
    visit_type_uint64(v, "atc-misses", &misses, errp);
    visit_type_uint64(v, "page-requests", &prs, errp);
    visit_type_uint64(v, "page-groups", &groups, errp);
    visit_type_uint64(v, "page-prefetches", &prefetches, errp);
    visit_type_uint64(v, "faults", &faults, errp);
    visit_type_uint64(v, "stale-hits", &stale, errp);
    visit_type_uint64(v, "stray-responses", &stray, errp);
    visit_type_uint64(v, "late-responses", &late, errp);
}

void awd_atc_inv_stats(AwdAtc *atc, uint64_t out[3], bool reset)
{
    if (!atc) {
        out[0] = out[1] = out[2] = 0;
        return;
    }
    qemu_mutex_lock(&atc->lock);
    out[0] = atc->inv_count;
    out[1] = atc->inv_wait_sum_ns;
    out[2] = atc->inv_wait_max_ns;
    if (reset) {
        atc->inv_count = atc->inv_wait_sum_ns = atc->inv_wait_max_ns = 0;
    }
    qemu_mutex_unlock(&atc->lock);
}
