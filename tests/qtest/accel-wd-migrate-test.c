/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd migration and VM stop: a queue full of slow
 * compressions is migrated while it runs; the destination finishes it and
 * every result is checked with host zlib. Stopping the VM stops the
 * queues; continuing resumes them.
 */
#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "accel-wd-util.h"

#define COMP_PARAM(fmt, level) \
    (((fmt) << AWD_PARAM_FMT_SHIFT) | ((level) << AWD_PARAM_LEVEL_SHIFT))

#define NREQ    48
#define REQ     (256 * 1024)
#define DST     (REQ + REQ / 8 + 1024)

static void find_cb(QPCIDevice *dev, int devfn, void *data)
{
    QPCIDevice **found = data;

    *found = dev;
}

static void submit_all(AwdQ *q, uint64_t src, uint64_t dst)
{
    for (unsigned i = 0; i < NREQ; i++) {
        struct awd_desc desc = {
            .opcode = AWD_OP_COMPRESS, .tag = i, .src = src + i * REQ,
            .src_len = REQ, .dst = dst + i * DST, .dst_len = DST,
            .param = COMP_PARAM(AWD_FMT_GZIP, 9),
        };

        awd_q_put(q, &desc);
    }
    awd_doorbell(q->d, q->index, AWD_DB_SQ_TAIL, q->tail);
}

static void check_all(AwdQ *q, const uint8_t *data, uint64_t dst)
{
    g_autofree uint8_t *out = g_malloc(DST);
    g_autofree uint8_t *back = g_malloc(REQ);

    for (unsigned i = 0; i < NREQ; i++) {
        struct awd_cpl c;

        g_assert_true(awd_q_wait(q, &c, 120000));
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmpuint(c.tag, ==, i);
        awd_read_buf(q->d, dst + i * DST, out, c.produced);
        g_assert_cmpint(awd_host_inflate(31, out, c.produced, back, REQ), ==,
                        REQ);
        g_assert_cmpmem(back, REQ, data + i * REQ, REQ);
    }
}

