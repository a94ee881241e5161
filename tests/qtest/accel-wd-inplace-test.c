/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd's "inplace" queue format in plain bus-master DMA
 * mode: one ring of slots, the completion record written over the slot it
 * completes. A compression round trip checked with host zlib, counters
 * exactly; every guest-controlled value with bad input: ring registers,
 * tail doorbell values and offsets, a slot that is not free (the ring-full
 * rule), a slot that cannot be read or written, descriptor fields. Bad
 * fields complete with a status and the queue goes on; bad ring state
 * stops the queue and the other queues never notice.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "accel-wd-util.h"
#include "hw/accel-wd/accel_wd_inplace.h"

#define PG              4096
#define SLOT            AWD_INPLACE_SLOT_SIZE
/* q35 with 512 MiB: nothing answers at 2 GiB */
#define NO_RAM          0x80000000ull
/* the top of the firmware ROM mapped below 4 GiB (SeaBIOS) */
#define ROM_SIZE        (128 * 1024)
#define ROM_BASE        (0x100000000ull - ROM_SIZE)
#define COMP_PARAM(fmt, level) \
    (((fmt) << AWD_PARAM_FMT_SHIFT) | ((level) << AWD_PARAM_LEVEL_SHIFT))
#define CFLAGS_OFF      offsetof(struct awd_inplace_desc, cflags)

typedef struct IpQ {
    AwdDev *d;
    unsigned index;
    unsigned order;
    uint64_t ring;
} IpQ;

static uint64_t qcnt(AwdDev *d, unsigned q, unsigned i)
{
    return awd_qreg(d, q, AWD_Q_CNT(i)) |
           (uint64_t)awd_qreg(d, q, AWD_Q_CNT(i) + 4) << 32;
}

static uint64_t qfault(AwdDev *d, unsigned q)
{
    return awd_qreg(d, q, AWD_Q_FAULT_ADDR_LO) |
           (uint64_t)awd_qreg(d, q, AWD_Q_FAULT_ADDR_HI) << 32;
}

