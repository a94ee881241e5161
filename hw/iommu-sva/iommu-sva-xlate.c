/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: translation. Scalable-mode root and context entries, the
 * PASID directory and table, first-stage paging in the x86-64 format with
 * Accessed/Dirty updated atomically, pass-through; the per-device address
 * spaces QEMU's PCI core asks for; the caches and their invalidation.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/lockable.h"
#include "qemu/rcu_queue.h"
#include "qapi/error.h"
#include "exec/address-spaces.h"
#include "system/dma.h"
#include "hw/pci/pci_bus.h"
#include "iommu-sva.h"
#include "trace.h"

/* Retries of a walk whose entry changed under an A/D update */
#define SVA_AD_RETRIES          8

static uint64_t sva_haw_rsvd(IOMMUSVAState *s)
{
    return s->p.aw_bits >= 52 ? 0 : SVA_MASK(51, s->p.aw_bits);
}

static bool sva_beyond_haw(IOMMUSVAState *s, uint64_t addr)
{
    return s->p.aw_bits < 64 && (addr >> s->p.aw_bits) != 0;
}

/*
 * Read a naturally aligned table entry of @n 64-bit words. Tables live in
 * RAM: an entry anywhere else (MMIO, nothing) is an access error, so a
 * walk never re-enters a device model. Each word is one atomic load, as
 * hardware reads it.
 */
static bool sva_read_quads(hwaddr addr, uint64_t *q, unsigned n)
{
    hwaddr xlat, len = n * sizeof(uint64_t);
    MemoryRegion *mr;
    uint64_t *p;
    unsigned i;

    if (addr & (sizeof(uint64_t) - 1)) {
        return false;
    }
    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, addr, &xlat, &len,
                                 false, MEMTXATTRS_UNSPECIFIED);
    if (len < n * sizeof(uint64_t) || !memory_region_is_ram(mr) ||
        (xlat & (sizeof(uint64_t) - 1))) {
        return false;
    }
    /* a DMA read: QEMU's generic-fuzz fills it (a no-op unless fuzzing) */
    fuzz_dma_read_cb(addr, n * sizeof(uint64_t), mr);
    p = (uint64_t *)((uint8_t *)memory_region_get_ram_ptr(mr) + xlat);
    for (i = 0; i < n; i++) {
        q[i] = le64_to_cpu(qatomic_read__nocheck(&p[i]));
    }
    return true;
}

/*
 * Atomically replace a paging entry in guest RAM, as the CPU does for
 * Accessed/Dirty. Returns false if the entry is not in writable RAM;
 * *raced is set if the entry no longer held @old.
 */
static bool sva_pte_cmpxchg(hwaddr addr, uint64_t old, uint64_t new,
                            bool *raced)
{
    MemoryRegion *mr;
    hwaddr xlat, len = sizeof(uint64_t);
    uint64_t *p, cur;

    *raced = false;
    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, addr, &xlat, &len,
                                 true, MEMTXATTRS_UNSPECIFIED);
    if (len < sizeof(uint64_t) || !memory_region_is_ram(mr) ||
        mr->readonly || memory_region_is_romd(mr) || (xlat & 7)) {
        return false;
    }
    p = (uint64_t *)((uint8_t *)memory_region_get_ram_ptr(mr) + xlat);
    cur = qatomic_cmpxchg__nocheck(p, cpu_to_le64(old), cpu_to_le64(new));
    if (cur != cpu_to_le64(old)) {
        *raced = true;
        return true;
    }
    memory_region_set_dirty(mr, xlat, sizeof(uint64_t));
    return true;
}

