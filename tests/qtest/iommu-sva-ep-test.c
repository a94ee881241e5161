/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for iommu-sva's endpoint side and its error paths, without a guest
 * kernel: page requests written to the page request queue with the event
 * message, page group responses delivered to the device, device-TLB
 * invalidations reaching the device before the following wait completes,
 * queue overflow, and malformed tables and descriptors producing the
 * defined fault or error with QEMU still running.
 */
#include "qemu/osdep.h"
#include "iommu-sva-util.h"

#define PRQ_ENTRIES         (SVA_PAGE_SIZE / SVA_PRQ_DESC_SIZE)
#define EVENT_PRQ_OFF       8           /* PRQ message in the events page */
#define TEST_PRGI           0x1a5
#define TEST_ADDR           0x70001000ULL
/* Guest-physical addresses with nothing behind them (HAW is 48) */
#define NO_RAM              0x7f0000000000ULL
#define BH_POLLS            100

static uint64_t prq_setup(T *t)
{
    uint64_t q = page(t);

    wrq(t, SVA_REG_PQH, 0);
    wrq(t, SVA_REG_PQA, q);             /* PQS 0: one page */
    wrl(t, SVA_REG_PEDATA, EVENT_DATA_PRQ);
    wrl(t, SVA_REG_PEADDR, t->events + EVENT_PRQ_OFF);
    wrl(t, SVA_REG_PECTL, 0);
    return q;
}

static void td_register(T *t, uint32_t pasid)
{
    qpci_io_writel(t->dev, t->bar, SVA_TD_PASID, pasid);
    g_assert_cmpint(td_cmd(t, SVA_TD_CMD_REGISTER), ==, 0);
}

static int32_t td_pri(T *t, uint32_t pasid, uint32_t flags, uint64_t addr,
                      uint16_t prgi)
{
    qpci_io_writel(t->dev, t->bar, SVA_TD_PASID, pasid);
    qpci_io_writel(t->dev, t->bar, SVA_TD_FLAGS, flags);
    td_wr(t, SVA_TD_ADDR, addr);
    td_wr(t, SVA_TD_DATA, prgi);
    return td_cmd(t, SVA_TD_CMD_PRI);
}

static uint32_t td_rdl(T *t, uint64_t reg)
{
    return qpci_io_readl(t->dev, t->bar, reg);
}

/* Responses the unit makes itself arrive from a bottom half */
static void wait_pri_count(T *t, uint32_t count)
{
    int i;

    for (i = 0; i < BH_POLLS && td_rdl(t, SVA_TD_PRI_COUNT) < count; i++) {
        qtest_clock_step(t->qts, 1000);
    }
    g_assert_cmpuint(td_rdl(t, SVA_TD_PRI_COUNT), ==, count);
}

static void qi_simple(T *t, uint64_t qw0)
{
    uint64_t d[4] = { qw0 };

    qi_submit(t, d);
    qi_wait(t);
}

static void flush_all_caches(T *t)
{
    qi_simple(t, SVA_QI_CC |
              ((uint64_t)SVA_QI_CC_GLOBAL << SVA_QI_GRAN_SHIFT));
    qi_simple(t, SVA_QI_PC |
              ((uint64_t)SVA_QI_PC_GLOBAL << SVA_QI_GRAN_SHIFT));
    qi_simple(t, SVA_QI_IOTLB |
              ((uint64_t)SVA_QI_IOTLB_GLOBAL << SVA_QI_GRAN_SHIFT));
}

static void page_response(T *t, uint32_t pasid, uint8_t code, uint16_t prgi)
{
    uint64_t d[4] = {
        SVA_QI_PGRP_RESP | SVA_QI_PGRP_PP |
        ((uint64_t)code << SVA_QI_PGRP_RC_SHIFT) |
        ((uint64_t)TD_SID << SVA_QI_PGRP_RID_SHIFT) |
        ((uint64_t)pasid << SVA_QI_PASID_SHIFT),
        SVA_QI_PGRP_LPIG | ((uint64_t)prgi << SVA_QI_PGRP_PRGI_SHIFT),
    };

    qi_submit(t, d);
    qi_wait(t);
}

