/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest: accel-wd hot-unplug under load. The device sits behind a PCIe
 * root port; every queue is filled with compression requests that raise
 * MSI-X, then the device is unplugged (device_del, and the "guest" turns
 * the slot's power off through the root port's Slot Control, which
 * unrealizes the device with the BQL held while its workers run). A
 * worker that waited for the BQL to raise its interrupt would never be
 * joined: QEMU would hang here. After the loop the device is plugged
 * once more and must compress correctly.
 */
#include "qemu/osdep.h"
#include <signal.h>
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "accel-wd-util.h"

#define RP_DEVFN            QPCI_DEVFN(4, 0)
#define SEC_BUS             1
#define DEV_DEVFN           (SEC_BUS << 8)  /* bus 1, slot 0: CF8 bus bits */
#define WIN_BASE            0xe0000000u
#define WIN_LIMIT           0xefffffffu
#define RING_ORDER          5
#define REQ_LEN             (64 * 1024)
#define ROUNDS              100
#define ROUND_TIMEOUT_S     30

typedef struct H {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *rp;
    uint8_t rp_exp;             /* root port's PCIe capability */
    unsigned nq;
    uint64_t sq[AWD_MAX_QUEUES], cq[AWD_MAX_QUEUES];
    uint64_t src, dst;
    AwdDev d;
} H;

static void watchdog(int sig)
{
    /* a deadlock between the workers and unrealize: QEMU never answers */
    g_printerr("accel-wd-hotplug-test: no progress in %d s, QEMU hangs\n",
               ROUND_TIMEOUT_S);
    abort();
}

