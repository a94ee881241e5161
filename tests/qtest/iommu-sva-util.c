/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers of the iommu-sva qtests (see iommu-sva-util.h).
 */
#include "qemu/osdep.h"
#include "iommu-sva-util.h"

/* Unit registers */

uint64_t rdq(T *t, uint64_t reg)
{
    return qtest_readq(t->qts, IOMMU_SVA_MMIO_BASE + reg);
}

uint32_t rdl(T *t, uint64_t reg)
{
    return qtest_readl(t->qts, IOMMU_SVA_MMIO_BASE + reg);
}

void wrq(T *t, uint64_t reg, uint64_t v)
{
    qtest_writeq(t->qts, IOMMU_SVA_MMIO_BASE + reg, v);
}

void wrl(T *t, uint64_t reg, uint32_t v)
{
    qtest_writel(t->qts, IOMMU_SVA_MMIO_BASE + reg, v);
}

/* Test device registers */

uint64_t td_rd(T *t, uint64_t reg)
{
    return qpci_io_readq(t->dev, t->bar, reg);
}

void td_wr(T *t, uint64_t reg, uint64_t v)
{
    qpci_io_writeq(t->dev, t->bar, reg, v);
}

int32_t td_cmd(T *t, uint32_t cmd)
{
    qpci_io_writel(t->dev, t->bar, SVA_TD_CMD, cmd);
    return (int32_t)qpci_io_readl(t->dev, t->bar, SVA_TD_STATUS);
}

int32_t td_dma_write(T *t, uint64_t addr, uint64_t val)
{
    td_wr(t, SVA_TD_ADDR, addr);
    td_wr(t, SVA_TD_DATA, val);
    return td_cmd(t, SVA_TD_CMD_DMA_WRITE);
}

int32_t td_dma_read(T *t, uint64_t addr, uint64_t *val)
{
    int32_t r;

    td_wr(t, SVA_TD_ADDR, addr);
    r = td_cmd(t, SVA_TD_CMD_DMA_READ);
    *val = td_rd(t, SVA_TD_DATA);
    return r;
}

/* ATS translation of one page; returns the testdev status */
int32_t td_ats(T *t, uint32_t pasid, uint32_t flags, uint64_t addr)
{
    qpci_io_writel(t->dev, t->bar, SVA_TD_PASID, pasid);
    qpci_io_writel(t->dev, t->bar, SVA_TD_FLAGS, flags);
    td_wr(t, SVA_TD_ADDR, addr);
    td_wr(t, SVA_TD_LEN, SVA_PAGE_SIZE);
    return td_cmd(t, SVA_TD_CMD_ATS);
}

/* Guest memory */

uint64_t page(T *t)
{
    uint64_t a = guest_alloc(&t->qs->alloc, SVA_PAGE_SIZE);

    g_assert_cmphex(a & (SVA_PAGE_SIZE - 1), ==, 0);
    qtest_memset(t->qts, a, 0, SVA_PAGE_SIZE);
    return a;
}

uint64_t aligned_block(T *t, uint64_t size)
{
    uint64_t a = guest_alloc(&t->qs->alloc, 2 * size);

    a = (a + size - 1) & ~(size - 1);
    return a;
}

uint64_t mem_rdq(T *t, uint64_t a)
{
    return qtest_readq(t->qts, a);
}

void mem_wrq(T *t, uint64_t a, uint64_t v)
{
    qtest_writeq(t->qts, a, v);
}

/* Tables */

void td_find(QPCIDevice *dev, int devfn, void *data)
{
    *(QPCIDevice **)data = dev;
}

void set_context(T *t, uint64_t flags, uint32_t rid_pasid)
{
    uint64_t ce = t->ctx + (TD_DEVFN & 0x7f) * SVA_CTX_ENTRY_SIZE;

    /* PDTS 0: 128 directory entries, PASIDs up to 8191 */
    mem_wrq(t, ce + 8, rid_pasid);
    mem_wrq(t, ce, t->pdir | flags | SVA_CTX_LO_P);
}

/* The PASID table entry's address, creating the table if needed */
uint64_t pasid_entry(T *t, uint32_t pasid)
{
    uint64_t de_addr = t->pdir + (pasid >> SVA_PASID_TBL_SHIFT) * 8;
    uint64_t de = mem_rdq(t, de_addr);

    if (!(de & SVA_PDIR_P)) {
        de = page(t) | SVA_PDIR_P;
        mem_wrq(t, de_addr, de);
    }
    return (de & SVA_PDIR_PTP) + (pasid & 63) * SVA_PASID_ENTRY_SIZE;
}

void set_pasid_fl(T *t, uint32_t pasid, uint64_t flptr, bool five,
                  uint64_t pe2_flags)
{
    uint64_t pe = pasid_entry(t, pasid);

    mem_wrq(t, pe + 16, flptr | pe2_flags |
            (five ? 1ULL << SVA_PE2_FLPM_SHIFT : 0));
    mem_wrq(t, pe + 8, TD_DID);
    /* AW as Linux sets it (other VT-d models check it) */
    mem_wrq(t, pe, ((uint64_t)SVA_PGTT_FL << SVA_PE0_PGTT_SHIFT) |
            ((five ? 3ULL : 2ULL) << SVA_PE0_AW_SHIFT) | SVA_PE0_P);
}