/* A page request lands in the queue with its fields and the event */
static void test_page_request(void)
{
    T t;
    uint64_t q, d0, d1;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    q = prq_setup(&t);
    td_register(&t, TD_PASID);

    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_PRIV | SVA_TD_F_READ |
                           SVA_TD_F_WRITE | SVA_TD_F_LPIG,
                           TEST_ADDR + 0x234, TEST_PRGI), ==, 0);
    d0 = mem_rdq(&t, q);
    d1 = mem_rdq(&t, q + 8);
    g_assert_true(d0 & SVA_PRQ_PASID_PRESENT);
    g_assert_cmphex((d0 & SVA_PRQ_RID_MASK) >> SVA_PRQ_RID_SHIFT, ==,
                    TD_SID);
    g_assert_cmphex((d0 & SVA_PRQ_PASID_MASK) >> SVA_PRQ_PASID_SHIFT, ==,
                    TD_PASID);
    g_assert_true(d0 & SVA_PRQ_PM);
    g_assert_false(d0 & SVA_PRQ_EXE);
    g_assert_true(d1 & SVA_PRQ_RD);
    g_assert_true(d1 & SVA_PRQ_WR);
    g_assert_true(d1 & SVA_PRQ_LPIG);
    g_assert_cmphex((d1 & SVA_PRQ_PRGI_MASK) >> SVA_PRQ_PRGI_SHIFT, ==,
                    TEST_PRGI);
    g_assert_cmphex(d1 & SVA_PRQ_ADDR_MASK, ==, TEST_ADDR);
    g_assert_cmphex(rdq(&t, SVA_REG_PQT), ==, SVA_PRQ_DESC_SIZE);
    g_assert_true(rdl(&t, SVA_REG_PRS) & SVA_PRS_PPR);
    g_assert_cmphex(qtest_readl(t.qts, t.events + EVENT_PRQ_OFF), ==,
                    EVENT_DATA_PRQ);

    /* PPR still set: the next request raises no new event */
    qtest_writel(t.qts, t.events + EVENT_PRQ_OFF, 0);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, 1), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, t.events + EVENT_PRQ_OFF), ==, 0);
    g_assert_false(mem_rdq(&t, q + SVA_PRQ_DESC_SIZE + 8) & SVA_PRQ_LPIG);
    /* Software clears PPR: the next one raises it again */
    wrl(&t, SVA_REG_PRS, SVA_PRS_PPR);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, 2), ==, 0);
    g_assert_cmphex(qtest_readl(t.qts, t.events + EVENT_PRQ_OFF), ==,
                    EVENT_DATA_PRQ);
    g_assert_cmphex(rdq(&t, SVA_REG_PQT), ==, 3 * SVA_PRQ_DESC_SIZE);
    stop(&t);
}

/* Page group responses reach the device's notifier for that PASID */
static void test_page_response(void)
{
    T t;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    prq_setup(&t);
    td_register(&t, TD_PASID);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ | SVA_TD_F_LPIG,
                           TEST_ADDR, TEST_PRGI), ==, 0);

    page_response(&t, TD_PASID, SVA_PGRP_RC_SUCCESS, TEST_PRGI);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_COUNT), ==, 1);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_PRGI), ==, TEST_PRGI);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_CODE), ==, SVA_PGRP_RC_SUCCESS);

    page_response(&t, TD_PASID, SVA_PGRP_RC_INVALID, 7);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_COUNT), ==, 2);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_PRGI), ==, 7);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_CODE), ==, SVA_PGRP_RC_INVALID);

    /* Another PASID's response does not reach this notifier */
    page_response(&t, TD_PASID + 1, SVA_PGRP_RC_SUCCESS, 9);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_COUNT), ==, 2);

    /* Without PRE in the context entry, the unit answers Invalid itself */
    set_context(&t, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE, 0);
    flush_all_caches(&t);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ | SVA_TD_F_LPIG,
                           TEST_ADDR, 11), ==, -EPERM);
    wait_pri_count(&t, 3);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_PRGI), ==, 11);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_CODE), ==, SVA_PGRP_RC_INVALID);
    g_assert_cmphex(rdq(&t, SVA_REG_PQT), ==, SVA_PRQ_DESC_SIZE);
    stop(&t);
}