/* 3.4.3 Scalable-mode root and context entries */
static uint8_t sva_get_context(IOMMUSVAState *s, uint16_t sid, uint64_t *ce)
{
    uint64_t root = s->root;
    uint8_t devfn = sid & 0xff;
    uint64_t re[2], r;
    hwaddr addr;

    if ((root & SVA_RTADDR_TTM_MASK) != SVA_RTADDR_TTM_SM ||
        sva_beyond_haw(s, root & SVA_RTADDR_ADDR_MASK)) {
        return SVA_FR_SM_RTADDR_INV;
    }
    addr = (root & SVA_RTADDR_ADDR_MASK) + (sid >> 8) * SVA_ROOT_ENTRY_SIZE;
    if (!sva_read_quads(addr, re, 2)) {
        return SVA_FR_SM_ROOT_ACCESS;
    }
    r = devfn < 128 ? re[0] : re[1];
    if (!(r & SVA_ROOT_LP)) {
        return SVA_FR_SM_ROOT_P;
    }
    if ((r & SVA_ROOT_RSVD) || sva_beyond_haw(s, r & SVA_ROOT_CTP_MASK)) {
        return SVA_FR_SM_ROOT_RSVD;
    }
    addr = (r & SVA_ROOT_CTP_MASK) + (devfn & 0x7f) * SVA_CTX_ENTRY_SIZE;
    if (!sva_read_quads(addr, ce, 4)) {
        return SVA_FR_SM_CTX_ACCESS;
    }
    if (!(ce[0] & SVA_CTX_LO_P)) {
        return SVA_FR_SM_CTX_P;
    }
    /* The upper 128 bits are all reserved */
    if ((ce[0] & SVA_CTX_LO_RSVD) || (ce[1] & SVA_CTX_HI_RSVD) || ce[2] ||
        ce[3] || sva_beyond_haw(s, ce[0] & SVA_CTX_LO_PASIDDIR)) {
        return SVA_FR_SM_CTX_RSVD;
    }
    return SVA_FR_NONE;
}

/* 3.4.3 PASID directory and table */
static uint8_t sva_get_pasid_entry(IOMMUSVAState *s, const uint64_t *ce,
                                   uint32_t pasid, uint64_t *pe, bool *fpd)
{
    unsigned pdts = (ce[0] & SVA_CTX_LO_PDTS_MASK) >> SVA_CTX_LO_PDTS_SHIFT;
    uint64_t dir_entries = 1ULL << (pdts + 7);
    uint64_t de;
    hwaddr addr;
    unsigned pgtt;

    if ((pasid >> s->p.pasid_bits) ||
        (pasid >> SVA_PASID_TBL_SHIFT) >= dir_entries) {
        return SVA_FR_SM_CTX_PASID_BIG;
    }
    addr = (ce[0] & SVA_CTX_LO_PASIDDIR) +
           (pasid >> SVA_PASID_TBL_SHIFT) * SVA_PDIR_ENTRY_SIZE;
    if (!sva_read_quads(addr, &de, 1)) {
        return SVA_FR_SM_PDIR_ACCESS;
    }
    if (!(de & SVA_PDIR_P)) {
        *fpd |= !!(de & SVA_PDIR_FPD);
        return SVA_FR_SM_PDIR_P;
    }
    if ((de & SVA_PDIR_RSVD) ||
        sva_beyond_haw(s, de & SVA_PDIR_PTP)) {
        return SVA_FR_SM_PDIR_RSVD;
    }
    addr = (de & SVA_PDIR_PTP) +
           (pasid & ((1u << SVA_PASID_TBL_SHIFT) - 1)) * SVA_PASID_ENTRY_SIZE;
    if (!sva_read_quads(addr, pe, 8)) {
        return SVA_FR_SM_PTE_ACCESS;
    }
    if (!(pe[0] & SVA_PE0_P)) {
        *fpd |= !!(pe[0] & SVA_PE0_FPD);
        return SVA_FR_SM_PTE_P;
    }
    *fpd |= !!(pe[0] & SVA_PE0_FPD);
    /* Words 3..7 hold nothing first-stage or pass-through uses */
    if (pe[3] | pe[4] | pe[5] | pe[6] | pe[7]) {
        return SVA_FR_SM_PTE_RSVD;
    }
    pgtt = (pe[0] & SVA_PE0_PGTT_MASK) >> SVA_PE0_PGTT_SHIFT;
    switch (pgtt) {
    case SVA_PGTT_FL: {
        unsigned flpm = (pe[2] & SVA_PE2_FLPM_MASK) >> SVA_PE2_FLPM_SHIFT;

        if (flpm > 1 || (flpm == 1 && !s->p.fl5lp)) {
            return SVA_FR_SM_PTE_INV;
        }
        if (sva_beyond_haw(s, pe[2] & SVA_PE2_FLPTR_MASK)) {
            return SVA_FR_SM_PTE_RSVD;
        }
        break;
    }
    case SVA_PGTT_PT:
        if (!(s->ecap & SVA_ECAP_PT)) {
            return SVA_FR_SM_PTE_INV;
        }
        break;
    default:
        return SVA_FR_SM_PTE_INV;
    }
    return SVA_FR_NONE;
}