/* Program the ring registers and set ENABLE; returns AWD_Q_STATUS */
static uint32_t ip_enable(AwdDev *d, IpQ *q, unsigned index, unsigned order,
                          uint64_t ring)
{
    q->d = d;
    q->index = index;
    q->order = order;
    q->ring = ring;
    awd_reg_write(d, AWD_REG_CTRL, awd_reg(d, AWD_REG_CTRL) | AWD_CTRL_ENABLE);
    awd_qreg_write(d, index, AWD_Q_SQ_BASE_LO, ring);
    awd_qreg_write(d, index, AWD_Q_SQ_BASE_HI, ring >> 32);
    awd_qreg_write(d, index, AWD_Q_RING_ORDER, order);
    awd_qreg_write(d, index, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    return awd_qreg(d, index, AWD_Q_STATUS);
}

/* A fresh ring of 2^@order slots, enabled */
static void ip_setup(AwdDev *d, IpQ *q, unsigned index, unsigned order)
{
    uint64_t ring = awd_alloc(d, SLOT << order, AWD_INPLACE_ALIGN);

    g_assert_true(ip_enable(d, q, index, order, ring) & AWD_QSTS_ENABLED);
    g_assert_cmpuint(awd_qreg(d, index, AWD_Q_ERROR), ==, AWD_QERR_NONE);
}

static void ip_reset(IpQ *q)
{
    awd_qreg_write(q->d, q->index, AWD_Q_CTRL, AWD_QCTRL_RESET);
    g_assert_cmphex(awd_qreg(q->d, q->index, AWD_Q_CTRL), ==, 0);
}

static uint64_t ip_slot(IpQ *q, unsigned i)
{
    return q->ring + (uint64_t)i * SLOT;
}

/* Write @x (host order) into slot @i */
static void ip_put(IpQ *q, unsigned i, const struct awd_inplace_desc *x)
{
    struct awd_inplace_desc le = {
        .src = cpu_to_le64(x->src),
        .dst = cpu_to_le64(x->dst),
        .src_len = cpu_to_le32(x->src_len),
        .tag = cpu_to_le32(x->tag),
        .opcode = x->opcode,
        .flags = x->flags,
        .rsvd0 = cpu_to_le16(x->rsvd0),
        .cflags = cpu_to_le32(x->cflags),
        .dst_len = cpu_to_le32(x->dst_len),
        .param = cpu_to_le32(x->param),
        .ctx = cpu_to_le64(x->ctx),
        .key = cpu_to_le64(x->key),
        .rsvd1 = cpu_to_le32(x->rsvd1),
        .rsvd2 = cpu_to_le32(x->rsvd2),
    };

    awd_write_buf(q->d, ip_slot(q, i), &le, sizeof(le));
}

static void ip_tail(IpQ *q, uint32_t tail)
{
    awd_doorbell(q->d, q->index, AWD_INPLACE_DB_SQ_TAIL, tail);
}

/* Wait (bounded) for slot @i to hold a record; host order */
static struct awd_cpl ip_wait(IpQ *q, unsigned i)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    uint64_t at = ip_slot(q, i);
    struct awd_cpl c;

    while (!(qtest_readl(q->d->qts, at + CFLAGS_OFF) & AWD_CF_DONE)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    awd_read_buf(q->d, at, &c, sizeof(c));
    c.fault_addr = le64_to_cpu(c.fault_addr);
    c.consumed = le32_to_cpu(c.consumed);
    c.produced = le32_to_cpu(c.produced);
    c.checksum = le32_to_cpu(c.checksum);
    c.tag = le32_to_cpu(c.tag);
    c.sq_head = le16_to_cpu(c.sq_head);
    c.status = le16_to_cpu(c.status);
    c.flags = le32_to_cpu(c.flags);
    return c;
}

/* put into slot @i, hand it over, wait for its record */
static struct awd_cpl ip_run(IpQ *q, unsigned i,
                             const struct awd_inplace_desc *x)
{
    ip_put(q, i, x);
    ip_tail(q, (i + 1) & ((1u << q->order) - 1));
    return ip_wait(q, i);
}

static uint32_t wait_qerr(AwdDev *d, unsigned q)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    while (!(awd_qreg(d, q, AWD_Q_STATUS) & AWD_QSTS_ERROR)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    return awd_qreg(d, q, AWD_Q_ERROR);
}

/* Wait (bounded) until the queue is idle or in error; AWD_Q_STATUS */
static uint32_t wait_idle(AwdDev *d, unsigned q)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    uint32_t st;

    while (!((st = awd_qreg(d, q, AWD_Q_STATUS)) &
             (AWD_QSTS_IDLE | AWD_QSTS_ERROR))) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    return st;
}

/* The other queue still runs, and only @bad is in error */
static void other_ok(AwdDev *d, IpQ *other, unsigned bad, unsigned *slot)
{
    struct awd_cpl c;

    c = ip_run(other, *slot, &(struct awd_inplace_desc) {
        .opcode = AWD_OP_NOP, .tag = 0x0e00 + *slot });
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmphex(c.tag, ==, 0x0e00 + *slot);
    *slot = (*slot + 1) & ((1u << other->order) - 1);
    g_assert_cmphex(awd_qreg(d, other->index, AWD_Q_ERROR), ==,
                    AWD_QERR_NONE);
    g_assert_cmphex(awd_reg(d, AWD_REG_QERR_LO), ==, 1u << bad);
}

/* ---- registers ---------------------------------------------------------- */