void set_pasid_pt(T *t, uint32_t pasid)
{
    uint64_t pe = pasid_entry(t, pasid);

    mem_wrq(t, pe + 8, TD_DID);
    mem_wrq(t, pe, ((uint64_t)SVA_PGTT_PT << SVA_PE0_PGTT_SHIFT) |
            SVA_PE0_P);
}

/*
 * Map @va to @pa in the first-stage tables at @top (@levels deep) with a
 * leaf at @leaf_level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). Returns the leaf
 * entry's address.
 */
uint64_t map(T *t, uint64_t top, int levels, uint64_t va, uint64_t pa,
             int leaf_level, uint64_t leaf_flags)
{
    uint64_t table = top;
    int level;

    for (level = levels; level > leaf_level; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t ea = table + ((va >> shift) & 0x1ff) * 8;
        uint64_t e = mem_rdq(t, ea);

        if (!(e & SVA_FL_P)) {
            e = page(t) | FL_TABLE;
            mem_wrq(t, ea, e);
        }
        table = e & SVA_FL_ADDR_MASK;
    }
    table += ((va >> (12 + 9 * (leaf_level - 1))) & 0x1ff) * 8;
    mem_wrq(t, table, pa | leaf_flags | (leaf_level > 1 ? SVA_FL_PS : 0));
    return table;
}

/* Every entry on the way to @va: returns them top-down in @out */
int walk_entries(T *t, uint64_t top, int levels, uint64_t va,
                 uint64_t *out)
{
    uint64_t table = top;
    int level, n = 0;

    for (level = levels; level >= 1; level--) {
        uint64_t e = mem_rdq(t, table + ((va >> (12 + 9 * (level - 1))) &
                                         0x1ff) * 8);

        out[n++] = e;
        if (level == 1 || (e & SVA_FL_PS)) {
            break;
        }
        table = e & SVA_FL_ADDR_MASK;
    }
    return n;
}

/* Invalidation queue */

void qi_submit(T *t, const uint64_t *d)
{
    uint64_t a = t->iq + (uint64_t)t->iq_tail * 32;
    int i;

    for (i = 0; i < 4; i++) {
        mem_wrq(t, a + i * 8, d[i]);
    }
    t->iq_tail = (t->iq_tail + 1) % IQ_ENTRIES;
    wrq(t, SVA_REG_IQT, (uint64_t)t->iq_tail * 32);
}

uint64_t wait_desc(T *t, uint32_t data)
{
    return SVA_QI_WAIT | SVA_QI_WAIT_SW |
           ((uint64_t)data << SVA_QI_WAIT_DATA_SHIFT);
}

/* A wait descriptor with status write; checks it completed */
void qi_wait(T *t)
{
    uint64_t d[4] = { wait_desc(t, ++t->seq), t->status };

    qi_submit(t, d);
    g_assert_cmphex(qtest_readl(t->qts, t->status), ==, t->seq);
}

void qi_piotlb(T *t, uint32_t pasid, uint64_t addr, unsigned am)
{
    uint64_t d[4] = {
        SVA_QI_PIOTLB |
        ((uint64_t)SVA_QI_PIOTLB_PAGE << SVA_QI_GRAN_SHIFT) |
        ((uint64_t)TD_DID << SVA_QI_DID_SHIFT) |
        ((uint64_t)pasid << SVA_QI_PASID_SHIFT),
        addr | am,
    };

    qi_submit(t, d);
    qi_wait(t);
}

void qi_piotlb_all(T *t, uint32_t pasid)
{
    uint64_t d[4] = {
        SVA_QI_PIOTLB |
        ((uint64_t)SVA_QI_PIOTLB_PASID << SVA_QI_GRAN_SHIFT) |
        ((uint64_t)TD_DID << SVA_QI_DID_SHIFT) |
        ((uint64_t)pasid << SVA_QI_PASID_SHIFT),
    };

    qi_submit(t, d);
    qi_wait(t);
}

/* Setup: q35 + iommu-sva + testdev, root/context tables, QI, TE */

void start(T *t, const char *props, uint64_t ctx_flags)
{
    g_autofree char *dev = g_strdup_printf("iommu-sva%s%s", props ? "," : "",
                                           props ? props : "");

    start_dev(t, dev, "", ctx_flags);
}

/*
 * Any VT-d model with first-stage translation in scalable mode takes the
 * same programming: @iommu is its -device argument.
 */