/* 3.6.2 Access rights of a first-stage translation for one request */
static uint8_t sva_fl_access(const uint64_t *pe, const SVAXlateReq *req,
                             const SVAIotlbEntry *e, bool *can_write)
{
    if (!req->priv && !e->us) {
        return SVA_FR_FS_US;
    }
    if (req->exec && e->xd) {
        return SVA_FR_FS_XD;
    }
    if (req->exec && req->priv && e->us && (pe[2] & SVA_PE2_SMEP)) {
        return SVA_FR_FS_XD;
    }
    *can_write = e->rw || (req->priv && !(pe[2] & SVA_PE2_WPE));
    if (req->write && !*can_write) {
        return SVA_FR_FS_WRITE;
    }
    return SVA_FR_NONE;
}

/* Does the request set Dirty (write, or ATS granting write)? */
static bool sva_wants_dirty(const SVAXlateReq *req, bool can_write)
{
    return can_write && !req->no_write && (req->write || req->ats);
}

static void sva_fl_result(const SVAXlateReq *req, const SVAIotlbEntry *e,
                          bool can_write, SVAXlateResult *res)
{
    res->iova = e->iova;
    res->mask = e->mask;
    res->phys = e->phys;
    res->read = true;
    res->write = can_write && e->dirty && !req->no_write;
    res->exec = !e->xd;
    res->priv = !e->us;
}

