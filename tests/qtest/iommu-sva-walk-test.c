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
#include "iommu-sva-util.h"

/* An address in the interrupt range (0xfeex_xxxx) */
#define SVA_TEST_MSI_ADDR   0xfee01000ULL

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

    /*
     * Supervisor request without SRE: Unsupported Request (-EFAULT), not
     * a translation without permission a page request could change;
     * never recorded
     */
    g_assert_cmpint(td_ats(&t, TD_PASID, SVA_TD_F_PRIV, va_sup), ==,
                    -EFAULT);
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
    /* With PASID, pass-through stops short of the interrupt range */
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_MASK), ==, SVA_PAGE_SIZE - 1);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, SVA_TEST_MSI_ADDR), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);
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

    /*
     * A read-only answer is asked again when a request could use write:
     * Linux makes a page writable (copy-on-write reuse) without any
     * invalidation.
     */
    mem_wrq(&t, leaf, p2 | SVA_FL_P | SVA_FL_US);
    qi_piotlb(&t, TD_PASID, va, 0);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO);
    mem_wrq(&t, leaf, p2 | SVA_FL_P | SVA_FL_US | SVA_FL_RW);
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==,
                    PERM_RO | PERM_WO);
    g_assert_true(mem_rdq(&t, leaf) & SVA_FL_D);

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

/* PASID handling in the context entry: PASIDE, PDTS range, RID_PASID */
static void test_pasid_context(void)
{
    T t;
    uint64_t top, p1, p2, va = 0x2000000ULL, v;

    start(&t, NULL, SVA_CTX_LO_DTE);
    top = page(&t);
    p1 = page(&t);
    p2 = page(&t);
    map(&t, top, 4, va, p1, 1, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, TD_PASID, top, false, 0);

    /* Request with PASID but PASIDE clear: refused */
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);

    /* PDTS 0 covers PASIDs below 2^(0 + 7) * 64; beyond: refused */
    set_context(&t, SVA_CTX_LO_DTE | SVA_CTX_LO_PASIDE, 0);
    qi_piotlb_all(&t, TD_PASID);
    {
        uint64_t d[4] = {
            SVA_QI_CC | ((uint64_t)SVA_QI_CC_GLOBAL << SVA_QI_GRAN_SHIFT)
        };
        qi_submit(&t, d);
        qi_wait(&t);
    }
    g_assert_cmpint(td_ats(&t, TD_PASID, 0, va), ==, 1);
    g_assert_cmphex(td_rd(&t, SVA_TD_RES_ADDR), ==, p1);
    g_assert_cmpint(td_ats(&t, 128 * 64, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);
    /* Beyond the unit's PASID width (10 bits) too */
    g_assert_cmpint(td_ats(&t, 1 << 10, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);

    /* RID_PASID: requests without PASID use the context's PASID */
    set_context(&t, SVA_CTX_LO_DTE | SVA_CTX_LO_PASIDE, TD_PASID);
    {
        uint64_t d[4] = {
            SVA_QI_CC | ((uint64_t)SVA_QI_CC_GLOBAL << SVA_QI_GRAN_SHIFT)
        };
        qi_submit(&t, d);
        qi_wait(&t);
    }
    mem_wrq(&t, p1 + 8, 0x77);
    g_assert_cmpint(td_dma_read(&t, va + 8, &v), ==, 0);
    g_assert_cmphex(v, ==, 0x77);
    /* ... and PASID 0 is then just another PASID, here not present */
    map(&t, top, 4, va + SVA_PAGE_SIZE, p2, 1,
        SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    g_assert_cmpint(td_ats(&t, 0, 0, va), ==, 1);
    g_assert_cmpint(qpci_io_readl(t.dev, t.bar, SVA_TD_RES_PERM), ==, 0);
    expect_no_fault(&t);
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
    qtest_add_func("/iommu-sva/walk/pasid-context", test_pasid_context);
    return g_test_run();
}
