/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for iommu-sva without a guest kernel: the test builds root,
 * context, PASID and first-stage tables in guest RAM, programs the unit
 * like a driver, and drives DMA, ATS, PRI and device-TLB invalidation
 * through iommu-sva-testdev. Event messages are pointed at guest RAM so
 * the test can see them.
 */
#include "qemu/osdep.h"
#include "../libqtest.h"
#include "../libqos/libqos-pc.h"
#include "../libqos/pci.h"
#include "hw/iommu-sva/iommu-sva-acpi.h"
#include "hw/iommu-sva/iommu-sva-regs.h"
#include "hw/iommu-sva/iommu-sva-testdev.h"

#define TD_DEVFN            QPCI_DEVFN(3, 0)
#define TD_SID              TD_DEVFN            /* bus 0 */
#define TD_DID              7
#define TD_PASID            5
#define IQ_ENTRIES          (SVA_PAGE_SIZE / 32)  /* QS=0, 256-bit */
#define EVENT_DATA_FAULT    0xfa17
#define EVENT_DATA_PRQ      0x9e40
#define MIB                 (1ULL << 20)
#define GIB                 (1ULL << 30)
/* Flags of a fully permissive non-leaf entry */
#define FL_TABLE            (SVA_FL_P | SVA_FL_RW | SVA_FL_US)
/* IOMMUAccessFlags as the testdev reports them */
#define PERM_RO             1
#define PERM_WO             2

typedef struct T {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t root, ctx, pdir;
    uint64_t iq;
    uint32_t iq_tail;
    uint64_t status;            /* wait descriptor status word */
    uint32_t seq;
    uint64_t events;            /* event messages land here */
} T;

/* Unit registers */

static uint64_t rdq(T *t, uint64_t reg)
{
    return qtest_readq(t->qts, IOMMU_SVA_MMIO_BASE + reg);
}

static uint32_t rdl(T *t, uint64_t reg)
{
    return qtest_readl(t->qts, IOMMU_SVA_MMIO_BASE + reg);
}

static void wrq(T *t, uint64_t reg, uint64_t v)
{
    qtest_writeq(t->qts, IOMMU_SVA_MMIO_BASE + reg, v);
}

static void wrl(T *t, uint64_t reg, uint32_t v)
{
    qtest_writel(t->qts, IOMMU_SVA_MMIO_BASE + reg, v);
}

/* Test device registers */

static uint64_t td_rd(T *t, uint64_t reg)
{
    return qpci_io_readq(t->dev, t->bar, reg);
}

static void td_wr(T *t, uint64_t reg, uint64_t v)
{
    qpci_io_writeq(t->dev, t->bar, reg, v);
}

static int32_t td_cmd(T *t, uint32_t cmd)
{
    qpci_io_writel(t->dev, t->bar, SVA_TD_CMD, cmd);
    return (int32_t)qpci_io_readl(t->dev, t->bar, SVA_TD_STATUS);
}

static int32_t td_dma_write(T *t, uint64_t addr, uint64_t val)
{
    td_wr(t, SVA_TD_ADDR, addr);
    td_wr(t, SVA_TD_DATA, val);
    return td_cmd(t, SVA_TD_CMD_DMA_WRITE);
}

static int32_t td_dma_read(T *t, uint64_t addr, uint64_t *val)
{
    int32_t r;

    td_wr(t, SVA_TD_ADDR, addr);
    r = td_cmd(t, SVA_TD_CMD_DMA_READ);
    *val = td_rd(t, SVA_TD_DATA);
    return r;
}

/* ATS translation of one page; returns the testdev status */
static int32_t td_ats(T *t, uint32_t pasid, uint32_t flags, uint64_t addr)
{
    qpci_io_writel(t->dev, t->bar, SVA_TD_PASID, pasid);
    qpci_io_writel(t->dev, t->bar, SVA_TD_FLAGS, flags);
    td_wr(t, SVA_TD_ADDR, addr);
    td_wr(t, SVA_TD_LEN, SVA_PAGE_SIZE);
    return td_cmd(t, SVA_TD_CMD_ATS);
}

/* Guest memory */

static uint64_t page(T *t)
{
    uint64_t a = guest_alloc(&t->qs->alloc, SVA_PAGE_SIZE);

    g_assert_cmphex(a & (SVA_PAGE_SIZE - 1), ==, 0);
    qtest_memset(t->qts, a, 0, SVA_PAGE_SIZE);
    return a;
}

