/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd qtest helpers.
 */
#include "qemu/osdep.h"
#include <dlfcn.h>
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "accel-wd-util.h"
#include "../libqos/libqos-malloc.h"

static void find_cb(QPCIDevice *dev, int devfn, void *data)
{
    QPCIDevice **found = data;

    g_assert_null(*found);
    *found = dev;
}

void awd_dev_start(AwdDev *d, const char *extra)
{
    d->qs = qtest_pc_boot("-M q35 -nodefaults -m 512M -device accel-wd%s",
                          extra ? extra : "");
    d->qts = d->qs->qts;
    d->dev = NULL;
    qpci_device_foreach(d->qs->pcibus, AWD_PCI_VENDOR_ID, AWD_PCI_DEVICE_ID,
                        find_cb, &d->dev);
    g_assert_nonnull(d->dev);
    qpci_device_enable(d->dev);
    d->bar0 = qpci_iomap(d->dev, AWD_BAR_REGS, NULL);
    d->db = qpci_iomap(d->dev, AWD_BAR_DOORBELL, NULL);
    awd_reg_write(d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    g_assert_true(awd_reg(d, AWD_REG_STATUS) & AWD_STATUS_READY);
}

void awd_dev_stop(AwdDev *d)
{
    g_free(d->dev);
    qtest_pc_shutdown(d->qs);
}

uint32_t awd_reg(AwdDev *d, uint32_t reg)
{
    return qpci_io_readl(d->dev, d->bar0, reg);
}

void awd_reg_write(AwdDev *d, uint32_t reg, uint32_t val)
{
    qpci_io_writel(d->dev, d->bar0, reg, val);
}

uint32_t awd_qreg(AwdDev *d, unsigned q, uint32_t off)
{
    return awd_reg(d, AWD_QREG(q) + off);
}

void awd_qreg_write(AwdDev *d, unsigned q, uint32_t off, uint32_t val)
{
    awd_reg_write(d, AWD_QREG(q) + off, val);
}

void awd_doorbell(AwdDev *d, unsigned q, uint32_t off, uint32_t val)
{
    qpci_io_writel(d->dev, d->db, (uint64_t)q * AWD_DB_STRIDE + off, val);
}

uint64_t awd_alloc(AwdDev *d, size_t size, size_t align)
{
    uint64_t a = guest_alloc(&d->qs->alloc, size + align);

    return ROUND_UP(a, align);
}

/*
 * Big buffers go in pieces: qtest looks for the end of a command line
 * from the start of what it has received each time more arrives, so one
 * line of megabytes takes time quadratic in its length, minutes for 8 MiB
 * in an ASan build (scripts/fuzz.sh --qtests).
 */
#define AWD_QTEST_PIECE     (256 * 1024)

void awd_write_buf(AwdDev *d, uint64_t addr, const void *buf, size_t len)
{
    for (size_t off = 0; off < len; off += AWD_QTEST_PIECE) {
        qtest_bufwrite(d->qts, addr + off, (const uint8_t *)buf + off,
                       MIN(len - off, AWD_QTEST_PIECE));
    }
}

void awd_read_buf(AwdDev *d, uint64_t addr, void *buf, size_t len)
{
    for (size_t off = 0; off < len; off += AWD_QTEST_PIECE) {
        qtest_bufread(d->qts, addr + off, (uint8_t *)buf + off,
                      MIN(len - off, AWD_QTEST_PIECE));
    }
}

void awd_q_setup(AwdDev *d, AwdQ *q, unsigned index, unsigned order)
{
    size_t n = 1u << order;
    g_autofree uint8_t *zero = g_malloc0(n * AWD_DESC_SIZE);

    q->d = d;
    q->index = index;
    q->order = order;
    q->sq = awd_alloc(d, n * AWD_DESC_SIZE, 4096);
    q->cq = awd_alloc(d, n * AWD_CPL_SIZE, 4096);
    awd_write_buf(d, q->sq, zero, n * AWD_DESC_SIZE);
    awd_write_buf(d, q->cq, zero, n * AWD_CPL_SIZE);
    q->tail = 0;
    q->cq_head = 0;
    q->phase = 1;
    awd_qreg_write(d, index, AWD_Q_SQ_BASE_LO, q->sq);
    awd_qreg_write(d, index, AWD_Q_SQ_BASE_HI, q->sq >> 32);
    awd_qreg_write(d, index, AWD_Q_CQ_BASE_LO, q->cq);
    awd_qreg_write(d, index, AWD_Q_CQ_BASE_HI, q->cq >> 32);
    awd_qreg_write(d, index, AWD_Q_RING_ORDER, order);
    awd_qreg_write(d, index, AWD_Q_CTRL,
                   AWD_QCTRL_ENABLE | AWD_QCTRL_IRQ_EN);
    g_assert_cmphex(awd_qreg(d, index, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    g_assert_true(awd_qreg(d, index, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
}

void awd_q_put(AwdQ *q, const struct awd_desc *desc)
{
    struct awd_desc le = *desc;

    le.tag = cpu_to_le32(desc->tag);
    le.src = cpu_to_le64(desc->src);
    le.dst = cpu_to_le64(desc->dst);
    le.src_len = cpu_to_le32(desc->src_len);
    le.dst_len = cpu_to_le32(desc->dst_len);
    le.ctx = cpu_to_le64(desc->ctx);
    le.key = cpu_to_le64(desc->key);
    le.param = cpu_to_le32(desc->param);
    le.rsvd0 = cpu_to_le16(desc->rsvd0);
    le.rsvd1 = cpu_to_le32(desc->rsvd1);
    le.rsvd2 = cpu_to_le64(desc->rsvd2);
    awd_write_buf(q->d, q->sq + (uint64_t)q->tail * AWD_DESC_SIZE, &le,
                  sizeof(le));
    q->tail = (q->tail + 1) & ((1u << q->order) - 1);
}

void awd_q_submit(AwdQ *q, const struct awd_desc *desc)
{
    awd_q_put(q, desc);
    awd_doorbell(q->d, q->index, AWD_DB_SQ_TAIL, q->tail);
}

bool awd_q_wait(AwdQ *q, struct awd_cpl *cpl, unsigned timeout_ms)
{
    uint64_t addr = q->cq + (uint64_t)q->cq_head * AWD_CPL_SIZE;
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;
    uint32_t flags;

    for (;;) {
        flags = qtest_readl(q->d->qts, addr + offsetof(struct awd_cpl, flags));
        if ((flags & AWD_CF_PHASE) == q->phase) {
            break;
        }
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(200);
    }
    awd_read_buf(q->d, addr, cpl, sizeof(*cpl));
    cpl->fault_addr = le64_to_cpu(cpl->fault_addr);
    cpl->consumed = le32_to_cpu(cpl->consumed);
    cpl->produced = le32_to_cpu(cpl->produced);
    cpl->checksum = le32_to_cpu(cpl->checksum);
    cpl->tag = le32_to_cpu(cpl->tag);
    cpl->sq_head = le16_to_cpu(cpl->sq_head);
    cpl->status = le16_to_cpu(cpl->status);
    cpl->flags = le32_to_cpu(cpl->flags);
    q->cq_head = (q->cq_head + 1) & ((1u << q->order) - 1);
    if (q->cq_head == 0) {
        q->phase ^= 1;
    }
    awd_doorbell(q->d, q->index, AWD_DB_CQ_HEAD, q->cq_head);
    return true;
}

struct awd_cpl awd_q_run(AwdQ *q, const struct awd_desc *desc)
{
    struct awd_cpl cpl;

    awd_q_submit(q, desc);
    g_assert_true(awd_q_wait(q, &cpl, 60000));
    g_assert_cmphex(cpl.tag, ==, desc->tag);
    return cpl;
}

uint32_t awd_q_wait_idle(AwdQ *q)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    uint32_t sts;

    do {
        sts = awd_qreg(q->d, q->index, AWD_Q_STATUS);
        if (sts & (AWD_QSTS_IDLE | AWD_QSTS_ERROR)) {
            return sts;
        }
        g_usleep(200);
    } while (g_get_monotonic_time() < end);
    return sts;
}

uint8_t *awd_test_data(size_t len, unsigned seed)
{
    static const char *const words[] = {
        "accelerator ", "queue ", "page ", "request ", "deflate ", "zlib ",
        "the ", "of ", "and ", "virtual ", "address ", "0x1234 ", "\n",
    };
    uint8_t *p = g_malloc(len);
    GRand *r = g_rand_new_with_seed(seed);
    size_t i = 0;

    while (i < len) {
        const char *w;

        if (g_rand_int_range(r, 0, 8) == 0) {
            p[i++] = g_rand_int(r);
            continue;
        }
        w = words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))];
        for (size_t k = 0; w[k] && i < len; k++) {
            p[i++] = w[k];
        }
    }
    g_rand_free(r);
    return p;
}

/* ---- host zlib via dlopen --------------------------------------------- */

static struct {
    bool loaded;
    typeof(inflateInit2_) *inflateInit2_;
    typeof(inflate) *inflate;
    typeof(inflateEnd) *inflateEnd;
    typeof(deflateInit2_) *deflateInit2_;
    typeof(deflate) *deflate;
    typeof(deflateEnd) *deflateEnd;
    typeof(zlibVersion) *zlibVersion;
    typeof(crc32) *crc32;
    typeof(adler32) *adler32;
} hz;

static void hz_load(void)
{
    void *h;

    if (hz.loaded) {
        return;
    }
    h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    g_assert_nonnull(h);
    hz.inflateInit2_ = dlsym(h, "inflateInit2_");
    hz.inflate = dlsym(h, "inflate");
    hz.inflateEnd = dlsym(h, "inflateEnd");
    hz.deflateInit2_ = dlsym(h, "deflateInit2_");
    hz.deflate = dlsym(h, "deflate");
    hz.deflateEnd = dlsym(h, "deflateEnd");
    hz.zlibVersion = dlsym(h, "zlibVersion");
    hz.crc32 = dlsym(h, "crc32");
    hz.adler32 = dlsym(h, "adler32");
    g_assert_true(hz.inflateInit2_ && hz.inflate && hz.inflateEnd &&
                  hz.deflateInit2_ && hz.deflate && hz.deflateEnd &&
                  hz.zlibVersion && hz.crc32 && hz.adler32);
    hz.loaded = true;
}

char *awd_dev_prop(AwdDev *d, const char *name)
{
    /* the device is the only -device, without an id */
    QDict *rsp = qtest_qmp(d->qts, "{'execute': 'qom-get', 'arguments':"
                           " {'path': '/machine/peripheral-anon/device[0]',"
                           " 'property': %s}}", name);
    char *val;

    g_assert_true(qdict_haskey(rsp, "return"));
    val = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return val;
}

void awd_expect_refused(const char *props, const char *msg)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *dev = g_strdup_printf("accel-wd,%s", props);
    g_autofree char *err = NULL;
    int status = 0;

    g_assert_nonnull(qemu);
    {
        const char *argv[] = {
            qemu, "-M", "q35", "-display", "none", "-nodefaults",
            "-accel", "qtest", "-device", dev, NULL,
        };

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                                   G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, &err, &status, NULL));
    }
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(err, msg)) {
        g_test_message("%s: %s", props, err);
    }
    g_assert_nonnull(strstr(err, msg));
}

