/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for the accel-wd queues in plain bus-master DMA mode (no IOMMU):
 * NOP, completions and phase, interrupts, compression checked by host
 * zlib, decompression of host zlib output, streams, RSA, and bad input
 * for descriptor fields, ring registers and doorbells.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "accel-wd-util.h"

#define COMP_PARAM(fmt, level) \
    (((fmt) << AWD_PARAM_FMT_SHIFT) | ((level) << AWD_PARAM_LEVEL_SHIFT))

static void test_nop(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_cpl c;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 4);
    for (unsigned i = 0; i < 3; i++) {
        struct awd_desc desc = { .opcode = AWD_OP_NOP, .tag = 0x100 + i };

        awd_q_put(&q, &desc);
    }
    awd_doorbell(&d, 0, AWD_DB_SQ_TAIL, q.tail);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_true(awd_q_wait(&q, &c, 10000));
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmphex(c.tag, ==, 0x100 + i);
        g_assert_cmpuint(c.sq_head, ==, i + 1);
        g_assert_true(c.flags & AWD_CF_PHASE);
    }
    awd_q_wait_idle(&q);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 3);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_CQ_TAIL), ==, 3);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_TAIL), ==, 3);
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_IRQ_VECTOR), ==, 0);
    awd_dev_stop(&d);
}

/* A 4-entry ring wraps several times; the phase bit flips on each wrap */
static void test_phase_wrap(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_cpl c;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 3, 2);
    for (unsigned i = 0; i < 13; i++) {
        struct awd_desc desc = { .opcode = AWD_OP_NOP, .tag = i };

        c = awd_q_run(&q, &desc);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmpuint(!!(c.flags & AWD_CF_PHASE), ==, ((i / 4) + 1) & 1);
    }
    awd_dev_stop(&d);
}

/* Completion interrupt: MSI-X vector = queue index, only with AWD_DF_IRQ */
static void test_irq(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc desc = { .opcode = AWD_OP_NOP };
    uint64_t msg;
    unsigned qi = 2;

    awd_dev_start(&d, NULL);
    qpci_msix_enable(d.dev);
    /* the MSI write lands in guest RAM: a mailbox we can read */
    msg = awd_alloc(&d, 64, 64);
    qtest_writel(d.qts, msg, 0);
    qpci_io_writel(d.dev, d.dev->msix_table_bar,
                   d.dev->msix_table_off + qi * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_LOWER_ADDR, msg);
    qpci_io_writel(d.dev, d.dev->msix_table_bar,
                   d.dev->msix_table_off + qi * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_UPPER_ADDR, 0);
    qpci_io_writel(d.dev, d.dev->msix_table_bar,
                   d.dev->msix_table_off + qi * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_DATA, 0xabcd);
    qpci_io_writel(d.dev, d.dev->msix_table_bar,
                   d.dev->msix_table_off + qi * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    awd_q_setup(&d, &q, qi, 3);
    g_assert_cmpuint(awd_qreg(&d, qi, AWD_Q_IRQ_VECTOR), ==, qi);

    /* polled: no interrupt */
    awd_q_run(&q, &desc);
    g_assert_cmphex(qtest_readl(d.qts, msg), ==, 0);
    /* interrupt requested */
    desc.flags = AWD_DF_IRQ;
    awd_q_run(&q, &desc);
    for (int i = 0; i < 1000 && qtest_readl(d.qts, msg) != 0xabcd; i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qtest_readl(d.qts, msg), ==, 0xabcd);
    awd_dev_stop(&d);
}

static void compress_one(AwdDev *d, AwdQ *q, unsigned fmt, unsigned level,
                         size_t len)
{
    g_autofree uint8_t *data = awd_test_data(len, fmt * 16 + level);
    size_t cap = len + len / 8 + 1024;
    g_autofree uint8_t *out = g_malloc(cap);
    g_autofree uint8_t *back = g_malloc(len);
    g_autofree uint8_t *host = g_malloc(cap);
    uint64_t src = awd_alloc(d, len, 4096);
    uint64_t dst = awd_alloc(d, cap, 4096);
    struct awd_desc desc = {
        .opcode = AWD_OP_COMPRESS, .tag = 0xc0 + level, .src = src,
        .dst = dst, .src_len = len, .dst_len = cap,
        .param = COMP_PARAM(fmt, level),
    };
    struct awd_cpl c;
    long hn;

    awd_write_buf(d, src, data, len);
    c = awd_q_run(q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpuint(c.consumed, ==, len);
    g_assert_cmpuint(c.produced, >, 0);
    g_assert_cmpuint(c.produced, <=, cap);
    awd_read_buf(d, dst, out, c.produced);
    g_assert_cmpint(awd_host_inflate(awd_fmt_wbits(fmt), out, c.produced,
                                     back, len), ==, len);
    g_assert_cmpmem(back, len, data, len);
    /* the same bytes as host zlib at the same level */
    hn = awd_host_deflate(awd_fmt_wbits(fmt), level, data, len, host, cap);
    g_assert_cmpint(hn, ==, c.produced);
    g_assert_cmpmem(host, hn, out, c.produced);
}

/* engine=zlib: host zlib's bytes at every level */
static void test_compress(void)
{
    static const unsigned levels[] = { 1, 6, 9 };
    AwdDev d;
    AwdQ q;

    awd_dev_start(&d, ",engine=zlib");
    awd_q_setup(&d, &q, 1, 5);
    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(levels); i++) {
            compress_one(&d, &q, fmt, levels[i], 20000 + 4096 * i + fmt);
        }
    }
    compress_one(&d, &q, AWD_FMT_GZIP, 3, 256 * 1024);
    awd_dev_stop(&d);
}

/*
 * engine=isal: levels 1-3 single shot through ISA-L. Not zlib's bytes, but
 * the same formats: host zlib inflates them and the checksum is the
 * input's. Other levels and too-small destinations behave as with zlib.
 */