static void test_inplace_regs(void)
{
    AwdDev d;
    IpQ q;

    awd_dev_start(&d, ",format=inplace");
    g_assert_cmphex(awd_reg(&d, AWD_REG_VERSION), ==, AWD_VERSION);
    g_assert_cmpuint(awd_reg(&d, AWD_REG_FORMAT), ==, AWD_FORMAT_INPLACE);
    for (unsigned i = 0; i < AWD_FMT_PARAMS; i++) {
        g_assert_cmpuint(awd_reg(&d, AWD_REG_FMT_PARAM(i)), ==, 0);
    }
    ip_setup(&d, &q, 2, 3);
    g_assert_cmphex(awd_qreg(&d, 2, AWD_Q_SQ_BASE_LO), ==, (uint32_t)q.ring);
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_RING_ORDER), ==, 3);
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_SQ_HEAD), ==, 0);
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_SQ_TAIL), ==, 0);
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_CQ_TAIL), ==, 0);
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_CQ_HEAD), ==, 0);
    ip_run(&q, 0, &(struct awd_inplace_desc) { .opcode = AWD_OP_NOP });
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_SQ_HEAD), ==, 1);
    g_assert_cmpuint(awd_qreg(&d, 2, AWD_Q_SQ_TAIL), ==, 1);
    g_assert_cmpuint(qpci_io_readl(d.dev, d.db, 2 * AWD_DB_STRIDE +
                                   AWD_INPLACE_DB_SQ_TAIL), ==, 1);
    g_assert_cmpuint(qpci_io_readl(d.dev, d.db, 2 * AWD_DB_STRIDE +
                                   AWD_INPLACE_DB_SQ_HEAD), ==, 1);
    g_assert_cmpuint(qpci_io_readl(d.dev, d.db, 2 * AWD_DB_STRIDE + 0x8),
                     ==, 0);
    awd_dev_stop(&d);
}

/* ---- round trip ------------------------------------------------------- */

/* Compress, decompress, reuse every slot; records in the slots */
static void test_inplace_roundtrip(void)
{
    size_t len = 32 * 1024;
    g_autofree uint8_t *data = awd_test_data(len, 17);
    g_autofree uint8_t *comp = g_malloc(len * 2);
    g_autofree uint8_t *back = g_malloc(len + 1);
    uint8_t half[2][SLOT - AWD_CPL_SIZE], now[SLOT - AWD_CPL_SIZE];
    AwdDev d;
    IpQ q;
    uint64_t src, dst, out;
    struct awd_cpl c;

    awd_dev_start(&d, ",format=inplace");
    ip_setup(&d, &q, 0, 2);
    src = awd_alloc(&d, len, PG);
    dst = awd_alloc(&d, len * 2, PG);
    out = awd_alloc(&d, len, PG);
    awd_write_buf(&d, src, data, len);

    ip_put(&q, 0, &(struct awd_inplace_desc) {
        .opcode = AWD_OP_COMPRESS, .tag = 0xc0ffee, .src = src, .dst = dst,
        .src_len = len, .dst_len = len * 2,
        .param = COMP_PARAM(AWD_FMT_ZLIB, 6) });
    awd_read_buf(&d, ip_slot(&q, 0) + AWD_CPL_SIZE, half[0], sizeof(half[0]));
    ip_tail(&q, 1);
    c = ip_wait(&q, 0);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmphex(c.tag, ==, 0xc0ffee);
    g_assert_cmpuint(c.sq_head, ==, 1);
    g_assert_cmpuint(c.consumed, ==, len);
    g_assert_cmphex(c.checksum, ==,
                    awd_host_checksum(AWD_FMT_ZLIB, data, len));
    /* a finished stream also says so (AWD_CF_STREAM_END) */
    g_assert_cmphex(c.flags & ~AWD_CF_STREAM_END, ==, AWD_CF_DONE);
    /* the second half of the slot is never written */
    awd_read_buf(&d, ip_slot(&q, 0) + AWD_CPL_SIZE, now, sizeof(now));
    g_assert_cmpmem(now, sizeof(now), half[0], sizeof(half[0]));
    awd_read_buf(&d, dst, comp, c.produced);
    g_assert_cmpint(awd_host_inflate(15, comp, c.produced, back, len + 1),
                    ==, len);
    g_assert_cmpmem(back, len, data, len);

    /* and back through the device */
    ip_put(&q, 1, &(struct awd_inplace_desc) {
        .opcode = AWD_OP_DECOMPRESS, .tag = 2, .src = dst, .dst = out,
        .src_len = c.produced, .dst_len = len,
        .param = COMP_PARAM(AWD_FMT_ZLIB, 6) });
    awd_read_buf(&d, ip_slot(&q, 1) + AWD_CPL_SIZE, half[1], sizeof(half[1]));
    ip_tail(&q, 2);
    c = ip_wait(&q, 1);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpuint(c.produced, ==, len);
    awd_read_buf(&d, ip_slot(&q, 1) + AWD_CPL_SIZE, now, sizeof(now));
    g_assert_cmpmem(now, sizeof(now), half[1], sizeof(half[1]));
    memset(back, 0, len);
    awd_read_buf(&d, out, back, len);
    g_assert_cmpmem(back, len, data, len);

    /* a full ring (3 of 4 slots) across the wrap, slot 0 reused */
    for (unsigned i = 0; i < 3; i++) {
        ip_put(&q, (2 + i) & 3, &(struct awd_inplace_desc) {
            .opcode = AWD_OP_NOP, .tag = 0x30 + i });
    }
    ip_tail(&q, 1);
    for (unsigned i = 0; i < 3; i++) {
        c = ip_wait(&q, (2 + i) & 3);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmphex(c.tag, ==, 0x30 + i);
        g_assert_cmpuint(c.sq_head, ==, (3 + i) & 3);
    }
    g_assert_cmpuint(wait_idle(&d, 0) & AWD_QSTS_ERROR, ==, 0);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 1);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_DB_WRITES), ==, 3);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_DESC_BYTES), ==, 5 * SLOT);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_CPL_BYTES), ==, 5 * AWD_CPL_SIZE);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    awd_dev_stop(&d);
}