/* The root port as firmware would set it: bus 1 and a memory window */
static void rp_setup(H *h)
{
    QPCIDevice *rp = qpci_device_find(h->qs->pcibus, RP_DEVFN);

    g_assert_nonnull(rp);
    qpci_config_writeb(rp, PCI_PRIMARY_BUS, 0);
    qpci_config_writeb(rp, PCI_SECONDARY_BUS, SEC_BUS);
    qpci_config_writeb(rp, PCI_SUBORDINATE_BUS, SEC_BUS);
    qpci_config_writew(rp, PCI_MEMORY_BASE, (WIN_BASE >> 16) & 0xfff0);
    qpci_config_writew(rp, PCI_MEMORY_LIMIT, (WIN_LIMIT >> 16) & 0xfff0);
    qpci_config_writew(rp, PCI_PREF_MEMORY_BASE, 0xfff0);   /* none */
    qpci_config_writew(rp, PCI_PREF_MEMORY_LIMIT, 0);
    qpci_config_writeb(rp, PCI_IO_BASE, 0xf0);              /* none */
    qpci_config_writeb(rp, PCI_IO_LIMIT, 0);
    qpci_config_writew(rp, PCI_COMMAND,
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    h->rp = rp;
    h->rp_exp = qpci_find_capability(rp, PCI_CAP_ID_EXP, 0);
    g_assert_cmpuint(h->rp_exp, !=, 0);
}

/* Slot Control as a guest's pciehp writes it: power and its indicator */
static void slot_power(H *h, bool on)
{
    uint16_t ctl = qpci_config_readw(h->rp, h->rp_exp + PCI_EXP_SLTCTL);

    ctl &= ~(PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC);
    ctl |= on ? PCI_EXP_SLTCTL_PWR_IND_ON :
                PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF;
    qpci_config_writew(h->rp, h->rp_exp + PCI_EXP_SLTCTL, ctl);
}

/* device_add behind the root port, power on, BARs, MSI-X and queues */
static void plug(H *h, unsigned workers)
{
    AwdDev *d = &h->d;
    uint8_t msix;
    uint16_t ctl;

    qtest_qmp_device_add(h->qts, "accel-wd", "awd0",
                         "{'bus': 'rp0', 'workers': %u}", workers);
    slot_power(h, true);
    d->qs = h->qs;
    d->qts = h->qts;
    d->dev = qpci_device_find(h->qs->pcibus, DEV_DEVFN);
    g_assert_nonnull(d->dev);
    g_assert_cmphex(qpci_config_readw(d->dev, PCI_VENDOR_ID), ==,
                    AWD_PCI_VENDOR_ID);
    /* the same addresses each round: the window covers them */
    h->qs->pcibus->mmio_alloc_ptr = WIN_BASE;
    qpci_device_enable(d->dev);
    d->bar0 = qpci_iomap(d->dev, AWD_BAR_REGS, NULL);
    d->db = qpci_iomap(d->dev, AWD_BAR_DOORBELL, NULL);
    g_assert_cmphex(h->qs->pcibus->mmio_alloc_ptr, <=, WIN_LIMIT);
    /* MSI-X on, vectors masked: every completion still raises (pending) */
    msix = qpci_find_capability(d->dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpuint(msix, !=, 0);
    ctl = qpci_config_readw(d->dev, msix + PCI_MSIX_FLAGS);
    qpci_config_writew(d->dev, msix + PCI_MSIX_FLAGS,
                       ctl | PCI_MSIX_FLAGS_ENABLE);
    awd_reg_write(d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    g_assert_true(awd_reg(d, AWD_REG_STATUS) & AWD_STATUS_READY);
}

/* Enable queue @i on its ring, still empty */
static void q_enable(H *h, unsigned i)
{
    AwdDev *d = &h->d;

    awd_qreg_write(d, i, AWD_Q_SQ_BASE_LO, h->sq[i]);
    awd_qreg_write(d, i, AWD_Q_SQ_BASE_HI, h->sq[i] >> 32);
    awd_qreg_write(d, i, AWD_Q_CQ_BASE_LO, h->cq[i]);
    awd_qreg_write(d, i, AWD_Q_CQ_BASE_HI, h->cq[i] >> 32);
    awd_qreg_write(d, i, AWD_Q_RING_ORDER, RING_ORDER);
    awd_qreg_write(d, i, AWD_Q_CTRL, AWD_QCTRL_ENABLE | AWD_QCTRL_IRQ_EN);
    g_assert_cmphex(awd_qreg(d, i, AWD_Q_ERROR), ==, AWD_QERR_NONE);
}

static void unplug(H *h)
{
    QDict *ev;

    qtest_qmp_device_del_send(h->qts, "awd0");
    slot_power(h, false);       /* unrealize: joins the busy workers */
    for (;;) {
        ev = qtest_qmp_eventwait_ref(h->qts, "DEVICE_DELETED");
        if (!g_strcmp0(qdict_get_try_str(qdict_get_qdict(ev, "data"),
                                         "device"), "awd0")) {
            qobject_unref(ev);
            break;
        }
        qobject_unref(ev);
    }
    g_free(h->d.dev);
    h->d.dev = NULL;
}

static void hotplug_under_load(unsigned workers)
{
    size_t n = 1u << RING_ORDER;
    g_autofree uint8_t *data = awd_test_data(REQ_LEN, 7);
    g_autofree struct awd_desc *ring = g_new0(struct awd_desc, n);
    g_autofree uint8_t *out = g_malloc(2 * REQ_LEN);
    g_autofree uint8_t *back = g_malloc(REQ_LEN);
    struct sigaction sa = { .sa_handler = watchdog }, old;
    H h = { 0 };
    unsigned i, k, round;
    AwdQ q;
    struct awd_cpl c;
    struct awd_desc desc;
    gint64 t0 = g_get_monotonic_time();

    /* native PCIe hot-plug on the root port, not ACPI's (q35 default) */
    h.qs = qtest_pc_boot("-M q35 -nodefaults -m 512M -global "
                         "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off "
                         "-device pcie-root-port,id=rp0,bus=pcie.0,"
                         "chassis=1,slot=1,addr=04.0");
    h.qts = h.qs->qts;
    h.d.qs = h.qs;
    h.d.qts = h.qts;
    rp_setup(&h);
    h.nq = AWD_DEFAULT_QUEUES;

    /* one source, one destination, and rings full of requests for them */
    h.src = awd_alloc(&h.d, REQ_LEN, 4096);
    h.dst = awd_alloc(&h.d, 2 * REQ_LEN, 4096);
    awd_write_buf(&h.d, h.src, data, REQ_LEN);
    for (k = 0; k < n; k++) {
        ring[k] = (struct awd_desc) {
            .opcode = AWD_OP_COMPRESS, .flags = AWD_DF_IRQ,
            .tag = cpu_to_le32(k), .src = cpu_to_le64(h.src),
            .dst = cpu_to_le64(h.dst), .src_len = cpu_to_le32(REQ_LEN),
            .dst_len = cpu_to_le32(2 * REQ_LEN),
            .param = cpu_to_le32((AWD_FMT_ZLIB << AWD_PARAM_FMT_SHIFT) |
                                 (6 << AWD_PARAM_LEVEL_SHIFT)),
        };
    }
    for (i = 0; i < h.nq; i++) {
        h.sq[i] = awd_alloc(&h.d, n * AWD_DESC_SIZE, 4096);
        h.cq[i] = awd_alloc(&h.d, n * AWD_CPL_SIZE, 4096);
        awd_write_buf(&h.d, h.sq[i], ring, n * AWD_DESC_SIZE);
    }

    sigaction(SIGALRM, &sa, &old);
    for (round = 0; round < ROUNDS; round++) {
        alarm(ROUND_TIMEOUT_S);
        plug(&h, workers);
        for (i = 0; i < h.nq; i++) {
            q_enable(&h, i);
        }
        /* the rings hold n - 1 requests each: all of them at once */
        for (i = 0; i < h.nq; i++) {
            awd_doorbell(&h.d, i, AWD_DB_SQ_TAIL, n - 1);
        }
        /* unplug at a different point of the traffic each round */
        g_usleep((round % 10) * 500);
        unplug(&h);
    }
    alarm(0);
    sigaction(SIGALRM, &old, NULL);
    g_test_message("%u unplugs under load in %.1f s", ROUNDS,
                   (g_get_monotonic_time() - t0) / 1e6);

    /* plugged again, the device works */
    plug(&h, workers);
    awd_q_setup(&h.d, &q, 0, 3);
    desc = (struct awd_desc) {
        .opcode = AWD_OP_COMPRESS, .flags = AWD_DF_IRQ, .tag = 77,
        .src = h.src, .dst = h.dst, .src_len = REQ_LEN,
        .dst_len = 2 * REQ_LEN,
        .param = (AWD_FMT_ZLIB << AWD_PARAM_FMT_SHIFT) |
                 (6 << AWD_PARAM_LEVEL_SHIFT),
    };
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    awd_read_buf(&h.d, h.dst, out, c.produced);
    g_assert_cmpint(awd_host_inflate(15, out, c.produced, back, REQ_LEN),
                    ==, REQ_LEN);
    g_assert_cmpmem(back, REQ_LEN, data, REQ_LEN);
    unplug(&h);

    g_free(h.rp);
    qtest_pc_shutdown(h.qs);
}

/* A worker thread per queue */
static void test_hotplug_dedicated(void)
{
    hotplug_under_load(0);
}

/* Two pooled workers serving all queues */
static void test_hotplug_pooled(void)
{
    hotplug_under_load(2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/hotplug/unplug-under-load",
                   test_hotplug_dedicated);
    qtest_add_func("/accel-wd/hotplug/unplug-under-load-pooled",
                   test_hotplug_pooled);
    return g_test_run();
}