/* 3.6 First-stage walk; Accessed/Dirty set once the rights are checked */
static uint8_t sva_fl_walk(IOMMUSVAState *s, const uint64_t *pe,
                           const SVAXlateReq *req, SVAIotlbEntry *out,
                           bool *can_write)
{
    int levels = ((pe[2] & SVA_PE2_FLPM_MASK) >> SVA_PE2_FLPM_SHIFT) ? 5 : 4;
    uint64_t va = req->addr;
    uint64_t haw_rsvd = sva_haw_rsvd(s);
    hwaddr ptes_addr[5];
    uint64_t ptes[5];
    int tries;

    for (tries = 0; tries < SVA_AD_RETRIES; tries++) {
        uint64_t table = pe[2] & SVA_PE2_FLPTR_MASK;
        SVAIotlbEntry e = { .rw = true, .us = true };
        bool raced = false;
        int level, n = 0, i;
        unsigned shift = 0;
        uint8_t fr;

        for (level = levels; level >= 1; level--) {
            uint64_t pte;
            hwaddr addr;

            shift = SVA_PAGE_SHIFT + SVA_FL_LEVEL_BITS * (level - 1);
            addr = table + ((va >> shift) & 0x1ff) * sizeof(uint64_t);
            if (!sva_read_quads(addr, &pte, 1)) {
                return SVA_FR_FS_ACCESS;
            }
            trace_iommu_sva_fl_pte(level, addr, pte);
            if (!(pte & SVA_FL_P)) {
                return SVA_FR_FS_P;
            }
            if (pte & haw_rsvd) {
                return SVA_FR_FS_RSVD;
            }
            if ((pte & SVA_FL_PS) && level > 1) {
                if (level >= 4 || (level == 3 && !s->p.fl1gp)) {
                    return SVA_FR_FS_RSVD;
                }
                /* PAT is bit 12; the bits up to the page size are zero */
                if (pte & SVA_MASK(shift - 1, 13)) {
                    return SVA_FR_FS_RSVD;
                }
            }
            e.rw &= !!(pte & SVA_FL_RW);
            e.us &= !!(pte & SVA_FL_US);
            e.xd |= !!(pte & SVA_FL_XD);
            ptes_addr[n] = addr;
            ptes[n++] = pte;
            if (level == 1 || (pte & SVA_FL_PS)) {
                break;
            }
            table = pte & SVA_FL_ADDR_MASK;
        }

        fr = sva_fl_access(pe, req, &e, can_write);
        if (fr) {
            return fr;
        }

        /* 3.6.3 Accessed on every entry used, Dirty on the leaf */
        for (i = 0; i < n && !raced; i++) {
            uint64_t want = ptes[i] | SVA_FL_A;

            if (i == n - 1 && sva_wants_dirty(req, *can_write)) {
                want |= SVA_FL_D;
            }
            if (want == ptes[i]) {
                continue;
            }
            if (!sva_pte_cmpxchg(ptes_addr[i], ptes[i], want, &raced)) {
                return SVA_FR_FS_AD_UPDATE;
            }
            if (!raced) {
                ptes[i] = want;
                trace_iommu_sva_fl_ad(ptes_addr[i], want);
            }
        }
        if (raced) {
            continue;
        }
        e.mask = (1ULL << shift) - 1;
        e.iova = va & ~e.mask;
        e.phys = ptes[n - 1] & SVA_FL_ADDR_MASK & ~e.mask;
        e.dirty = !!(ptes[n - 1] & SVA_FL_D);
        *out = e;
        return SVA_FR_NONE;
    }
    return SVA_FR_FS_AD_UPDATE;
}

static uint8_t sva_first_stage(IOMMUSVAState *s, const uint64_t *pe,
                               const SVAXlateReq *req, SVAXlateResult *res,
                               uint64_t gen, const SVAIotlbEntry *hit)
{
    int vbits = ((pe[2] & SVA_PE2_FLPM_MASK) >> SVA_PE2_FLPM_SHIFT) ? 57 : 48;
    uint64_t va = req->addr;
    SVAIotlbEntry e;
    bool can_write;
    uint8_t fr;

    if ((uint64_t)(((int64_t)(va << (64 - vbits))) >> (64 - vbits)) != va) {
        return SVA_FR_FS_NON_CANONICAL;
    }
    if (req->priv && !(pe[2] & SVA_PE2_SRE)) {
        return SVA_FR_SM_PTE_SRE;
    }

    if (hit) {
        e = *hit;
    }
    if (hit || iommu_sva_iotlb_lookup(s, res->did, res->pasid, va, &e)) {
        fr = sva_fl_access(pe, req, &e, &can_write);
        /*
         * An ATS request wants the best permission the tables give, and
         * Linux makes a page writable (copy-on-write break) without any
         * invalidation: a read-only cached answer must be walked again.
         */
        if (!fr && req->ats && !req->no_write && !can_write) {
            fr = SVA_FR_FS_WRITE;
        }
        if (!fr && (e.dirty || !sva_wants_dirty(req, can_write))) {
            trace_iommu_sva_iotlb_hit(res->did, res->pasid, va);
            sva_fl_result(req, &e, can_write, res);
            return SVA_FR_NONE;
        }
        /* Refused or needs Dirty: drop and walk the tables again */
        iommu_sva_iotlb_drop(s, &e);
    }

    fr = sva_fl_walk(s, pe, req, &e, &can_write);
    if (fr) {
        return fr;
    }
    e.did = res->did;
    e.pasid = res->pasid;
    iommu_sva_iotlb_insert(s, &e, gen);
    sva_fl_result(req, &e, can_write, res);
    return SVA_FR_NONE;
}