static uint64_t aligned_block(T *t, uint64_t size)
{
    uint64_t a = guest_alloc(&t->qs->alloc, 2 * size);

    a = (a + size - 1) & ~(size - 1);
    return a;
}

static uint64_t mem_rdq(T *t, uint64_t a)
{
    return qtest_readq(t->qts, a);
}

static void mem_wrq(T *t, uint64_t a, uint64_t v)
{
    qtest_writeq(t->qts, a, v);
}

/* Tables */

static void td_find(QPCIDevice *dev, int devfn, void *data)
{
    *(QPCIDevice **)data = dev;
}

static void set_context(T *t, uint64_t flags, uint32_t rid_pasid)
{
    uint64_t ce = t->ctx + (TD_DEVFN & 0x7f) * SVA_CTX_ENTRY_SIZE;

    /* PDTS 0: 128 directory entries, PASIDs up to 8191 */
    mem_wrq(t, ce + 8, rid_pasid);
    mem_wrq(t, ce, t->pdir | flags | SVA_CTX_LO_P);
}

/* The PASID table entry's address, creating the table if needed */
static uint64_t pasid_entry(T *t, uint32_t pasid)
{
    uint64_t de_addr = t->pdir + (pasid >> SVA_PASID_TBL_SHIFT) * 8;
    uint64_t de = mem_rdq(t, de_addr);

    if (!(de & SVA_PDIR_P)) {
        de = page(t) | SVA_PDIR_P;
        mem_wrq(t, de_addr, de);
    }
    return (de & SVA_PDIR_PTP) + (pasid & 63) * SVA_PASID_ENTRY_SIZE;
}

static void set_pasid_fl(T *t, uint32_t pasid, uint64_t flptr, bool five,
                         uint64_t pe2_flags)
{
    uint64_t pe = pasid_entry(t, pasid);

    mem_wrq(t, pe + 16, flptr | pe2_flags |
            (five ? 1ULL << SVA_PE2_FLPM_SHIFT : 0));
    mem_wrq(t, pe + 8, TD_DID);
    mem_wrq(t, pe, ((uint64_t)SVA_PGTT_FL << SVA_PE0_PGTT_SHIFT) |
            SVA_PE0_P);
}