bool awd_dev_has_engine(AwdDev *d, const char *name)
{
    g_autofree char *all = awd_dev_prop(d, "engines");
    g_auto(GStrv) names = g_strsplit(all, " ", -1);

    return g_strv_contains((const char * const *)names, name);
}

uint32_t awd_host_checksum(unsigned fmt, const void *p, size_t len)
{
    hz_load();
    return fmt == AWD_FMT_GZIP ? hz.crc32(0, p, len) : hz.adler32(1, p, len);
}

int awd_fmt_wbits(unsigned fmt)
{
    return fmt == AWD_FMT_RAW ? -15 : fmt == AWD_FMT_ZLIB ? 15 : 31;
}

long awd_host_inflate(int wbits, const void *in, size_t len, void *out,
                      size_t cap)
{
    z_stream zs = { 0 };
    long n;
    int ret;

    hz_load();
    g_assert_cmpint(hz.inflateInit2_(&zs, wbits, hz.zlibVersion(),
                                     sizeof(zs)), ==, Z_OK);
    zs.next_in = (Bytef *)in;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = cap;
    ret = hz.inflate(&zs, Z_FINISH);
    n = ret == Z_STREAM_END ? (long)zs.total_out : -1;
    hz.inflateEnd(&zs);
    return n;
}