static void test_compress_isal(void)
{
    AwdDev d;
    AwdQ q;

    awd_dev_start(&d, NULL);
    if (!awd_dev_has_engine(&d, "isal")) {
        awd_dev_stop(&d);
        g_test_skip("built without libisal");
        return;
    }
    awd_dev_stop(&d);
    awd_dev_start(&d, ",engine=isal");
    awd_q_setup(&d, &q, 0, 5);
    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        for (unsigned level = 1; level <= 3; level++) {
            for (unsigned k = 0; k < 3; k++) {
                size_t len = k == 0 ? 1 : k == 1 ? 70000 + fmt : 300 * 1024;
                g_autofree uint8_t *data = awd_test_data(len, fmt + level);
                size_t cap = len + len / 8 + 1024;
                g_autofree uint8_t *out = g_malloc(cap);
                g_autofree uint8_t *back = g_malloc(len);
                g_autofree uint8_t *host = g_malloc(cap);
                uint64_t src = awd_alloc(&d, len, 4096);
                uint64_t dst = awd_alloc(&d, cap, 4096);
                struct awd_desc desc = {
                    .opcode = AWD_OP_COMPRESS, .tag = level, .src = src,
                    .dst = dst, .src_len = len, .dst_len = cap,
                    .param = COMP_PARAM(fmt, level),
                };
                struct awd_cpl c;
                long hn;

                awd_write_buf(&d, src, data, len);
                c = awd_q_run(&q, &desc);
                g_assert_cmpuint(c.status, ==, AWD_STS_OK);
                g_assert_cmpuint(c.consumed, ==, len);
                g_assert_cmpuint(c.produced, <=, cap);
                awd_read_buf(&d, dst, out, c.produced);
                g_assert_cmpint(awd_host_inflate(awd_fmt_wbits(fmt), out,
                                                 c.produced, back, len),
                                ==, len);
                g_assert_cmpmem(back, len, data, len);
                g_assert_cmphex(c.checksum, ==,
                                awd_host_checksum(fmt, data, len));
                /* ISA-L, not zlib: the bytes differ from host zlib's */
                hn = awd_host_deflate(awd_fmt_wbits(fmt), level, data, len,
                                      host, cap);
                if (k == 2) {
                    g_assert_false(hn == c.produced &&
                                   !memcmp(host, out, hn));
                }
                /* too small: the bound, nothing consumed */
                desc.dst_len = c.produced / 2 + 1;
                desc.tag = 0x100 + level;
                c = awd_q_run(&q, &desc);
                if (len > 1) {
                    g_assert_cmpuint(c.status, ==, AWD_STS_DST_TOO_SMALL);
                    g_assert_cmpuint(c.consumed, ==, 0);
                    g_assert_cmpuint(c.produced, >=, len);
                }
            }
        }
    }
    /* level 6 stays zlib's, byte for byte */
    compress_one(&d, &q, AWD_FMT_GZIP, 6, 50000);
    awd_dev_stop(&d);
}

static void test_decompress(void)
{
    AwdDev d;
    AwdQ q;
    size_t len = 100000;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 3);
    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        g_autofree uint8_t *data = awd_test_data(len, 7 + fmt);
        g_autofree uint8_t *comp = g_malloc(len + 1024);
        g_autofree uint8_t *back = g_malloc(len);
        long n = awd_host_deflate(awd_fmt_wbits(fmt), 6, data, len, comp,
                                  len + 1024);
        uint64_t src = awd_alloc(&d, n, 4096);
        uint64_t dst = awd_alloc(&d, len, 4096);
        struct awd_desc desc = {
            .opcode = AWD_OP_DECOMPRESS, .tag = 0xd0 + fmt, .src = src,
            .dst = dst, .src_len = n, .dst_len = len,
            .param = COMP_PARAM(fmt, 0),
        };
        struct awd_cpl c;

        g_assert_cmpint(n, >, 0);
        awd_write_buf(&d, src, comp, n);
        c = awd_q_run(&q, &desc);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_true(c.flags & AWD_CF_STREAM_END);
        g_assert_cmpuint(c.consumed, ==, n);
        g_assert_cmpuint(c.produced, ==, len);
        awd_read_buf(&d, dst, back, len);
        g_assert_cmpmem(back, len, data, len);

        /* a destination too small: partial progress, no overrun */
        desc.dst_len = 1000;
        qtest_writeb(d.qts, dst + 1000, 0x5a);
        c = awd_q_run(&q, &desc);
        g_assert_cmpuint(c.status, ==, AWD_STS_DST_TOO_SMALL);
        g_assert_cmpuint(c.produced, ==, 1000);
        g_assert_cmphex(qtest_readb(d.qts, dst + 1000), ==, 0x5a);

        /* corrupt input */
        desc.dst_len = len;
        desc.src_len = n / 2;
        c = awd_q_run(&q, &desc);
        g_assert_cmpuint(c.status, ==, AWD_STS_DECODE_ERROR);
    }
    awd_dev_stop(&d);
}

/* Streamed gzip compression over 4 descriptors; host zlib reads it whole */
static void test_stream(void)
{
    AwdDev d;
    AwdQ q;
    size_t len = 200000, chunk = len / 4, cap = len + 4096, produced = 0;
    g_autofree uint8_t *data = awd_test_data(len, 42);
    g_autofree uint8_t *out = g_malloc(cap);
    g_autofree uint8_t *back = g_malloc(len);
    g_autofree char *gzip = g_find_program_in_path("gzip");
    uint64_t src, dst, ctx;
    unsigned ctx_size;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 5, 3);
    ctx_size = awd_reg(&d, AWD_REG_STREAM_CTX_SIZE);
    src = awd_alloc(&d, len, 4096);
    dst = awd_alloc(&d, cap, 4096);
    ctx = awd_alloc(&d, ctx_size, AWD_STREAM_CTX_ALIGN);
    awd_write_buf(&d, src, data, len);
    for (unsigned i = 0; i < 4; i++) {
        struct awd_desc desc = {
            .opcode = AWD_OP_COMPRESS, .tag = i,
            .flags = AWD_DF_STREAM | (i == 0 ? AWD_DF_STREAM_INIT : 0) |
                     (i == 3 ? AWD_DF_FINAL : 0),
            .src = src + i * chunk, .src_len = chunk,
            .dst = dst + produced, .dst_len = cap - produced,
            .ctx = ctx, .param = COMP_PARAM(AWD_FMT_GZIP, 6),
        };
        struct awd_cpl c = awd_q_run(&q, &desc);

        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmpuint(c.consumed, ==, chunk);
        produced += c.produced;
    }
    awd_read_buf(&d, dst, out, produced);
    g_assert_cmpint(awd_host_inflate(31, out, produced, back, len), ==, len);
    g_assert_cmpmem(back, len, data, len);

    /* and gunzip itself, when the host has it */
    if (gzip) {
        g_autofree char *dir = g_dir_make_tmp("awd-gz-XXXXXX", NULL);
        g_autofree char *gz = g_build_filename(dir, "s.gz", NULL);
        g_autofree char *plain = g_build_filename(dir, "s", NULL);
        g_autofree char *cmd = g_strdup_printf("gzip -d %s", gz);
        g_autofree char *text = NULL;
        gsize text_len = 0;
        int status;

        g_assert_true(g_file_set_contents(gz, (char *)out, produced, NULL));
        g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status,
                                                NULL));
        g_assert_cmpint(status, ==, 0);
        g_assert_true(g_file_get_contents(plain, &text, &text_len, NULL));
        g_assert_cmpmem(text, text_len, data, len);
        unlink(plain);
        rmdir(dir);
    }
    awd_dev_stop(&d);
}