void iommu_sva_xlate(IOMMUSVAState *s, const SVAXlateReq *req,
                     SVAXlateResult *res)
{
    uint64_t gen = iommu_sva_cache_gen(s);
    uint64_t ce[4], pe[8];
    uint32_t pasid = req->pasid;
    SVAIotlbEntry hit;
    unsigned pgtt, hits;
    uint8_t fr;

    memset(res, 0, sizeof(*res));
    res->pasid = pasid;

    hits = iommu_sva_cache_lookup(s, req->sid, pasid, req->addr, ce, pe,
                                  &hit);
    if (!(hits & SVA_HIT_CTX)) {
        fr = sva_get_context(s, req->sid, ce);
        if (fr) {
            goto fault;
        }
        iommu_sva_ctx_insert(s, req->sid, ce, gen);
    }
    res->fpd = !!(ce[0] & SVA_CTX_LO_FPD);
    if (req->ats && !(ce[0] & SVA_CTX_LO_DTE)) {
        fr = SVA_FR_SM_CTX_DTE;
        goto fault;
    }
    if (pasid == SVA_NO_PASID) {
        pasid = (s->ecap & SVA_ECAP_RPS) ? (ce[1] & SVA_CTX_HI_RID_PASID) : 0;
    } else if (!(ce[0] & SVA_CTX_LO_PASIDE)) {
        fr = SVA_FR_SM_CTX_PASIDE;
        goto fault;
    }
    res->pasid = pasid;

    if (!(hits & SVA_HIT_PASID)) {
        fr = sva_get_pasid_entry(s, ce, pasid, pe, &res->fpd);
        if (fr) {
            goto fault;
        }
        iommu_sva_pasid_insert(s, req->sid, pasid, pe, gen);
    }
    res->fpd |= !!(pe[0] & SVA_PE0_FPD);
    res->did = pe[1] & SVA_PE1_DID_MASK;
    pgtt = (pe[0] & SVA_PE0_PGTT_MASK) >> SVA_PE0_PGTT_SHIFT;
    if (pgtt == SVA_PGTT_PT) {
        if (sva_beyond_haw(s, req->addr)) {
            fr = SVA_FR_ADDR_BEYOND_HAW;
            goto fault;
        }
        if (req->pasid != SVA_NO_PASID) {
            /*
             * 3.14: a request with PASID through pass-through must not
             * reach the interrupt range, so neither may a cached answer:
             * page-sized entries. Without PASID the MSI window sits in
             * front of the translated region, one entry covers it all.
             */
            if (req->addr >= SVA_MSI_BASE &&
                req->addr < SVA_MSI_BASE + SVA_MSI_SIZE) {
                fr = SVA_FR_INTERRUPT_ADDR;
                goto fault;
            }
            res->mask = SVA_PAGE_SIZE - 1;
        } else {
            res->mask = (1ULL << s->p.aw_bits) - 1;
        }
        res->iova = req->addr & ~res->mask;
        res->phys = res->iova;
        res->read = res->exec = res->priv = true;
        res->write = !req->no_write;
        trace_iommu_sva_xlate(req->sid, pasid, req->addr, req->addr,
                              res->write);
        return;
    }
    fr = sva_first_stage(s, pe, req, res, gen,
                         (hits & SVA_HIT_IOTLB) ? &hit : NULL);
    if (fr) {
        goto fault;
    }
    trace_iommu_sva_xlate(req->sid, pasid, req->addr,
                          res->phys | (req->addr & res->mask), res->write);
    return;

fault:
    res->fault = fr;
    res->read = res->write = res->exec = false;
    trace_iommu_sva_xlate_fault(req->sid, req->pasid, req->addr, fr);
}