long awd_host_deflate(int wbits, int level, const void *in, size_t len,
                      void *out, size_t cap)
{
    z_stream zs = { 0 };
    long n;
    int ret;

    hz_load();
    g_assert_cmpint(hz.deflateInit2_(&zs, level, Z_DEFLATED, wbits, 8,
                                     Z_DEFAULT_STRATEGY, hz.zlibVersion(),
                                     sizeof(zs)), ==, Z_OK);
    zs.next_in = (Bytef *)in;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = cap;
    ret = hz.deflate(&zs, Z_FINISH);
    n = ret == Z_STREAM_END ? (long)zs.total_out : -1;
    hz.deflateEnd(&zs);
    return n;
}

/* ---- crec queues ---- */

void awd_crec_setup(AwdDev *d, AwdCrecQ *q, unsigned index,
                    unsigned order)
{
    q->d = d;
    q->index = index;
    awd_qreg_write(d, index, AWD_Q_RING_ORDER, order);
    awd_qreg_write(d, index, AWD_Q_CTRL, AWD_QCTRL_ENABLE);
    g_assert_cmphex(awd_qreg(d, index, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    g_assert_true(awd_qreg(d, index, AWD_Q_STATUS) & AWD_QSTS_ENABLED);
}

void awd_crec_put(AwdDev *d, uint64_t at, const struct awd_crec_desc *x)
{
    struct awd_crec_desc le = *x;

    le.tag = cpu_to_le32(x->tag);
    le.src = cpu_to_le64(x->src);
    le.dst = cpu_to_le64(x->dst);
    le.src_len = cpu_to_le32(x->src_len);
    le.dst_len = cpu_to_le32(x->dst_len);
    le.param = cpu_to_le32(x->param);
    le.crec = cpu_to_le64(x->crec);
    awd_write_buf(d, at, &le, sizeof(le));
}

void awd_crec_portal(AwdCrecQ *q, uint64_t addr)
{
    qpci_io_writeq(q->d->dev, q->d->db,
                   (uint64_t)q->index * AWD_DB_STRIDE + AWD_CREC_PORTAL, addr);
}

struct awd_cpl awd_crec_wait(AwdDev *d, uint64_t rec)
{
    gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    struct awd_cpl c;

    while (!(qtest_readl(d->qts, rec + offsetof(struct awd_cpl, flags)) &
             AWD_CF_DONE)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    awd_read_buf(d, rec, &c, sizeof(c));
    c.status = le16_to_cpu(c.status);
    c.tag = le32_to_cpu(c.tag);
    c.consumed = le32_to_cpu(c.consumed);
    c.produced = le32_to_cpu(c.produced);
    c.flags = le32_to_cpu(c.flags);
    c.fault_addr = le64_to_cpu(c.fault_addr);
    return c;
}