/* ---- the ring-full rule ----------------------------------------------- */

/*
 * The device never writes a slot it was not handed, and a slot handed
 * over while it still holds a record (software did not refill it) stops
 * the queue with that record intact.
 */
static void test_inplace_full(void)
{
    AwdDev d;
    IpQ q, other;
    uint8_t before[SLOT], after[SLOT];
    unsigned oslot = 0;
    struct awd_cpl c;

    awd_dev_start(&d, ",format=inplace");
    ip_setup(&d, &q, 0, 2);
    ip_setup(&d, &other, 1, 1);

    /* 3 slots handed over while the VM is stopped; slot 3 is a canary */
    for (unsigned i = 0; i < 4; i++) {
        ip_put(&q, i, &(struct awd_inplace_desc) {
            .opcode = AWD_OP_NOP, .tag = 0x40 + i });
    }
    awd_read_buf(&d, ip_slot(&q, 3), before, SLOT);
    qtest_qmp_assert_success(d.qts, "{'execute': 'stop'}");
    ip_tail(&q, 3);
    qtest_qmp_assert_success(d.qts, "{'execute': 'cont'}");
    for (unsigned i = 0; i < 3; i++) {
        g_assert_cmphex(ip_wait(&q, i).tag, ==, 0x40 + i);
    }
    g_assert_cmpuint(wait_idle(&d, 0) & AWD_QSTS_ERROR, ==, 0);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 3);
    awd_read_buf(&d, ip_slot(&q, 3), after, SLOT);
    g_assert_cmpmem(after, SLOT, before, SLOT);

    /* records 0..2 read: hand over 3 (as it is), 0 and 1 refilled */
    for (unsigned i = 0; i < 2; i++) {
        ip_put(&q, i, &(struct awd_inplace_desc) {
            .opcode = AWD_OP_NOP, .tag = 0x50 + i });
    }
    ip_tail(&q, 2);
    g_assert_cmphex(ip_wait(&q, 3).tag, ==, 0x43);
    g_assert_cmphex(ip_wait(&q, 0).tag, ==, 0x50);
    g_assert_cmphex(ip_wait(&q, 1).tag, ==, 0x51);

    /* slot 2 still holds its record: handing it over stops the queue */
    awd_read_buf(&d, ip_slot(&q, 2), before, SLOT);
    g_assert_true(before[CFLAGS_OFF] & AWD_CF_DONE);
    ip_tail(&q, 3);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
    g_assert_cmphex(qfault(&d, 0), ==, ip_slot(&q, 2));
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 2);
    awd_read_buf(&d, ip_slot(&q, 2), after, SLOT);
    g_assert_cmpmem(after, SLOT, before, SLOT);
    other_ok(&d, &other, 0, &oslot);

    /* any other cflags bit at submission: the same */
    ip_reset(&q);
    ip_setup(&d, &q, 0, 2);
    ip_put(&q, 0, &(struct awd_inplace_desc) {
        .opcode = AWD_OP_NOP, .tag = 0x60, .cflags = 0x100 });
    awd_read_buf(&d, ip_slot(&q, 0), before, SLOT);
    ip_tail(&q, 1);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
    g_assert_cmphex(qfault(&d, 0), ==, ip_slot(&q, 0));
    awd_read_buf(&d, ip_slot(&q, 0), after, SLOT);
    g_assert_cmpmem(after, SLOT, before, SLOT);
    other_ok(&d, &other, 0, &oslot);

    /* a reset queue works again */
    ip_reset(&q);
    ip_setup(&d, &q, 0, 2);
    c = ip_run(&q, 0, &(struct awd_inplace_desc) {
        .opcode = AWD_OP_NOP, .tag = 0x61 });
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmphex(awd_reg(&d, AWD_REG_QERR_LO), ==, 0);
    awd_dev_stop(&d);
}

