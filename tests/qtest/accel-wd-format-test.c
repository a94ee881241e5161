/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd's queue formats in plain bus-master DMA mode: the
 * format registers, the "sgl" format (lists in memory, chained; every
 * defect of a list gives its own status and the queue goes on) and the
 * "crec" format (portal, completion records in memory, batches; bad
 * portal writes and unwritable records stop the queue, other queues
 * unaffected). Output is checked with host zlib, counters exactly.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "accel-wd-util.h"
#include "hw/accel-wd/accel_wd_sgl.h"

#define PG              4096
/* q35 with 512 MiB: nothing answers at 3 GiB - 64 KiB below the MMIO hole */
#define NO_RAM          0x80000000ull
#define COMP_PARAM(fmt, level) \
    (((fmt) << AWD_PARAM_FMT_SHIFT) | ((level) << AWD_PARAM_LEVEL_SHIFT))

static uint64_t qcnt(AwdDev *d, unsigned q, unsigned i)
{
    return awd_qreg(d, q, AWD_Q_CNT(i)) |
           (uint64_t)awd_qreg(d, q, AWD_Q_CNT(i) + 4) << 32;
}

/* ---- format registers ------------------------------------------------- */

static void test_format_regs(void)
{
    static const struct {
        const char *prop;
        uint32_t id, p0, p1;
    } f[] = {
        { "", AWD_FORMAT_RING, 0, 0 },
        { ",format=ring", AWD_FORMAT_RING, 0, 0 },
        { ",format=sgl", AWD_FORMAT_SGL, 1024, 64 },
        { ",format=sgl,sgl-max-entries=7,sgl-max-lists=3", AWD_FORMAT_SGL,
          7, 3 },
        { ",format=crec", AWD_FORMAT_CREC, 64, 0 },
        { ",format=crec,crec-max-batch=5", AWD_FORMAT_CREC, 5, 0 },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(f); i++) {
        AwdDev d;

        awd_dev_start(&d, f[i].prop);
        g_assert_cmphex(awd_reg(&d, AWD_REG_VERSION), ==, AWD_VERSION);
        g_assert_cmpuint(awd_reg(&d, AWD_REG_FORMAT), ==, f[i].id);
        g_assert_cmpuint(awd_reg(&d, AWD_REG_FMT_PARAM(0)), ==, f[i].p0);
        g_assert_cmpuint(awd_reg(&d, AWD_REG_FMT_PARAM(1)), ==, f[i].p1);
        g_assert_cmpuint(awd_reg(&d, AWD_REG_FMT_PARAM(3)), ==, 0);
        awd_dev_stop(&d);
    }
}

