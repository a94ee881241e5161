/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd's compression window (AWD_CAP_WBITS): a 2 KiB window,
 * as Linux's "deflate" uses, gives output that host zlib inflates with that
 * window; bad window values and a windowed stream are refused with
 * AWD_STS_INVALID_PARAM and the queue keeps working.
 */
#include "qemu/osdep.h"
#include "accel-wd-util.h"

#define DATA_LEN 65536

static uint32_t comp_param(unsigned fmt, unsigned level, unsigned wbits)
{
    return fmt << AWD_PARAM_FMT_SHIFT | level << AWD_PARAM_LEVEL_SHIFT |
           wbits << AWD_PARAM_WBITS_SHIFT;
}

static void test_wbits(void)
{
    g_autofree uint8_t *data = awd_test_data(DATA_LEN, 3);
    g_autofree uint8_t *out = g_malloc(2 * DATA_LEN);
    g_autofree uint8_t *back = g_malloc(DATA_LEN);
    uint64_t src, dst, ctx;
    struct awd_desc desc;
    struct awd_cpl c;
    AwdDev d;
    AwdQ q;

    awd_dev_start(&d, NULL);
    g_assert_true(awd_reg(&d, AWD_REG_CAP) & AWD_CAP_WBITS);
    awd_q_setup(&d, &q, 2, 4);
    src = awd_alloc(&d, DATA_LEN, 4096);
    dst = awd_alloc(&d, 2 * DATA_LEN, 4096);
    ctx = awd_alloc(&d, awd_reg(&d, AWD_REG_STREAM_CTX_SIZE),
                    AWD_STREAM_CTX_ALIGN);
    awd_write_buf(&d, src, data, DATA_LEN);

    /* raw deflate with Linux's 2 KiB window: host zlib reads it with one */
    desc = (struct awd_desc) {
        .opcode = AWD_OP_COMPRESS, .tag = 1, .src = src, .dst = dst,
        .src_len = DATA_LEN, .dst_len = 2 * DATA_LEN,
        .param = comp_param(AWD_FMT_RAW, 6, 11),
    };
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    awd_read_buf(&d, dst, out, c.produced);
    g_assert_cmpint(awd_host_inflate(-11, out, c.produced, back, DATA_LEN),
                    ==, DATA_LEN);
    g_assert_cmpmem(back, DATA_LEN, data, DATA_LEN);

    /* zlib format: the header names the window */
    desc.param = comp_param(AWD_FMT_ZLIB, 6, 9);
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    awd_read_buf(&d, dst, out, c.produced);
    g_assert_cmpuint(out[0], ==, 0x18);
    g_assert_cmpint(awd_host_inflate(9, out, c.produced, back, DATA_LEN),
                    ==, DATA_LEN);

    /* window values outside 9..15 */
    for (unsigned w = 1; w < 9; w++) {
        desc.param = comp_param(AWD_FMT_RAW, 6, w);
        c = awd_q_run(&q, &desc);
        g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_PARAM);
    }

    /* a stream cannot carry a small window across descriptors */
    desc.flags = AWD_DF_STREAM | AWD_DF_STREAM_INIT | AWD_DF_FINAL;
    desc.ctx = ctx;
    desc.param = comp_param(AWD_FMT_RAW, 6, 11);
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_PARAM);
    desc.param = comp_param(AWD_FMT_RAW, 6, 15);
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);

    /* decompression ignores the field and reads the 32 KiB-window stream */
    desc = (struct awd_desc) {
        .opcode = AWD_OP_DECOMPRESS, .tag = 2, .src = dst, .dst = src,
        .src_len = c.produced, .dst_len = DATA_LEN,
        .param = comp_param(AWD_FMT_RAW, 0, 3),
    };
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpuint(c.produced, ==, DATA_LEN);
    awd_read_buf(&d, src, back, DATA_LEN);
    g_assert_cmpmem(back, DATA_LEN, data, DATA_LEN);
    g_assert_false(awd_qreg(&d, 2, AWD_Q_STATUS) & AWD_QSTS_ERROR);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/wbits", test_wbits);
    return g_test_run();
}