/*
 * Streamed decompression of host zlib output, 7000 input bytes (more when
 * a block needs it) and 16 KiB of output per descriptor, presenting again
 * what was not consumed.
 */
static void test_stream_decompress(void)
{
    AwdDev d;
    AwdQ q;
    size_t len = 300000, in_pos = 0, out_pos = 0;
    g_autofree uint8_t *data = awd_test_data(len, 43);
    g_autofree uint8_t *comp = g_malloc(len + 1024);
    g_autofree uint8_t *back = g_malloc(len);
    uint64_t src, dst, ctx;
    unsigned ops = 0;
    size_t window = 7000;
    bool end = false;
    long n;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 7, 4);
    n = awd_host_deflate(15, 6, data, len, comp, len + 1024);
    g_assert_cmpint(n, >, 0);
    src = awd_alloc(&d, n, 4096);
    dst = awd_alloc(&d, len + 16384, 4096);
    ctx = awd_alloc(&d, awd_reg(&d, AWD_REG_STREAM_CTX_SIZE),
                    AWD_STREAM_CTX_ALIGN);
    awd_write_buf(&d, src, comp, n);
    while (!end && ops++ < 1000) {
        size_t k = MIN(window, n - in_pos);
        struct awd_desc desc = {
            .opcode = AWD_OP_DECOMPRESS, .tag = ops,
            .flags = AWD_DF_STREAM | (ops == 1 ? AWD_DF_STREAM_INIT : 0) |
                     (in_pos + k == n ? AWD_DF_FINAL : 0),
            .src = src + in_pos, .src_len = k,
            .dst = dst + out_pos, .dst_len = 16384,
            .ctx = ctx, .param = COMP_PARAM(AWD_FMT_ZLIB, 0),
        };
        struct awd_cpl c = awd_q_run(&q, &desc);

        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmpuint(c.consumed, <=, k);
        g_assert_cmpuint(c.produced, <=, 16384);
        if (!c.consumed && !c.produced) {
            window *= 2;            /* the input ends inside a block */
        }
        in_pos += c.consumed;
        out_pos += c.produced;
        end = c.flags & AWD_CF_STREAM_END;
    }
    g_assert_true(end);
    g_assert_cmpuint(in_pos, ==, n);
    g_assert_cmpuint(out_pos, ==, len);
    awd_read_buf(&d, dst, back, len);
    g_assert_cmpmem(back, len, data, len);
    awd_dev_stop(&d);
}

/* ---- bad input -------------------------------------------------------- */

static struct awd_cpl run_bad(AwdQ *q, struct awd_desc desc)
{
    return awd_q_run(q, &desc);
}

static void test_bad_desc(void)
{
    AwdDev d;
    AwdQ q;
    uint64_t buf, ctx;
    struct awd_desc ok;
    struct awd_cpl c;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 4);
    buf = awd_alloc(&d, 2 * 65536, 4096);
    ctx = awd_alloc(&d, awd_reg(&d, AWD_REG_STREAM_CTX_SIZE), 64);
    ok = (struct awd_desc) {
        .opcode = AWD_OP_COMPRESS, .src = buf, .src_len = 4096,
        .dst = buf + 65536, .dst_len = 65536,
        .param = COMP_PARAM(AWD_FMT_ZLIB, 6),
    };
    c = run_bad(&q, ok);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);

#define BAD(field, value, sts) \
    do { \
        struct awd_desc b = ok; \
        b.field = value; \
        c = run_bad(&q, b); \
        g_assert_cmpuint(c.status, ==, sts); \
    } while (0)

    BAD(opcode, AWD_OP_MAX, AWD_STS_INVALID_OPCODE);
    BAD(opcode, 0xff, AWD_STS_INVALID_OPCODE);
    BAD(flags, 0x80, AWD_STS_INVALID_FLAGS);
    BAD(flags, AWD_DF_FINAL, AWD_STS_INVALID_FLAGS);
    BAD(rsvd0, 1, AWD_STS_INVALID_FLAGS);
    BAD(rsvd1, 1, AWD_STS_INVALID_FLAGS);
    BAD(rsvd2, 1ull << 63, AWD_STS_INVALID_FLAGS);
    BAD(param, COMP_PARAM(3, 6), AWD_STS_INVALID_PARAM);
    BAD(param, COMP_PARAM(AWD_FMT_ZLIB, 0), AWD_STS_INVALID_PARAM);
    BAD(param, COMP_PARAM(AWD_FMT_ZLIB, 10), AWD_STS_INVALID_PARAM);
    BAD(param, COMP_PARAM(AWD_FMT_ZLIB, 6) | 0x100, AWD_STS_INVALID_PARAM);
    BAD(key, buf, AWD_STS_INVALID_PARAM);
    BAD(ctx, ctx, AWD_STS_INVALID_PARAM);
    BAD(src_len, 0, AWD_STS_INVALID_LEN);
    BAD(dst_len, 0, AWD_STS_INVALID_LEN);
    BAD(src_len, awd_reg(&d, AWD_REG_MAX_XFER) + 1, AWD_STS_INVALID_LEN);
    BAD(dst_len, 0xffffffff, AWD_STS_INVALID_LEN);
    BAD(src, ~0ull - 100, AWD_STS_INVALID_LEN);
    BAD(dst, buf + 100, AWD_STS_OVERLAP);
    /* beyond RAM: a DMA error with the address */
    BAD(src, 0x7000000000ull, AWD_STS_DMA_ERROR);
    g_assert_cmphex(c.fault_addr, ==, 0x7000000000ull);
    BAD(dst, 0x7000000000ull, AWD_STS_DMA_ERROR);
    g_assert_true(c.flags & AWD_CF_FAULT_WRITE);
    /* MMIO is not memory the device writes into */
    BAD(dst, 0xfee00000ull, AWD_STS_DMA_ERROR);

    /* streams: unaligned, missing or forged context */
    {
        struct awd_desc b = ok;

        b.flags = AWD_DF_STREAM;
        b.ctx = ctx + 8;
        c = run_bad(&q, b);
        g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_PARAM);
        b.ctx = 0;
        c = run_bad(&q, b);
        g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_PARAM);
        b.ctx = ctx;
        qtest_memset(d.qts, ctx, 0x5a, 256);
        c = run_bad(&q, b);
        g_assert_cmpuint(c.status, ==, AWD_STS_BAD_CONTEXT);
        b.ctx = buf;                    /* overlaps the source */
        c = run_bad(&q, b);
        g_assert_cmpuint(c.status, ==, AWD_STS_OVERLAP);
    }
    /* NOP with stream flags */
    {
        struct awd_desc b = { .opcode = AWD_OP_NOP, .flags = AWD_DF_STREAM };

        c = run_bad(&q, b);
        g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_FLAGS);
    }
    /* compression destination too small: the size needed comes back */
    BAD(dst_len, 16, AWD_STS_DST_TOO_SMALL);
    g_assert_cmpuint(c.produced, >=, 4096);

    /* still fine afterwards */
    c = run_bad(&q, ok);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