/* Device-TLB invalidation reaches the device before the wait completes */
static void test_devtlb_order(void)
{
    T t;
    uint32_t before;
    uint64_t d[4] = {
        SVA_QI_PDEVTLB |
        ((uint64_t)TD_SID << SVA_QI_PDEVTLB_SID_SHIFT) |
        ((uint64_t)TD_PASID << SVA_QI_PASID_SHIFT),
        /* S set, bit 12 clear: 8 KiB at TEST_ADDR & ~0x1fff */
        (TEST_ADDR & ~0x1fffULL) | SVA_QI_PDEVTLB_S,
    };
    uint64_t w[4];

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    td_register(&t, TD_PASID);
    td_wr(&t, SVA_TD_PROBE_ADDR, t.status);
    before = qtest_readl(t.qts, t.status);

    /* One batch: invalidation then wait; the device sees the old status */
    qi_submit(&t, d);
    w[0] = wait_desc(&t, ++t.seq);
    w[1] = t.status;
    w[2] = w[3] = 0;
    qi_submit(&t, w);
    g_assert_cmphex(qtest_readl(t.qts, t.status), ==, t.seq);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 1);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PROBE_VAL), ==, before);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_PASID), ==, TD_PASID);
    g_assert_cmphex(td_rd(&t, SVA_TD_INV_IOVA), ==, TEST_ADDR & ~0x1fffULL);
    g_assert_cmphex(td_rd(&t, SVA_TD_INV_MASK), ==, 0x1fff);

    /* Another PASID: not delivered; global (G): delivered */
    d[0] = SVA_QI_PDEVTLB | ((uint64_t)TD_SID << SVA_QI_PDEVTLB_SID_SHIFT) |
           ((uint64_t)(TD_PASID + 1) << SVA_QI_PASID_SHIFT);
    d[1] = TEST_ADDR;
    qi_submit(&t, d);
    qi_wait(&t);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 1);
    d[1] = TEST_ADDR | SVA_QI_PDEVTLB_G;
    qi_submit(&t, d);
    qi_wait(&t);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 2);
    g_assert_cmphex(td_rd(&t, SVA_TD_INV_MASK), ==, SVA_PAGE_SIZE - 1);

    /* Device-TLB invalidation without PASID reaches a no-PASID notifier */
    td_register(&t, SVA_TD_NO_PASID);
    d[0] = SVA_QI_DEVTLB | ((uint64_t)TD_SID << SVA_QI_DEVTLB_SID_SHIFT);
    d[1] = TEST_ADDR;
    qi_submit(&t, d);
    qi_wait(&t);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 3);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_PASID), ==, SVA_TD_NO_PASID);
    g_assert_cmphex(td_rd(&t, SVA_TD_INV_IOVA), ==, TEST_ADDR);
    /* ... and another device's SID reaches nobody */
    d[0] = SVA_QI_DEVTLB |
           ((uint64_t)(TD_SID + 1) << SVA_QI_DEVTLB_SID_SHIFT);
    qi_submit(&t, d);
    qi_wait(&t);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 3);
    td_register(&t, TD_PASID);

    /* "Everything": address bits 62:12 set with S */
    d[0] = SVA_QI_PDEVTLB | ((uint64_t)TD_SID << SVA_QI_PDEVTLB_SID_SHIFT) |
           ((uint64_t)TD_PASID << SVA_QI_PASID_SHIFT);
    d[1] = SVA_MASK(62, 12) | SVA_QI_PDEVTLB_S;
    qi_submit(&t, d);
    qi_wait(&t);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 4);
    g_assert_cmphex(td_rd(&t, SVA_TD_INV_IOVA), ==, 0);
    g_assert_cmphex(td_rd(&t, SVA_TD_INV_MASK), ==, UINT64_MAX);
    stop(&t);
}

/* A full queue sets PRO and the dropped group is answered */
static void test_prq_overflow(void)
{
    T t;
    unsigned i;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    prq_setup(&t);
    td_register(&t, TD_PASID);
    for (i = 0; i < PRQ_ENTRIES - 1; i++) {
        g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, i),
                        ==, 0);
    }
    g_assert_false(rdl(&t, SVA_REG_PRS) & SVA_PRS_PRO);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ | SVA_TD_F_LPIG,
                           TEST_ADDR, TEST_PRGI), ==, -ENOSPC);
    g_assert_true(rdl(&t, SVA_REG_PRS) & SVA_PRS_PRO);
    wait_pri_count(&t, 1);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_PRGI), ==, TEST_PRGI);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_CODE), ==, SVA_PGRP_RC_SUCCESS);

    /* While PRO is set nothing is queued, even with room */
    wrq(&t, SVA_REG_PQH, rdq(&t, SVA_REG_PQT));
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, 1), ==,
                    -ENOSPC);
    /* Software drains and clears PRO: requests flow again */
    wrl(&t, SVA_REG_PRS, SVA_PRS_PRO | SVA_PRS_PPR);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, 1), ==, 0);
    stop(&t);
}

/* prq-overflow=none: the unit does not answer a dropped group */
static void test_prq_overflow_none(void)
{
    T t;
    unsigned i;

    start(&t, "prq-overflow=none",
          SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    prq_setup(&t);
    td_register(&t, TD_PASID);
    for (i = 0; i < PRQ_ENTRIES - 1; i++) {
        g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, i),
                        ==, 0);
    }
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ | SVA_TD_F_LPIG,
                           TEST_ADDR, TEST_PRGI), ==, -ENOSPC);
    for (i = 0; i < BH_POLLS; i++) {
        qtest_clock_step(t.qts, 1000);
    }
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_COUNT), ==, 0);
    stop(&t);
}