/* Nonsensical format properties stop QEMU at startup with a message */
static void test_format_props(void)
{
    static const struct {
        const char *prop, *msg;
    } bad[] = {
        { "format=tape", "unknown; this device knows ring" },
        { "format=", "unknown" },
        { "format=sgl,sgl-max-entries=0", "sgl-max-entries must be" },
        { "format=sgl,sgl-max-lists=0", "sgl-max-lists must be" },
        { "format=sgl,sgl-max-lists=100000", "sgl-max-lists must be" },
        { "format=crec,crec-max-batch=0", "crec-max-batch must be" },
        { "format=crec,crec-max-batch=5000", "crec-max-batch must be" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        awd_expect_refused(bad[i].prop, bad[i].msg);
    }
}

/* ---- sgl --------------------------------------------------------------- */

static void sge_put(AwdDev *d, uint64_t at, uint64_t addr, uint32_t len,
                    uint32_t flags)
{
    struct awd_sge e = {
        .addr = cpu_to_le64(addr),
        .len = cpu_to_le32(len),
        .flags = cpu_to_le32(flags),
    };

    awd_write_buf(d, at, &e, sizeof(e));
}

/* Run one request naming the lists @src and @dst */
static struct awd_cpl sgl_run(AwdQ *q, uint32_t tag, uint8_t op,
                              uint64_t src, uint32_t src_len, uint64_t dst,
                              uint32_t dst_len)
{
    /* struct awd_sgl_desc has the layout of struct awd_desc */
    struct awd_desc d = {
        .opcode = op, .tag = tag, .src = src, .dst = dst,
        .src_len = src_len, .dst_len = dst_len,
        .param = op == AWD_OP_RSA ? 0 : COMP_PARAM(AWD_FMT_GZIP, 6),
    };

    return awd_q_run(q, &d);
}

/*
 * Lay @len bytes out as @n pieces scattered over @buf (pieces in reverse
 * order), listed @per entries a list with chains; returns the first list.
 */
static uint64_t sgl_build(AwdDev *d, uint64_t buf, size_t len, unsigned n,
                          unsigned per, uint64_t *piece_addr)
{
    size_t piece = DIV_ROUND_UP(len, n);
    unsigned nlists = DIV_ROUND_UP(n, per - 1);
    uint64_t lists = awd_alloc(d, nlists * per * 16, 16);
    unsigned e = 0;

    for (unsigned i = 0; i < n; i++) {
        uint64_t at = lists + (uint64_t)(i / (per - 1)) * per * 16 +
                      (i % (per - 1)) * 16;
        uint32_t l = MIN(piece, len - i * piece);

        piece_addr[i] = buf + (uint64_t)(n - 1 - i) * (piece + 64);
        sge_put(d, at, piece_addr[i], l, i == n - 1 ? AWD_SGE_END : 0);
        if (i % (per - 1) == per - 2 && i != n - 1) {
            sge_put(d, at + 16, at + 32, 0, AWD_SGE_CHAIN);
        }
        e++;
    }
    return lists;
}

static void scatter(AwdDev *d, const uint64_t *piece_addr, unsigned n,
                    const uint8_t *data, size_t len, bool write)
{
    size_t piece = DIV_ROUND_UP(len, n);

    for (unsigned i = 0; i < n; i++) {
        size_t l = MIN(piece, len - i * piece);

        if (write) {
            awd_write_buf(d, piece_addr[i], data + i * piece, l);
        } else {
            awd_read_buf(d, piece_addr[i], (uint8_t *)data + i * piece, l);
        }
    }
}

/* Round trip through chained lists: compress, then decompress */
static void test_sgl_roundtrip(void)
{
    size_t len = 48 * 1024;
    g_autofree uint8_t *data = awd_test_data(len, 11);
    g_autofree uint8_t *comp = g_malloc(len * 2);
    g_autofree uint8_t *back = g_malloc(len + 1);
    uint64_t sp[24], dp[12], bp[24];
    AwdDev d;
    AwdQ q;
    uint64_t src, dst, out, sl, dl, bl;
    struct awd_cpl c;
    long n;

    awd_dev_start(&d, ",format=sgl");
    awd_q_setup(&d, &q, 0, 3);
    src = awd_alloc(&d, len + 24 * 64, 64);
    dst = awd_alloc(&d, len * 2 + 12 * 64, 64);
    out = awd_alloc(&d, len + 24 * 64, 64);
    sl = sgl_build(&d, src, len, 24, 5, sp);          /* 6 chained lists */
    dl = sgl_build(&d, dst, len * 2, 12, 16, dp);
    scatter(&d, sp, 24, data, len, true);
    c = sgl_run(&q, 1, AWD_OP_COMPRESS, sl, len, dl, len * 2);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpuint(c.consumed, ==, len);
    scatter(&d, dp, 12, comp, len * 2, false);
    n = awd_host_inflate(31, comp, c.produced, back, len + 1);
    g_assert_cmpint(n, ==, len);
    g_assert_cmpmem(back, len, data, len);
    /* list bytes: 6 + 1 lists, read up to their ends */
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_LIST_BYTES), >=,
                     (24 + 5 + 12) * 16);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_DESC_BYTES), ==, AWD_DESC_SIZE);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_CPL_BYTES), ==, AWD_CPL_SIZE);
    g_assert_cmpuint(qcnt(&d, 0, AWD_QCNT_DB_WRITES), ==, 2);

    /* and back through lists of other shapes */
    bl = sgl_build(&d, out, len, 24, 2, bp);           /* one entry each */
    dl = sgl_build(&d, dst, c.produced, 3, 3, dp);
    scatter(&d, dp, 3, comp, c.produced, true);
    c = sgl_run(&q, 2, AWD_OP_DECOMPRESS, dl, c.produced, bl, len);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpuint(c.produced, ==, len);
    memset(back, 0, len);
    scatter(&d, bp, 24, back, len, false);
    g_assert_cmpmem(back, len, data, len);
    awd_dev_stop(&d);
}

typedef struct BadList {
    const char *what;
    uint32_t status;
    bool meta;
} BadList;