/* ---- bad ring configuration, doorbells, slots ---------------------------- */

/* A bad ring register refuses ENABLE with AWD_QERR_BAD_CONFIG */
static void test_inplace_bad_config(void)
{
    AwdDev d;
    IpQ q, other;
    uint64_t ring;
    unsigned oslot = 0;
    uint32_t max;
    const struct {
        unsigned order;
        uint64_t off;
        bool wrap;
    } bad[] = {
        { 0, 0, false },                    /* below AWD_RING_ORDER_MIN */
        { 99, 0, false },                   /* above the maximum */
        { 2, 8, false },                    /* misaligned */
        { 2, 32, false },
        { 2, 0, true },                     /* wraps the address space */
    };

    awd_dev_start(&d, ",format=inplace");
    ip_setup(&d, &other, 1, 1);
    ring = awd_alloc(&d, 8 * SLOT, PG);
    max = awd_reg(&d, AWD_REG_RING_ORDER_MAX);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        unsigned order = bad[i].order == 99 ? max + 1 : bad[i].order;
        uint64_t base = bad[i].wrap ? 0xffffffffffffff40ull
                                    : ring + bad[i].off;
        uint32_t st = ip_enable(&d, &q, 0, order, base);

        g_assert_false(st & AWD_QSTS_ENABLED);
        g_assert_true(st & AWD_QSTS_ERROR);
        g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_ERROR), ==,
                         AWD_QERR_BAD_CONFIG);
        other_ok(&d, &other, 0, &oslot);
        ip_reset(&q);
    }
    /* the largest ring, and one ending exactly at the top, are fine */
    g_assert_true(ip_enable(&d, &q, 0, 1, 0xffffffffffffff80ull) &
                  AWD_QSTS_ENABLED);
    ip_reset(&q);
    ring = awd_alloc(&d, (uint64_t)SLOT << max, PG);
    g_assert_true(ip_enable(&d, &q, 0, max, ring) & AWD_QSTS_ENABLED);
    g_assert_cmphex(awd_reg(&d, AWD_REG_QERR_LO), ==, 0);
    awd_dev_stop(&d);
}