/* Page requests need a present context entry with PRE set */
bool iommu_sva_page_request_allowed(IOMMUSVAState *s, uint16_t rid)
{
    uint64_t ce[4];

    return sva_get_context(s, rid, ce) == SVA_FR_NONE &&
           (ce[0] & SVA_CTX_LO_PRE);
}

/* IOMMU memory region: requests without PASID from ordinary devices */

uint16_t iommu_sva_space_sid(IOMMUSVASpace *sp)
{
    return PCI_BUILD_BDF(pci_bus_num(sp->bus), sp->devfn);
}

static IOMMUTLBEntry sva_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                   IOMMUAccessFlags flag, int iommu_idx)
{
    IOMMUSVASpace *sp = container_of(iommu, IOMMUSVASpace, iommu);
    IOMMUSVAState *s = sp->s;
    IOMMUTLBEntry e = {
        .target_as = &address_space_memory,
        .iova = addr & ~(SVA_PAGE_SIZE - 1),
        .translated_addr = addr & ~(SVA_PAGE_SIZE - 1),
        .addr_mask = SVA_PAGE_SIZE - 1,
        .perm = IOMMU_NONE,
    };
    SVAXlateReq req = {
        .sid = iommu_sva_space_sid(sp),
        .pasid = SVA_NO_PASID,
        .addr = addr,
        .write = !!(flag & IOMMU_WO),
        .read = !(flag & IOMMU_WO) || (flag & IOMMU_RO),
    };
    SVAXlateResult res;

    if (!qatomic_read(&s->te)) {
        e.perm = IOMMU_RW;
        return e;
    }
    iommu_sva_xlate(s, &req, &res);
    if (res.fault) {
        if (!res.fpd) {
            iommu_sva_report_fault(s, &req, res.fault);
        }
        return e;
    }
    e.iova = res.iova;
    e.translated_addr = res.phys;
    e.addr_mask = res.mask;
    e.perm = (res.read ? IOMMU_RO : 0) | (res.write ? IOMMU_WO : 0);
    return e;
}

static int sva_notify_flag_changed(IOMMUMemoryRegion *iommu,
                                   IOMMUNotifierFlag old,
                                   IOMMUNotifierFlag new, Error **errp)
{
    if (new & IOMMU_NOTIFIER_MAP) {
        error_setg(errp, "iommu-sva does not support MAP notifiers "
                   "(device assignment); use intel-iommu,caching-mode=on");
        return -EINVAL;
    }
    return 0;
}

static uint64_t sva_space_key(PCIBus *bus, int devfn)
{
    return ((uint64_t)(uintptr_t)bus << 8) | (devfn & 0xff);
}