static void set_pasid_pt(T *t, uint32_t pasid)
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
static uint64_t map(T *t, uint64_t top, int levels, uint64_t va, uint64_t pa,
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
static int walk_entries(T *t, uint64_t top, int levels, uint64_t va,
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

static void qi_submit(T *t, const uint64_t *d)
{
    uint64_t a = t->iq + (uint64_t)t->iq_tail * 32;
    int i;

    for (i = 0; i < 4; i++) {
        mem_wrq(t, a + i * 8, d[i]);
    }
    t->iq_tail = (t->iq_tail + 1) % IQ_ENTRIES;
    wrq(t, SVA_REG_IQT, (uint64_t)t->iq_tail * 32);
}

static uint64_t wait_desc(T *t, uint32_t data)
{
    return SVA_QI_WAIT | SVA_QI_WAIT_SW |
           ((uint64_t)data << SVA_QI_WAIT_DATA_SHIFT);
}

/* A wait descriptor with status write; checks it completed */
static void qi_wait(T *t)
{
    uint64_t d[4] = { wait_desc(t, ++t->seq), t->status };

    qi_submit(t, d);
    g_assert_cmphex(qtest_readl(t->qts, t->status), ==, t->seq);
}

static void qi_piotlb(T *t, uint32_t pasid, uint64_t addr, unsigned am)
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

static void qi_piotlb_all(T *t, uint32_t pasid)
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

static void start(T *t, const char *props, uint64_t ctx_flags)
{
    memset(t, 0, sizeof(*t));
    t->qs = qtest_pc_boot("-M q35 -nodefaults -device iommu-sva%s%s "
                          "-device iommu-sva-testdev,addr=03.0",
                          props ? "," : "", props ? props : "");
    t->qts = t->qs->qts;
    qpci_device_foreach(t->qs->pcibus, SVA_TESTDEV_VENDOR_ID,
                        SVA_TESTDEV_DEVICE_ID, td_find, &t->dev);
    g_assert_nonnull(t->dev);
    g_assert_cmpint(t->dev->devfn, ==, TD_DEVFN);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, SVA_TD_ID), ==,
                    SVA_TD_ID_VALUE);

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

static void stop(T *t)
{
    /* Whatever happened, the unit still answers */
    g_assert_cmphex(rdl(t, SVA_REG_VER), ==, SVA_VER_VALUE);
    g_free(t->dev);
    qtest_pc_shutdown(t->qs);
}

/*
 * Expect recorded faults with @reason (QEMU may split a failed DMA into
 * several accesses, each faulting); check the first one's fields, clear
 * them all and check PPF goes away.
 */
static void expect_fault(T *t, uint8_t reason, bool write, uint64_t addr,
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

static void expect_no_fault(T *t)
{
    g_assert_false(rdl(t, SVA_REG_FSTS) & (SVA_FSTS_PPF | SVA_FSTS_PFO |
                                            SVA_FSTS_IQE));
}

/* First-stage walks */

static void do_walk(int levels)
{
    T t;
    uint64_t va = levels == 5 ? 0x0001234567891000ULL : 0x00007f1234567000ULL;
    uint64_t top, data, ro, e[5], v;
    int n, i;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    top = page(&t);
    data = page(&t);
    ro = page(&t);
    map(&t, top, levels, va, data, 1, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    map(&t, top, levels, va + SVA_PAGE_SIZE, ro, 1, SVA_FL_P | SVA_FL_US);
    set_pasid_fl(&t, 0, top, levels == 5, 0);

    /* Write through the tables (request without PASID: RID_PASID 0) */
    g_assert_cmpint(td_dma_write(&t, va + 0x18, 0x1122334455667788ULL), ==,
                    0);
    g_assert_cmphex(mem_rdq(&t, data + 0x18), ==, 0x1122334455667788ULL);
    n = walk_entries(&t, top, levels, va, e);
    g_assert_cmpint(n, ==, levels);
    for (i = 0; i < n; i++) {
        g_assert_true(e[i] & SVA_FL_A);
    }
    g_assert_true(e[n - 1] & SVA_FL_D);

    /* Read of a read-only page: Accessed, not Dirty */
    mem_wrq(&t, ro + 8, 0xabcdef);
    g_assert_cmpint(td_dma_read(&t, va + SVA_PAGE_SIZE + 8, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xabcdef);
    n = walk_entries(&t, top, levels, va + SVA_PAGE_SIZE, e);
    g_assert_true(e[n - 1] & SVA_FL_A);
    g_assert_false(e[n - 1] & SVA_FL_D);
    expect_no_fault(&t);

    if (levels == 5) {
        /* The same address is not canonical for 4-level paging */
        set_pasid_fl(&t, 0, top, false, 0);
        qi_piotlb_all(&t, 0);
        {
            uint64_t d[4] = {
                SVA_QI_PC | ((uint64_t)SVA_QI_PC_GLOBAL << SVA_QI_GRAN_SHIFT)
            };
            qi_submit(&t, d);
            qi_wait(&t);
        }
        g_assert_cmpint(td_dma_write(&t, va, 1), !=, 0);
        expect_fault(&t, SVA_FR_FS_NON_CANONICAL, true, va,
                     SVA_TD_NO_PASID);
    }
    stop(&t);
}

static void test_walk4(void)
{
    do_walk(4);
}

static void test_walk5(void)
{
    do_walk(5);
}

/* 2 MiB and 1 GiB pages, through ATS so the page size is visible */
static void test_large_pages(void)
{
    T t;
    uint64_t top = 0, pa2m, pa1g = 0x40000000ULL;
    uint64_t va2m = 0x40200000ULL, va1g = 0x80000000ULL;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE);
    top = page(&t);
    pa2m = aligned_block(&t, 2 * MIB);
    map(&t, top, 4, va2m, pa2m, 2, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    /* 1 GiB leaf: no RAM needed for an ATS answer */
    map(&t, top, 4, va1g, pa1g, 3, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, TD_PASID, top, false, 0);

    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_NO_WRITE,
                           va2m + 0x1234f0), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_MASK), ==, 2 * MIB - 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, pa2m);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_IOVA), ==, va2m);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO);

    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va1g + 0x12345000), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_MASK), ==, GIB - 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, pa1g);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO | PERM_WO);

    /* DMA into the 2 MiB page lands at the right offset */
    g_assert_cmpint(td_dma_write(&t, va2m + 0x1ff008, 42), !=, 0);
    expect_fault(&t, SVA_FR_SM_PTE_P, true, va2m + 0x1ff008,
                 SVA_TD_NO_PASID);
    set_pasid_fl(&t, 0, top, false, 0);
    g_assert_cmpint(td_dma_write(&t, va2m + 0x1ff008, 42), ==, 0);
    g_assert_cmphex(mem_rdq(&t, pa2m + 0x1ff008), ==, 42);
    expect_no_fault(&t);
    stop(&t);
}