#undef BAD
    awd_dev_stop(&d);
}

static void expect_qerr(AwdDev *d, unsigned qi, uint32_t err)
{
    g_assert_cmphex(awd_qreg(d, qi, AWD_Q_ERROR), ==, err);
    g_assert_true(awd_qreg(d, qi, AWD_Q_STATUS) & AWD_QSTS_ERROR);
    g_assert_true(awd_reg(d, AWD_REG_QERR_LO) & (1u << qi));
    /*
     * The worker latches ERR.QUEUE (and the error interrupt) once it gets
     * the BQL, just after the queue state above: wait for it, boundedly.
     */
    for (int i = 0; i < 5000 && !(awd_reg(d, AWD_REG_ERR) & AWD_ERR_QUEUE);
         i++) {
        g_usleep(1000);
    }
    g_assert_true(awd_reg(d, AWD_REG_ERR) & AWD_ERR_QUEUE);
}

static void q_reset(AwdDev *d, unsigned qi)
{
    awd_qreg_write(d, qi, AWD_Q_CTRL, AWD_QCTRL_RESET);
    for (int i = 0; i < 1000; i++) {
        if (!(awd_qreg(d, qi, AWD_Q_CTRL) & AWD_QCTRL_RESET)) {
            break;
        }
        g_usleep(1000);
    }
    g_assert_cmphex(awd_qreg(d, qi, AWD_Q_CTRL), ==, 0);
    g_assert_cmphex(awd_qreg(d, qi, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    awd_reg_write(d, AWD_REG_ERR, AWD_ERR_QUEUE);
}

/* Ring registers and doorbells: error states, recovery, isolation */
static void test_bad_ring(void)
{
    AwdDev d;
    AwdQ q, other;
    struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 7 };
    struct awd_cpl c;
    unsigned qi = 1;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &other, 0, 3);

    /* ring order outside the limits */
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER, 0);
    awd_qreg_write(&d, qi, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    expect_qerr(&d, qi, AWD_QERR_BAD_CONFIG);
    g_assert_false(awd_qreg(&d, qi, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
    q_reset(&d, qi);
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER,
                   awd_reg(&d, AWD_REG_RING_ORDER_MAX) + 1);
    awd_qreg_write(&d, qi, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    expect_qerr(&d, qi, AWD_QERR_BAD_CONFIG);
    q_reset(&d, qi);

    /* SQ not 64-byte aligned, CQ not 32-byte aligned */
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER, 3);
    awd_qreg_write(&d, qi, AWD_Q_SQ_BASE_LO, 0x100020);
    awd_qreg_write(&d, qi, AWD_Q_CQ_BASE_LO, 0x200000);
    awd_qreg_write(&d, qi, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    expect_qerr(&d, qi, AWD_QERR_BAD_CONFIG);
    q_reset(&d, qi);
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER, 3);
    awd_qreg_write(&d, qi, AWD_Q_SQ_BASE_LO, 0x100000);
    awd_qreg_write(&d, qi, AWD_Q_CQ_BASE_LO, 0x200010);
    awd_qreg_write(&d, qi, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    expect_qerr(&d, qi, AWD_QERR_BAD_CONFIG);
    q_reset(&d, qi);

    /* PASID without an SVA-capable IOMMU */
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER, 3);
    awd_qreg_write(&d, qi, AWD_Q_SQ_BASE_LO, 0x100000);
    awd_qreg_write(&d, qi, AWD_Q_CQ_BASE_LO, 0x200000);
    awd_qreg_write(&d, qi, AWD_Q_PASID, 1);
    awd_qreg_write(&d, qi, AWD_Q_CTRL, AWD_QCTRL_ENABLE | AWD_QCTRL_PASID_EN);
    expect_qerr(&d, qi, AWD_QERR_PASID_UNAVAIL);
    q_reset(&d, qi);

    /* SQ beyond RAM: the fetch fails, the queue stops with the address */
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER, 3);
    awd_qreg_write(&d, qi, AWD_Q_SQ_BASE_HI, 0x70);
    awd_qreg_write(&d, qi, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    awd_doorbell(&d, qi, AWD_DB_SQ_TAIL, 1);
    q.d = &d;
    q.index = qi;
    awd_q_wait_idle(&q);
    expect_qerr(&d, qi, AWD_QERR_SQ_FETCH);
    g_assert_cmphex(awd_qreg(&d, qi, AWD_Q_FAULT_ADDR_HI), ==, 0x70);
    q_reset(&d, qi);

    /* doorbell past the ring */
    awd_q_setup(&d, &q, qi, 3);
    awd_doorbell(&d, qi, AWD_DB_SQ_TAIL, 8);
    expect_qerr(&d, qi, AWD_QERR_BAD_DOORBELL);
    /* doorbells of a queue in error are dropped */
    awd_doorbell(&d, qi, AWD_DB_SQ_TAIL, 1);
    g_assert_cmpuint(awd_qreg(&d, qi, AWD_Q_SQ_TAIL), ==, 0);
    q_reset(&d, qi);
    awd_q_setup(&d, &q, qi, 3);
    awd_doorbell(&d, qi, AWD_DB_CQ_HEAD, 100);
    expect_qerr(&d, qi, AWD_QERR_BAD_DOORBELL);
    q_reset(&d, qi);

    /* config registers are locked while enabled */
    awd_q_setup(&d, &q, qi, 3);
    awd_qreg_write(&d, qi, AWD_Q_RING_ORDER, 5);
    g_assert_cmpuint(awd_qreg(&d, qi, AWD_Q_RING_ORDER), ==, 3);

    /* the other queue kept working through all of it */
    c = awd_q_run(&other, &nop);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);

    /* and the reset queue works again */
    c = awd_q_run(&q, &nop);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    awd_dev_stop(&d);
}