/* Malformed invalidation descriptors: IQE, the queue stops, then resumes */
static void test_bad_descriptors(void)
{
    T t;
    uint32_t bad;
    uint64_t d[4] = { 0xf };            /* no such type */
    uint64_t w[4];

    start(&t, NULL, SVA_CTX_LO_PASIDE);
    bad = t.iq_tail;
    qi_submit(&t, d);
    g_assert_true(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE);
    g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                    SVA_IQEI_TYPE);
    g_assert_cmphex(rdq(&t, SVA_REG_IQH), ==, (uint64_t)bad * 32);
    g_assert_cmphex(qtest_readl(t.qts, t.events), ==, EVENT_DATA_FAULT);

    /* What Linux does: put a wait where the bad one was, clear IQE */
    w[0] = wait_desc(&t, ++t.seq);
    w[1] = t.status;
    w[2] = w[3] = 0;
    mem_wrq(&t, t.iq + bad * 32, w[0]);
    mem_wrq(&t, t.iq + bad * 32 + 8, w[1]);
    wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
    g_assert_false(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE);
    g_assert_cmphex(qtest_readl(t.qts, t.status), ==, t.seq);
    g_assert_cmphex(rdq(&t, SVA_REG_IQH), ==, rdq(&t, SVA_REG_IQT));

    /* Reserved bit in a wait descriptor */
    w[0] = wait_desc(&t, 1) | SVA_BIT(8);
    qi_submit(&t, w);
    g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                    SVA_IQEI_RSVD);
    /* Software rewrites the bad descriptor: here a harmless wait */
    mem_wrq(&t, t.iq + ((t.iq_tail + IQ_ENTRIES - 1) % IQ_ENTRIES) * 32,
            SVA_QI_WAIT);
    wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
    g_assert_cmphex(rdq(&t, SVA_REG_IQH), ==, rdq(&t, SVA_REG_IQT));

    /* Reserved bits in the other types */
    d[0] = SVA_QI_PIOTLB | ((uint64_t)1 << SVA_QI_GRAN_SHIFT);  /* GRAN 1 */
    qi_submit(&t, d);
    g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                    SVA_IQEI_RSVD);
    mem_wrq(&t, t.iq + ((t.iq_tail + IQ_ENTRIES - 1) % IQ_ENTRIES) * 32,
            SVA_QI_WAIT);
    wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);

    /* Tail not 256-bit aligned with DW=1 */
    wrq(&t, SVA_REG_IQT, (uint64_t)t.iq_tail * 32 + 16);
    g_assert_true(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE);
    g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                    SVA_IQEI_TAIL);
    wrq(&t, SVA_REG_IQT, (uint64_t)t.iq_tail * 32);
    wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
    g_assert_false(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE);

    /* Status write into nothing */
    w[0] = wait_desc(&t, 5);
    w[1] = NO_RAM;
    qi_submit(&t, w);
    g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                    SVA_IQEI_STATUS_WRITE);
    mem_wrq(&t, t.iq + ((t.iq_tail + IQ_ENTRIES - 1) % IQ_ENTRIES) * 32 + 8,
            t.status);
    wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
    qi_wait(&t);

    /* Queue base beyond RAM: fetch error */
    wrl(&t, SVA_REG_GCMD, SVA_GCMD_TE);             /* QI off */
    wrq(&t, SVA_REG_IQA, NO_RAM | SVA_IQA_DW);
    wrq(&t, SVA_REG_IQT, 0);
    wrl(&t, SVA_REG_GCMD, SVA_GCMD_TE | SVA_GCMD_QIE);
    wrq(&t, SVA_REG_IQT, 32);
    g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                    SVA_IQEI_FETCH);
    stop(&t);
}

/*
 * IQERCD.IQEI values as VT-d 11.4.9.9 numbers them, written out here
 * rather than taken from the model's header, so a wrong header fails.
 */
#define SPEC_IQEI_TYPE      3   /* invalid descriptor type */
#define SPEC_IQEI_RSVD      4   /* reserved field of a valid type */

/*
 * Bits 255:128 of each 256-bit descriptor type are reserved: a bit set
 * there (word 2 or word 3) stops the queue with IQE and IQEI "reserved
 * field", IQH at the descriptor, and the descriptor has no effect. The
 * same descriptor without it then runs.
 */