/* Without FL1GP a 1 GiB leaf is a reserved-bit fault */
static void test_no_1g(void)
{
    T t;
    uint64_t top;

    start(&t, "fl1gp=off", SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE);
    top = page(&t);
    map(&t, top, 4, 0x80000000ULL, 0x40000000ULL, 3,
        SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, 0, top, false, 0);
    g_assert_cmpint(td_dma_write(&t, 0x80000000ULL, 1), !=, 0);
    expect_fault(&t, SVA_FR_FS_RSVD, true, 0x80000000ULL, SVA_TD_NO_PASID);
    stop(&t);
}

/* Permissions: read-only, supervisor-only, SRE, WPE, XD */
static void test_permissions(void)
{
    T t;
    uint64_t top, p1, p2, va_ro = 0x100000000ULL;
    uint64_t va_sup = va_ro + SVA_PAGE_SIZE, va_xd = va_ro + 2 * SVA_PAGE_SIZE;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE);
    top = page(&t);
    p1 = page(&t);
    p2 = page(&t);
    map(&t, top, 4, va_ro, p1, 1, SVA_FL_P | SVA_FL_US);
    map(&t, top, 4, va_sup, p2, 1, SVA_FL_P | SVA_FL_RW);
    map(&t, top, 4, va_xd, p2, 1, SVA_FL_P | SVA_FL_US | SVA_FL_XD);
    set_pasid_fl(&t, 0, top, false, 0);
    set_pasid_fl(&t, TD_PASID, top, false, 0);

    /* Write to a read-only page: recorded, data untouched */
    mem_wrq(&t, p1, 0x5555);
    g_assert_cmpint(td_dma_write(&t, va_ro, 0x6666), !=, 0);
    g_assert_cmphex(mem_rdq(&t, p1), ==, 0x5555);
    expect_fault(&t, SVA_FR_FS_WRITE, true, va_ro, SVA_TD_NO_PASID);

    /* Requests without PASID are user requests: supervisor page refused */
    g_assert_cmpint(td_dma_write(&t, va_sup, 1), !=, 0);
    expect_fault(&t, SVA_FR_FS_US, true, va_sup, SVA_TD_NO_PASID);

    /* Supervisor request without SRE (ATS: refused, never recorded) */
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_PRIV, va_sup), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_ERR_COUNT), ==, 1);
    expect_no_fault(&t);

    /* With SRE: granted; WPE=0 lets a supervisor write read-only pages */
    set_pasid_fl(&t, TD_PASID, top, false, SVA_PE2_SRE);
    qi_piotlb_all(&t, TD_PASID);
    {
        uint64_t d[4] = {
            SVA_QI_PC | ((uint64_t)SVA_QI_PC_PASID << SVA_QI_GRAN_SHIFT) |
            ((uint64_t)TD_DID << SVA_QI_DID_SHIFT) |
            ((uint64_t)TD_PASID << SVA_QI_PASID_SHIFT)
        };
        qi_submit(&t, d);
        qi_wait(&t);
    }
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_PRIV, va_sup), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO | PERM_WO);
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_PRIV, va_ro), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO | PERM_WO);

    /* WPE=1: supervisor write to read-only is refused again */
    set_pasid_fl(&t, TD_PASID, top, false, SVA_PE2_SRE | SVA_PE2_WPE);
    {
        uint64_t d[4] = {
            SVA_QI_PC | ((uint64_t)SVA_QI_PC_GLOBAL << SVA_QI_GRAN_SHIFT)
        };
        qi_submit(&t, d);
        qi_wait(&t);
    }
    qi_piotlb_all(&t, TD_PASID);
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_PRIV, va_ro), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO);

    /* Execute request to an XD page refused, non-execute granted */
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_EXEC, va_xd), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_NO_WRITE, va_xd), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO);
    expect_no_fault(&t);
    stop(&t);
}