static void test_migrate(void)
{
    g_autofree char *tmp = g_dir_make_tmp("awd-mig-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(tmp, "mig", NULL);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree uint8_t *data = awd_test_data(NREQ * REQ, 11);
    AwdDev src, dst;
    AwdQ q;
    uint64_t in, out;
    uint32_t head_before;

    awd_dev_start(&src, ",id=awd0");
    awd_q_setup(&src, &q, 2, 7);
    in = awd_alloc(&src, NREQ * REQ, 4096);
    out = awd_alloc(&src, NREQ * DST, 4096);
    awd_write_buf(&src, in, data, NREQ * REQ);

    dst.qs = qtest_pc_boot("-M q35 -nodefaults -m 512M -device accel-wd,"
                           "id=awd0 -incoming %s", uri);
    dst.qts = dst.qs->qts;
    dst.dev = NULL;
    qpci_device_foreach(dst.qs->pcibus, AWD_PCI_VENDOR_ID,
                        AWD_PCI_DEVICE_ID, find_cb, &dst.dev);
    g_assert_nonnull(dst.dev);
    /* BARs migrate with config space: same addresses on both sides */
    dst.bar0 = src.bar0;
    dst.db = src.db;

    submit_all(&q, in, out);
    head_before = awd_qreg(&src, 2, AWD_Q_SQ_HEAD);
    migrate(src.qs, dst.qs, uri);

    /* the destination finishes the queue */
    q.d = &dst;
    g_assert_cmpuint(awd_qreg(&dst, 2, AWD_Q_SQ_TAIL), ==, NREQ);
    g_assert_cmpuint(awd_qreg(&dst, 2, AWD_Q_SQ_HEAD), >=, head_before);
    check_all(&q, data, out);
    g_assert_cmpuint(awd_qreg(&dst, 2, AWD_Q_SQ_HEAD), ==, NREQ);
    g_assert_cmphex(awd_qreg(&dst, 2, AWD_Q_ERROR), ==, AWD_QERR_NONE);

    g_free(dst.dev);
    qtest_pc_shutdown(dst.qs);
    awd_dev_stop(&src);
    unlink(sock);
    rmdir(tmp);
}

/*
 * crec: the portal's FIFO of submitted descriptor addresses is device
 * state. Submit more slow work than runs before the migration; the
 * destination finishes every descriptor, each into its own record.
 */
static void test_migrate_crec(void)
{
    g_autofree char *tmp = g_dir_make_tmp("awd-mig-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(tmp, "mig", NULL);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    enum { N = 12 };
    g_autofree uint8_t *data = awd_test_data(N * REQ, 17);
    g_autofree uint8_t *comp = g_malloc(DST);
    g_autofree uint8_t *back = g_malloc(REQ);
    AwdDev src, dst;
    AwdCrecQ q;
    uint64_t in, out, desc, rec;

    awd_dev_start(&src, ",id=awd0,format=crec");
    awd_crec_setup(&src, &q, 5, 4);
    in = awd_alloc(&src, N * REQ, 4096);
    out = awd_alloc(&src, N * DST, 4096);
    desc = awd_alloc(&src, N * 64, 64);
    rec = awd_alloc(&src, N * 32, 32);
    awd_write_buf(&src, in, data, N * REQ);

    dst.qs = qtest_pc_boot("-M q35 -nodefaults -m 512M -device accel-wd,"
                           "id=awd0,format=crec -incoming %s", uri);
    dst.qts = dst.qs->qts;
    dst.dev = NULL;
    qpci_device_foreach(dst.qs->pcibus, AWD_PCI_VENDOR_ID,
                        AWD_PCI_DEVICE_ID, find_cb, &dst.dev);
    g_assert_nonnull(dst.dev);
    dst.bar0 = src.bar0;
    dst.db = src.db;

    for (unsigned i = 0; i < N; i++) {
        awd_crec_put(&src, desc + i * 64, &(struct awd_crec_desc) {
            .opcode = AWD_OP_COMPRESS, .tag = i, .src = in + i * REQ,
            .src_len = REQ, .dst = out + i * DST, .dst_len = DST,
            .param = COMP_PARAM(AWD_FMT_GZIP, 9), .crec = rec + i * 32,
        });
        awd_crec_portal(&q, desc + i * 64);
    }
    g_assert_cmpuint(awd_qreg(&src, 5, AWD_Q_SQ_TAIL), ==, N);
    migrate(src.qs, dst.qs, uri);

    g_assert_cmpuint(awd_qreg(&dst, 5, AWD_Q_SQ_TAIL), ==, N);
    for (unsigned i = 0; i < N; i++) {
        struct awd_cpl c = awd_crec_wait(&dst, rec + i * 32);

        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmpuint(c.tag, ==, i);
        awd_read_buf(&dst, out + i * DST, comp, c.produced);
        g_assert_cmpint(awd_host_inflate(31, comp, c.produced, back, REQ),
                        ==, REQ);
        g_assert_cmpmem(back, REQ, data + i * REQ, REQ);
    }
    g_assert_cmpuint(awd_qreg(&dst, 5, AWD_Q_SQ_HEAD), ==, N);
    g_assert_cmphex(awd_qreg(&dst, 5, AWD_Q_ERROR), ==, AWD_QERR_NONE);

    g_free(dst.dev);
    qtest_pc_shutdown(dst.qs);
    awd_dev_stop(&src);
    unlink(sock);
    rmdir(tmp);
}

/* A stopped VM's queues fetch nothing; cont resumes them. */
static void test_stop_cont(void)
{
    g_autofree uint8_t *data = awd_test_data(NREQ * REQ, 12);
    AwdDev d;
    AwdQ q;
    uint64_t in, out;
    uint32_t head;
    QDict *rsp;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 7);
    in = awd_alloc(&d, NREQ * REQ, 4096);
    out = awd_alloc(&d, NREQ * DST, 4096);
    awd_write_buf(&d, in, data, NREQ * REQ);

    rsp = qtest_qmp(d.qts, "{'execute': 'stop'}");
    qobject_unref(rsp);
    qtest_qmp_eventwait(d.qts, "STOP");
    submit_all(&q, in, out);
    g_usleep(200 * 1000);
    head = awd_qreg(&d, 0, AWD_Q_SQ_HEAD);
    g_assert_cmpuint(head, ==, 0);
    g_assert_false(awd_qreg(&d, 0, AWD_Q_STATUS) & AWD_QSTS_IDLE);

    rsp = qtest_qmp(d.qts, "{'execute': 'cont'}");
    qobject_unref(rsp);
    check_all(&q, data, out);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/migrate/running-queue", test_migrate);
    qtest_add_func("/accel-wd/migrate/crec-portal", test_migrate_crec);
    qtest_add_func("/accel-wd/migrate/stop-cont", test_stop_cont);
    return g_test_run();
}