void start_dev(T *t, const char *iommu, const char *extra, uint64_t ctx_flags)
{
    memset(t, 0, sizeof(*t));
    t->qs = qtest_pc_boot("-M q35 -nodefaults -device %s "
                          "-device iommu-sva-testdev,addr=03.0 %s",
                          iommu, extra);
    t->qts = t->qs->qts;
    qpci_device_foreach(t->qs->pcibus, SVA_TESTDEV_VENDOR_ID,
                        SVA_TESTDEV_DEVICE_ID, td_find, &t->dev);
    g_assert_nonnull(t->dev);
    g_assert_cmpint(t->dev->devfn, ==, TD_DEVFN);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, SVA_TD_ID), ==,
                    SVA_TD_ID_VALUE);

    t->ver = rdl(t, SVA_REG_VER);
    g_assert_cmphex(t->ver, !=, 0);
    t->root = page(t);
    t->ctx = page(t);
    t->pdir = page(t);
    t->iq = page(t);
    t->status = page(t);
    t->events = page(t);
    mem_wrq(t, t->root, t->ctx | SVA_ROOT_LP);
    set_context(t, ctx_flags, 0);

    /* Fault events: message to RAM so the test sees it */
    wrl(t, SVA_REG_FEDATA, EVENT_DATA_FAULT);
    wrl(t, SVA_REG_FEADDR, t->events);
    wrl(t, SVA_REG_FECTL, 0);

    wrq(t, SVA_REG_RTADDR, t->root | SVA_RTADDR_TTM_SM);
    wrl(t, SVA_REG_GCMD, SVA_GCMD_SRTP);
    g_assert_true(rdl(t, SVA_REG_GSTS) & SVA_GSTS_RTPS);
    wrq(t, SVA_REG_IQA, t->iq | SVA_IQA_DW);
    wrq(t, SVA_REG_IQT, 0);
    wrl(t, SVA_REG_GCMD, SVA_GCMD_QIE);
    wrl(t, SVA_REG_GCMD, SVA_GCMD_QIE | SVA_GCMD_TE);
    g_assert_cmphex(rdl(t, SVA_REG_GSTS) & (SVA_GSTS_QIES | SVA_GSTS_TES),
                    ==, SVA_GSTS_QIES | SVA_GSTS_TES);
    qi_wait(t);
}

void stop(T *t)
{
    /* Whatever happened, the unit still answers */
    g_assert_cmphex(rdl(t, SVA_REG_VER), ==, t->ver);
    g_free(t->dev);
    qtest_pc_shutdown(t->qs);
}

/*
 * Expect recorded faults with @reason (QEMU may split a failed DMA into
 * several accesses, each faulting); check the first one's fields, clear
 * them all and check PPF goes away.
 */
void expect_fault(T *t, uint8_t reason, bool write, uint64_t addr,
                  uint32_t pasid)
{
    uint32_t fsts = rdl(t, SVA_REG_FSTS);
    unsigned fri = (fsts & SVA_FSTS_FRI_MASK) >> SVA_FSTS_FRI_SHIFT;
    unsigned nfr = ((rdq(t, SVA_REG_CAP) & SVA_CAP_NFR_MASK) >>
                    SVA_CAP_NFR_SHIFT) + 1;
    uint64_t reg = SVA_REG_FRCD + fri * SVA_FRCD_SIZE;
    uint64_t lo = rdq(t, reg), hi = rdq(t, reg + 8);
    unsigned i;

    g_assert_true(fsts & SVA_FSTS_PPF);
    g_assert_true(hi & SVA_FRCD_HI_F);
    g_assert_cmphex((hi & SVA_FRCD_HI_FR_MASK) >> SVA_FRCD_HI_FR_SHIFT, ==,
                    reason);
    g_assert_cmphex(hi & SVA_FRCD_HI_SID_MASK, ==, TD_SID);
    g_assert_cmpint(!!(hi & SVA_FRCD_HI_T1), ==, !write);
    g_assert_cmphex(lo, ==, addr & SVA_FRCD_LO_FI_MASK);
    if (pasid == SVA_TD_NO_PASID) {
        g_assert_false(hi & SVA_FRCD_HI_PP);
    } else {
        g_assert_true(hi & SVA_FRCD_HI_PP);
        g_assert_cmphex((hi & SVA_FRCD_HI_PV_MASK) >> SVA_FRCD_HI_PV_SHIFT,
                        ==, pasid);
    }
    /* The fault event message reached "the APIC" */
    g_assert_cmphex(qtest_readl(t->qts, t->events), ==, EVENT_DATA_FAULT);
    qtest_writel(t->qts, t->events, 0);

    for (i = 0; i < nfr; i++) {
        reg = SVA_REG_FRCD + i * SVA_FRCD_SIZE;
        hi = rdq(t, reg + 8);
        if (hi & SVA_FRCD_HI_F) {
            g_assert_cmphex((hi & SVA_FRCD_HI_FR_MASK) >>
                            SVA_FRCD_HI_FR_SHIFT, ==, reason);
            wrq(t, reg + 8, SVA_FRCD_HI_F);
        }
    }
    g_assert_false(rdl(t, SVA_REG_FSTS) & SVA_FSTS_PPF);
    /* Clear an overflow of the records too */
    wrl(t, SVA_REG_FSTS, SVA_FSTS_PFO);
}

void expect_no_fault(T *t)
{
    g_assert_false(rdl(t, SVA_REG_FSTS) & (SVA_FSTS_PPF | SVA_FSTS_PFO |
                                            SVA_FSTS_IQE));
}