/* A CQ that cannot be written stops the queue (CQ_WRITE) */
static void test_bad_cq(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc nop = { .opcode = AWD_OP_NOP };

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 3);
    awd_qreg_write(&d, 0, AWD_Q_CTRL, 0);
    awd_q_wait_idle(&q);
    awd_qreg_write(&d, 0, AWD_Q_CQ_BASE_HI, 0x70);
    awd_qreg_write(&d, 0, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    q.tail = 0;
    awd_q_submit(&q, &nop);
    awd_q_wait_idle(&q);
    expect_qerr(&d, 0, AWD_QERR_CQ_WRITE);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_FAULT_ADDR_HI), ==, 0x70);
    awd_dev_stop(&d);
}

/* Device reset (CTRL.RESET and system_reset) returns every queue to idle */
static void test_reset(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc nop = { .opcode = AWD_OP_NOP };
    QDict *resp;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 4, 3);
    awd_q_run(&q, &nop);
    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_RESET);
    g_assert_cmphex(awd_reg(&d, AWD_REG_CTRL), ==, 0);
    g_assert_cmphex(awd_qreg(&d, 4, AWD_Q_CTRL), ==, 0);
    g_assert_cmphex(awd_qreg(&d, 4, AWD_Q_SQ_HEAD), ==, 0);
    g_assert_cmphex(awd_qreg(&d, 4, AWD_Q_SQ_BASE_LO), ==, 0);

    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    awd_q_setup(&d, &q, 4, 3);
    awd_q_run(&q, &nop);
    resp = qtest_qmp(d.qts, "{'execute': 'system_reset'}");
    qobject_unref(resp);
    qtest_qmp_eventwait(d.qts, "RESET");
    g_assert_cmphex(awd_qreg(&d, 4, AWD_Q_CTRL), ==, 0);
    g_assert_cmphex(awd_qreg(&d, 4, AWD_Q_RING_ORDER), ==, 0);
    awd_dev_stop(&d);
}

/*
 * Regression: disabling a queue while a descriptor runs and enabling it
 * again at once used to let the old descriptor complete into the new ring
 * state. Enable is now refused until the queue is idle.
 */