static AddressSpace *sva_get_address_space(PCIBus *bus, void *opaque,
                                           int devfn)
{
    IOMMUSVAState *s = opaque;
    uint64_t key = sva_space_key(bus, devfn);
    IOMMUSVASpace *sp;
    g_autofree char *name = NULL;
    g_autofree char *iommu_name = NULL;

    /* Devices' worker threads look up (pci-sva.h); creation is under BQL */
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        sp = g_hash_table_lookup(s->spaces, &key);
    }
    if (sp) {
        return &sp->as;
    }

    name = g_strdup_printf("iommu-sva-%02x.%x", PCI_SLOT(devfn),
                           PCI_FUNC(devfn));
    iommu_name = g_strdup_printf("%s-dmar", name);
    sp = g_new0(IOMMUSVASpace, 1);
    sp->s = s;
    sp->bus = bus;
    sp->devfn = devfn;
    sp->key = key;
    iommu_sva_ep_space_init(sp);

    memory_region_init(&sp->root, OBJECT(s), name, UINT64_MAX);
    memory_region_init_iommu(&sp->iommu, sizeof(sp->iommu),
                             TYPE_IOMMU_SVA_MEMORY_REGION, OBJECT(s),
                             iommu_name, UINT64_MAX);
    memory_region_init_alias(&sp->nodmar, OBJECT(s), "iommu-sva-nodmar",
                             get_system_memory(), 0,
                             memory_region_size(get_system_memory()));
    memory_region_init_alias(&sp->msi, OBJECT(s), "iommu-sva-msi",
                             get_system_memory(), SVA_MSI_BASE,
                             SVA_MSI_SIZE);
    memory_region_add_subregion_overlap(&sp->root, 0,
                                        MEMORY_REGION(&sp->iommu), 0);
    memory_region_add_subregion_overlap(&sp->root, 0, &sp->nodmar, 0);
    memory_region_add_subregion_overlap(&sp->root, SVA_MSI_BASE, &sp->msi,
                                        1);
    memory_region_set_enabled(&sp->nodmar, !s->te);
    memory_region_set_enabled(MEMORY_REGION(&sp->iommu), s->te);
    address_space_init(&sp->as, &sp->root, name);

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        g_hash_table_insert(s->spaces, &sp->key, sp);
        QLIST_INSERT_HEAD_RCU(&s->space_list, sp, next);
    }
    return &sp->as;
}

const PCIIOMMUOps iommu_sva_pci_ops = {
    .get_address_space = sva_get_address_space,
};

IOMMUSVASpace *iommu_sva_find_space(IOMMUSVAState *s, PCIBus *bus,
                                    int devfn)
{
    uint64_t key = sva_space_key(bus, devfn);

    QEMU_LOCK_GUARD(&s->lock);
    return g_hash_table_lookup(s->spaces, &key);
}

void iommu_sva_switch_spaces(IOMMUSVAState *s)
{
    IOMMUSVASpace *sp;

    memory_region_transaction_begin();
    QLIST_FOREACH(sp, &s->space_list, next) {
        memory_region_set_enabled(&sp->nodmar, !s->te);
        memory_region_set_enabled(MEMORY_REGION(&sp->iommu), s->te);
    }
    memory_region_transaction_commit();
}

/* Tell IOMMU notifiers (vhost's device IOTLB) about invalidations */
void iommu_sva_notify_unmap(IOMMUSVAState *s, int did, uint32_t pasid,
                            uint64_t first, uint64_t last)
{
    IOMMUSVASpace *sp;

    QLIST_FOREACH(sp, &s->space_list, next) {
        IOMMUNotifier *n;

        IOMMU_NOTIFIER_FOREACH(n, &sp->iommu) {
            uint64_t f = MAX(first, n->start), l = MIN(last, n->end);
            IOMMUTLBEvent ev = {
                .type = (n->notifier_flags & IOMMU_NOTIFIER_DEVIOTLB_UNMAP) ?
                        IOMMU_NOTIFIER_DEVIOTLB_UNMAP : IOMMU_NOTIFIER_UNMAP,
                .entry = {
                    .target_as = &address_space_memory,
                    .iova = f,
                    .addr_mask = l - f,
                    .perm = IOMMU_NONE,
                },
            };

            if (f > l) {
                continue;
            }
            memory_region_notify_iommu_one(n, &ev);
        }
    }
}

static void sva_iommu_memory_region_class_init(ObjectClass *klass,
                                               void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = sva_translate;
    imrc->notify_flag_changed = sva_notify_flag_changed;
}

static const TypeInfo sva_iommu_memory_region_info = {
    .parent = TYPE_IOMMU_MEMORY_REGION,
    .name = TYPE_IOMMU_SVA_MEMORY_REGION,
    .class_init = sva_iommu_memory_region_class_init,
};

static void sva_xlate_register_types(void)
{
    type_register_static(&sva_iommu_memory_region_info);
}

type_init(sva_xlate_register_types)