static void test_upper_words(void)
{
    const struct {
        const char *name;
        uint64_t qw0, qw1;
    } descs[] = {
        { "context-cache", SVA_QI_CC |
          ((uint64_t)SVA_QI_CC_GLOBAL << SVA_QI_GRAN_SHIFT), 0 },
        { "IOTLB", SVA_QI_IOTLB |
          ((uint64_t)SVA_QI_IOTLB_GLOBAL << SVA_QI_GRAN_SHIFT), 0 },
        { "device-TLB", SVA_QI_DEVTLB |
          ((uint64_t)TD_SID << SVA_QI_DEVTLB_SID_SHIFT), TEST_ADDR },
        { "wait", 0 /* below: with a status write */, 0 },
        { "PASID IOTLB", SVA_QI_PIOTLB |
          ((uint64_t)SVA_QI_PIOTLB_PASID << SVA_QI_GRAN_SHIFT) |
          ((uint64_t)TD_DID << SVA_QI_DID_SHIFT) |
          ((uint64_t)TD_PASID << SVA_QI_PASID_SHIFT), 0 },
        { "PASID cache", SVA_QI_PC |
          ((uint64_t)SVA_QI_PC_GLOBAL << SVA_QI_GRAN_SHIFT), 0 },
        { "PASID device-TLB", SVA_QI_PDEVTLB |
          ((uint64_t)TD_SID << SVA_QI_PDEVTLB_SID_SHIFT) |
          ((uint64_t)TD_PASID << SVA_QI_PASID_SHIFT), TEST_ADDR },
        { "page group response", SVA_QI_PGRP_RESP | SVA_QI_PGRP_PP |
          ((uint64_t)TD_SID << SVA_QI_PGRP_RID_SHIFT) |
          ((uint64_t)TD_PASID << SVA_QI_PASID_SHIFT),
          (uint64_t)TEST_PRGI << SVA_QI_PGRP_PRGI_SHIFT },
    };
    static const uint64_t upper[] = { SVA_BIT(0), SVA_BIT(63) };
    T t;
    size_t i, w, b;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    td_register(&t, TD_PASID);
    for (i = 0; i < G_N_ELEMENTS(descs); i++) {
        for (w = 2; w < 4; w++) {
            for (b = 0; b < G_N_ELEMENTS(upper); b++) {
                uint64_t d[4] = { descs[i].qw0, descs[i].qw1 };
                uint32_t bad = t.iq_tail, seq = t.seq + 1;
                uint32_t invs = td_rdl(&t, SVA_TD_INV_COUNT);
                uint32_t resps = td_rdl(&t, SVA_TD_PRI_COUNT);

                if (descs[i].qw0 == 0) {
                    d[0] = wait_desc(&t, seq);
                    d[1] = t.status;
                }
                d[w] = upper[b];
                qi_submit(&t, d);
                g_test_message("%s, word %zu = 0x%" PRIx64, descs[i].name,
                               w, upper[b]);
                g_assert_true(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE);
                g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                                SPEC_IQEI_RSVD);
                g_assert_cmphex(rdq(&t, SVA_REG_IQH), ==, (uint64_t)bad * 32);
                /* no effect: no status write, invalidation or response */
                g_assert_cmphex(qtest_readl(t.qts, t.status), !=, seq);
                g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, invs);
                g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_COUNT), ==, resps);

                /* fixed in place, IQE cleared: it runs, the queue goes on */
                mem_wrq(&t, t.iq + bad * 32 + w * 8, 0);
                wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
                g_assert_false(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE);
                g_assert_cmphex(rdq(&t, SVA_REG_IQH), ==,
                                rdq(&t, SVA_REG_IQT));
                if (descs[i].qw0 == 0) {
                    t.seq = seq;
                    g_assert_cmphex(qtest_readl(t.qts, t.status), ==, seq);
                }
                qi_wait(&t);
            }
        }
    }
    /*
     * Once fixed, the PASID device-TLB invalidations and the responses
     * reached the device (type 0x3 is for requests without PASID, which
     * the device has no notifier for): once per word and bit.
     */
    g_assert_cmpuint(td_rdl(&t, SVA_TD_INV_COUNT), ==, 2 * 2);
    g_assert_cmpuint(td_rdl(&t, SVA_TD_PRI_COUNT), ==, 2 * 2);

    /* the lower words' checks keep the spec's numbers too */
    {
        uint64_t d[4] = { 0xf };                        /* no such type */

        qi_submit(&t, d);
        g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                        SPEC_IQEI_TYPE);
        mem_wrq(&t, t.iq + ((t.iq_tail + IQ_ENTRIES - 1) % IQ_ENTRIES) * 32,
                SVA_QI_WAIT);
        wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
        d[0] = wait_desc(&t, 1) | SVA_BIT(8);           /* reserved bit */
        qi_submit(&t, d);
        g_assert_cmphex(rdq(&t, SVA_REG_IQERCD) & SVA_IQEI_MASK, ==,
                        SPEC_IQEI_RSVD);
        mem_wrq(&t, t.iq + ((t.iq_tail + IQ_ENTRIES - 1) % IQ_ENTRIES) * 32,
                SVA_QI_WAIT);
        wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
        qi_wait(&t);
    }
    stop(&t);
}