/* Every defect of a list: its own status, then the queue goes on */
static void test_sgl_bad_lists(void)
{
    g_autofree uint8_t *data = awd_test_data(4 * PG, 5);
    AwdDev d;
    AwdQ q, other;
    uint64_t buf, dst, l, l2;
    struct awd_cpl c;

    awd_dev_start(&d, ",format=sgl,sgl-max-entries=8,sgl-max-lists=3");
    awd_q_setup(&d, &q, 1, 4);
    awd_q_setup(&d, &other, 2, 2);
    buf = awd_alloc(&d, 4 * PG, PG);
    dst = awd_alloc(&d, 8 * PG, PG);
    awd_write_buf(&d, buf, data, 4 * PG);
    l = awd_alloc(&d, PG, PG);
    l2 = awd_alloc(&d, PG, PG);

#define RUN(tag, s, slen, st) \
    do { \
        c = sgl_run(&q, tag, AWD_OP_COMPRESS, s, slen, dl, 8 * PG); \
        g_assert_cmpuint(c.status, ==, st); \
    } while (0)
    uint64_t dl = awd_alloc(&d, 64, 16);

    sge_put(&d, dl, dst, 8 * PG, AWD_SGE_END);

    /* 9 data entries, limit 8 */
    for (unsigned i = 0; i < 9; i++) {
        sge_put(&d, l + i * 16, buf + i * 64, 64, i == 8 ? AWD_SGE_END : 0);
    }
    RUN(1, l, 9 * 64, AWD_STS_SGL_TOO_LONG);
    /* 8 are fine */
    sge_put(&d, l + 7 * 16, buf + 7 * 64, 64, AWD_SGE_END);
    RUN(2, l, 8 * 64, AWD_STS_OK);
    /* a zero-length data entry */
    sge_put(&d, l + 3 * 16, buf, 0, 0);
    RUN(3, l, 7 * 64, AWD_STS_SGL_ZERO_LEN);
    /* a list chaining to itself */
    sge_put(&d, l, l, 0, AWD_SGE_CHAIN);
    RUN(4, l, 64, AWD_STS_SGL_LOOP);
    /* a chain back into the middle of a list already walked */
    sge_put(&d, l, buf, 64, 0);
    sge_put(&d, l + 16, l2, 0, AWD_SGE_CHAIN);
    sge_put(&d, l2, buf, 64, 0);
    sge_put(&d, l2 + 16, l + 16, 0, AWD_SGE_CHAIN);
    RUN(5, l, 128, AWD_STS_SGL_LOOP);
    /* more lists than the limit (3): l2 -> l2+64 -> l2+128 -> l2+192 */
    for (unsigned i = 0; i < 4; i++) {
        sge_put(&d, l2 + i * 64, buf, 16, 0);
        sge_put(&d, l2 + i * 64 + 16, l2 + (i + 1) * 64, 0, AWD_SGE_CHAIN);
    }
    RUN(6, l2, 5 * 16, AWD_STS_SGL_TOO_LONG);
    /* a misaligned first list, and a misaligned chain target */
    RUN(7, l + 8, 64, AWD_STS_MISALIGNED);
    sge_put(&d, l, buf, 64, 0);
    sge_put(&d, l + 16, l2 + 4, 0, AWD_SGE_CHAIN);
    RUN(8, l, 64, AWD_STS_MISALIGNED);
    /* unknown flags, CHAIN with END, a chain with a length */
    sge_put(&d, l, buf, 64, AWD_SGE_END | 0x100);
    RUN(9, l, 64, AWD_STS_INVALID_FLAGS);
    sge_put(&d, l, l2, 0, AWD_SGE_END | AWD_SGE_CHAIN);
    RUN(10, l, 64, AWD_STS_INVALID_FLAGS);
    sge_put(&d, l, l2, 64, AWD_SGE_CHAIN);
    RUN(11, l, 64, AWD_STS_INVALID_FLAGS);
    /* src_len not the sum of the entries */
    sge_put(&d, l, buf, 64, AWD_SGE_END);
    RUN(12, l, 65, AWD_STS_INVALID_LEN);
    /* a list where there is no memory: DMA error, on the metadata */
    RUN(13, NO_RAM, 64, AWD_STS_DMA_ERROR);
    g_assert_true(c.flags & AWD_CF_FAULT_META);
    g_assert_cmphex(c.fault_addr, ==, NO_RAM);
    /* a chain into no memory */
    sge_put(&d, l, buf, 64, 0);
    sge_put(&d, l + 16, NO_RAM, 0, AWD_SGE_CHAIN);
    RUN(14, l, 64, AWD_STS_DMA_ERROR);
    g_assert_true(c.flags & AWD_CF_FAULT_META);
    /* a list ending on the last entry of RAM-backed page is read no further */
    sge_put(&d, l + PG - 16, buf, 4 * PG, AWD_SGE_END);
    RUN(15, l + PG - 16, 4 * PG, AWD_STS_OK);
#undef RUN

    /* the queue and the others still work, nothing went into error */
    g_assert_cmphex(awd_qreg(&d, 1, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    g_assert_cmphex(awd_reg(&d, AWD_REG_QERR_LO), ==, 0);
    c = sgl_run(&other, 99, AWD_OP_NOP, 0, 0, 0, 0);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    awd_dev_stop(&d);
}

/* ---- crec -------------------------------------------------------------- */

static uint32_t wait_qerr(AwdDev *d, unsigned q)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    while (!(awd_qreg(d, q, AWD_Q_STATUS) & AWD_QSTS_ERROR)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    return awd_qreg(d, q, AWD_Q_ERROR);
}

static void crec_reset(AwdDev *d, AwdCrecQ *q, unsigned order)
{
    awd_qreg_write(d, q->index, AWD_Q_CTRL, AWD_QCTRL_RESET);
    g_assert_cmphex(awd_qreg(d, q->index, AWD_Q_CTRL), ==, 0);
    awd_crec_setup(d, q, q->index, order);
}

/* Compress through the portal, records in memory, counters exact */
static void test_crec_roundtrip(void)
{
    size_t len = 32 * 1024;
    g_autofree uint8_t *data = awd_test_data(len, 13);
    g_autofree uint8_t *comp = g_malloc(len * 2);
    g_autofree uint8_t *back = g_malloc(len + 1);
    AwdDev d;
    AwdCrecQ q;
    uint64_t src, dst, desc, rec;
    struct awd_cpl c;

    awd_dev_start(&d, ",format=crec");
    awd_crec_setup(&d, &q, 3, 2);
    src = awd_alloc(&d, len, PG);
    dst = awd_alloc(&d, len * 2, PG);
    desc = awd_alloc(&d, 4 * 64, 64);
    rec = awd_alloc(&d, 4 * 32, 32);
    awd_write_buf(&d, src, data, len);
    for (unsigned i = 0; i < 3; i++) {
        awd_crec_put(&d, desc + i * 64, &(struct awd_crec_desc) {
            .opcode = AWD_OP_COMPRESS, .tag = 0x100 + i, .src = src,
            .dst = dst, .src_len = len, .dst_len = len * 2,
            .param = COMP_PARAM(AWD_FMT_ZLIB, 1 + i), .crec = rec + i * 32,
        });
        awd_crec_portal(&q, desc + i * 64);
    }
    for (unsigned i = 0; i < 3; i++) {
        c = awd_crec_wait(&d, rec + i * 32);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmphex(c.tag, ==, 0x100 + i);
        g_assert_cmpuint(c.consumed, ==, len);
    }
    awd_read_buf(&d, dst, comp, c.produced);
    g_assert_cmpint(awd_host_inflate(15, comp, c.produced, back, len + 1),
                    ==, len);
    g_assert_cmpmem(back, len, data, len);
    g_assert_cmpuint(qcnt(&d, 3, AWD_QCNT_DB_WRITES), ==, 3);
    g_assert_cmpuint(qcnt(&d, 3, AWD_QCNT_DESC_BYTES), ==, 3 * 64);
    g_assert_cmpuint(qcnt(&d, 3, AWD_QCNT_CPL_BYTES), ==, 3 * 32);
    g_assert_cmpuint(awd_qreg(&d, 3, AWD_Q_SQ_TAIL), ==, 3);
    g_assert_cmpuint(qpci_io_readl(d.dev, d.db, 3 * AWD_DB_STRIDE +
                                   AWD_CREC_PENDING), ==, 0);
    awd_dev_stop(&d);
}

/* Batches: good, failing member, limits, nesting, misalignment, faults */
static void test_crec_batch(void)
{
    AwdDev d;
    AwdCrecQ q;
    uint64_t arr, rec, brec, buf;
    struct awd_cpl c;

    awd_dev_start(&d, ",format=crec,crec-max-batch=4");
    awd_crec_setup(&d, &q, 0, 3);
    arr = awd_alloc(&d, 8 * 64, 64);
    rec = awd_alloc(&d, 8 * 32, 32);
    brec = awd_alloc(&d, 8 * 32 + 8 * 64, 64);
    buf = brec + 8 * 32;
    for (unsigned i = 0; i < 4; i++) {
        awd_crec_put(&d, arr + i * 64, &(struct awd_crec_desc) {
            .opcode = AWD_OP_NOP, .tag = i, .crec = rec + i * 32,
        });
    }
#define BATCH(slot, a, n, st) \
    do { \
        awd_crec_put(&d, buf + (slot) * 64, &(struct awd_crec_desc) { \
            .opcode = AWD_OP_BATCH, .tag = 0xb0 + (slot), .src = (a), \
            .src_len = (n), .crec = brec + (slot) * 32 }); \
        awd_crec_portal(&q, buf + (slot) * 64); \
        c = awd_crec_wait(&d, brec + (slot) * 32); \
        g_assert_cmpuint(c.status, ==, st); \
    } while (0)

    BATCH(0, arr, 4, AWD_STS_OK);
    g_assert_cmpuint(c.consumed, ==, 4);
    g_assert_cmpuint(c.produced, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        g_assert_cmphex(awd_crec_wait(&d, rec + i * 32).tag, ==, i);
    }
    /* one member with a bad opcode: the batch says so, the rest ran */
    awd_crec_put(&d, arr + 64, &(struct awd_crec_desc) {
        .opcode = 0x77, .tag = 1, .crec = rec + 5 * 32 });
    BATCH(1, arr, 4, AWD_STS_BATCH_FAIL);
    g_assert_cmpuint(c.consumed, ==, 3);
    g_assert_cmpuint(c.produced, ==, 4);
    g_assert_cmpuint(awd_crec_wait(&d, rec + 5 * 32).status, ==,
                     AWD_STS_INVALID_OPCODE);
    /* a batch inside a batch */
    awd_crec_put(&d, arr + 64, &(struct awd_crec_desc) {
        .opcode = AWD_OP_BATCH, .tag = 1, .src = arr, .src_len = 1,
        .crec = rec + 6 * 32 });
    BATCH(2, arr, 2, AWD_STS_BATCH_FAIL);
    g_assert_cmpuint(awd_crec_wait(&d, rec + 6 * 32).status, ==,
                     AWD_STS_INVALID_OPCODE);
    /* counts over the limit, zero, a misaligned array, no memory */
    BATCH(3, arr, 5, AWD_STS_INVALID_LEN);
    BATCH(4, arr, 0, AWD_STS_INVALID_LEN);
    BATCH(5, arr + 32, 1, AWD_STS_MISALIGNED);
    BATCH(6, NO_RAM, 1, AWD_STS_FAULT);
    g_assert_true(c.flags & AWD_CF_FAULT_META);
    g_assert_cmphex(c.fault_addr, ==, NO_RAM);
#undef BATCH
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    awd_dev_stop(&d);
}

/* What stops a crec queue, and that the others go on */
static void test_crec_queue_errors(void)
{
    AwdDev d;
    AwdCrecQ q, other;
    uint64_t desc, rec;
    struct awd_cpl c;

    awd_dev_start(&d, ",format=crec");
    awd_crec_setup(&d, &q, 0, 1);
    awd_crec_setup(&d, &other, 1, 1);
    desc = awd_alloc(&d, 8 * 64, 64);
    rec = awd_alloc(&d, 8 * 32, 32);
    for (unsigned i = 0; i < 8; i++) {
        awd_crec_put(&d, desc + i * 64, &(struct awd_crec_desc) {
            .opcode = AWD_OP_NOP, .tag = i, .crec = rec + i * 32 });
    }
    /* a misaligned descriptor address */
    awd_crec_portal(&q, desc + 8);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
    crec_reset(&d, &q, 1);
    /* a high half with no low half before it */
    awd_doorbell(&d, 0, AWD_CREC_PORTAL + 4, 0);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_BAD_DOORBELL);
    crec_reset(&d, &q, 1);
    /* two halves as two 32-bit writes submit too */
    awd_doorbell(&d, 0, AWD_CREC_PORTAL, desc);
    awd_doorbell(&d, 0, AWD_CREC_PORTAL + 4, desc >> 32);
    g_assert_cmphex(awd_crec_wait(&d, rec).tag, ==, 0);
    /* a descriptor where there is no memory */
    awd_crec_portal(&q, NO_RAM);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_SQ_FETCH);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_FAULT_ADDR_LO), ==,
                    (uint32_t)NO_RAM);
    crec_reset(&d, &q, 1);
    /* a record where there is no memory, and a misaligned one */
    awd_crec_put(&d, desc + 64, &(struct awd_crec_desc) {
        .opcode = AWD_OP_NOP, .tag = 1, .crec = NO_RAM });
    awd_crec_portal(&q, desc + 64);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_CQ_WRITE);
    crec_reset(&d, &q, 1);
    awd_crec_put(&d, desc + 64, &(struct awd_crec_desc) {
        .opcode = AWD_OP_NOP, .tag = 1, .crec = rec + 8 });
    awd_crec_portal(&q, desc + 64);
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_CQ_WRITE);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_FAULT_ADDR_LO), ==,
                    (uint32_t)(rec + 8));
    crec_reset(&d, &q, 1);
    /* more submissions than the portal holds (2) while the VM is stopped */
    qtest_qmp_assert_success(d.qts, "{'execute': 'stop'}");
    for (unsigned i = 2; i < 5; i++) {
        awd_crec_portal(&q, desc + i * 64);
    }
    qtest_qmp_assert_success(d.qts, "{'execute': 'cont'}");
    g_assert_cmpuint(wait_qerr(&d, 0), ==, AWD_QERR_PORTAL_FULL);
    /* the queue stopped: what it had accepted stays undone */
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_TAIL), ==, 2);
    g_assert_cmpuint(qtest_readl(d.qts, rec + 2 * 32 +
                                 offsetof(struct awd_cpl, flags)), ==, 0);
    /* the other queue never noticed */
    awd_crec_portal(&other, desc + 7 * 64);
    c = awd_crec_wait(&d, rec + 7 * 32);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmphex(awd_qreg(&d, 1, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    /* a reset queue works again */
    crec_reset(&d, &q, 1);
    awd_crec_put(&d, desc, &(struct awd_crec_desc) {
        .opcode = AWD_OP_NOP, .tag = 0x55, .crec = rec + 4 * 32 });
    awd_crec_portal(&q, desc);
    g_assert_cmphex(awd_crec_wait(&d, rec + 4 * 32).tag, ==, 0x55);
    awd_dev_stop(&d);
}

/* Bad descriptor fields reach the common checks in every format */
static void test_crec_bad_fields(void)
{
    static const struct {
        struct awd_crec_desc d;
        uint32_t status;
    } bad[] = {
        { { .opcode = AWD_OP_MAX + 1 }, AWD_STS_INVALID_OPCODE },
        { { .opcode = AWD_OP_NOP, .flags = 0x80 }, AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_NOP, .rsvd1 = 1 }, AWD_STS_INVALID_FLAGS },
        { { .opcode = AWD_OP_COMPRESS, .src_len = 0, .dst_len = 64,
            .param = COMP_PARAM(AWD_FMT_RAW, 1) }, AWD_STS_INVALID_LEN },
        { { .opcode = AWD_OP_COMPRESS, .src_len = 64, .dst_len = 64,
            .param = COMP_PARAM(3, 1) }, AWD_STS_INVALID_PARAM },
    };
    AwdDev d;
    AwdCrecQ q;
    uint64_t desc, rec;

    awd_dev_start(&d, ",format=crec");
    awd_crec_setup(&d, &q, 0, 4);
    desc = awd_alloc(&d, ARRAY_SIZE(bad) * 64, 64);
    rec = awd_alloc(&d, ARRAY_SIZE(bad) * 32, 32);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        struct awd_crec_desc x = bad[i].d;

        x.tag = i;
        x.crec = rec + i * 32;
        awd_crec_put(&d, desc + i * 64, &x);
        awd_crec_portal(&q, desc + i * 64);
        g_assert_cmpuint(awd_crec_wait(&d, rec + i * 32).status, ==,
                         bad[i].status);
    }
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/format/regs", test_format_regs);
    qtest_add_func("/accel-wd/format/props", test_format_props);
    qtest_add_func("/accel-wd/format/sgl-roundtrip", test_sgl_roundtrip);
    qtest_add_func("/accel-wd/format/sgl-bad-lists", test_sgl_bad_lists);
    qtest_add_func("/accel-wd/format/crec-roundtrip", test_crec_roundtrip);
    qtest_add_func("/accel-wd/format/crec-batch", test_crec_batch);
    qtest_add_func("/accel-wd/format/crec-queue-errors",
                   test_crec_queue_errors);
    qtest_add_func("/accel-wd/format/crec-bad-fields", test_crec_bad_fields);
    return g_test_run();
}