static void test_reenable_busy(void)
{
    size_t len = 8 << 20;
    g_autofree uint8_t *data = awd_test_data(len, 5);
    struct awd_desc big = {
        .opcode = AWD_OP_COMPRESS, .tag = 9, .src_len = len,
        .dst_len = len + len / 8, .param = COMP_PARAM(AWD_FMT_RAW, 9),
    };
    struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 10 };
    struct awd_cpl c;
    AwdDev d;
    AwdQ q;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 3);
    big.src = awd_alloc(&d, len, 4096);
    big.dst = awd_alloc(&d, big.dst_len, 4096);
    awd_write_buf(&d, big.src, data, len);
    awd_q_submit(&q, &big);
    /* let the worker fetch it (the compression takes far longer) */
    g_usleep(50 * 1000);
    awd_qreg_write(&d, 0, AWD_Q_CTRL, 0);
    g_assert_false(awd_qreg(&d, 0, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
    if (!(awd_qreg(&d, 0, AWD_Q_STATUS) & AWD_QSTS_IDLE)) {
        awd_qreg_write(&d, 0, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
        g_assert_false(awd_qreg(&d, 0, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
    }
    /* the fetched descriptor completes into the ring it came from */
    g_assert_true(awd_q_wait(&q, &c, 60000));
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpuint(c.tag, ==, 9);
    awd_q_wait_idle(&q);
    awd_qreg_write(&d, 0, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    g_assert_true(awd_qreg(&d, 0, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
    q.tail = q.cq_head = 0;
    q.phase = 1;
    {
        g_autofree uint8_t *zero = g_malloc0(8 * AWD_CPL_SIZE);

        awd_write_buf(&d, q.cq, zero, 8 * AWD_CPL_SIZE);
    }
    c = awd_q_run(&q, &nop);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    awd_dev_stop(&d);
}

/*
 * A shared pool of worker threads (workers=N) serves every queue, keeping
 * the order within each queue.
 */
static void test_workers(const void *opaque)
{
    const char *extra = opaque;
    size_t len = 20000, cap = len + 1024;
    g_autofree uint8_t *data = awd_test_data(len, 3);
    g_autofree uint8_t *out = g_malloc(cap);
    g_autofree uint8_t *back = g_malloc(len);
    AwdDev d;
    AwdQ q[3];
    uint64_t src, dst;

    awd_dev_start(&d, extra);
    src = awd_alloc(&d, len, 4096);
    dst = awd_alloc(&d, 3 * 12 * cap, 4096);
    awd_write_buf(&d, src, data, len);
    for (unsigned k = 0; k < 3; k++) {
        awd_q_setup(&d, &q[k], k, 4);
    }
    for (unsigned i = 0; i < 12; i++) {
        for (unsigned k = 0; k < 3; k++) {
            struct awd_desc desc = {
                .opcode = i % 3 ? AWD_OP_COMPRESS : AWD_OP_NOP,
                .tag = k << 8 | i, .src = src, .src_len = len,
                .dst = dst + (k * 12 + i) * cap, .dst_len = cap,
                .param = COMP_PARAM(AWD_FMT_ZLIB, 1 + i % 9),
            };

            if (desc.opcode == AWD_OP_NOP) {
                desc.src = desc.dst = 0;
                desc.src_len = desc.dst_len = 0;
                desc.param = 0;
            }
            awd_q_put(&q[k], &desc);
        }
    }
    for (unsigned k = 0; k < 3; k++) {
        awd_doorbell(&d, k, AWD_DB_SQ_TAIL, q[k].tail);
    }
    for (unsigned k = 0; k < 3; k++) {
        for (unsigned i = 0; i < 12; i++) {
            struct awd_cpl c;

            g_assert_true(awd_q_wait(&q[k], &c, 30000));
            g_assert_cmpuint(c.status, ==, AWD_STS_OK);
            g_assert_cmphex(c.tag, ==, k << 8 | i);
            if (i % 3) {
                awd_read_buf(&d, dst + (k * 12 + i) * cap, out, c.produced);
                g_assert_cmpint(awd_host_inflate(15, out, c.produced, back,
                                                 len), ==, len);
            }
        }
    }
    /* a queue in error does not hold the pool */
    awd_doorbell(&d, 0, AWD_DB_SQ_TAIL, 100);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_BAD_DOORBELL);
    {
        struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 0x77 };

        g_assert_cmpuint(awd_q_run(&q[1], &nop).status, ==, AWD_STS_OK);
    }
    awd_dev_stop(&d);
}

/*
 * Regression: a device hot-plugged into a running VM read the run state
 * too late and kept every queue paused.
 */
static void test_hotplug(void)
{
    struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 0x42 };
    QPCIDevice *rp;
    AwdDev d;
    AwdQ q;

    d.qs = qtest_pc_boot("-M q35 -nodefaults -m 512M -device "
                         "pcie-root-port,id=rp0,chassis=1,addr=0x4");
    d.qts = d.qs->qts;
    g_assert_cmpint(qpci_secondary_buses_init(d.qs->pcibus), >=, 1);
    qtest_qmp_device_add(d.qts, "accel-wd", "awd1", "{'bus': 'rp0'}");

    /* route the 32-bit MMIO window through the root port */
    rp = qpci_device_find(d.qs->pcibus, QPCI_DEVFN(4, 0));
    g_assert_nonnull(rp);
    qpci_config_writew(rp, PCI_MEMORY_BASE, 0xe000);
    qpci_config_writew(rp, PCI_MEMORY_LIMIT, 0xfe00);
    qpci_device_enable(rp);
    g_free(rp);

    d.dev = qpci_device_find(d.qs->pcibus, 1 << 8);
    g_assert_nonnull(d.dev);
    g_assert_cmphex(qpci_config_readw(d.dev, PCI_DEVICE_ID), ==,
                    AWD_PCI_DEVICE_ID);
    qpci_device_enable(d.dev);
    d.bar0 = qpci_iomap(d.dev, AWD_BAR_REGS, NULL);
    d.db = qpci_iomap(d.dev, AWD_BAR_DOORBELL, NULL);
    g_assert_cmphex(awd_reg(&d, AWD_REG_MAGIC), ==, AWD_MAGIC);
    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    awd_q_setup(&d, &q, 0, 3);
    g_assert_cmpuint(awd_q_run(&q, &nop).status, ==, AWD_STS_OK);
    awd_dev_stop(&d);
}

/*
 * A reset ends all DMA of the work it aborts: once the queue RESET bit
 * reads 0 (or the FLR write returns), the destination and the CQ of a
 * long compression stop changing.
 */
static void test_reset_stops_dma(const void *opaque)
{
    bool flr = GPOINTER_TO_INT(opaque);
    size_t len = 8 << 20, cap = len + len / 8;
    g_autofree uint8_t *data = awd_test_data(len, 6);
    g_autofree uint8_t *snap1 = g_malloc(cap);
    g_autofree uint8_t *snap2 = g_malloc(cap);
    struct awd_desc big = {
        .opcode = AWD_OP_COMPRESS, .tag = 1, .src_len = len, .dst_len = cap,
        .param = COMP_PARAM(AWD_FMT_GZIP, 9),
    };
    struct awd_cpl c;
    AwdDev d;
    AwdQ q;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 2, 3);
    big.src = awd_alloc(&d, len, 4096);
    big.dst = awd_alloc(&d, cap, 4096);
    awd_write_buf(&d, big.src, data, len);
    qtest_memset(d.qts, big.dst, 0xa5, cap);
    awd_q_submit(&q, &big);
    g_usleep(100 * 1000);               /* well inside the compression */
    if (flr) {
        uint8_t pos = qpci_find_capability(d.dev, PCI_CAP_ID_EXP, 0);
        uint16_t ctl = qpci_config_readw(d.dev, pos + PCI_EXP_DEVCTL);

        qpci_config_writew(d.dev, pos + PCI_EXP_DEVCTL,
                           ctl | PCI_EXP_DEVCTL_BCR_FLR);
        qpci_device_enable(d.dev);
        d.bar0 = qpci_iomap(d.dev, AWD_BAR_REGS, NULL);
        d.db = qpci_iomap(d.dev, AWD_BAR_DOORBELL, NULL);
    } else {
        awd_qreg_write(&d, 2, AWD_Q_CTRL, AWD_QCTRL_RESET);
        while (awd_qreg(&d, 2, AWD_Q_CTRL) & AWD_QCTRL_RESET) {
            g_usleep(100);
        }
    }
    g_assert_cmphex(awd_qreg(&d, 2, AWD_Q_CTRL), ==, 0);
    awd_read_buf(&d, big.dst, snap1, cap);
    g_usleep(300 * 1000);
    awd_read_buf(&d, big.dst, snap2, cap);
    g_assert_cmpmem(snap1, cap, snap2, cap);
    /* and no completion was written */
    awd_read_buf(&d, q.cq, &c, sizeof(c));
    g_assert_cmphex(c.flags & AWD_CF_PHASE, ==, 0);
    awd_dev_stop(&d);
}

/* Function-level reset through the PCIe capability */
static void test_flr(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc nop = { .opcode = AWD_OP_NOP };
    uint8_t pos;
    uint16_t ctl;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 1, 3);
    awd_q_run(&q, &nop);
    pos = qpci_find_capability(d.dev, PCI_CAP_ID_EXP, 0);
    ctl = qpci_config_readw(d.dev, pos + PCI_EXP_DEVCTL);
    qpci_config_writew(d.dev, pos + PCI_EXP_DEVCTL,
                       ctl | PCI_EXP_DEVCTL_BCR_FLR);
    /* FLR clears the command register and the BARs: program them again */
    qpci_device_enable(d.dev);
    d.bar0 = qpci_iomap(d.dev, AWD_BAR_REGS, NULL);
    d.db = qpci_iomap(d.dev, AWD_BAR_DOORBELL, NULL);
    g_assert_cmphex(awd_reg(&d, AWD_REG_MAGIC), ==, AWD_MAGIC);
    g_assert_cmphex(awd_reg(&d, AWD_REG_CTRL), ==, 0);
    g_assert_cmphex(awd_qreg(&d, 1, AWD_Q_CTRL), ==, 0);
    g_assert_cmphex(awd_qreg(&d, 1, AWD_Q_SQ_HEAD), ==, 0);
    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    awd_q_setup(&d, &q, 1, 3);
    g_assert_cmpuint(awd_q_run(&q, &nop).status, ==, AWD_STS_OK);
    awd_dev_stop(&d);
}

/* Per-queue statistics through qom-get */
static void test_stats(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc nop = { .opcode = AWD_OP_NOP };
    struct awd_desc bad = { .opcode = 0x77 };
    QDict *rsp;
    QList *list;
    QDict *q3;

    awd_dev_start(&d, ",id=awd0");
    awd_q_setup(&d, &q, 3, 3);
    for (int i = 0; i < 5; i++) {
        awd_q_run(&q, &nop);
    }
    awd_q_run(&q, &bad);
    rsp = qtest_qmp(d.qts, "{'execute': 'qom-get', 'arguments':"
                    " {'path': '/machine/peripheral/awd0',"
                    " 'property': 'stats'}}");
    g_assert_true(qdict_haskey(rsp, "return"));
    list = qdict_get_qlist(rsp, "return");
    g_assert_cmpuint(qlist_size(list), ==, AWD_DEFAULT_QUEUES);
    q3 = qobject_to(QDict, qlist_peek(list));
    g_assert_cmpuint(qdict_get_int(q3, "ops"), ==, 0);
    for (int i = 0; i < 3; i++) {
        qobject_unref(qlist_pop(list));
    }
    q3 = qobject_to(QDict, qlist_peek(list));
    g_assert_cmpuint(qdict_get_int(q3, "ops"), ==, 6);
    g_assert_cmpuint(qdict_get_int(q3, "errors"), ==, 1);
    qobject_unref(rsp);
    awd_dev_stop(&d);
}

/* Route MSI-X @vector to a mailbox in guest RAM; returns its address */
static uint64_t msix_mailbox(AwdDev *d, unsigned vector, uint32_t data)
{
    uint64_t msg = awd_alloc(d, 64, 64);
    uint64_t e = d->dev->msix_table_off + vector * PCI_MSIX_ENTRY_SIZE;

    qtest_writel(d->qts, msg, 0);
    qpci_io_writel(d->dev, d->dev->msix_table_bar,
                   e + PCI_MSIX_ENTRY_LOWER_ADDR, msg);
    qpci_io_writel(d->dev, d->dev->msix_table_bar,
                   e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
    qpci_io_writel(d->dev, d->dev->msix_table_bar,
                   e + PCI_MSIX_ENTRY_DATA, data);
    qpci_io_writel(d->dev, d->dev->msix_table_bar,
                   e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    return msg;
}

/* Bounded wait for the device to report AWD_STATUS_FATAL */
static void wait_fatal(AwdDev *d)
{
    for (int i = 0; i < 5000 && !(awd_reg(d, AWD_REG_STATUS) &
                                  AWD_STATUS_FATAL); i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(awd_reg(d, AWD_REG_STATUS), ==, AWD_STATUS_FATAL);
}

/* What a fatal device looks like, and that a whole reset recovers it */
static void check_fatal_then_recover(AwdDev *d, AwdQ *q, uint64_t mailbox)
{
    struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 0x77 };
    struct awd_cpl c;
    uint32_t head;

    wait_fatal(d);
    g_assert_true(awd_reg(d, AWD_REG_ERR) & AWD_ERR_FATAL);
    /* the error interrupt */
    for (int i = 0; i < 1000 && qtest_readl(d->qts, mailbox) != 0xfa7a; i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qtest_readl(d->qts, mailbox), ==, 0xfa7a);

    /* the queue refuses work: nothing is fetched, nothing completes */
    head = awd_qreg(d, q->index, AWD_Q_SQ_HEAD);
    awd_q_submit(q, &nop);
    g_assert_false(awd_q_wait(q, &c, 300));
    g_assert_cmpuint(awd_qreg(d, q->index, AWD_Q_SQ_HEAD), ==, head);
    /* nor does another queue start */
    awd_qreg_write(d, 5, AWD_Q_RING_ORDER, 3);
    awd_qreg_write(d, 5, AWD_Q_SQ_BASE_LO, q->sq);
    awd_qreg_write(d, 5, AWD_Q_CQ_BASE_LO, q->cq);
    awd_qreg_write(d, 5, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    g_assert_false(awd_qreg(d, 5, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
    /* still fatal after all that: only a reset clears it */
    g_assert_cmphex(awd_reg(d, AWD_REG_STATUS), ==, AWD_STATUS_FATAL);

    /* the driver's recovery: whole reset, enable, queues again */
    awd_reg_write(d, AWD_REG_CTRL, AWD_CTRL_RESET);
    g_assert_cmphex(awd_reg(d, AWD_REG_CTRL), ==, 0);
    g_assert_cmphex(awd_reg(d, AWD_REG_STATUS), ==, 0);
    g_assert_cmphex(awd_reg(d, AWD_REG_ERR), ==, 0);
    awd_reg_write(d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    g_assert_cmphex(awd_reg(d, AWD_REG_STATUS), ==, AWD_STATUS_READY);
    awd_q_setup(d, q, q->index, 3);
    for (unsigned i = 0; i < 5; i++) {
        nop.tag = 0x200 + i;
        c = awd_q_run(q, &nop);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmphex(c.tag, ==, 0x200 + i);
    }
}

/* QMP inject-fatal: AWD_STATUS_FATAL, interrupt, queues stop; reset heals */
static void test_fatal_qmp(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc nop = { .opcode = AWD_OP_NOP };
    uint64_t mailbox;
    QDict *rsp;

    awd_dev_start(&d, ",id=awd0");
    qpci_msix_enable(d.dev);
    mailbox = msix_mailbox(&d, awd_reg(&d, AWD_REG_ERR_VECTOR), 0xfa7a);
    awd_q_setup(&d, &q, 2, 3);
    g_assert_cmpuint(awd_q_run(&q, &nop).status, ==, AWD_STS_OK);
    g_assert_false(awd_reg(&d, AWD_REG_STATUS) & AWD_STATUS_FATAL);

    rsp = qtest_qmp(d.qts, "{'execute': 'qom-set', 'arguments':"
                    " {'path': '/machine/peripheral/awd0',"
                    " 'property': 'inject-fatal', 'value': true}}");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    rsp = qtest_qmp(d.qts, "{'execute': 'qom-get', 'arguments':"
                    " {'path': '/machine/peripheral/awd0',"
                    " 'property': 'inject-fatal'}}");
    g_assert_true(qdict_get_bool(rsp, "return"));
    qobject_unref(rsp);

    check_fatal_then_recover(&d, &q, mailbox);
    awd_dev_stop(&d);
}

/*
 * fatal-after=3: the fourth request fetched turns the device fatal while
 * it is in flight; it and the fifth never complete. Once reset, the
 * device works on (the injection fires once).
 */
static void test_fatal_after(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_cpl c;
    uint64_t mailbox;

    awd_dev_start(&d, ",fatal-after=3");
    qpci_msix_enable(d.dev);
    mailbox = msix_mailbox(&d, awd_reg(&d, AWD_REG_ERR_VECTOR), 0xfa7a);
    awd_q_setup(&d, &q, 1, 3);
    for (unsigned i = 0; i < 5; i++) {
        struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 0x100 + i };

        awd_q_put(&q, &nop);
    }
    awd_doorbell(&d, 1, AWD_DB_SQ_TAIL, q.tail);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_true(awd_q_wait(&q, &c, 10000));
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmphex(c.tag, ==, 0x100 + i);
    }
    wait_fatal(&d);
    g_assert_false(awd_q_wait(&q, &c, 300));
    g_assert_cmpuint(awd_qreg(&d, 1, AWD_Q_CQ_TAIL), ==, 3);
    check_fatal_then_recover(&d, &q, mailbox);
    awd_dev_stop(&d);
}

/*
 * qreset-hang=on: the reset of an enabled queue never reports done and
 * the queue takes no more work; a disabled queue resets at once; a device
 * reset ends it.
 */
static void test_qreset_hang(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc nop = { .opcode = AWD_OP_NOP };
    struct awd_cpl c;

    awd_dev_start(&d, ",qreset-hang=on");
    awd_q_setup(&d, &q, 0, 3);
    g_assert_cmpuint(awd_q_run(&q, &nop).status, ==, AWD_STS_OK);
    awd_qreg_write(&d, 0, AWD_Q_CTRL, AWD_QCTRL_RESET);
    g_usleep(200 * 1000);
    g_assert_true(awd_qreg(&d, 0, AWD_Q_CTRL) & AWD_QCTRL_RESET);
    awd_q_submit(&q, &nop);
    g_assert_false(awd_q_wait(&q, &c, 300));
    g_assert_cmpuint(awd_qreg(&d, 0, AWD_Q_SQ_HEAD), ==, 1);
    /* another reset does not end it either */
    awd_qreg_write(&d, 0, AWD_Q_CTRL, AWD_QCTRL_RESET);
    g_assert_true(awd_qreg(&d, 0, AWD_Q_CTRL) & AWD_QCTRL_RESET);

    /* a queue that was never enabled resets at once */
    q_reset(&d, 4);

    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_RESET);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_CTRL), ==, 0);
    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    awd_q_setup(&d, &q, 0, 3);
    g_assert_cmpuint(awd_q_run(&q, &nop).status, ==, AWD_STS_OK);
    awd_dev_stop(&d);
}

/* sync=on cannot wait for a page response or for a worker pool */
static void test_sync_refused(void)
{
    awd_expect_refused("sync=on", "sync=on needs workers=0 and pri=off");
    awd_expect_refused("sync=on,pri=off,workers=1",
                       "sync=on needs workers=0 and pri=off");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/queue/nop", test_nop);
    qtest_add_func("/accel-wd/queue/phase-wrap", test_phase_wrap);
    qtest_add_func("/accel-wd/queue/irq", test_irq);
    qtest_add_func("/accel-wd/queue/compress", test_compress);
    qtest_add_func("/accel-wd/queue/decompress", test_decompress);
    qtest_add_func("/accel-wd/queue/compress-isal", test_compress_isal);
    qtest_add_func("/accel-wd/queue/stream", test_stream);
    qtest_add_func("/accel-wd/queue/stream-decompress",
                   test_stream_decompress);
    qtest_add_func("/accel-wd/queue/bad-desc", test_bad_desc);
    qtest_add_func("/accel-wd/queue/bad-ring", test_bad_ring);
    qtest_add_func("/accel-wd/queue/bad-cq", test_bad_cq);
    qtest_add_func("/accel-wd/queue/reset", test_reset);
    qtest_add_func("/accel-wd/queue/reenable-busy", test_reenable_busy);
    qtest_add_func("/accel-wd/queue/flr", test_flr);
    qtest_add_func("/accel-wd/queue/hotplug", test_hotplug);
    qtest_add_data_func("/accel-wd/queue/reset-stops-dma",
                        GINT_TO_POINTER(false), test_reset_stops_dma);
    qtest_add_data_func("/accel-wd/queue/flr-stops-dma",
                        GINT_TO_POINTER(true), test_reset_stops_dma);
    qtest_add_data_func("/accel-wd/queue/workers-1", ",workers=1",
                        test_workers);
    qtest_add_data_func("/accel-wd/queue/workers-2", ",workers=2",
                        test_workers);
    qtest_add_data_func("/accel-wd/queue/workers-per-queue", "",
                        test_workers);
    /* sync=on: the main loop runs the requests (scripts/fuzz.sh) */
    qtest_add_data_func("/accel-wd/queue/sync", ",sync=on,pri=off",
                        test_workers);
    qtest_add_func("/accel-wd/queue/sync-refused", test_sync_refused);
    qtest_add_func("/accel-wd/queue/stats", test_stats);
    qtest_add_func("/accel-wd/queue/fatal-qmp", test_fatal_qmp);
    qtest_add_func("/accel-wd/queue/fatal-after", test_fatal_after);
    qtest_add_func("/accel-wd/queue/qreset-hang", test_qreset_hang);
    return g_test_run();
}