/* Malformed tables: each produces its fault reason */
static void test_bad_tables(void)
{
    T t;
    uint64_t top, leaf, pe, de, ce;

    start(&t, NULL, SVA_CTX_LO_PASIDE);
    top = page(&t);
    leaf = map(&t, top, 4, TEST_ADDR, page(&t), 1,
               SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, 0, top, false, 0);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), ==, 0);

    /* Reserved address bit (above HAW) in a leaf */
    mem_wrq(&t, leaf, mem_rdq(&t, leaf) | SVA_BIT(50));
    qi_piotlb_all(&t, 0);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_FS_RSVD, true, TEST_ADDR, SVA_TD_NO_PASID);

    /* First-stage table pointer beyond RAM */
    set_pasid_fl(&t, 0, NO_RAM, false, 0);
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_FS_ACCESS, true, TEST_ADDR, SVA_TD_NO_PASID);

    /* Second-stage translation type: not supported */
    pe = pasid_entry(&t, 0);
    mem_wrq(&t, pe, ((uint64_t)SVA_PGTT_SL << SVA_PE0_PGTT_SHIFT) |
            SVA_PE0_P);
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_PTE_INV, true, TEST_ADDR, SVA_TD_NO_PASID);

    /* PASID table pointer beyond RAM */
    de = mem_rdq(&t, t.pdir);
    mem_wrq(&t, t.pdir, NO_RAM | SVA_PDIR_P);
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_PTE_ACCESS, true, TEST_ADDR,
                 SVA_TD_NO_PASID);
    mem_wrq(&t, t.pdir, de);

    /* Reserved word in the PASID entry */
    mem_wrq(&t, pe + 7 * 8, 1);
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_PTE_RSVD, true, TEST_ADDR, SVA_TD_NO_PASID);
    mem_wrq(&t, pe + 7 * 8, 0);

    /* Reserved bit in the context entry */
    ce = t.ctx + (TD_DEVFN & 0x7f) * SVA_CTX_ENTRY_SIZE;
    mem_wrq(&t, ce, mem_rdq(&t, ce) | SVA_BIT(5));
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_CTX_RSVD, true, TEST_ADDR, SVA_TD_NO_PASID);

    /* Context not present; with FPD nothing is recorded */
    mem_wrq(&t, ce, 0);
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_CTX_P, true, TEST_ADDR, SVA_TD_NO_PASID);
    mem_wrq(&t, ce, t.pdir | SVA_CTX_LO_P | SVA_CTX_LO_FPD);
    mem_wrq(&t, pe, 0);
    flush_all_caches(&t);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_no_fault(&t);

    /* Root table beyond RAM */
    wrq(&t, SVA_REG_RTADDR, NO_RAM | SVA_RTADDR_TTM_SM);
    wrl(&t, SVA_REG_GCMD, SVA_GCMD_TE | SVA_GCMD_QIE | SVA_GCMD_SRTP);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_ROOT_ACCESS, true, TEST_ADDR,
                 SVA_TD_NO_PASID);

    /* Legacy-mode root table: not supported */
    wrq(&t, SVA_REG_RTADDR, t.root);
    wrl(&t, SVA_REG_GCMD, SVA_GCMD_TE | SVA_GCMD_QIE | SVA_GCMD_SRTP);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    expect_fault(&t, SVA_FR_SM_RTADDR_INV, true, TEST_ADDR,
                 SVA_TD_NO_PASID);
    stop(&t);
}

/* More faults than records: PFO, and nothing is overwritten */
static void test_fault_overflow(void)
{
    T t;
    unsigned i;

    start(&t, "fault-records=2", SVA_CTX_LO_PASIDE);
    for (i = 0; i < 4; i++) {
        g_assert_cmpint(td_dma_read(&t, TEST_ADDR + i * SVA_PAGE_SIZE,
                                    &(uint64_t){ 0 }), !=, 0);
    }
    g_assert_true(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_PFO);
    g_assert_cmphex(rdq(&t, SVA_REG_FRCD), ==, TEST_ADDR);
    g_assert_true(rdq(&t, SVA_REG_FRCD + 8) & SVA_FRCD_HI_T1);
    expect_fault(&t, SVA_FR_SM_PDIR_P, false, TEST_ADDR, SVA_TD_NO_PASID);
    g_assert_false(rdl(&t, SVA_REG_FSTS) & SVA_FSTS_PFO);
    stop(&t);
}

/*
 * Random registers, descriptors and table entries (fixed seed, so a
 * failure reproduces; IOMMU_SVA_SEED picks another): whatever the guest
 * writes, QEMU keeps running and the unit keeps answering.
 */