/* Bad tail doorbells: past the ring, backwards, elsewhere in the page */
static void test_inplace_bad_doorbell(void)
{
    AwdDev d;
    IpQ q, other;
    unsigned oslot = 0;
    const uint32_t past[] = { 4, 5, 0x10000, 0xffffffff };
    const unsigned offs[] = { AWD_INPLACE_DB_SQ_HEAD, 0x8, AWD_DB_STRIDE - 4 };

    awd_dev_start(&d, ",format=inplace");
    ip_setup(&d, &other, 1, 1);

    for (unsigned i = 0; i < ARRAY_SIZE(past); i++) {
        ip_setup(&d, &q, 0, 2);
        ip_tail(&q, past[i]);
        g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
        g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_TAIL), ==, 0);
        other_ok(&d, &other, 0, &oslot);
        ip_reset(&q);
    }

    /* a tail that takes back slots already handed over */
    ip_setup(&d, &q, 0, 2);
    for (unsigned i = 0; i < 3; i++) {
        ip_put(&q, i, &(struct awd_inplace_desc) { .opcode = AWD_OP_NOP });
    }
    qtest_qmp_assert_success(d.qts, "{'execute': 'stop'}");
    ip_tail(&q, 2);
    ip_tail(&q, 1);
    qtest_qmp_assert_success(d.qts, "{'execute': 'cont'}");
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_TAIL), ==, 2);
    /* nothing was run: the queue stopped before the VM went on */
    g_assert_cmphex(qtest_readl(d.qts, ip_slot(&q, 0) + CFLAGS_OFF), ==, 0);
    other_ok(&d, &other, 0, &oslot);
    ip_reset(&q);

    /* the same tail again, and a tail further on, are fine */
    ip_setup(&d, &q, 0, 2);
    for (unsigned i = 0; i < 3; i++) {
        ip_put(&q, i, &(struct awd_inplace_desc) { .opcode = AWD_OP_NOP });
    }
    qtest_qmp_assert_success(d.qts, "{'execute': 'stop'}");
    ip_tail(&q, 1);
    ip_tail(&q, 1);
    ip_tail(&q, 3);
    qtest_qmp_assert_success(d.qts, "{'execute': 'cont'}");
    for (unsigned i = 0; i < 3; i++) {
        g_assert_cmpuint(ip_wait(&q, i).status, ==, AWD_STS_OK);
    }
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    ip_reset(&q);

    /* writes anywhere else in the page: SQ_HEAD (RO), 0x8, the last word */
    for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
        ip_setup(&d, &q, 0, 2);
        awd_doorbell(&d, 0, offs[i], 0);
        g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
        other_ok(&d, &other, 0, &oslot);
        ip_reset(&q);
    }
    /* a 64-bit write to the tail: its high half stops the queue */
    ip_setup(&d, &q, 0, 2);
    ip_put(&q, 0, &(struct awd_inplace_desc) { .opcode = AWD_OP_NOP });
    qpci_io_writeq(d.dev, d.db, AWD_INPLACE_DB_SQ_TAIL, 1);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
    g_assert_cmphex(qtest_readl(d.qts, ip_slot(&q, 0) + CFLAGS_OFF), ==, 0);
    other_ok(&d, &other, 0, &oslot);
    ip_reset(&q);
    awd_dev_stop(&d);
}

/*
 * The firmware ROM is readable but not writable by DMA: find 128 zero
 * bytes in it (two NOP slots), searching down from the top so that the
 * block is inside the image whatever its size. Returns 0 if there is no
 * ROM or no such block.
 */
static uint64_t rom_zero_ring(AwdDev *d)
{
    g_autofree uint8_t *rom = g_malloc(ROM_SIZE);
    bool seen_code = false;

    qtest_memread(d->qts, ROM_BASE, rom, ROM_SIZE);
    for (long at = ROM_SIZE - 2 * SLOT; at >= 0; at -= 2 * SLOT) {
        bool zero = true;

        for (size_t i = 0; i < 2 * SLOT; i++) {
            zero &= rom[at + i] == 0;
        }
        if (zero && seen_code) {
            return ROM_BASE + at;
        }
        seen_code |= !zero;
    }
    return 0;
}

/* Slots that cannot be read, or read but not written */
static void test_inplace_bad_slots(void)
{
    AwdDev d;
    IpQ q, other;
    unsigned oslot = 0;
    uint64_t rom;

    awd_dev_start(&d, ",format=inplace");
    ip_setup(&d, &other, 1, 1);

    /* a ring where there is no memory */
    g_assert_true(ip_enable(&d, &q, 0, 1, NO_RAM) & AWD_QSTS_ENABLED);
    ip_tail(&q, 1);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_SQ_FETCH);
    g_assert_cmphex(qfault(&d, 0), ==, NO_RAM);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 0);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_DESC_BYTES), ==, 0);
    other_ok(&d, &other, 0, &oslot);
    ip_reset(&q);

    /* a ring in ROM: slot 0 (all zero: a NOP) is read, its record fails */
    rom = rom_zero_ring(&d);
    if (rom) {
        g_assert_true(ip_enable(&d, &q, 0, 1, rom) & AWD_QSTS_ENABLED);
        ip_tail(&q, 1);
        g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_CQ_WRITE);
        g_assert_cmphex(qfault(&d, 0), ==, rom);
        g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 0);
        g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_DESC_BYTES), ==, SLOT);
        g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_CPL_BYTES), ==, 0);
        other_ok(&d, &other, 0, &oslot);
        ip_reset(&q);
    } else {
        g_test_message("no zeroed block in a firmware ROM: "
                       "unwritable slot not tried");
    }
    awd_dev_stop(&d);
}