/* ATS and Dirty: no-write leaves D clear, a write grant sets it */
static void test_dirty(void)
{
    T t;
    uint64_t top, p, leaf, va = 0x7000000ULL;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE);
    top = page(&t);
    p = page(&t);
    leaf = map(&t, top, 4, va, p, 1, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, TD_PASID, top, false, 0);

    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_NO_WRITE, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO);
    g_assert_true(mem_rdq(&t, leaf) & SVA_FL_A);
    g_assert_false(mem_rdq(&t, leaf) & SVA_FL_D);

    /* Cached non-dirty entry: a write grant walks again and sets D */
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO | PERM_WO);
    g_assert_true(mem_rdq(&t, leaf) & SVA_FL_D);
    stop(&t);
}

/* Pass-through: identity for requests without PASID and with */
static void test_passthrough(void)
{
    T t;
    uint64_t p, v;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE);
    p = page(&t);
    set_pasid_pt(&t, 0);
    g_assert_cmpint(td_dma_write(&t, p + 0x40, 0xfeedULL), ==, 0);
    g_assert_cmphex(mem_rdq(&t, p + 0x40), ==, 0xfeedULL);
    g_assert_cmpint(td_dma_read(&t, p + 0x40, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xfeedULL);

    set_pasid_pt(&t, TD_PASID);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, p + 0x123), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR) |
                    ((p + 0x123) & td_rd(&t, SVA_TD_RES_MASK)), ==, p + 0x123);
    expect_no_fault(&t);
    stop(&t);
}

/* IOTLB: a cached translation survives a PTE change until invalidated */
static void test_iotlb_invalidation(void)
{
    T t;
    uint64_t top, p1, p2, leaf, va = 0x12345000ULL;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE);
    top = page(&t);
    p1 = page(&t);
    p2 = page(&t);
    leaf = map(&t, top, 4, va, p1, 1, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, TD_PASID, top, false, 0);

    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p1);

    /* Remap without invalidation: the IOTLB still answers p1 */
    mem_wrq(&t, leaf, p2 | SVA_FL_P | SVA_FL_RW | SVA_FL_US | SVA_FL_A |
            SVA_FL_D);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p1);

    /* Invalidating another page or another PASID changes nothing */
    qi_piotlb(&t, TD_PASID, va + 2 * SVA_PAGE_SIZE, 0);
    qi_piotlb(&t, TD_PASID + 1, va, 0);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p1);

    /* PASID-based IOTLB invalidation of the page: the new mapping */
    qi_piotlb(&t, TD_PASID, va, 0);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p2);

    /* Domain-selective IOTLB invalidation (type 2) works too */
    mem_wrq(&t, leaf, p1 | SVA_FL_P | SVA_FL_RW | SVA_FL_US | SVA_FL_A |
            SVA_FL_D);
    {
        uint64_t d[4] = {
            SVA_QI_IOTLB |
            ((uint64_t)SVA_QI_IOTLB_DOMAIN << SVA_QI_GRAN_SHIFT) |
            ((uint64_t)TD_DID << SVA_QI_DID_SHIFT)
        };
        qi_submit(&t, d);
        qi_wait(&t);
    }
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p1);

    /* Not-present entries are never cached */
    mem_wrq(&t, leaf, 0);
    qi_piotlb(&t, TD_PASID, va, 0);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);
    mem_wrq(&t, leaf, p2 | SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p2);
    stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/iommu-sva/walk/4-level", test_walk4);
    qtest_add_func("/iommu-sva/walk/5-level", test_walk5);
    qtest_add_func("/iommu-sva/walk/large-pages", test_large_pages);
    qtest_add_func("/iommu-sva/walk/no-1g-pages", test_no_1g);
    qtest_add_func("/iommu-sva/walk/permissions", test_permissions);
    qtest_add_func("/iommu-sva/walk/dirty", test_dirty);
    qtest_add_func("/iommu-sva/walk/pass-through", test_passthrough);
    qtest_add_func("/iommu-sva/iotlb/invalidation", test_iotlb_invalidation);
    return g_test_run();
}