static void test_random(void)
{
    static const uint64_t regs[] = {
        SVA_REG_GCMD, SVA_REG_RTADDR, SVA_REG_CCMD, SVA_REG_FSTS,
        SVA_REG_FECTL, SVA_REG_IQT, SVA_REG_IQA, SVA_REG_ICS,
        SVA_REG_IECTL, SVA_REG_PQH, SVA_REG_PQA, SVA_REG_PRS,
        SVA_REG_PECTL, SVA_REG_IVA, SVA_REG_IOTLB, SVA_REG_FRCD + 8,
    };
    const char *seed = g_getenv("IOMMU_SVA_SEED");
    GRand *rnd = g_rand_new_with_seed(seed ? atoi(seed) : 0x5a5a);
    uint64_t top, data, pe, ce;
    T t;
    int i;

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    prq_setup(&t);
    td_register(&t, TD_PASID);
    top = page(&t);
    data = page(&t);
    map(&t, top, 4, TEST_ADDR, data, 1, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&t, 0, top, false, 0);
    set_pasid_fl(&t, TD_PASID, top, false, 0);
    pe = pasid_entry(&t, TD_PASID);
    ce = t.ctx + (TD_DEVFN & 0x7f) * SVA_CTX_ENTRY_SIZE;

    for (i = 0; i < 3000; i++) {
        uint64_t v = ((uint64_t)g_rand_int(rnd) << 32) | g_rand_int(rnd);
        uint64_t d[4];

        /* Keep event messages in RAM: elsewhere they are someone's MMIO */
        v &= g_rand_boolean(rnd) ? ~0ULL : 0xffffffULL;
        switch (g_rand_int_range(rnd, 0, 7)) {
        case 0:
            wrq(&t, regs[g_rand_int_range(rnd, 0, G_N_ELEMENTS(regs))],
                v);
            break;
        case 1:     /* a random descriptor of a known type */
            d[0] = (v & ~SVA_QI_TYPE_LO_MASK) | g_rand_int_range(rnd, 0, 16);
            d[1] = ((uint64_t)g_rand_int(rnd) << 32) | g_rand_int(rnd);
            d[2] = d[3] = 0;
            if ((d[0] & SVA_QI_TYPE_LO_MASK) == SVA_QI_WAIT) {
                d[1] = t.status;
            }
            qi_submit(&t, d);
            if (rdl(&t, SVA_REG_FSTS) & SVA_FSTS_IQE) {
                wrl(&t, SVA_REG_FSTS, SVA_FSTS_IQE);
            }
            break;
        case 2:     /* corrupt a word of the tables */
            switch (g_rand_int_range(rnd, 0, 4)) {
            case 0:
                mem_wrq(&t, ce + 8 * g_rand_int_range(rnd, 0, 4), v);
                break;
            case 1:
                mem_wrq(&t, pe + 8 * g_rand_int_range(rnd, 0, 8), v);
                break;
            case 2:
                mem_wrq(&t, top, v);
                break;
            default:
                mem_wrq(&t, t.root, v);
                break;
            }
            break;
        case 3:
            td_dma_write(&t, TEST_ADDR + (v & 0x3ff8), v);
            break;
        case 4:
            td_ats(&t, g_rand_boolean(rnd) ? TD_PASID : SVA_TD_NO_PASID,
                   g_rand_int(rnd) & 0x3f, v);
            break;
        case 5:
            td_pri(&t, g_rand_int_range(rnd, 0, 8), g_rand_int(rnd) & 0x3f,
                   v, g_rand_int(rnd) & 0x1ff);
            break;
        default:    /* a driver's recovery: clear errors, restart */
            wrl(&t, SVA_REG_FSTS, ~0u);
            wrl(&t, SVA_REG_PRS, ~0u);
            wrq(&t, SVA_REG_RTADDR, t.root | SVA_RTADDR_TTM_SM);
            wrl(&t, SVA_REG_GCMD, SVA_GCMD_SRTP | SVA_GCMD_QIE | SVA_GCMD_TE);
            break;
        }
    }
    g_rand_free(rnd);
    stop(&t);
}