/* Bad descriptor fields complete with their status; the queue goes on */
static void test_inplace_bad_fields(void)
{
    static const struct {
        struct awd_inplace_desc d;
        uint32_t status;
    } bad[] = {
        { { .opcode = AWD_OP_MAX + 1 }, AWD_STS_INVALID_OPCODE },
        { { .opcode = 0xff }, AWD_STS_INVALID_OPCODE },
        { { .opcode = AWD_OP_BATCH, .src_len = 1 }, AWD_STS_INVALID_OPCODE },
        { { .opcode = AWD_OP_NOP, .flags = 0x80 }, AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_NOP, .flags = 0x10 }, AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_NOP, .rsvd0 = 1 }, AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_NOP, .rsvd1 = 1 }, AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_NOP, .rsvd2 = 0x80000000 },
          AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_COMPRESS, .src_len = 0, .dst_len = 64,
            .param = COMP_PARAM(AWD_FMT_RAW, 1) }, AWD_STS_INVALID_LEN },
        { { .opcode = AWD_OP_COMPRESS, .src_len = 64, .dst_len = 64,
            .param = COMP_PARAM(3, 1) }, AWD_STS_INVALID_PARAM },
        { { .opcode = AWD_OP_COMPRESS, .src = NO_RAM, .src_len = 64,
            .dst_len = 256, .param = COMP_PARAM(AWD_FMT_RAW, 1) },
          AWD_STS_DMA_ERROR },
    };
    uint8_t half[SLOT - AWD_CPL_SIZE], now[SLOT - AWD_CPL_SIZE];
    AwdDev d;
    IpQ q;
    uint64_t dst;

    awd_dev_start(&d, ",format=inplace");
    ip_setup(&d, &q, 0, 4);
    dst = awd_alloc(&d, PG, PG);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        struct awd_inplace_desc x = bad[i].d;
        struct awd_cpl c;

        x.tag = 0x700 + i;
        if (x.opcode == AWD_OP_COMPRESS) {
            x.dst = dst;
        }
        ip_put(&q, i, &x);
        awd_read_buf(&d, ip_slot(&q, i) + AWD_CPL_SIZE, half, sizeof(half));
        ip_tail(&q, i + 1);
        c = ip_wait(&q, i);
        g_assert_cmpuint(c.status, ==, bad[i].status);
        g_assert_cmphex(c.tag, ==, 0x700 + i);
        g_assert_cmpuint(c.sq_head, ==, i + 1);
        if (bad[i].status == AWD_STS_DMA_ERROR) {
            g_assert_cmphex(c.fault_addr, ==, NO_RAM);
            g_assert_false(c.flags & AWD_CF_FAULT_META);
        }
        awd_read_buf(&d, ip_slot(&q, i) + AWD_CPL_SIZE, now, sizeof(now));
        g_assert_cmpmem(now, sizeof(now), half, sizeof(half));
    }
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    g_assert_cmphex(awd_reg(&d, AWD_REG_QERR_LO), ==, 0);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/inplace/regs", test_inplace_regs);
    qtest_add_func("/accel-wd/inplace/roundtrip", test_inplace_roundtrip);
    qtest_add_func("/accel-wd/inplace/full", test_inplace_full);
    qtest_add_func("/accel-wd/inplace/bad-config", test_inplace_bad_config);
    qtest_add_func("/accel-wd/inplace/bad-doorbell",
                   test_inplace_bad_doorbell);
    qtest_add_func("/accel-wd/inplace/bad-slots", test_inplace_bad_slots);
    qtest_add_func("/accel-wd/inplace/bad-fields", test_inplace_bad_fields);
    return g_test_run();
}