/* Event interrupts: masked events stay pending until unmasked */
static void test_events(void)
{
    T t;
    uint64_t w[4];

    start(&t, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    prq_setup(&t);
    td_register(&t, TD_PASID);

    /* Invalidation completion: wait with IF sets ICS.IWC, message sent */
    wrl(&t, SVA_REG_IEDATA, 0x1e1e);
    wrl(&t, SVA_REG_IEADDR, t.events + 16);
    wrl(&t, SVA_REG_IECTL, SVA_ECTL_IM);
    w[0] = SVA_QI_WAIT | SVA_QI_WAIT_IF;
    w[1] = w[2] = w[3] = 0;
    qi_submit(&t, w);
    g_assert_true(rdl(&t, SVA_REG_ICS) & SVA_ICS_IWC);
    g_assert_cmphex(rdl(&t, SVA_REG_IECTL), ==, SVA_ECTL_IM | SVA_ECTL_IP);
    g_assert_cmphex(qtest_readl(t.qts, t.events + 16), ==, 0);
    wrl(&t, SVA_REG_IECTL, 0);
    g_assert_cmphex(qtest_readl(t.qts, t.events + 16), ==, 0x1e1e);
    g_assert_cmphex(rdl(&t, SVA_REG_IECTL), ==, 0);
    wrl(&t, SVA_REG_ICS, SVA_ICS_IWC);
    g_assert_false(rdl(&t, SVA_REG_ICS) & SVA_ICS_IWC);

    /* Page request event masked, then delivered on unmask */
    wrl(&t, SVA_REG_PECTL, SVA_ECTL_IM);
    g_assert_cmpint(td_pri(&t, TD_PASID, SVA_TD_F_READ, TEST_ADDR, 1), ==, 0);
    g_assert_cmphex(rdl(&t, SVA_REG_PECTL), ==, SVA_ECTL_IM | SVA_ECTL_IP);
    g_assert_cmphex(qtest_readl(t.qts, t.events + EVENT_PRQ_OFF), ==, 0);
    wrl(&t, SVA_REG_PECTL, 0);
    g_assert_cmphex(qtest_readl(t.qts, t.events + EVENT_PRQ_OFF), ==,
                    EVENT_DATA_PRQ);

    /* Fault event masked, then delivered on unmask */
    wrl(&t, SVA_REG_FECTL, SVA_ECTL_IM);
    g_assert_cmpint(td_dma_write(&t, TEST_ADDR, 1), !=, 0);
    g_assert_cmphex(rdl(&t, SVA_REG_FECTL), ==, SVA_ECTL_IM | SVA_ECTL_IP);
    g_assert_cmphex(qtest_readl(t.qts, t.events), ==, 0);
    wrl(&t, SVA_REG_FECTL, 0);
    expect_fault(&t, SVA_FR_SM_PDIR_P, true, TEST_ADDR, SVA_TD_NO_PASID);

    /* Register-based invalidation completes at once (global) */
    wrq(&t, SVA_REG_CCMD, SVA_CCMD_ICC | (1ULL << SVA_CCMD_CIRG_SHIFT));
    g_assert_false(rdq(&t, SVA_REG_CCMD) & SVA_CCMD_ICC);
    g_assert_cmphex((rdq(&t, SVA_REG_CCMD) & SVA_CCMD_CAIG_MASK) >>
                    SVA_CCMD_CAIG_SHIFT, ==, 1);
    wrq(&t, SVA_REG_IOTLB, SVA_IOTLB_IVT | (1ULL << SVA_IOTLB_IIRG_SHIFT));
    g_assert_false(rdq(&t, SVA_REG_IOTLB) & SVA_IOTLB_IVT);
    stop(&t);
}

/*
 * Migration: registers, fault records, translation, the invalidation
 * queue and the device's notifier registration carry over.
 */
static void test_migrate(void)
{
    g_autofree char *tmp = g_dir_make_tmp("iommu-sva-mig-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(tmp, "mig", NULL);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    uint8_t before[SVA_REG_USED], after[SVA_REG_USED];
    uint64_t top, data, v;
    T src, dst;

    start(&src, NULL, SVA_CTX_LO_PASIDE | SVA_CTX_LO_DTE | SVA_CTX_LO_PRE);
    top = page(&src);
    data = page(&src);
    map(&src, top, 4, TEST_ADDR, data, 1, SVA_FL_P | SVA_FL_RW | SVA_FL_US);
    set_pasid_fl(&src, 0, top, false, 0);
    g_assert_cmpint(td_dma_write(&src, TEST_ADDR, 0x1234), ==, 0);
    td_register(&src, TD_PASID);
    /* Leave a fault record pending */
    g_assert_cmpint(td_dma_write(&src, TEST_ADDR + SVA_PAGE_SIZE, 1), !=, 0);
    qtest_memread(src.qts, IOMMU_SVA_MMIO_BASE, before, sizeof(before));

    dst = src;
    dst.qs = qtest_pc_boot("-M q35 -nodefaults -device iommu-sva "
                           "-device iommu-sva-testdev,addr=03.0 "
                           "-incoming %s", uri);
    dst.qts = dst.qs->qts;
    dst.dev = NULL;
    qpci_device_foreach(dst.qs->pcibus, SVA_TESTDEV_VENDOR_ID,
                        SVA_TESTDEV_DEVICE_ID, td_find, &dst.dev);
    g_assert_nonnull(dst.dev);
    migrate(src.qs, dst.qs, uri);

    qtest_memread(dst.qts, IOMMU_SVA_MMIO_BASE, after, sizeof(after));
    g_assert(memcmp(before, after, sizeof(before)) == 0);
    expect_fault(&dst, SVA_FR_FS_P, true, TEST_ADDR + SVA_PAGE_SIZE,
                 SVA_TD_NO_PASID);
    /* Translation and the queue work on the destination */
    g_assert_cmpint(td_dma_read(&dst, TEST_ADDR, &v), ==, 0);
    g_assert_cmphex(v, ==, 0x1234);
    qi_wait(&dst);
    page_response(&dst, TD_PASID, SVA_PGRP_RC_SUCCESS, TEST_PRGI);
    g_assert_cmpuint(td_rdl(&dst, SVA_TD_PRI_COUNT), ==, 1);
    stop(&dst);

    g_free(src.dev);
    qtest_pc_shutdown(src.qs);
    unlink(sock);
    rmdir(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/iommu-sva/prq/page-request", test_page_request);
    qtest_add_func("/iommu-sva/prq/page-response", test_page_response);
    qtest_add_func("/iommu-sva/prq/overflow", test_prq_overflow);
    qtest_add_func("/iommu-sva/prq/overflow-none", test_prq_overflow_none);
    qtest_add_func("/iommu-sva/devtlb/before-wait", test_devtlb_order);
    qtest_add_func("/iommu-sva/bad/descriptors", test_bad_descriptors);
    qtest_add_func("/iommu-sva/bad/descriptor-upper-words",
                   test_upper_words);
    qtest_add_func("/iommu-sva/bad/tables", test_bad_tables);
    qtest_add_func("/iommu-sva/bad/fault-overflow", test_fault_overflow);
    qtest_add_func("/iommu-sva/events", test_events);
    qtest_add_func("/iommu-sva/bad/random", test_random);
    qtest_add_func("/iommu-sva/migrate", test_migrate);
    return g_test_run();
}
